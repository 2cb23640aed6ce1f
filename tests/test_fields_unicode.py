"""The Unicode data behind the text policy: frozen tables, and the fast path agreeing with them."""

from __future__ import annotations

import unicodedata

import pytest
import regex

from drf_hardening.text import policy as text_policy
from drf_hardening.text import unicode_data as _unicode13


def _ranges(predicate: object, stop: int) -> str:
    """The generator of ``_unicode13``, kept here so the tables can be checked and rebuilt."""
    assert callable(predicate)
    out, start = [], None
    for cp in range(stop + 1):
        inside = cp < stop and predicate(chr(cp))
        if inside and start is None:
            start = cp
        elif not inside and start is not None:
            out.append(f"{start:04X}-{cp - 1:04X}")
            start = None
    return " ".join(out)


def _expand(ranges: str) -> set[int]:
    points: set[int] = set()
    for pair in ranges.split():
        a, b = (int(x, 16) for x in pair.split("-"))
        points.update(range(a, b + 1))
    return points


_DEFAULT_IGNORABLE = regex.compile(r"\p{Default_Ignorable_Code_Point}")
_SUSPECT_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Zl", "Zp", "Cn"}


@pytest.mark.skipif(
    unicodedata.unidata_version != "13.0.0",
    reason="the tables are generated from Python 3.10's Unicode 13.0 data (tox py310 checks)",
)
def test_unicode13_tables_match_python310_unicodedata() -> None:
    assigned = _ranges(lambda c: unicodedata.category(c) != "Cn", 0x110000)
    suspect = _ranges(
        lambda c: (
            unicodedata.category(c) in _SUSPECT_CATEGORIES
            or bool(_DEFAULT_IGNORABLE.match(c))
            or c == "\u2800"
        ),
        0x10000,
    )
    assert _unicode13.ASSIGNED_RANGES.split() == assigned.split()
    assert _unicode13.SUSPECT_BMP_RANGES.split() == suspect.split()


def test_unicode13_repertoire_is_assigned_on_this_python() -> None:
    # Unicode never unassigns a code point: every later Python agrees with 13.0 here.
    floor = _expand(_unicode13.ASSIGNED_RANGES)
    # Unicode 13.0: 143,924 characters, 137,468 private-use and 2,048 surrogate code points.
    assert len(floor) == 143_924 + 137_468 + 2_048
    assert all(unicodedata.category(chr(cp)) != "Cn" for cp in floor)


def test_fast_path_agrees_with_property_lookup_on_every_bmp_code_point() -> None:
    fast = text_policy._MAYBE_SUSPECT
    slow = text_policy._SUSPECT
    disagree = [
        f"U+{cp:04X}"
        for cp in range(0x10000)
        if bool(fast.match(chr(cp))) != bool(slow.match(chr(cp)))
    ]
    assert disagree == []


def test_scripts_table_names_are_known_to_regex() -> None:
    scripts = _unicode13.SCRIPTS.split()
    assert {"LATIN", "CYRILLIC", "GREEK", "HANI", "HIRAGANA", "KATAKANA", "HANGUL"} <= set(scripts)
    for script in scripts:
        regex.compile(rf"\p{{scx={script}}}")


@pytest.mark.parametrize(
    ("char", "why"),
    [
        ("\U0001e030", "Unicode 15.0: NFKC maps it to U+0430 on 3.12+, not on 3.10"),
        ("\U00010570", "Unicode 14.0: casefolds to U+10597 on 3.11+, not on 3.10"),
        ("\u0898", "Unicode 14.0 combining mark: reordered by NFC on 3.11+ only"),
    ],
)
def test_characters_newer_than_unicode13_are_rejected_everywhere(char: str, why: str) -> None:
    policy = text_policy.TextPolicy(identifier=True)
    with pytest.raises(text_policy.TextPolicyError) as exc_info:
        policy.clean("a" + char)
    assert exc_info.value.code == "unassigned_character", why


def test_emoji_newer_than_unicode13_are_accepted_everywhere() -> None:
    # U+1FAE0 MELTING FACE (14.0) and U+1FA77 PINK HEART (15.0): no decomposition, no case.
    policy = text_policy.TextPolicy(identifier=True)
    assert policy.clean("\U0001fae0\U0001fa77") == "\U0001fae0\U0001fa77"
