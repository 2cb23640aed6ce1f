"""Deliberately broken variants of the hardened stack: each is flagged by its own check.

One misconfiguration per test, made the way it happens in a deployment: an
environment variable of the example, a second settings module that overrides
one setting (tests/probe/variants), or one line of nginx. The probe runs in
full each time; the test pins the whole set of failures, so a variant that
broke more than its one thing would show.
"""

from __future__ import annotations

from pathlib import Path

from tests.probe.e2e.conftest import (
    Stack,
    Stacks,
    full_probe_args,
    hardened_env,
)
from tests.probe.reports import run_probe
from tests.probe.variants import LEAKY_LOGIN
from tests.services import RedisServer


def failures(stack: Stack, origin: str, template: Path, *extra: str) -> set[str]:
    report = run_probe(stack.url(), *full_probe_args(stack, origin, template, *extra))
    assert report.exit_code == 1, report.document
    return report.with_status("FAIL")


def test_nginx_stripping_csp_flagged(
    hardened: Stack, stacks: Stacks, fresh_quotas: RedisServer, front_end: str, task_template: Path
) -> None:
    stack = stacks.proxy(hardened, hide_headers=("Content-Security-Policy",))

    assert failures(stack, front_end, task_template) == {"headers.csp"}


def test_nginx_not_appending_forwarded_for_flagged(
    hardened: Stack, stacks: Stacks, fresh_quotas: RedisServer, front_end: str, task_template: Path
) -> None:
    # nginx passes the client's own X-Forwarded-For on: its last entry is the client's word.
    stack = stacks.proxy(hardened, append_forwarded_for=False)

    assert failures(stack, front_end, task_template) == {"rate.forwarded-for"}


def test_cors_all_origins_with_credentials_flagged(
    stacks: Stacks, fresh_quotas: RedisServer, front_end: str, task_template: Path
) -> None:
    stack = stacks.start(
        hardened_env(fresh_quotas, front_end), settings="tests.probe.variants.cors_all_origins"
    )

    assert failures(stack, front_end, task_template) == {"cors.not-reflected", "cors.credentials"}


def test_allowed_hosts_star_flagged(
    stacks: Stacks, fresh_quotas: RedisServer, front_end: str, task_template: Path
) -> None:
    stack = stacks.start(hardened_env(fresh_quotas, front_end, DJANGO_ALLOWED_HOSTS="*"))

    assert failures(stack, front_end, task_template) == {"host.foreign"}


def test_debug_on_flagged(
    stacks: Stacks, fresh_quotas: RedisServer, front_end: str, task_template: Path
) -> None:
    stack = stacks.start(
        hardened_env(fresh_quotas, front_end), settings="tests.probe.variants.debug_on"
    )

    # Django's debug 404 page replaces the API's JSON 404: it shows the URLconf.
    assert failures(stack, front_end, task_template) == {
        "errors.404", "errors.shape", "errors.request-id", "errors.no-leak",
    }  # fmt: skip


def test_drf_anon_throttle_without_num_proxies_flagged(
    stacks: Stacks, fresh_quotas: RedisServer, front_end: str, task_template: Path
) -> None:
    stack = stacks.start(
        hardened_env(fresh_quotas, front_end), settings="tests.probe.variants.drf_throttles"
    )

    assert failures(stack, front_end, task_template) == {"rate.forwarded-for"}


def test_login_answering_unknown_users_differently_flagged(
    stacks: Stacks, fresh_quotas: RedisServer, front_end: str, task_template: Path
) -> None:
    stack = stacks.start(
        hardened_env(fresh_quotas, front_end), settings="tests.probe.variants.leaky_login"
    )

    found = failures(stack, front_end, task_template, "--login-url", LEAKY_LOGIN)

    assert found == {"auth.login-identical"}
