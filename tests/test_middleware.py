"""ContentSecurityPolicyMiddleware (the API policy on Django 5.2)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import iscoroutinefunction
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from drf_hardening.middleware import ContentSecurityPolicyMiddleware

API_POLICY = "default-src 'none'; frame-ancestors 'none'"


def view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


def docs_view(request: HttpRequest) -> HttpResponse:
    response = HttpResponse("docs")
    response["Content-Security-Policy"] = "default-src 'self'"
    return response


def test_csp_is_added_to_responses_without_one() -> None:
    response = ContentSecurityPolicyMiddleware(view)(RequestFactory().get("/"))
    assert response["Content-Security-Policy"] == API_POLICY


def test_a_views_own_policy_is_kept() -> None:
    response = ContentSecurityPolicyMiddleware(docs_view)(RequestFactory().get("/"))
    assert response["Content-Security-Policy"] == "default-src 'self'"


def test_policy_is_read_at_request_time_and_can_be_turned_off(settings: Any) -> None:
    middleware: Any = ContentSecurityPolicyMiddleware(view)
    settings.DRF_HARDENING = {"CONTENT_SECURITY_POLICY": "default-src 'self'"}
    assert middleware(RequestFactory().get("/"))["Content-Security-Policy"] == "default-src 'self'"
    settings.DRF_HARDENING = {"CONTENT_SECURITY_POLICY": None}
    assert "Content-Security-Policy" not in middleware(RequestFactory().get("/"))


def test_async_views_get_the_policy_too() -> None:
    async def async_view(request: HttpRequest) -> HttpResponse:
        return HttpResponse("ok")

    middleware: Any = ContentSecurityPolicyMiddleware(async_view)  # type: ignore[arg-type]
    assert iscoroutinefunction(middleware)
    # In a thread of its own: the session's Playwright browser owns this thread's event loop.
    request = RequestFactory().get("/")
    with ThreadPoolExecutor(1) as pool:
        response = pool.submit(asyncio.run, middleware(request)).result()
    assert response["Content-Security-Policy"] == API_POLICY
