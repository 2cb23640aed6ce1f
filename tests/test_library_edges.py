"""Edges of small library pieces that no request path of the other suites reaches.

The class-level read of a ``DRF_HARDENING`` key, importing ``drf_hardening.__main__``, the
error headers under an unusable ``X_FRAME_OPTIONS``, the safe reporter without a request, the
outage-episode log and the throttled event with nobody listening, the chunked-body 413 under
ASGI.
"""

from __future__ import annotations

import asyncio
import importlib
import io
import json
import logging
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from unittest.mock import AsyncMock

import pytest
from django.core.handlers.asgi import ASGIRequest
from django.test import RequestFactory
from rest_framework.exceptions import NotFound

from drf_hardening.conf import KEYS, Key, Settings
from drf_hardening.exceptions import error_response
from drf_hardening.logging.reporter import SafeExceptionReporter
from drf_hardening.middleware import ChunkedBodyMiddleware
from drf_hardening.throttling import events


def test_a_key_read_on_the_class_is_the_key_itself() -> None:
    # help(), inspect and the docs tools read the class: they see the rule, not a value.
    assert isinstance(Settings.PROFILE, Key)
    assert Settings.PROFILE is KEYS["PROFILE"]
    assert Settings.PROFILE.default is None


def test_importing_main_does_not_run_the_cli(capsys: pytest.CaptureFixture[str]) -> None:
    sys.modules.pop("drf_hardening.__main__", None)
    module = importlib.import_module("drf_hardening.__main__")
    assert callable(module.main)
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize("value", ["", None])
def test_error_headers_leave_out_an_unusable_x_frame_options(settings: Any, value: Any) -> None:
    # An empty or non-string value (check-free Django settings) sends no header rather
    # than "X-Frame-Options: " or a 500 while answering an error.
    settings.X_FRAME_OPTIONS = value
    response = error_response(RequestFactory().get("/"), NotFound())
    assert response.status_code == 404
    assert "X-Frame-Options" not in response


def test_safe_reporter_reports_an_exception_without_a_request() -> None:
    # A management command or a thread logging an error: Django's reporter gets no request.
    try:
        raise RuntimeError("outside any request")
    except RuntimeError:
        reporter = SafeExceptionReporter(None, *sys.exc_info())
    text = reporter.get_traceback_text()
    assert "RuntimeError" in text
    assert "outside any request" in text
    assert reporter.request is None


def test_recovery_of_a_store_that_never_failed_logs_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    events._failing.clear()
    with caplog.at_level(logging.WARNING, logger="drf_hardening.security"):
        events.report_success("redis://cache:6379/0")
    assert caplog.records == []


class EndedMeanwhile:
    """A lock whose acquisition lets another thread end the episode first, as it may
    between report_success's unlocked test and its locked one."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.lock = threading.Lock()

    def __enter__(self) -> None:
        self.lock.acquire()
        events._failing.discard(self.what)

    def __exit__(self, *exc: object) -> None:
        self.lock.release()


def test_recovery_ended_by_another_thread_is_logged_once(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    events._failing.clear()
    events._failing.add("redis://cache:6379/0")
    monkeypatch.setattr(events, "_failing_lock", EndedMeanwhile("redis://cache:6379/0"))
    with caplog.at_level(logging.WARNING, logger="drf_hardening.security"):
        events.report_success("redis://cache:6379/0")
    assert caplog.records == []  # the other thread logged the recovery
    assert "redis://cache:6379/0" not in events._failing


def test_throttled_event_is_not_built_when_nobody_listens(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    security = logging.getLogger("drf_hardening.security")
    monkeypatch.setattr(security, "disabled", False)
    with caplog.at_level(logging.ERROR, logger=security.name):
        events.log_throttled(RequestFactory().get("/"), "login")
    assert caplog.records == []
    with caplog.at_level(logging.WARNING, logger=security.name):
        events.log_throttled(RequestFactory().get("/"), "login")
    [record] = caplog.records
    assert record.__dict__["scope"] == "login"


def test_chunked_body_over_the_cap_is_a_413_under_asgi(settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10
    scope = {
        "type": "http", "method": "POST", "path": "/api/echo/", "query_string": b"",
        "headers": [(b"content-type", b"application/json"), (b"transfer-encoding", b"chunked")],
    }  # fmt: skip
    request = ASGIRequest(scope, io.BytesIO(json.dumps({"title": "x" * 20}).encode()))
    view = AsyncMock()
    middleware = ChunkedBodyMiddleware(view)  # an async view
    # In a thread of its own: the session's Playwright browser may own this thread's loop.
    with ThreadPoolExecutor(1) as pool:
        response: Any = pool.submit(asyncio.run, middleware(request)).result()  # type: ignore[arg-type]
    assert response.status_code == 413
    view.assert_not_awaited()
