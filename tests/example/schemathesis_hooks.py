"""schemathesis hooks of the example project: strategies for its string formats.

Loaded by tests/example/test_schemathesis.py, and by the command line with
``SCHEMATHESIS_HOOKS=tests.example.schemathesis_hooks`` (docs/example.md).
The formats come from drf_hardening.openapi (StrictCharField) and the password field:
these strategies produce values the API accepts, so that "schema-valid request
rejected" means a wrong schema, not an unlucky string.
"""

from __future__ import annotations

import schemathesis
from hypothesis import strategies as st

WORD = r"[A-Za-z0-9]{1,12}"
schemathesis.openapi.format(
    "strict-text(digits,letters,spaces)", st.from_regex(rf"\A{WORD}( {WORD}){{0,4}}\Z")
)
schemathesis.openapi.format("strict-text", st.from_regex(rf"\A{WORD}( {WORD}){{0,2}}\Z"))
schemathesis.openapi.format(
    "strict-text(multiline)",
    st.from_regex(r"\A[A-Za-z0-9.,!?]{1,20}(\n[A-Za-z0-9 .,!?]{0,20}){0,3}\Z"),
)
schemathesis.openapi.format(
    "strict-identifier(digits,letters,punctuation,symbols)",
    st.from_regex(r"\A[a-z][a-z0-9_.@+-]{2,20}\Z"),
)
# Passes AUTH_PASSWORD_VALIDATORS: long, not numeric, not common, not like a username.
schemathesis.openapi.format("password", st.from_regex(r"\A[A-Z][a-z]{5}-[0-9]{4}-[a-z]{6}\Z"))
