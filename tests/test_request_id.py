"""RequestIDMiddleware and drf_hardening.request_id."""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar, cast

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from drf_hardening.logging import RequestIDFilter
from drf_hardening.middleware import RequestIDMiddleware
from drf_hardening.request_id import (
    generate_request_id,
    get_request_id,
    is_well_formed,
    reset_request_id,
    set_request_id,
)

T = TypeVar("T")
HEX32 = re.compile(r"[0-9a-f]{32}")
seen: list[str | None] = []


def view(request: HttpRequest) -> HttpResponse:
    seen.append(get_request_id())
    return HttpResponse("ok")


async def async_view(request: HttpRequest) -> HttpResponse:
    seen.append(get_request_id())
    return HttpResponse("ok")


def failing_view(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


@pytest.fixture(autouse=True)
def _clear_seen() -> None:
    seen.clear()


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` in a thread of its own: another test may leave a loop running in this one."""
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(asyncio.run, coroutine).result()


def test_generated_id_is_32_hex() -> None:
    assert HEX32.fullmatch(generate_request_id())
    assert generate_request_id() != generate_request_id()


@pytest.mark.parametrize(
    "value",
    [
        "0f8fad5b-d9cb-469f-a165-70867728950e",
        "Root=1-5759e988-bd862e3fe1be46a994272793",
        "abcdefgh",
        "a" * 128,
    ],
)
def test_is_well_formed_accepts_common_ids(value: str) -> None:
    assert is_well_formed(value)


@pytest.mark.parametrize(
    "value",
    ["", "short", "a" * 129, "abc def ghi", "abcdefgh\r\nFAKE", "abcdefgh<script>", "ééééééééé"],
)
def test_is_well_formed_rejects_the_rest(value: str) -> None:
    assert not is_well_formed(value)


def test_middleware_generates_id_and_echoes_it() -> None:
    response = RequestIDMiddleware(view)(RequestFactory().get("/"))

    assert HEX32.fullmatch(response["X-Request-ID"])
    assert seen == [response["X-Request-ID"]]


def test_middleware_keeps_well_formed_incoming_id() -> None:
    request = RequestFactory().get("/", HTTP_X_REQUEST_ID="upstream-id-12345")

    response = RequestIDMiddleware(view)(request)

    assert response["X-Request-ID"] == "upstream-id-12345"
    assert seen == ["upstream-id-12345"]


@pytest.mark.parametrize("incoming", ["x", "a" * 500, "id with spaces!", "abcdefgh\nFAKE LOG"])
def test_middleware_replaces_malformed_incoming_id(incoming: str) -> None:
    request = RequestFactory().get("/", HTTP_X_REQUEST_ID=incoming)

    response = RequestIDMiddleware(view)(request)

    assert HEX32.fullmatch(response["X-Request-ID"])
    assert seen == [response["X-Request-ID"]]


def test_middleware_uses_configured_header(settings: Any) -> None:
    settings.DRF_HARDENING = {"REQUEST_ID_HEADER": "X-Correlation-ID"}
    request = RequestFactory().get("/", HTTP_X_CORRELATION_ID="corr-0123456789")

    response = RequestIDMiddleware(view)(request)

    assert response["X-Correlation-ID"] == "corr-0123456789"
    assert "X-Request-ID" not in response


def test_middleware_resets_id_after_response_and_after_error() -> None:
    RequestIDMiddleware(view)(RequestFactory().get("/"))
    assert get_request_id() is None

    with pytest.raises(RuntimeError):
        RequestIDMiddleware(failing_view)(RequestFactory().get("/"))
    assert get_request_id() is None


def test_middleware_restores_an_outer_id() -> None:
    token = set_request_id("outer-request-id")
    try:
        RequestIDMiddleware(view)(RequestFactory().get("/"))
        assert get_request_id() == "outer-request-id"
    finally:
        reset_request_id(token)


def test_middleware_async() -> None:
    middleware: Any = RequestIDMiddleware(cast(Any, async_view))
    request = RequestFactory().get("/", HTTP_X_REQUEST_ID="async-request-1")

    response = run(middleware(request))

    assert response["X-Request-ID"] == "async-request-1"
    assert seen == ["async-request-1"]


def test_concurrent_async_requests_keep_their_own_ids() -> None:
    async def slow_view(request: HttpRequest) -> HttpResponse:
        before = get_request_id()
        await asyncio.sleep(0)  # let the other request run in between
        return HttpResponse(f"{before}|{get_request_id()}")

    middleware: Any = RequestIDMiddleware(cast(Any, slow_view))

    async def both() -> list[Any]:
        return list(
            await asyncio.gather(
                middleware(RequestFactory().get("/", HTTP_X_REQUEST_ID="first-request")),
                middleware(RequestFactory().get("/", HTTP_X_REQUEST_ID="second-request")),
            )
        )

    first, second = run(both())

    assert first.content == b"first-request|first-request"
    assert second.content == b"second-request|second-request"


def test_concurrent_threaded_requests_keep_their_own_ids() -> None:
    # Both views are inside their request at once (the barrier), as under a threaded
    # WSGI server: a module-level or process-wide id would show the other's.
    both_inside = threading.Barrier(2, timeout=30)  # a guard against hanging, not a timing

    def waiting_view(request: HttpRequest) -> HttpResponse:
        before = get_request_id()
        both_inside.wait()
        return HttpResponse(f"{before}|{get_request_id()}")

    middleware = RequestIDMiddleware(waiting_view)

    def handle(request_id: str) -> tuple[bytes, str | None]:
        response = cast(
            HttpResponse, middleware(RequestFactory().get("/", HTTP_X_REQUEST_ID=request_id))
        )
        return response.content, get_request_id()  # what the worker thread keeps after

    with ThreadPoolExecutor(max_workers=2) as executor:
        first, second = executor.map(handle, ["thread-one-id", "thread-two-id"])

    assert first == (b"thread-one-id|thread-one-id", None)
    assert second == (b"thread-two-id|thread-two-id", None)


def test_log_records_inside_a_request_carry_its_id(caplog: Any) -> None:
    logger = logging.getLogger("tests.request_id")
    caplog.handler.addFilter(RequestIDFilter())

    def logging_view(request: HttpRequest) -> HttpResponse:
        logger.warning("inside the view")
        return HttpResponse("ok")

    response = RequestIDMiddleware(logging_view)(RequestFactory().get("/"))
    logger.warning("after the request")

    inside, after = caplog.records
    assert inside.request_id == response["X-Request-ID"]
    assert after.request_id == "-"


def test_error_response_is_logged_once_with_the_request_id(caplog: Any) -> None:
    caplog.handler.addFilter(RequestIDFilter())

    def not_found(request: HttpRequest) -> HttpResponse:
        return HttpResponse(status=404)

    response = RequestIDMiddleware(not_found)(RequestFactory().get("/missing/"))

    [record] = caplog.records
    assert record.getMessage() == "Not Found: /missing/"
    assert record.request_id == response["X-Request-ID"]
    assert response._has_been_logged  # type: ignore[attr-defined]  # Django will not log again


@pytest.mark.urls("tests.urls_errors")
def test_full_stack_response_has_request_id(client: Any, settings: Any) -> None:
    settings.MIDDLEWARE = ["drf_hardening.middleware.RequestIDMiddleware"]

    response = client.get("/api/get-only/", HTTP_X_REQUEST_ID="client-chosen-id")

    assert response.status_code == 200
    assert response["X-Request-ID"] == "client-chosen-id"
