"""schemathesis strategies for the test API's StrictCharField formats.

JSON Schema cannot say "letters, digits and spaces, trimmed"; the format
names it (``drf_hardening.openapi.strict_text_format``), and these strategies
generate values the API accepts, so that "schema-valid request rejected"
means a wrong schema, not an unlucky string.
"""

from __future__ import annotations

import schemathesis
from hypothesis import strategies as st

WORD = r"[A-Za-z0-9]{2,12}"
LETTERS = r"[A-Za-z]{1,10}"


def register() -> None:
    schemathesis.openapi.format(
        "strict-text(digits,letters,spaces)", st.from_regex(rf"\A{WORD}( {WORD}){{0,3}}\Z")
    )
    schemathesis.openapi.format(
        "strict-text(letters,spaces)", st.from_regex(rf"\A{LETTERS}( {LETTERS}){{0,2}}\Z")
    )
    schemathesis.openapi.format(
        "strict-text(multiline)",
        st.from_regex(r"\A[A-Za-z0-9.,!?]{1,20}(\n[A-Za-z0-9.,!?]{1,20}){0,3}\Z"),
    )
