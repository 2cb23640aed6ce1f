"""The sequences in which Unicode gives an invisible character a visible meaning.

A variation selector changes how the character before it is drawn, and a run of
tag characters names a subdivision flag; anywhere else they show nothing and
can carry hidden text ("ASCII smuggling" in tags, look-alikes such as
``pa\\uFE0Fypal``). ``drf_hardening.text.policy`` accepts them only in the
sequences defined here. docs/text-policy.md explains each rule.
"""

from __future__ import annotations

import regex

from drf_hardening.text.unicode_data import EMOJI_VARIATION_BASES, STANDARDIZED_VARIATION_BASES

# UTS #51 ED-14a with Annex C's subdivision flags: U+1F3F4, the tag letters of a
# Unicode subdivision id (a region, two letters or three digits, and a suffix of one
# to four letters or digits), CANCEL TAG. Three to seven tags: no room to hide text.
TAG_SEQUENCE = regex.compile(
    "\U0001f3f4(?:[\U000e0061-\U000e007a]{2}|[\U000e0030-\U000e0039]{3})"
    "[\U000e0030-\U000e0039\U000e0061-\U000e007a]{1,4}\U000e007f"
)
_UNIFIED_IDEOGRAPH = regex.compile(r"\p{Unified_Ideograph}")


def _code_points(ranges: str) -> frozenset[int]:
    pairs = (r.split("-") for r in ranges.split())
    return frozenset(cp for a, b in pairs for cp in range(int(a, 16), int(b, 16) + 1))


#: For each variation selector but VS17-VS256, the code points it may follow.
VARIATION_BASES: dict[str, frozenset[int]] = {
    "\ufe0e": _code_points(EMOJI_VARIATION_BASES),
    "\ufe0f": _code_points(EMOJI_VARIATION_BASES),
    **{chr(int(vs, 16)): _code_points(bases) for vs, bases in STANDARDIZED_VARIATION_BASES.items()},
}


def tag_sequence_positions(text: str) -> set[int]:
    """The indexes in ``text`` of every character inside a well-formed subdivision flag."""
    return {i for match in TAG_SEQUENCE.finditer(text) for i in range(*match.span())}


def is_variation_selector(char: str) -> bool:
    """VS1-VS16, the Mongolian free variation selectors, or VS17-VS256."""
    return (
        "\ufe00" <= char <= "\ufe0f"
        or "\u180b" <= char <= "\u180f"
        or ("\U000e0100" <= char <= "\U000e01ef")
    )


def is_variation_sequence(base: str, selector: str) -> bool:
    """Whether Unicode defines ``base`` + ``selector`` (so it shows, and is not hidden data).

    Standardized and emoji sequences from their tables; an ideographic variation
    sequence (VS17-VS256) after any unified ideograph: the Ideographic Variation
    Database registers tens of thousands, for ideographs only, and grows each year.
    """
    if selector >= "\U000e0100":
        return _UNIFIED_IDEOGRAPH.match(base) is not None
    return ord(base) in VARIATION_BASES.get(selector, ())
