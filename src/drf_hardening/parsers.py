"""``JSONParser``: DRF's JSON parser without its leaks and its 500s.

A drop-in for ``rest_framework.parsers.JSONParser`` (the presets use it). It

- answers malformed JSON with one generic message; DRF's says
  ``"JSON parse error - Expecting value: line 1 column 11 (char 10)"``,
  which describes the parser and can echo the input;
- turns a nesting bomb (``[[[[...``) into that same 400 instead of the 500
  that ``RecursionError`` gives with DRF's parser;
- rejects duplicate object keys (RFC 7493, I-JSON, section 2.3): with
  ``{"title": "ok", "title": "..."}`` a proxy or WAF that reads the first
  value and Python, which keeps the last, would disagree about the request;
- keeps DRF's handling of NaN and Infinity (``STRICT_JSON``, read when parsing).

- enforces Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` itself, raising
  ``RequestDataTooBig`` (413 with ``drf_hardening.exceptions.exception_handler``).
  DRF 3.18 reads JSON bodies through ``request.body``, which checks the cap,
  but DRF 3.16 hands the parser the raw request stream, which does not.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import IO, Any, cast

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext_lazy as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.settings import api_settings
from rest_framework.utils.json import strict_constant

MALFORMED = _("Malformed JSON request body.")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise ValueError("duplicate key")  # caught in parse(), never shown
    return obj


class JSONParser(parsers.JSONParser):
    """Parse a JSON body; any malformed body raises ``ParseError`` with a generic message."""

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:  # any JSON value, as with DRF's parser; the stubs say dict
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        limit: int | None = getattr(settings, "DATA_UPLOAD_MAX_MEMORY_SIZE", None)
        # One byte past the cap tells "too big" apart without reading the rest.
        body = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(body) > limit:
            raise RequestDataTooBig("Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE.")
        try:
            return json.loads(
                body.decode(encoding),
                parse_constant=strict_constant if api_settings.STRICT_JSON else None,
                object_pairs_hook=_unique_keys,
            )
        except (ValueError, RecursionError, LookupError):
            # ValueError covers bad syntax, bad UTF-8 and duplicate keys; LookupError
            # an unknown charset. No detail is kept: the message is always the same.
            raise ParseError(MALFORMED) from None


def project_parsers() -> list[parsers.BaseParser]:
    """The project's ``DEFAULT_PARSER_CLASSES``, read at request time, as parser instances.

    For the login views: DRF's ``ObtainAuthToken`` hard-codes the form and multipart
    parsers, and a JSON-only API should not accept its passwords in any other body.
    """
    # api_settings has imported the dotted paths; the stubs type them as strings.
    classes = cast("Sequence[type[parsers.BaseParser]]", api_settings.DEFAULT_PARSER_CLASSES)
    return [parser() for parser in classes]
