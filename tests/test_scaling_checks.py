"""System checks drf_hardening.E035-E039: where the throttle counters live."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import caches

from drf_hardening.checks import ALL_CHECKS
from drf_hardening.checks import store as store_checks
from drf_hardening.throttling import topology
from tests.services import free_port
from tests.topologies import redis_cluster_fixture, valkey_server_fixture  # noqa: F401

STORE_IDS = {f"drf_hardening.E03{n}" for n in range(5, 10)}


def store_ids(deploy: bool = False) -> list[str]:
    """Ids E035-E039 from every check, once each whether conf or checks.store reports E035."""
    checks = {*ALL_CHECKS, *store_checks.CHECKS}
    if deploy:
        checks |= set(store_checks.DEPLOY_CHECKS)
    return sorted(m.id for check in checks for m in check() if m.id in STORE_IDS)


GOOD = [
    {"URL": "redis://127.0.0.1:6379/0"},
    {"URL": "valkeys://user:pw@cache.internal:6380/2", "OPTIONS": {"ssl_cert_reqs": "none"}},
    {"URL": "unix:///run/redis.sock"},
    {"CLUSTER_NODES": ["redis://10.0.0.1:7000", "valkey://10.0.0.2:7000"]},
    {"SENTINELS": ["10.0.0.1:26379", ("10.0.0.2", 26379)], "SERVICE_NAME": "mymaster", "DB": 1},
]
BAD = [
    ("redis://127.0.0.1:6379/0", "must be a dict"),
    ({"URL": "redis://x", "CLUSTR_NODES": []}, "unknown keys CLUSTR_NODES"),
    ({"URL": 6379}, "must be a string URL"),
    ({"URL": "http://x"}, "must start with"),
    ({"CLUSTER_NODES": "redis://10.0.0.1:7000"}, "is the string"),
    ({"CLUSTER_NODES": []}, "non-empty list"),
    ({"CLUSTER_NODES": ["redis://10.0.0.1:7000"], "DB": 1}, "only database 0"),
    ({"SENTINELS": ["10.0.0.1:26379"]}, "needs SERVICE_NAME"),
    ({"SENTINELS": ["10.0.0.1"], "SERVICE_NAME": "m"}, "'host:port'"),
    ({"URL": "redis://x", "CLUSTER_NODES": ["redis://y"]}, "URL and CLUSTER_NODES together"),
    ({"OPTIONS": {}}, "exactly one of"),
    ({"URL": "redis://x", "OPTIONS": "password=x"}, "OPTIONS must be a dict"),
    ({"URL": "redis://x", "DB": -1}, "DB must be an int"),
    ({"URL": "redis://x", "SERVICE_NAME": "m"}, "SENTINELS only"),
]


@pytest.mark.parametrize("value", GOOD)
def test_store_setting_good_is_silent(value: Any, settings: Any) -> None:
    assert topology.validate_store(value) is None
    settings.DRF_HARDENING = {"THROTTLE_STORE": value}
    assert store_ids() == []


@pytest.mark.parametrize(("value", "problem"), BAD)
def test_store_setting_bad_is_e035(value: Any, problem: str, settings: Any) -> None:
    assert problem in (topology.validate_store(value) or "")
    settings.DRF_HARDENING = {"THROTTLE_STORE": value}
    assert store_ids() == ["drf_hardening.E035"]


def test_valkey_aliases_are_redis_urls() -> None:
    assert topology.redis_url("valkey://h:1/0") == "redis://h:1/0"
    assert topology.redis_url("valkeys://h:1/0") == "rediss://h:1/0"
    assert topology.redis_url("unix:///s") == "unix:///s"


def test_describe_names_no_credentials() -> None:
    assert topology.describe({"URL": "redis://u:secret@h:7/0"}) == "THROTTLE_STORE (standalone h:7)"
    assert "2 seed nodes" in topology.describe({"CLUSTER_NODES": ["redis://a", "redis://b"]})
    assert "'mymaster'" in topology.describe({"SENTINELS": ["a:1"], "SERVICE_NAME": "mymaster"})


@pytest.mark.parametrize(
    "backend", ["redis_cache.RedisCache", "django_redis_cluster.cache.RedisClusterCache"]
)
def test_unrecognised_redis_backend_is_e036(backend: str, settings: Any) -> None:
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": "redis://127.0.0.1:6379"}}
    assert store_ids() == ["drf_hardening.E036"]


def test_unrecognised_backend_elsewhere_is_silent(settings: Any) -> None:
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "other": {"BACKEND": "my.RedisLike", "LOCATION": "redis://127.0.0.1:6379"},
    }
    assert store_ids() == []
    # With THROTTLE_STORE set, THROTTLE_CACHE does not count: no E036 either.
    settings.CACHES = {"default": {"BACKEND": "my.RedisLike", "LOCATION": "redis://x:1"}}
    settings.DRF_HARDENING = {"THROTTLE_STORE": {"URL": "redis://127.0.0.1:6379/0"}}
    assert store_ids() == []


def test_redis_cache_without_private_attributes_is_e037(settings: Any) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    assert store_ids() == []
    settings.CACHES = {**settings.CACHES}  # new cache objects, whose store is not made yet
    backend: Any = caches["default"]
    del backend._servers
    assert store_ids() == ["drf_hardening.E037"]


def test_django_redis_shard_client_is_e037(settings: Any) -> None:
    pytest.importorskip("django_redis", reason="the test group installs django-redis")
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": ["redis://127.0.0.1:1/0", "redis://127.0.0.1:2/0"],
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.ShardClient"},
        }
    }
    assert store_ids() == ["drf_hardening.E037"]


@pytest.mark.redis
def test_unreachable_store_is_e038_on_deploy(settings: Any) -> None:
    settings.DRF_HARDENING = {"THROTTLE_STORE": {"URL": f"redis://127.0.0.1:{free_port()}/0"}}
    assert store_ids() == []  # the plain checks never connect
    assert store_ids(deploy=True) == ["drf_hardening.E038"]


@pytest.mark.redis
def test_cluster_node_as_single_server_is_e039(redis_cluster: Any, settings: Any) -> None:
    node = redis_cluster.nodes[0]
    settings.DRF_HARDENING = {"THROTTLE_STORE": {"URL": node}}
    assert store_ids(deploy=True) == ["drf_hardening.E039"]
    settings.DRF_HARDENING = {}
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": node}
    }
    assert store_ids(deploy=True) == ["drf_hardening.E039"]
    settings.DRF_HARDENING = {"THROTTLE_STORE": {"CLUSTER_NODES": [node]}}
    assert store_ids(deploy=True) == []


@pytest.mark.redis
def test_reachable_store_is_silent_on_deploy(valkey_server: Any, settings: Any) -> None:
    settings.DRF_HARDENING = {"THROTTLE_STORE": {"URL": valkey_server.url}}
    assert store_ids(deploy=True) == []


@pytest.mark.redis
def test_django_valkey_cache_drives_the_store(valkey_server: Any, settings: Any) -> None:
    pytest.importorskip("django_valkey", reason="the test group installs django-valkey")
    from drf_hardening.throttling import stores
    from drf_hardening.throttling.redis_store import RedisStore

    settings.CACHES = {
        "default": {"BACKEND": "django_valkey.cache.ValkeyCache", "LOCATION": valkey_server.url}
    }
    assert store_ids(deploy=True) == []
    store = stores.get_store(caches["default"])
    assert isinstance(store, RedisStore)
    assert [store.decide("k", 1, 60_000, 1_000_000, hit=True)[0] for _ in range(2)] == [
        True,
        False,
    ]
