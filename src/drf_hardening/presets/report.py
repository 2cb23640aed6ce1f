"""The report of what ``harden()`` did: plain data, printable and JSON-able."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

#: Where a setting's value came from.
Source = Literal["preset", "user", "argument", "environment"]

SOURCE_LABELS: Mapping[str, str] = {
    "preset": "preset",
    "user": "your settings (kept)",
    "argument": "harden() argument",
    "environment": "environment variable",
}


@dataclass
class Entry:
    """One setting (or nested key, list item, middleware) that the presets touch."""

    setting: str
    value: Any
    source: Source
    #: For a kept user value that differs from the preset: what the preset would set.
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "setting": self.setting,
            "value": self.value,
            "source": self.source,
            "note": self.note,
        }


@dataclass
class HardeningReport:
    """What ``harden()`` set, merged or left alone, and which Django checks it silenced."""

    profile: str
    entries: list[Entry]
    silenced: Mapping[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "profile": self.profile,
            "entries": [entry.as_dict() for entry in self.entries],
            "silenced": dict(self.silenced),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> HardeningReport:
        return cls(
            profile=data["profile"],
            entries=[Entry(**entry) for entry in data["entries"]],
            silenced=data.get("silenced", {}),
        )

    def by_source(self, source: Source) -> list[Entry]:
        return [entry for entry in self.entries if entry.source == source]

    def __str__(self) -> str:
        width = max((len(entry.setting) for entry in self.entries), default=10)
        lines = [f"drf-hardening profile: {self.profile}", ""]
        for entry in self.entries:
            line = f"{entry.setting:<{width}}  {entry.value!r}  [{SOURCE_LABELS[entry.source]}]"
            lines.append(f"{line}  {entry.note}".rstrip())
        for check_id, reason in self.silenced.items():
            lines += ["", f"Silenced {check_id}: {reason}"]
        return "\n".join(lines)
