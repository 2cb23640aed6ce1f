"""The three shapes of an error body: ``envelope``, ``problem`` (RFC 9457) and ``drf``.

Every error response of the library is built here, by ``exceptions.ExceptionHandler``,
from an ``APIException`` that is already safe to show: nothing in this module
looks at the original exception. docs/errors.md shows each shape with a captured response.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from rest_framework.exceptions import APIException, ErrorDetail
from rest_framework.response import Response
from rest_framework.settings import api_settings

PROBLEM_MEDIA_TYPE = "application/problem+json"


@dataclass(frozen=True)
class ErrorInfo:
    """What every format needs to know about one error response."""

    status: int
    code: str
    message: str
    #: Field errors normalised to ``{name: [{"code", "message"}] | {nested...}}``,
    #: or ``None`` when the error is not about fields.
    fields: dict[str, Any] | None
    request_id: str | None
    #: The request path (RFC 9457's ``instance``).
    path: str
    #: ``exc.detail`` as DRF would have sent it, for the ``drf`` format.
    detail: Any

    @classmethod
    def from_exception(cls, exc: APIException, *, request_id: str | None, path: str) -> ErrorInfo:
        detail = exc.detail
        if isinstance(detail, (list, dict)):
            return cls(
                status=exc.status_code,
                code=str(exc.default_code),
                message=str(exc.default_detail),
                fields=normalise_field_errors(detail),
                request_id=request_id,
                path=path,
                detail=detail,
            )
        return cls(
            status=exc.status_code,
            code=str(getattr(detail, "code", None) or exc.default_code),
            message=str(detail),
            fields=None,
            request_id=request_id,
            path=path,
            detail=detail,
        )


def normalise_field_errors(detail: list[Any] | dict[Any, Any]) -> dict[str, Any]:
    """Give DRF's field errors one shape, whatever produced them.

    Leaves (lists of messages) become lists of ``{"code", "message"}``; nested
    serializers stay nested; a ``many=True`` list, in DRF's old list form
    (``[{}, {"title": [...]}]``) or DRF 3.18's dict form (``{1: {"title": [...]}}``),
    becomes ``{"1": {...}}`` with only the items that failed. A top-level list
    of messages (``raise ValidationError("...")``) goes under ``NON_FIELD_ERRORS_KEY``.
    """
    if isinstance(detail, list) and _is_leaf(detail):
        return {api_settings.NON_FIELD_ERRORS_KEY: _normalise(detail)}
    normalised = _normalise(detail)
    return normalised if isinstance(normalised, dict) else {}


def _is_leaf(items: list[Any]) -> bool:
    return all(isinstance(item, str) for item in items)


def _normalise(detail: Any) -> Any:
    if isinstance(detail, dict):
        return {str(key): _normalise(value) for key, value in detail.items()}
    if isinstance(detail, list):
        if _is_leaf(detail):
            return [_entry(item) for item in detail]
        # ListSerializer's list form: one entry per item, ``{}`` for the valid ones.
        return {str(index): _normalise(item) for index, item in enumerate(detail) if item}
    return [_entry(detail)]


def _entry(message: Any) -> dict[str, str]:
    code = message.code if isinstance(message, ErrorDetail) else None
    return {"code": code or "invalid", "message": str(message)}


def _flatten(fields: Mapping[str, Any], pointer: str = "") -> list[dict[str, str]]:
    """Field errors as RFC 9457 ``errors`` entries, each with a JSON Pointer (RFC 6901)."""
    errors: list[dict[str, str]] = []
    for key, value in fields.items():
        # The non-field key points at the object that holds it, not at a member.
        here = pointer if key == api_settings.NON_FIELD_ERRORS_KEY else f"{pointer}/{_escape(key)}"
        if isinstance(value, dict):
            errors.extend(_flatten(value, here))
        else:
            errors.extend(
                {"pointer": "#" + here, "code": entry["code"], "detail": entry["message"]}
                for entry in value
            )
    return errors


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def envelope(error: ErrorInfo) -> dict[str, Any]:
    """``{"error": {"status", "code", "message", "fields", "request_id"}}``, always these keys."""
    return {
        "error": {
            "status": error.status,
            "code": error.code,
            "message": error.message,
            "fields": error.fields or {},
            "request_id": error.request_id,
        }
    }


def problem(error: ErrorInfo) -> dict[str, Any]:
    """An RFC 9457 problem details object, with ``code``, ``request_id`` and ``errors`` extensions.

    ``type`` is ``about:blank`` (RFC 9457 section 4.2.1), so ``title`` is the
    status phrase; the machine-readable reason is in ``code``.
    """
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": _status_phrase(error.status),
        "status": error.status,
        "detail": error.message,
        "instance": error.path,
        "code": error.code,
        "request_id": error.request_id,
    }
    if error.fields is not None:
        body["errors"] = _flatten(error.fields)
    return body


def _status_phrase(status: int) -> str:
    # An APIException subclass may use a status Python does not name (499, 460...);
    # raising here would turn the error into Django's HTML 500 page.
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Client Error" if status < 500 else "Server Error"


def drf(error: ErrorInfo) -> Any:
    """DRF's own bodies: ``{"detail": ...}``, or the field errors as DRF left them."""
    if isinstance(error.detail, (list, dict)):
        return error.detail
    return {"detail": error.detail}


#: The value of ``DRF_HARDENING["ERROR_FORMAT"]`` -> the function that builds the body.
FORMATS: dict[str, Callable[[ErrorInfo], Any]] = {
    "envelope": envelope,
    "problem": problem,
    "drf": drf,
}


def render(error: ErrorInfo, error_format: str) -> Any:
    """The body of ``error`` in ``error_format`` (``envelope`` if the name is unknown).

    An unknown name is reported by check ``drf_hardening.E060`` at start-up; an
    error handler that raised here would turn every error into a bare 500.
    """
    build: Callable[[ErrorInfo], Any] = FORMATS.get(error_format, envelope)
    return build(error)


def media_type(error_format: str) -> str:
    """The media type of a body in ``error_format``."""
    return PROBLEM_MEDIA_TYPE if error_format == "problem" else "application/json"


class ErrorResponse(Response):
    """A DRF ``Response`` that, when rendered as JSON, is sent as ``json_media_type``.

    The renderer is still negotiated (the browsable API keeps showing errors in
    HTML); only ``application/json`` is swapped, for ``application/problem+json``.
    """

    def __init__(self, *args: Any, json_media_type: str = "application/json", **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.json_media_type = json_media_type

    @property
    def rendered_content(self) -> Any:
        content = super().rendered_content
        if self.json_media_type != "application/json" and self.get("Content-Type", "").startswith(
            "application/json"
        ):
            self["Content-Type"] = self.json_media_type
        return content
