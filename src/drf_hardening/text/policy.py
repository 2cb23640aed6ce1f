"""The "plain human text" policy behind ``StrictCharField``, as a pure function over ``str``.

Nothing here imports Django: ``TextPolicy.clean`` returns the normalised value
or raises ``TextPolicyError`` carrying one of the stable codes in ``CODES``.
docs/text-policy.md explains every rule, with the Unicode references.

Character properties come from the ``regex`` package's own Unicode tables, not
from ``unicodedata``, and the accepted repertoire is frozen at Unicode 13.0
(Python 3.10) plus pictographic emoji, so the same input gives the same answer
on every supported Python (see ``_unicode13``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

import regex

from drf_hardening.text.scripts import is_mixed_script
from drf_hardening.text.sequences import (
    is_variation_selector,
    is_variation_sequence,
    tag_sequence_positions,
)
from drf_hardening.text.unicode_data import ASSIGNED_RANGES, SUSPECT_BMP_RANGES

DEFAULT_MAX_LENGTH = 255
# UTS #39 section 5.4: "Forbid sequences of more than 4 nonspacing marks".
DEFAULT_MAX_COMBINING_MARKS = 4

#: Every code ``TextPolicy.clean`` can raise. Stable: documented in docs/text-policy.md.
CODES = (
    "not_a_string",
    "too_long",
    "too_many_bytes",
    "too_short",
    "blank",
    "control_character",
    "bidi_control",
    "invisible_character",
    "line_separator",
    "private_use_character",
    "unassigned_character",
    "surrogate_character",
    "too_many_combining_marks",
    "disallowed_character",
    "mixed_script",
)

#: Names accepted by ``allow=``, each a set of characters in ``regex`` syntax.
CHARACTER_CLASSES = {
    # Marks belong to letters (Devanagari vowel signs, decomposed accents), and so
    # do ZWNJ/ZWJ, which reach this check only in their legitimate contexts
    # (Persian words, Indic conjuncts).
    "letters": r"\p{L}\p{M}\u200c\u200d",
    "digits": r"\p{Nd}",
    "spaces": " ",
    "punctuation": r"\p{P}",
    "symbols": r"\p{S}",
    "emoji": r"\p{Extended_Pictographic}\p{Emoji_Component}",
}


def _char_set(ranges: str) -> str:
    pairs = (r.split("-") for r in ranges.split())
    return "".join(f"\\U{int(a, 16):08X}-\\U{int(b, 16):08X}" for a, b in pairs)


_FLOOR = _char_set(ASSIGNED_RANGES)
_IN_FLOOR = regex.compile(f"[{_FLOOR}]")
# Every character that is rejected unless its context makes it legitimate
# (ZWJ in an emoji sequence, a variation selector after its base, ...).
_SUSPECT = regex.compile(
    r"[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\u2800"
    f"[^{_FLOOR}]]",
    regex.V1,
)
# The same set for the BMP as a stdlib ``re`` bitmap, plus every astral code point:
# about 20 times faster than the property lookups above on ordinary text.
# Astral candidates (emoji, mostly) are then checked with ``_SUSPECT``.
_MAYBE_SUSPECT = re.compile(f"[{_char_set(SUSPECT_BMP_RANGES)}\\U00010000-\\U0010FFFF]")
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_BIDI_MARKS = frozenset("\u200e\u200f\u061c")  # LRM, RLM, ALM
_ZWNJ, _ZWJ = "\u200c", "\u200d"
_JOINERS = frozenset((_ZWNJ, _ZWJ))
_VIRAMA = regex.compile(r"\p{ccc=Virama}")
# UAX #31 A1: ZWNJ between a left- and a right-joining Arabic-script letter (Persian, Urdu).
_ZWNJ_JOINING = regex.compile(
    r"(?<=[\p{jt=D}\p{jt=L}]\p{jt=T}*)\u200c(?=\p{jt=T}*[\p{jt=D}\p{jt=R}])"
)
# UTS #51: ZWJ between two pictographs, the first possibly with VS16 or a skin tone.
_ZWJ_EMOJI = regex.compile(
    r"(?<=\p{Extended_Pictographic}[\ufe0f\p{Emoji_Modifier}]?)\u200d(?=\p{Extended_Pictographic})"
)
# Extended_Pictographic also reserves unassigned code points for future emoji.
_ASSIGNED_PICTOGRAPHIC = regex.compile(r"[\p{Extended_Pictographic}--\p{Cn}]", regex.V1)
_CONTROL = regex.compile(r"\p{Cc}")
_PRIVATE_USE = regex.compile(r"\p{Co}")
# General category Zs, unchanged since Unicode 6.3 moved U+180E to Cf.
_SPACE_RUNS = re.compile("[\u0020\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_OTHER_SPACE = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_LINE_END_SPACES = re.compile(r" +(?=\n)|(?<=\n) +")


class TextPolicyError(ValueError):
    """Raised by ``TextPolicy.clean``; ``code`` is one of ``CODES``."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@lru_cache(maxsize=4096)
def _is_suspect(char: str) -> bool:
    return _SUSPECT.match(char) is not None


def _classify(char: str) -> str:
    """The code for a character that has no legitimate context."""
    if "\ud800" <= char <= "\udfff":
        return "surrogate_character"
    if char in _BIDI_CONTROLS or char in _BIDI_MARKS:
        return "bidi_control"
    if _CONTROL.match(char):
        return "control_character"
    if char in "\u2028\u2029":
        return "line_separator"
    if _PRIVATE_USE.match(char):
        return "private_use_character"
    if not _IN_FLOOR.match(char):
        return "unassigned_character"
    return "invisible_character"


@dataclass(frozen=True)
class TextPolicy:
    """What counts as acceptable text, and how it is normalised.

    Build it once (``StrictCharField`` does so in ``__init__``); ``clean`` is
    thread-safe. Options are validated by ``StrictCharField``.
    """

    max_length: int = DEFAULT_MAX_LENGTH
    min_length: int | None = None
    max_bytes: int | None = None
    multiline: bool = False
    normalize: Literal["NFC", "NFKC"] = "NFC"
    identifier: bool = False
    allow: frozenset[str] | None = None
    allow_bidi_marks: bool = False
    reject_mixed_script: bool = False
    max_combining_marks: int = DEFAULT_MAX_COMBINING_MARKS
    _allowed: regex.Pattern[str] | None = field(init=False, repr=False, compare=False)
    _mark_flood: regex.Pattern[str] = field(init=False, repr=False, compare=False)
    _mark_run: regex.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        over = self.max_combining_marks + 1
        # A run of any marks (Mn, Mc, Me) is a cheap single-property prefilter.
        object.__setattr__(self, "_mark_run", regex.compile(f"\\p{{M}}{{{over},}}"))
        object.__setattr__(self, "_mark_flood", regex.compile(f"[\\p{{Mn}}\\p{{Me}}]{{{over},}}"))
        allowed = None
        if self.allow is not None:
            chars = "".join(CHARACTER_CLASSES[name] for name in sorted(self.allow))
            newline = "\\n\\t" if self.multiline else ""
            allowed = regex.compile(f"[^{chars}{newline}]")
        object.__setattr__(self, "_allowed", allowed)

    def clean(self, value: object) -> str:
        """Return ``value`` normalised, or raise ``TextPolicyError``."""
        if not isinstance(value, str):
            raise TextPolicyError("not_a_string")
        # Limits first: everything after this is linear in a bounded length.
        self._check_size(value)
        if self.multiline:
            value = value.replace("\r\n", "\n")
        self._reject_suspects(value)
        text = self._normalize(value)
        if text != value:
            # NFKC and case folding can create characters the raw scan never saw.
            self._reject_suspects(text)
        text = self._fold_spaces(text)
        return self._check_shape(text)

    def _check_size(self, text: str) -> None:
        if len(text) > self.max_length:
            raise TextPolicyError("too_long")
        if (
            self.max_bytes is not None
            and len(text.encode("utf-8", "surrogatepass")) > self.max_bytes
        ):
            raise TextPolicyError("too_many_bytes")

    def _reject_suspects(self, text: str) -> None:
        tags: set[int] | None = None
        for match in _MAYBE_SUSPECT.finditer(text):
            char = match.group()
            if char >= "\U00010000" and not _is_suspect(char):
                continue
            i = match.start()
            if char in _JOINERS:
                # UAX #31 A1/A2: a conjunct control after a virama; A1 for ZWNJ in
                # Arabic-script joining; UTS #51 for ZWJ inside an emoji sequence.
                context = _ZWNJ_JOINING if char == _ZWNJ else _ZWJ_EMOJI
                if (i > 0 and _VIRAMA.match(text, i - 1)) or context.match(text, i):
                    continue
            elif is_variation_selector(char):
                if i > 0 and is_variation_sequence(text[i - 1], char):
                    continue
            elif "\U000e0020" <= char <= "\U000e007f":
                if tags is None:
                    tags = tag_sequence_positions(text)
                if i in tags:
                    continue
            elif (char in "\n\t" and self.multiline) or (
                char in _BIDI_MARKS and self.allow_bidi_marks
            ):
                continue  # widened by an option
            elif not _IN_FLOOR.match(char) and _ASSIGNED_PICTOGRAPHIC.match(char):
                # Emoji added after Unicode 13.0 have no decomposition and no
                # case: they cannot normalise differently across Pythons.
                continue
            raise TextPolicyError(_classify(char))

    def _normalize(self, text: str) -> str:
        if not self.identifier:
            return unicodedata.normalize(self.normalize, text)
        # UAX #31 2.3: NFKC, case folding, NFKC again (casefold can un-normalise,
        # e.g. U+0345 folds to U+03B9). Idempotent on every code point.
        return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())

    def _fold_spaces(self, text: str) -> str:
        if "  " in text or _OTHER_SPACE.search(text):  # rare: skip the rewrite otherwise
            text = _SPACE_RUNS.sub(" ", text)
        if self.multiline:
            text = _LINE_END_SPACES.sub("", text)
            return text.strip(" \n\t")
        return text.strip(" ")

    def _check_shape(self, text: str) -> str:
        if not text:
            raise TextPolicyError("blank")
        self._check_size(text)  # normalisation can lengthen: NFC turns U+0958 into two
        if self.min_length is not None and len(text) < self.min_length:
            raise TextPolicyError("too_short")
        if self._mark_run.search(text) and self._mark_flood.search(text):
            raise TextPolicyError("too_many_combining_marks")
        if self._allowed is not None and self._allowed.search(text):
            raise TextPolicyError("disallowed_character")
        if self.reject_mixed_script and is_mixed_script(text):
            raise TextPolicyError("mixed_script")
        return text


def validate_options(allow: Iterable[str] | None) -> frozenset[str] | None:
    """Return ``allow`` as a frozenset, or raise ``ValueError`` naming the bad value."""
    if allow is None:
        return None
    if isinstance(allow, str):
        # A bare string is a sequence of characters: "letters" would be l, e, t...
        raise ValueError(f"allow must be a list of class names, not the string {allow!r}")
    names = frozenset(allow)
    unknown = sorted(names - CHARACTER_CLASSES.keys())
    if unknown or not names:
        raise ValueError(
            f"allow has unknown or no character classes {unknown!r}; "
            f"choose from {sorted(CHARACTER_CLASSES)}"
        )
    return names
