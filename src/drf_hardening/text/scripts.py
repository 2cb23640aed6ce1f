"""Mixed-script detection per UTS #39, for ``StrictCharField(reject_mixed_script=True)``.

Script_Extensions come from the ``regex`` package's tables, the same on every
Python. https://www.unicode.org/reports/tr39/#Mixed_Script_Detection
"""

from __future__ import annotations

from functools import lru_cache

import regex

from drf_hardening.text.unicode_data import SCRIPTS

_COMMON = r"\p{scx=Zyyy}\p{scx=Zinh}"
# A script added to Unicode after the table was generated is simply never a
# candidate: it can only make a value look mixed, never let a mixed one through.
_SCRIPT_NAMES = tuple(SCRIPTS.split())
_FIRST_SCRIPTED = regex.compile(f"[^{_COMMON}]")
# UTS #39 5.1: Han-based writing systems that legitimately mix scripts.
_AUGMENTED = {
    "HIRAGANA": ("JPAN",),
    "KATAKANA": ("JPAN",),
    "HANGUL": ("KORE",),
    "BOPOMOFO": ("HANB",),
    "HANI": ("JPAN", "KORE", "HANB"),
}
_MEMBERS = {
    "JPAN": ("HANI", "HIRAGANA", "KATAKANA"),
    "KORE": ("HANI", "HANGUL"),
    "HANB": ("HANI", "BOPOMOFO"),
}
# UTS #39 5.2 "Highly Restrictive": Latin may also join one of the Han-based systems.
_HIGHLY_RESTRICTIVE = (
    ("LATIN", "HANI", "HIRAGANA", "KATAKANA"),
    ("LATIN", "HANI", "BOPOMOFO"),
    ("LATIN", "HANI", "HANGUL"),
)


@lru_cache(maxsize=512)
def _script_set_pattern(scripts: tuple[str, ...]) -> regex.Pattern[str]:
    members = "".join(f"\\p{{scx={s}}}" for s in scripts)
    return regex.compile(f"[{_COMMON}{members}]*")


@lru_cache(maxsize=4096)
def _scripts_of(char: str) -> tuple[str, ...]:
    return tuple(s for s in _SCRIPT_NAMES if _script_set_pattern((s,)).fullmatch(char))


def is_mixed_script(text: str) -> bool:
    """True when ``text`` fails UTS #39's "Highly Restrictive" level.

    Common and Inherited characters (digits, punctuation, emoji, combining
    marks) go with any script; Japanese, Korean and Chinese may combine Han
    with kana, hangul or bopomofo, and each may add Latin.
    """
    first = _FIRST_SCRIPTED.search(text)
    if first is None:
        return False
    candidates: list[tuple[str, ...]] = []
    for script in _scripts_of(first.group()):
        candidates.append((script,))
        candidates.extend(_MEMBERS[a] for a in _AUGMENTED.get(script, ()))
    candidates.extend(_HIGHLY_RESTRICTIVE)
    return not any(_script_set_pattern(c).fullmatch(text) for c in candidates)
