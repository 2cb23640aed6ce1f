"""The rate grammar."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drf_hardening.throttling import Rate, SimpleRateThrottle, parse_rate


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        ("100/minute", (100, 60)),
        ("50/min", (50, 60)),
        ("5/s", (5, 1)),
        ("3/sec", (3, 1)),
        ("1/day", (1, 86400)),
        ("7/hour", (7, 3600)),
        ("100/5m", (100, 300)),
        ("10/30s", (10, 30)),
        ("1000/12h", (1000, 43200)),
        ("2/7days", (2, 604800)),
        ("0/min", (0, 60)),
        (" 10/MIN ", (10, 60)),
    ],
)
def test_parse_rate_valid(rate: str, expected: tuple[int, int]) -> None:
    assert parse_rate(rate) == Rate(*expected)


@pytest.mark.parametrize(
    "rate",
    [
        "100/month",
        "100/5",
        "100/0m",
        "-1/s",
        "1.5/s",
        "100 per minute",
        "100/",
        "/m",
        "m",
        "100/m/2",
        "",
        "100/5 m",
        "100/mi nute",
    ],
)
def test_parse_rate_malformed(rate: str) -> None:
    with pytest.raises(ValueError, match="is not a rate"):
        parse_rate(rate)


@pytest.mark.parametrize("rate", [100, ["100/min"], {"n": 1}])
def test_parse_rate_not_a_string(rate: object) -> None:
    with pytest.raises(ValueError, match="is not a rate"):
        parse_rate(rate)  # type: ignore[arg-type]


@given(st.integers(0, 10**9), st.integers(1, 10**6), st.sampled_from(["s", "m", "h", "d"]))
def test_parse_rate_multiples(num: int, multiple: int, unit: str) -> None:
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit]
    assert parse_rate(f"{num}/{multiple}{unit}") == (num, multiple * seconds)


def test_throttle_parse_rate_keeps_drf_contract() -> None:
    throttle = SimpleRateThrottle.__new__(SimpleRateThrottle)
    assert throttle.parse_rate(None) == (None, None)
    assert throttle.parse_rate("100/5m") == (100, 300)
