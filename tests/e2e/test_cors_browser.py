"""CORS as a real browser enforces it: Chromium, a page on an allowed origin and one on another.

The API is the production stack (nginx with TLS in front of gunicorn); the
pages are served over plain HTTP from two other origins. The access log of
gunicorn tells what reached the application, whatever the browser showed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import E2E_MARKS, Stack
from tests.e2e.paths import PUBLIC_GET, TASKS

pytestmark = [*E2E_MARKS, pytest.mark.browser]

FETCH = """async ([url, init]) => {
    try {
        const response = await fetch(url, init);
        return {status: response.status, body: await response.text()};
    } catch (error) {
        return {error: String(error)};
    }
}"""


class Page:
    """A browser tab on ``origin`` that runs ``fetch`` and reads the console."""

    def __init__(self, page: Any, origin: str) -> None:
        self.page = page
        page.goto(origin + "/")

    def fetch(self, url: str, **init: Any) -> dict[str, Any]:
        result: dict[str, Any] = self.page.evaluate(FETCH, [url, init])
        return result

    def fetch_and_console(self, text: str, url: str, **init: Any) -> tuple[dict[str, Any], str]:
        """``fetch``, and the console message with ``text`` it caused (Playwright waits
        for it, 10 s at most, and raises if none comes)."""
        with self.page.expect_console_message(lambda m: text in m.text, timeout=10_000) as seen:
            result = self.fetch(url, **init)
        return result, seen.value.text


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    # The page's origin is plain HTTP; the API's certificate comes from the test CA.
    context = browser.new_context(ignore_https_errors=True)
    yield lambda origin: Page(context.new_page(), origin)
    context.close()


def probe() -> str:
    """A unique query string, to find this test's requests in the access log."""
    return f"probe={uuid.uuid4().hex}"


def reached(stack: Stack, query: str, at_least: int) -> list[tuple[str, int]]:
    """(method, status) of each request with ``query`` that gunicorn answered."""
    return [(e.method, e.status) for e in stack.gunicorn.entries_for(query, at_least)]


def post_init(stack: Stack) -> dict[str, Any]:
    # JSON and an Authorization header: the browser must ask first (a preflight).
    return {
        "method": "POST",
        "headers": {"Content-Type": "application/json", **stack.auth()},
        "body": '{"title": "Written from a browser"}',
    }


def test_simple_get_allowed_origin_reads_response(
    stack: Stack, open_page: Any, allowed_origin: str
) -> None:
    page = open_page(allowed_origin)
    query = probe()

    result = page.fetch(f"{stack.nginx.https_url}{PUBLIC_GET}?{query}")

    assert result.get("status") == 200, result
    assert reached(stack, query, 1) == [("GET", 200)]


def test_preflighted_post_allowed_origin_creates_task(
    stack: Stack, open_page: Any, allowed_origin: str
) -> None:
    page = open_page(allowed_origin)
    query = probe()

    result = page.fetch(f"{stack.nginx.https_url}{TASKS}?{query}", **post_init(stack))

    assert result.get("status") == 201, result
    assert "Written from a browser" in result["body"]
    assert reached(stack, query, 2) == [("OPTIONS", 200), ("POST", 201)]


def test_simple_get_disallowed_origin_blocked_but_reaches_server(
    stack: Stack, open_page: Any, disallowed_origin: str
) -> None:
    page = open_page(disallowed_origin)
    query = probe()

    result, message = page.fetch_and_console(
        "blocked by CORS policy", f"{stack.nginx.https_url}{PUBLIC_GET}?{query}"
    )

    assert result == {"error": "TypeError: Failed to fetch"}
    assert "has been blocked by CORS policy" in message
    # CORS is not access control: the server ran the view and answered; only the
    # browser kept the answer from the page.
    assert reached(stack, query, 1) == [("GET", 200)]


def test_preflighted_post_disallowed_origin_never_reaches_view(
    stack: Stack, open_page: Any, disallowed_origin: str
) -> None:
    page = open_page(disallowed_origin)
    query = probe()

    result, message = page.fetch_and_console(
        "blocked by CORS policy", f"{stack.nginx.https_url}{TASKS}?{query}", **post_init(stack)
    )

    assert result == {"error": "TypeError: Failed to fetch"}
    assert "has been blocked by CORS policy" in message
    # Only the preflight arrived; the browser never sent the POST.
    assert reached(stack, query, 1) == [("OPTIONS", 200)]
