"""Error reports (the e-mails to ``ADMINS``, the DEBUG page) without credentials from the URL.

Django's ``SafeExceptionReporterFilter`` masks settings, cookies and META keys
that look secret, POST fields marked ``sensitive_post_parameters`` and variables
marked ``sensitive_variables``; nothing else. A URL such as
``/api/tasks/?access_token=...&password=...`` reaches the report four times in
full: the request URL, the GET section, ``QUERY_STRING`` and gunicorn's
``RAW_URI``; and again in the repr of every ``request`` among the frame
variables. Worse, the report re-parses the query string, so a request with
more than ``DATA_UPLOAD_MAX_NUMBER_FIELDS`` parameters raises
``TooManyFieldsSent`` again inside ``AdminEmailHandler``: a 400 becomes a 500.

- ``SafeExceptionReporterFilter`` (``DEFAULT_EXCEPTION_REPORTER_FILTER``) masks,
  on top of Django's rules, the value of every query parameter whose name is a
  credential's (``drf_hardening.logging.redaction.is_sensitive_name``: the names
  the log redaction masks) wherever a URL or query string appears: the META
  keys in ``URL_KEYS``, frame variables holding a request, a ``QueryDict`` or
  text, and frame variables with a credential's name; and the password in a
  URL among the settings (``redis://:password@host``).
- ``SafeExceptionReporter`` (``DEFAULT_EXCEPTION_REPORTER``) builds the URL and
  GET sections from the masked query string, parsed without a field limit
  (at most ``MAX_QUERY_ITEMS`` shown), so the report itself never raises.

The production preset sets both.
"""

from __future__ import annotations

import copy
import re
from collections.abc import ItemsView
from typing import Any
from urllib.parse import unquote_plus

from django.http import HttpRequest, QueryDict
from django.utils.datastructures import MultiValueDict
from django.views.debug import ExceptionReporter
from django.views.debug import SafeExceptionReporterFilter as DjangoFilter

from drf_hardening.logging.redaction import MASK, is_sensitive_name, redact_text

#: META keys that hold a URL or a query string (``RAW_URI``: gunicorn; ``REQUEST_URI``: uWSGI).
URL_KEYS = ("QUERY_STRING", "RAW_URI", "REQUEST_URI", "HTTP_REFERER")
#: How many query parameters a report lists; the rest are counted, not shown.
MAX_QUERY_ITEMS = 100
# The password of a URL's user information: redis://user:password@host.
_URL_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^/@\s:]*:)[^/@\s]+(?=@)", re.I)


def mask_query_string(query: str) -> str:
    """``query`` with the value of each credential-named parameter replaced by ``MASK``.

    Every other byte is kept as it was sent; linear in the length, with no limit on
    the number of parameters (a report must not fail where the request did).
    """
    if not query:
        return query
    pieces = []
    for piece in query.split("&"):
        name, equals, _value = piece.partition("=")
        if equals and is_sensitive_name(unquote_plus(name)):
            piece = f"{name}={MASK}"
        pieces.append(piece)
    return "&".join(pieces)


def mask_url(url: str) -> str:
    """``url`` with its query string masked (``mask_query_string``)."""
    path, question, query = url.partition("?")
    return f"{path}?{mask_query_string(query)}" if question else url


def query_items(query: str, encoding: str = "utf-8") -> list[tuple[str, str]]:
    """The masked parameters of ``query``, decoded, at most ``MAX_QUERY_ITEMS`` of them."""
    items = []
    pieces = [piece for piece in mask_query_string(query).split("&") if piece]
    for piece in pieces[:MAX_QUERY_ITEMS]:
        name, _, value = piece.partition("=")
        items.append(
            (
                unquote_plus(name, encoding, "replace"),
                value if value == MASK else unquote_plus(value, encoding, "replace"),
            )
        )
    if len(pieces) > MAX_QUERY_ITEMS:
        items.append(("…", f"{len(pieces) - MAX_QUERY_ITEMS} more parameters left out"))
    return items


class SafeExceptionReporterFilter(DjangoFilter):
    """Django's filter, plus credentials in URLs, query strings and credential-named variables.

    Masks whatever ``DEBUG`` says: a token in a URL is a token on a DEBUG page too.
    """

    cleansed_substitute = MASK

    def cleanse_setting(self, key: Any, value: Any) -> Any:
        cleansed = super().cleanse_setting(key, value)
        if isinstance(cleansed, str):
            return _URL_PASSWORD.sub(rf"\g<head>{MASK}", cleansed)
        return cleansed

    def get_safe_request_meta(self, request: HttpRequest) -> dict[str, Any]:
        meta: dict[str, Any] = super().get_safe_request_meta(request)
        for key in URL_KEYS:
            if isinstance(meta.get(key), str):
                meta[key] = (
                    mask_url(meta[key]) if key != "QUERY_STRING" else mask_query_string(meta[key])
                )
        return meta

    def cleanse_special_types(self, request: HttpRequest | None, value: Any) -> Any:
        inner = getattr(value, "_request", value)  # DRF's Request wraps Django's
        if isinstance(inner, HttpRequest):
            # Its repr shows the full path, query string included.
            return f"<{type(value).__name__}: {inner.method} {mask_url(inner.get_full_path())!r}>"
        if isinstance(value, str):
            return redact_text(value)
        if isinstance(value, MultiValueDict) and any(map(is_sensitive_name, value)):
            value = value.copy()
            for name in value:
                if is_sensitive_name(name):
                    value.setlist(name, [MASK])
        return super().cleanse_special_types(request, value)

    def get_traceback_frame_variables(
        self, request: HttpRequest | None, tb_frame: Any
    ) -> ItemsView[str, Any]:
        variables = super().get_traceback_frame_variables(request, tb_frame)
        return {
            name: MASK if is_sensitive_name(name) else value for name, value in variables
        }.items()


class SafeExceptionReporter(ExceptionReporter):
    """Django's reporter, on a copy of the request whose query string is masked.

    The copy's ``GET`` is built from the masked query string without Django's
    field limit, so the URL, GET and META sections agree and the report never
    raises ``TooManyFieldsSent``. Use it with ``SafeExceptionReporterFilter``.
    """

    def get_traceback_data(self) -> dict[str, Any]:
        original = self.request
        if original is not None:
            self.request = masked_request(original)
        try:
            data: dict[str, Any] = super().get_traceback_data()
        finally:
            self.request = original
        return data


def masked_request(request: HttpRequest) -> HttpRequest:
    """A shallow copy of ``request`` whose query string and ``GET`` are masked."""
    clone = copy.copy(request)
    meta = dict(request.META)
    for key in URL_KEYS:
        if isinstance(meta.get(key), str):
            meta[key] = (
                mask_query_string(meta[key]) if key == "QUERY_STRING" else mask_url(meta[key])
            )
    clone.META = meta
    get = QueryDict(mutable=True)
    for name, value in query_items(meta.get("QUERY_STRING", ""), request.encoding or "utf-8"):
        get.appendlist(name, value)
    clone.__dict__["GET"] = get  # over WSGIRequest's cached_property
    return clone
