"""Rate-limit checks and the RateLimit header forms, on answers the tests write."""

from __future__ import annotations

import httpx
import pytest

from drf_hardening.probe.ratelimit import remaining, tightest
from tests.probe.fake_api import GOOD_HEADERS, Reply, Request, serve
from tests.probe.reports import run_probe


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"RateLimit": '"user";r=42;t=18, "tasks";r=7;t=60'}, {"user": 42, "tasks": 7}),
        ({"RateLimit": "limit=100, remaining=42, reset=18"}, {"default": 42}),
        ({"RateLimit-Remaining": "5"}, {"default": 5}),
        ({"X-RateLimit-Remaining": "0"}, {"default": 0}),
        ({"RateLimit": "garbage;;"}, {}),
        ({}, {}),
    ],
)
def test_remaining_reads_each_header_form(
    headers: dict[str, str], expected: dict[str, int]
) -> None:
    assert remaining(httpx.Response(200, headers=headers)) == expected


def test_tightest_is_the_policy_with_fewest_left() -> None:
    assert tightest({"user": 99, "tasks": 3}) == ("tasks", 3)


class Quota:
    """An API that allows ``limit`` requests per client key, then answers 429."""

    def __init__(self, limit: int, *, advertise: bool, key: str = "client", early: int = 0,
                 retry_after: bool = True) -> None:  # fmt: skip
        self.limit, self.advertise, self.key = limit, advertise, key
        self.early, self.retry_after = early, retry_after
        self.used: dict[str, int] = {}

    def __call__(self, request: Request) -> Reply:
        # "client": one bucket; "xff": a bucket per X-Forwarded-For, as DRF's NUM_PROXIES=None.
        bucket = request.headers.get("x-forwarded-for", "") if self.key == "xff" else "one"
        used = self.used[bucket] = self.used.get(bucket, 0) + 1
        if used > self.limit - self.early:
            headers = {"Retry-After": "60"} if self.retry_after else {}
            return Reply.json(429, {"detail": "throttled"}, **headers)
        headers = dict(GOOD_HEADERS)
        if self.advertise:
            headers["RateLimit"] = f'"anon";r={self.limit - used};t=60'
        return Reply.json(200, {}, **headers)


def probe_rate(app: Quota, only: str, *args: str) -> tuple[str, str, int]:
    with serve(app) as api:
        report = run_probe(api.url, "--only", only, *args)
    (check,) = [c for c in report.document["checks"] if c["id"] == only]
    assert report.sent == len(api.received)
    return check["status"], check["evidence"], report.sent


def test_limit_exactly_when_advertised_passes() -> None:
    status, evidence, sent = probe_rate(Quota(10, advertise=True), "rate.limit")

    assert status == "PASS"
    assert evidence == '429 with Retry-After: 60 after the 8 requests "anon" advertised'
    assert sent == 11  # base GET, the check's GET, 8 allowed, the 429


def test_limit_429_earlier_than_advertised_fails() -> None:
    status, evidence, _ = probe_rate(Quota(10, advertise=True, early=3), "rate.limit")

    assert status == "FAIL"
    assert evidence == '429 after 5 of the 8 requests "anon" advertised'


def test_limit_without_retry_after_fails() -> None:
    status, evidence, _ = probe_rate(Quota(4, advertise=True, retry_after=False), "rate.limit")

    assert (status, evidence) == (
        "FAIL",
        '429 after the 2 requests "anon" advertised, but no Retry-After',
    )


def test_limit_without_header_found_by_counting() -> None:
    status, evidence, _ = probe_rate(Quota(6, advertise=False), "rate.limit")

    assert status == "PASS"
    assert evidence.startswith("429 with Retry-After: 60 after 5 requests (no RateLimit header)")


def test_limit_never_reached_within_budget_fails() -> None:
    status, evidence, sent = probe_rate(
        Quota(1000, advertise=False), "rate.limit", "--max-requests", "20"
    )

    assert (status, sent) == ("FAIL", 20)
    assert evidence == "no 429 within 18 requests and no RateLimit header"


def test_limit_advertised_beyond_budget_skips_without_spending_it() -> None:
    status, evidence, sent = probe_rate(
        Quota(1000, advertise=True), "rate.limit", "--max-requests", "20"
    )

    assert status == "SKIP"
    assert "advertises 998 left" in evidence
    assert sent == 2


def test_forwarded_for_same_bucket_with_header_passes() -> None:
    status, evidence, sent = probe_rate(Quota(10, advertise=True), "rate.forwarded-for")

    assert status == "PASS"
    assert evidence.endswith('"anon" r=8 -> 7')
    assert sent == 3  # base GET, anonymous GET, spoofed GET


def test_forwarded_for_fresh_bucket_with_header_fails() -> None:
    status, evidence, _ = probe_rate(Quota(10, advertise=True, key="xff"), "rate.forwarded-for")

    assert status == "FAIL"
    assert "got a fresh quota" in evidence
    assert '"anon" r=8 then r=9' in evidence


def test_forwarded_for_fresh_bucket_found_by_counting_fails() -> None:
    status, evidence, _ = probe_rate(Quota(5, advertise=False, key="xff"), "rate.forwarded-for")

    assert status == "FAIL"
    assert evidence.startswith("429 after 4 anonymous requests")
    assert evidence.endswith("got 200: a fresh quota")


def test_forwarded_for_same_bucket_found_by_counting_passes() -> None:
    status, _, _ = probe_rate(Quota(5, advertise=False), "rate.forwarded-for")

    assert status == "PASS"


def test_forwarded_for_unlimited_skips_within_half_the_budget() -> None:
    status, evidence, sent = probe_rate(
        Quota(1000, advertise=False), "rate.forwarded-for", "--max-requests", "40"
    )

    assert status == "SKIP"
    assert evidence == "no 429 within 19 anonymous requests and no RateLimit header"
    assert sent == 21


def test_forwarded_for_without_anonymous_endpoint_skips() -> None:
    def app(request: Request) -> Reply:
        return Reply.json(401, {"detail": "Authentication credentials were not provided."})

    with serve(app) as api:
        report = run_probe(api.url, "--only", "rate.forwarded-for")

    assert report.statuses == {"rate.forwarded-for": "SKIP"}
    assert [r.path for r in api.received] == ["/api/items/", "/api/items/", "/"]


def test_rate_limit_needs_a_token_when_the_url_does() -> None:
    def app(request: Request) -> Reply:
        return Reply.json(401, {"detail": "Authentication credentials were not provided."})

    with serve(app) as api:
        report = run_probe(api.url, "--only", "rate.limit")

    assert report.statuses == {"rate.limit": "SKIP"}
    assert len(api.received) == 2


def test_forwarded_for_429_for_the_spoofed_request_passes() -> None:
    # The base GET and the anonymous GET spend the quota of 2: the spoofed one is the third.
    status, evidence, _ = probe_rate(Quota(2, advertise=True), "rate.forwarded-for")

    assert status == "PASS"
    assert evidence.endswith(": still 429, the same quota")


def test_limit_already_spent_skips() -> None:
    status, evidence, sent = probe_rate(Quota(1, advertise=True), "rate.limit")

    assert status == "SKIP"
    assert evidence == "already 429 (Retry-After: 60): run later"
    assert sent == 2


def test_limit_advertised_but_never_enforced_fails() -> None:
    class Lies(Quota):
        def __call__(self, request: Request) -> Reply:
            return Reply.json(200, {}, RateLimit='"anon";r=2;t=60')

    status, evidence, _ = probe_rate(Lies(0, advertise=True), "rate.limit")

    assert status == "FAIL"
    assert evidence == 'still 200 application/json {} after the 2 requests "anon" advertised'
