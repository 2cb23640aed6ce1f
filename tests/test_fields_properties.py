"""Properties of StrictCharField over any input (hypothesis).

For any value the field either raises a ValidationError whose code is documented,
or returns text that is NFC, holds no character of a rejected class, and is a
fixed point (validating it again returns it unchanged). It never raises anything
else.
"""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest
import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.exceptions import ValidationError

from drf_hardening.fields import StrictCharField
from drf_hardening.text.policy import CODES

# Codes DRF's own Field may raise before the policy runs (None where not allowed).
DOCUMENTED = set(CODES) | {"null"}

# Characters that hypothesis would rarely draw by chance but that the policy must handle.
INTERESTING = (
    "\x00\x1b\x7f\x85\t\n\r\u00a0\u00ad\u034f\u061c\u0301\u0302\u0345\u094d\u0958\u180e"
    "\u200b\u200c\u200d\u200e\u200f\u2028\u2029\u202a\u202e\u2060\u2066\u2069\u2800\u3000"
    "\u3164\ufe0e\ufe0f\ufeff\uffa0\ufdd0\uffff\ue000\u212a\u2474\uf900"
    "\U0001f3f4\U000e0067\U000e007f\U0001f600\U0001f3fd\U0001f1eb\U0001fae0\U000e0100"
    "\U0001e030\U00010570\U000f0000\ud800\udfff"
    "a\u0430\u03bf\u0628\u05d0\u0915\u3042\u30a2\u6f22\ud55c\u3105 1"
)

texts = st.text(
    alphabet=st.one_of(
        st.characters(codec=None),  # every code point, lone surrogates included
        st.sampled_from(INTERESTING),
    ),
    max_size=40,
)
non_strings = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.lists(st.text(max_size=3), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=3),
    st.binary(max_size=5),
)

# Code points that may appear in a returned value only in a legitimate context.
CONTEXTUAL = set("\u200c\u200d\n\t") | {chr(c) for c in range(0xE0020, 0xE0080)}
REJECTED_CLASS = regex.compile(
    r"[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\u2800]"
)
VARIATION_SELECTOR = regex.compile(r"\p{Variation_Selector}")

POLICIES: dict[str, dict[str, Any]] = {
    "default": {},
    "multiline": {"multiline": True, "max_length": 60},
    "nfkc": {"normalize": "NFKC"},
    "identifier": {"identifier": True},
    "mixed_script": {"reject_mixed_script": True},
    "narrow": {"allow": ["letters", "digits", "spaces"], "max_length": 20, "min_length": 2},
    "bidi_marks_and_bytes": {"allow_bidi_marks": True, "max_bytes": 30},
}


def run(field: StrictCharField, value: Any) -> tuple[Any, Any]:
    """(value returned, None) or (None, the ValidationError's detail)."""
    try:
        return field.run_validation(value), None
    except ValidationError as exc:
        return None, exc.detail


def check(field: StrictCharField, value: Any) -> None:
    out, errors = run(field, value)
    if errors is not None:
        assert isinstance(errors, list)
        assert {d.code for d in errors} <= DOCUMENTED, errors
        return
    if out is None:
        assert value is None
        assert field.allow_null
        return
    assert isinstance(out, str)
    normal = field.policy.normalize
    assert unicodedata.is_normalized("NFKC" if field.policy.identifier else normal, out)
    assert unicodedata.is_normalized("NFC", out)
    for char in out:
        if REJECTED_CLASS.match(char):
            allowed = char in CONTEXTUAL or bool(VARIATION_SELECTOR.match(char))
            allowed = allowed or (char in "\u200e\u200f\u061c" and field.policy.allow_bidi_marks)
            assert allowed, f"U+{ord(char):04X} in {out!r}"
            assert char not in "\n\t" or field.policy.multiline
    assert out == out.strip()
    assert "  " not in out
    assert field.max_length is not None
    assert len(out) <= field.max_length
    assert field.run_validation(out) == out  # idempotent


@pytest.mark.parametrize("name", POLICIES)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=texts)
def test_strict_char_field_property_any_text(name: str, value: str) -> None:
    check(StrictCharField(**POLICIES[name]), value)


@settings(max_examples=100, deadline=None)
@given(value=non_strings)
def test_strict_char_field_property_non_strings(value: Any) -> None:
    check(StrictCharField(allow_null=True), value)


@settings(max_examples=200, deadline=None)
@given(value=texts)
def test_strict_char_field_property_output_of_one_policy_is_stable_under_padding(
    value: str,
) -> None:
    # Padding with spaces never changes what is stored, or whether it is accepted.
    field = StrictCharField(max_length=100)
    assert run(field, f"  {value}\u00a0 ")[0] == run(field, value)[0]
