"""get_client_ip / get_client_ident under every TRUSTED_PROXIES mode."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.handlers.wsgi import WSGIRequest
from django.test import RequestFactory
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from drf_hardening.client_ip import get_client_ident, get_client_ip, parse_ip


def make(remote: str | None = "203.0.113.9", xff: str | None = None) -> WSGIRequest:
    request = RequestFactory().get("/")
    if remote is None:
        del request.META["REMOTE_ADDR"]
    else:
        request.META["REMOTE_ADDR"] = remote
    if xff is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = xff
    return request


def trust(settings: Any, value: object) -> None:
    settings.DRF_HARDENING = {"TRUSTED_PROXIES": value}


# What a client may write in X-Forwarded-For: addresses, garbage, separators.
spoofed = st.lists(
    st.one_of(
        st.ip_addresses().map(str),
        st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=20),
        st.sampled_from(["127.0.0.1", "10.0.0.1", "::1", "unknown", "", " ", "1.2.3.4:80"]),
    ),
    max_size=5,
).map(", ".join)
hyp = hsettings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])


def test_default_is_remote_addr_and_ignores_xff(settings) -> None:
    assert get_client_ip(make(xff="1.1.1.1")) == "203.0.113.9"


@hyp
@given(spoof=spoofed)
def test_spoofed_xff_never_changes_identity_without_proxies(settings, spoof: str) -> None:
    trust(settings, 0)
    assert get_client_ident(make(xff=spoof)) == "203.0.113.9"


@hyp
@given(spoof=spoofed)
def test_spoofed_xff_never_changes_identity_with_one_proxy(settings, spoof: str) -> None:
    trust(settings, 1)
    # The proxy (10.0.0.2 = REMOTE_ADDR) appends the address it saw: 198.51.100.7.
    xff = f"{spoof}, 198.51.100.7" if spoof else "198.51.100.7"
    assert get_client_ident(make("10.0.0.2", xff)) == "198.51.100.7"


@hyp
@given(spoof=spoofed)
def test_spoofed_xff_never_changes_identity_with_two_proxies(settings, spoof: str) -> None:
    trust(settings, 2)
    xff = f"{spoof}, 198.51.100.7, 10.0.0.1" if spoof else "198.51.100.7, 10.0.0.1"
    assert get_client_ident(make("10.0.0.2", xff)) == "198.51.100.7"


@hyp
@given(spoof=spoofed)
def test_spoofed_xff_never_changes_identity_with_proxy_list(settings, spoof: str) -> None:
    trust(settings, ["10.0.0.0/8", "2001:db8:ffff::1"])
    xff = f"{spoof}, 198.51.100.7, 10.0.0.1" if spoof else "198.51.100.7, 10.0.0.1"
    assert get_client_ident(make("2001:db8:ffff::1", xff)) == "198.51.100.7"


def test_proxy_list_ignores_xff_from_untrusted_peer(settings) -> None:
    trust(settings, ["10.0.0.0/8"])
    assert get_client_ip(make("198.51.100.7", "1.1.1.1")) == "198.51.100.7"


def test_proxy_list_all_trusted_takes_leftmost(settings) -> None:
    trust(settings, ["10.0.0.0/8"])
    assert get_client_ip(make("10.0.0.2", "10.9.9.9, 10.0.0.1")) == "10.9.9.9"


def test_malformed_entry_stops_the_walk(settings) -> None:
    trust(settings, 2)
    assert get_client_ip(make("10.0.0.2", "evil, 10.0.0.1")) == "10.0.0.1"
    trust(settings, ["10.0.0.0/8"])
    assert get_client_ip(make("10.0.0.2", "198.51.100.7, garbage, 10.0.0.1")) == "10.0.0.1"


def test_count_larger_than_chain_uses_leftmost(settings) -> None:
    trust(settings, 3)
    assert get_client_ip(make("10.0.0.2", "198.51.100.7")) == "198.51.100.7"


@pytest.mark.parametrize("bad", [-1, True, "10.0.0.1", ["not-an-ip"], 1.5, None])
def test_malformed_setting_trusts_no_header(settings, bad) -> None:
    trust(settings, bad)
    assert get_client_ip(make("10.0.0.2", "198.51.100.7")) == "10.0.0.2"


@pytest.mark.parametrize("remote", [None, "", "not-an-ip", "unix:/run/gunicorn.sock"])
def test_missing_or_bad_remote_addr_is_unknown(remote) -> None:
    assert get_client_ip(make(remote)) == "unknown"
    assert get_client_ident(make(remote)) == "unknown"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.2.3.4", "1.2.3.4"),
        (" 1.2.3.4:5678 ", "1.2.3.4"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("2001:DB8::1", "2001:db8::1"),
        ("::ffff:1.2.3.4", "1.2.3.4"),
        ("fe80::1%eth0", None),
        ("1.2.3", None),
        ("[2001:db8::1", None),
    ],
)
def test_parse_ip(text: str, expected: str | None) -> None:
    address = parse_ip(text)
    assert (str(address) if address else None) == expected


def test_ipv6_grouped_by_64_by_default(settings) -> None:
    one = get_client_ident(make("2001:db8:1:2:aaaa::1"))
    two = get_client_ident(make("2001:db8:1:2:bbbb::2"))
    assert one == two == "2001:db8:1:2::/64"
    assert get_client_ident(make("2001:db8:1:3::1")) != one
    assert get_client_ip(make("2001:db8:1:2:aaaa::1")) == "2001:db8:1:2:aaaa::1"


@pytest.mark.parametrize(("length", "expected"), [(48, "2001:db8:1::/48"), (0, "2001:db8:1::/64")])
def test_ipv6_prefix_length_setting(settings, length: int, expected: str) -> None:
    settings.DRF_HARDENING = {"IPV6_PREFIX_LENGTH": length}
    assert get_client_ident(make("2001:db8:1:0:aaaa::1")) == expected


def test_ipv4_ident_is_the_address(settings) -> None:
    assert get_client_ident(make("198.51.100.7")) == "198.51.100.7"


# Drop-in: without DRF_HARDENING["TRUSTED_PROXIES"], DRF's NUM_PROXIES is the count.


def num_proxies(settings: Any, value: object) -> None:
    settings.DRF_HARDENING = {}
    settings.REST_FRAMEWORK = {"NUM_PROXIES": value}


@pytest.mark.parametrize(
    ("count", "expected"), [(0, "10.0.0.2"), (1, "198.51.100.7"), (2, "203.0.113.5")]
)
def test_num_proxies_is_the_count_when_trusted_proxies_is_unset(settings, count, expected) -> None:
    num_proxies(settings, count)
    assert get_client_ip(make("10.0.0.2", "192.0.2.1, 203.0.113.5, 198.51.100.7")) == expected


@hyp
@given(spoof=spoofed)
def test_spoofed_xff_never_changes_identity_with_num_proxies(settings, spoof: str) -> None:
    num_proxies(settings, 1)
    xff = f"{spoof}, 198.51.100.7" if spoof else "198.51.100.7"
    assert get_client_ident(make("10.0.0.2", xff)) == "198.51.100.7"


# DRF's None trusts the whole header; a malformed count is drf_hardening.E034.
@pytest.mark.parametrize("value", [None, -1, True, "1", 1.0])
def test_num_proxies_none_or_malformed_trusts_no_header(settings, value) -> None:
    num_proxies(settings, value)
    assert get_client_ip(make("10.0.0.2", "198.51.100.7")) == "10.0.0.2"


@pytest.mark.parametrize("value", [0, ["192.0.2.0/24"]])
def test_trusted_proxies_wins_over_num_proxies(settings, value) -> None:
    settings.REST_FRAMEWORK = {"NUM_PROXIES": 1}
    trust(settings, value)
    assert get_client_ip(make("10.0.0.2", "198.51.100.7")) == "10.0.0.2"


def test_malformed_trusted_proxies_does_not_fall_back_to_num_proxies(settings) -> None:
    settings.REST_FRAMEWORK = {"NUM_PROXIES": 1}
    trust(settings, -1)  # drf_hardening.E027: read as 0, not as NUM_PROXIES
    assert get_client_ip(make("10.0.0.2", "198.51.100.7")) == "10.0.0.2"
