"""drf-spectacular extensions for drf-hardening's fields (found by their import)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension

from drf_hardening.fields import StrictCharField


def strict_text_format(field: StrictCharField) -> str:
    """The OpenAPI ``format`` of a StrictCharField, e.g. ``strict-text(digits,letters,spaces)``.

    JSON Schema cannot say "no control, bidi or invisible characters, one
    script"; a named format can, and clients and fuzzers (schemathesis'
    ``openapi.format``) can generate values for it.
    """
    policy = field.policy
    name = "strict-identifier" if policy.identifier else "strict-text"
    options = sorted(policy.allow or ()) + (["multiline"] if policy.multiline else [])
    return f"{name}({','.join(options)})" if options else name


def describe_policy(field: StrictCharField) -> str:
    """What ``field`` accepts, in one paragraph (docs/text-policy.md has the rules)."""
    policy = field.policy
    allowed = ", ".join(sorted(policy.allow)) if policy.allow else "any visible text and emoji"
    rules = [
        f"Plain text: {allowed}",
        "no control, bidirectional-override, invisible, private-use or unassigned characters",
        f"at most {policy.max_combining_marks} combining marks on one character",
        "line breaks and tabs allowed" if policy.multiline else "one line",
    ]
    if policy.reject_mixed_script:
        rules.append("one writing system")
    if policy.max_bytes is not None:
        rules.append(f"at most {policy.max_bytes} bytes in UTF-8")
    normal = "NFKC-normalised and case-folded" if policy.identifier else f"{policy.normalize}"
    rules.append(f"stored {normal}, spaces folded and trimmed")
    return "; ".join(rules) + "."


class StrictCharFieldExtension(OpenApiSerializerFieldExtension):  # type: ignore[no-untyped-call]
    """A StrictCharField's lengths, character rules and format.

    StrictCharField checks lengths itself (it drops CharField's length
    validators, where drf-spectacular looks), so without this the schema would
    say any string is valid.
    """

    target_class = StrictCharField
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        field: StrictCharField = self.target
        schema: dict[str, Any] = {
            "type": "string",
            "format": strict_text_format(field),
            "description": describe_policy(field),
        }
        # Never 0: with allow_blank, drf-spectacular makes it oneOf [this, ""], and this
        # branch must not match "" too, or "exactly one" fails.
        schema["minLength"] = max(field.min_length or 0, 1)
        schema["maxLength"] = field.max_length
        return schema
