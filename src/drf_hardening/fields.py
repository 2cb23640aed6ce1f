"""``StrictCharField``: a DRF ``CharField`` that accepts plain human text only."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from drf_hardening.text.policy import (
    DEFAULT_MAX_COMBINING_MARKS,
    DEFAULT_MAX_LENGTH,
    TextPolicy,
    TextPolicyError,
    validate_options,
)


def _check_int(name: str, value: object, *, minimum: int) -> None:
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, int) or value < minimum
    ):
        raise ImproperlyConfigured(
            f"StrictCharField {name} must be an int >= {minimum}, not {value!r}"
        )


class StrictCharField(serializers.CharField):
    """A ``CharField`` for text that people type and other people read.

    Accepts letters and marks of every script, digits, punctuation, symbols and
    emoji; rejects control, bidi, invisible, private-use and unassigned
    characters and combining-mark floods; returns the value NFC-normalised with
    spaces folded and trimmed. Every rejection carries a stable ``code`` and a
    message that never repeats the input. docs/text-policy.md has the details.

    Options, on top of ``CharField``'s (``max_length`` defaults to 255):

    - ``allow``: character classes the value may use, e.g.
      ``["letters", "digits", "spaces"]``; names are in
      ``drf_hardening.text.policy.CHARACTER_CLASSES``.
    - ``multiline``: also accept ``\\n`` and ``\\t`` (CRLF becomes LF).
    - ``normalize``: ``"NFC"`` (default) or ``"NFKC"``.
    - ``identifier``: NFKC plus case folding, for usernames and slugs.
    - ``reject_mixed_script``: reject mixed scripts per UTS #39 ("paypal" spelt
      with a Cyrillic "a"); Japanese, Korean and Chinese mixes are accepted.
    - ``allow_bidi_marks``: accept LRM, RLM and ALM (not the embedding,
      override and isolate controls).
    - ``max_bytes``: cap on the UTF-8 length (``max_length`` code points are
      never more than ``4 * max_length`` bytes).
    - ``max_combining_marks``: longest run of nonspacing marks (default 4).
    """

    default_error_messages = {
        "not_a_string": _("Must be a string."),
        "too_long": _("Ensure this field has no more than {max_length} characters."),
        "too_many_bytes": _("Ensure this field has no more than {max_bytes} bytes in UTF-8."),
        "too_short": _("Ensure this field has at least {min_length} characters."),
        "blank": _("This field may not be blank."),
        "control_character": _("Control characters are not allowed."),
        "bidi_control": _("Bidirectional control characters are not allowed."),
        "invisible_character": _("Invisible characters are not allowed."),
        "line_separator": _("Line and paragraph separators are not allowed."),
        "private_use_character": _("Private-use characters are not allowed."),
        "unassigned_character": _("Unassigned or noncharacter code points are not allowed."),
        "surrogate_character": _("Surrogate characters are not allowed."),
        "too_many_combining_marks": _("Too many combining marks on one character."),
        "disallowed_character": _("Only {allowed} are allowed."),
        "mixed_script": _("Mixing writing systems in one value is not allowed."),
    }

    def __init__(
        self,
        *,
        allow: Iterable[str] | None = None,
        multiline: bool = False,
        normalize: Literal["NFC", "NFKC"] = "NFC",
        identifier: bool = False,
        reject_mixed_script: bool = False,
        allow_bidi_marks: bool = False,
        max_bytes: int | None = None,
        max_combining_marks: int = DEFAULT_MAX_COMBINING_MARKS,
        **kwargs: Any,
    ) -> None:
        max_length = kwargs.pop("max_length", None)
        if max_length is None:
            max_length = DEFAULT_MAX_LENGTH
        min_length = kwargs.pop("min_length", None)
        if kwargs.pop("trim_whitespace", True) is not True:
            raise ImproperlyConfigured(
                "StrictCharField always trims and folds spaces; remove trim_whitespace=False."
            )
        if normalize not in ("NFC", "NFKC"):
            raise ImproperlyConfigured(
                f"StrictCharField normalize must be NFC or NFKC, not {normalize!r}"
            )
        _check_int("max_length", max_length, minimum=1)
        _check_int("min_length", min_length, minimum=0)
        _check_int("max_bytes", max_bytes, minimum=1)
        _check_int("max_combining_marks", max_combining_marks, minimum=0)
        if min_length is not None and min_length > max_length:
            raise ImproperlyConfigured("StrictCharField min_length is greater than max_length")
        try:
            allowed = validate_options(allow)
        except ValueError as exc:
            raise ImproperlyConfigured(f"StrictCharField {exc}") from None
        # Lengths are kept out of CharField.__init__, whose validators would report
        # them a second time: the policy checks them itself, before and after
        # normalisation. The attributes stay, for schemas (maxLength) and messages.
        super().__init__(trim_whitespace=False, **kwargs)
        self.max_length = max_length
        self.min_length = min_length
        self.policy = TextPolicy(
            max_length=max_length,
            min_length=min_length,
            max_bytes=max_bytes,
            multiline=multiline,
            normalize=normalize,
            identifier=identifier,
            allow=allowed,
            allow_bidi_marks=allow_bidi_marks,
            reject_mixed_script=reject_mixed_script,
            max_combining_marks=max_combining_marks,
        )

    def to_internal_value(self, data: Any) -> str:
        try:
            return self.policy.clean(data)
        except TextPolicyError as exc:
            if exc.code == "blank" and self.allow_blank:
                return ""
            allowed = ", ".join(sorted(self.policy.allow or ()))
            self.fail(
                exc.code,
                max_length=self.max_length,
                min_length=self.min_length,
                max_bytes=self.policy.max_bytes,
                allowed=allowed,
            )
