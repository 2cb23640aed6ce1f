"""The one reader of the ``DRF_HARDENING`` setting.

Every property re-reads ``django.conf.settings`` when it is accessed, so
``override_settings`` and pytest-django's ``settings`` fixture take effect at
once, with no signal handler and no cache to clear (the pattern of
django-cors-headers' ``conf``). Nothing in the package binds a setting at
import time or at class-definition time: read ``conf.X`` inside the function
that needs it.

``conf`` converts nothing: it returns a value as the project wrote it. Each key
has one validator in ``KEYS``; ``drf_hardening.checks.conf`` reports a value
that fails it (so ``check``, ``migrate`` and ``runserver`` stop), and until it
is fixed ``conf`` returns the key's default instead, so that a bad value served
anyway (a WSGI server runs no checks) never turns into a 500.

Each default is documented, with the reason for it, in ``docs/settings.md``.
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import timedelta
from functools import lru_cache
from typing import Any, Generic, TypeVar, overload

from django.conf import settings
from rest_framework.settings import api_settings

from drf_hardening import names

#: What is wrong with a value (``"it must be ..."``), or ``None`` when it is valid.
Validator = Callable[[Any], str | None]
#: A duration setting as written: a ``timedelta`` or a number of seconds.
Duration = timedelta | int | float
T = TypeVar("T")

_HEADER_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # RFC 9110 field-name
_TOKEN_PREFIX = re.compile(r"[A-Za-z0-9]{1,16}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_seconds(value: Any) -> bool:
    return (_is_int(value) or isinstance(value, float)) and math.isfinite(value)


def _rule(test: Callable[[Any], bool], problem: str) -> Validator:
    return lambda value: None if test(value) else problem


def _optional(validate: Validator) -> Validator:
    return lambda value: None if value is None else validate(value)


def _int_range(low: int, high: int | None = None) -> Validator:
    return _rule(
        lambda value: _is_int(value) and low <= value <= (high or value),
        f"it must be an int from {low} to {high}" if high else f"it must be an int >= {low}",
    )


def _one_of(choices: Iterable[str]) -> str | None:
    return f"it must be one of {', '.join(map(repr, choices))}"


def _profile(value: Any) -> str | None:
    from drf_hardening.presets.profiles import PROFILES

    return None if isinstance(value, str) and value in PROFILES else _one_of(PROFILES)


def _error_format(value: Any) -> str | None:
    from drf_hardening.error_formats import FORMATS

    return None if isinstance(value, str) and value in FORMATS else _one_of(FORMATS)


def _duration(*, zero: bool) -> Validator:
    wanted = "it must be a timedelta or a number of seconds " + (">= 0" if zero else "> 0")

    def validate(value: Any) -> str | None:
        if not isinstance(value, timedelta):
            if not _is_seconds(value):
                return wanted
            try:
                value = timedelta(seconds=value)
            except OverflowError:
                return "it is too large for a timedelta"
        return None if value > timedelta(0) or (zero and not value) else wanted

    return validate


def _rate(value: Any) -> str | None:
    return _rate_problem(value) if isinstance(value, str) else "a rate is a str such as '5/min'"


@lru_cache(maxsize=64)  # a handful of rates, read on every request
def _rate_problem(value: str) -> str | None:
    # Imported here: drf_hardening.throttling imports this module.
    from drf_hardening.throttling.rates import parse_rate

    try:
        parse_rate(value)
    except ValueError as exc:
        return str(exc)
    return None


def _cache_alias(value: Any) -> str | None:
    caches = getattr(settings, "CACHES", {})
    if isinstance(value, str) and value in caches:
        return None
    return f"it is not an alias of CACHES ({', '.join(map(repr, caches)) or 'none defined'})"


@lru_cache(maxsize=64)  # a handful of addresses, validated on every request
def _is_network(entry: str) -> bool:
    try:
        ipaddress.ip_network(entry.strip(), strict=False)
    except ValueError:
        return False
    return True


def _trusted_proxies(value: Any) -> str | None:
    if isinstance(value, str):
        return "it is a string; write a list of addresses"  # reported as E011
    if _is_int(value):
        return None if value >= 0 else "a count of proxies must be an int >= 0"
    if not isinstance(value, list | tuple):
        return "it must be an int (a count of proxies) or a list of addresses/CIDRs"
    for entry in value:
        if not isinstance(entry, str) or not _is_network(entry):
            return f"{entry!r} is not an IP address or CIDR block"
    return None


_bool = _rule(lambda value: isinstance(value, bool), "it must be True or False")
_str = _rule(lambda value: isinstance(value, str), "it must be a str")
_positive_seconds = _rule(
    lambda value: _is_seconds(value) and value > 0, "it must be a number of seconds > 0"
)
_path_prefixes = _rule(
    lambda value: (
        isinstance(value, list | tuple)
        and all(isinstance(prefix, str) and prefix.startswith("/") for prefix in value)
    ),
    "it must be a list of paths starting with '/', not a single string",
)
_header_name = _rule(
    lambda value: isinstance(value, str) and bool(_HEADER_TOKEN.fullmatch(value)),
    "it is not an HTTP header name (an RFC 9110 token)",
)
_header_value = _rule(
    lambda value: isinstance(value, str) and "\r" not in value and "\n" not in value,
    "it must be a str without line breaks, or None",
)
_token_prefix = _rule(
    lambda value: isinstance(value, str) and bool(_TOKEN_PREFIX.fullmatch(value)),
    "it must be 1 to 16 ASCII letters and digits",
)


def _user_settings() -> Mapping[str, Any]:
    value = getattr(settings, "DRF_HARDENING", None)
    # type() first: isinstance() against an ABC costs more than the rest of a read.
    return value if type(value) is dict or isinstance(value, Mapping) else {}


def _drf_num_proxies() -> int:
    # Where DRF's own get_ident() reads it (DRF's tests set it there too). DRF's
    # None trusts the whole header, so a client could pick its identity: read as 0.
    value: Any = api_settings.NUM_PROXIES
    return value if is_proxy_count(value) else 0


def is_proxy_count(value: Any) -> bool:
    """Whether ``REST_FRAMEWORK["NUM_PROXIES"]`` can stand in for ``TRUSTED_PROXIES``."""
    return _is_int(value) and value >= 0


def as_timedelta(value: Duration | None) -> timedelta | None:
    """A valid duration setting as a ``timedelta``: numbers are seconds, ``None`` stays ``None``."""
    if value is None or isinstance(value, timedelta):
        return value
    return timedelta(seconds=value)


class Key(Generic[T]):
    """One ``DRF_HARDENING`` key: its type, its default and the rule a value must meet.

    Read on an instance, it is the project's value if ``validate`` accepts it,
    else ``default`` (``unset()`` instead when the key is absent, if given).
    """

    name: str

    def __init__(
        self, default: T, validate: Validator, *, unset: Callable[[], T] | None = None
    ) -> None:
        self.default = default
        self.validate = validate
        self.unset = unset

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type) -> Key[T]: ...
    @overload
    def __get__(self, instance: object, owner: type) -> T: ...
    def __get__(self, instance: object | None, owner: type) -> Key[T] | T:
        if instance is None:
            return self
        user = _user_settings()
        if self.name not in user:
            return self.unset() if self.unset else self.default
        value: T = user[self.name]
        # Invalid: drf_hardening.checks.conf reports it; serve the documented default.
        return value if self.validate(value) is None else self.default


_ttl = _optional(_duration(zero=False))


def _throttle_store(value: Any) -> str | None:
    # Imported here: drf_hardening.throttling imports this module.
    from drf_hardening.throttling.topology import validate_store

    return validate_store(value)


class Settings:
    """Typed, read-at-access view of ``settings.DRF_HARDENING``; invalid values read as defaults.

    ``docs/settings.md`` explains each default.
    """

    # Which profile harden() applied; None when the project does not use harden().
    PROFILE = Key[str | None](None, _optional(_profile))
    # Client identity (drf_hardening.client_ip).
    TRUSTED_PROXIES = Key[int | Sequence[str]](0, _trusted_proxies, unset=_drf_num_proxies)
    IPV6_PREFIX_LENGTH = Key[int](64, _int_range(1, 128))
    # Throttling (drf_hardening.throttling).
    THROTTLE_CACHE = Key[str]("default", _cache_alias)
    # Redis/Valkey named directly (URL, CLUSTER_NODES or SENTINELS); wins over THROTTLE_CACHE.
    THROTTLE_STORE = Key[Mapping[str, Any] | None](None, _throttle_store)
    THROTTLE_FAIL_OPEN = Key[bool](True, _bool)
    THROTTLE_TIMEOUT = Key[float](0.25, _positive_seconds)
    RATELIMIT_HEADERS = Key[bool](True, _bool)
    FAILED_AUTH_RATE = Key[str | None]("10/min", _optional(_rate))
    LOGIN_RATE = Key[str]("5/min", _rate)
    # Lists (drf_hardening.pagination.PageNumberPagination).
    MAX_PAGE_SIZE = Key[int](100, _int_range(1))
    # Errors (drf_hardening.exceptions and drf_hardening.views).
    ERROR_FORMAT = Key[str]("envelope", _error_format)
    # Paths whose Django-level errors (handler404, csrf_failure...) answer JSON; "/" is all.
    API_PATH_PREFIXES = Key[Sequence[str]](("/",), _path_prefixes)
    # The class behind drf_hardening.exceptions.exception_handler and the error views.
    EXCEPTION_HANDLER_CLASS = Key[str](names.EXCEPTION_HANDLER_CLASS, _str)
    # Request ids (drf_hardening.middleware.RequestIDMiddleware).
    REQUEST_ID_HEADER = Key[str]("X-Request-ID", _header_name)
    # Content-Security-Policy of API responses, sent by
    # drf_hardening.middleware.ContentSecurityPolicyMiddleware on Django < 6.0.
    CONTENT_SECURITY_POLICY = Key[str | None](
        "default-src 'none'; frame-ancestors 'none'", _optional(_header_value)
    )
    # Tokens (drf_hardening.tokens). None means never / no limit.
    TOKEN_TTL = Key[Duration | None](timedelta(days=30), _ttl)
    TOKEN_IDLE_TTL = Key[Duration | None](None, _ttl)
    TOKEN_PREFIX = Key[str]("drfh", _token_prefix)
    TOKEN_LAST_USED_INTERVAL = Key[Duration](timedelta(minutes=5), _duration(zero=True))
    TOKEN_MAX_PER_USER = Key[int | None](20, _optional(_int_range(1)))
    TOKEN_LEGACY_TTL = Key[Duration | None](timedelta(days=90), _ttl)

    def duration(self, name: str) -> timedelta | None:
        """The duration key ``name`` (``"TOKEN_TTL"``...) as a ``timedelta``, or ``None``."""
        value: Duration | None = getattr(self, name)
        return as_timedelta(value)


#: Every ``DRF_HARDENING`` key and its rule (``drf_hardening.checks.conf`` iterates it).
KEYS: Mapping[str, Key[Any]] = {
    name: key for name, key in vars(Settings).items() if isinstance(key, Key)
}
#: The default of every key (``TRUSTED_PROXIES``: when ``NUM_PROXIES`` is not an int).
DEFAULTS: Mapping[str, Any] = {name: key.default for name, key in KEYS.items()}

conf = Settings()
