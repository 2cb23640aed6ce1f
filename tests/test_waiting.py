"""tests.waiting.wait_until, the polling loop of the helpers that start servers."""

from __future__ import annotations

import pytest

from tests.waiting import wait_until


def test_returns_at_once_when_already_true() -> None:
    answers = iter([True, False])
    wait_until(lambda: next(answers), "never", timeout=0)
    assert list(answers) == [False]  # asked once


def test_calls_again_until_true() -> None:
    answers = iter([False, None, True])
    wait_until(lambda: next(answers), "never", timeout=60)
    assert list(answers) == []


def test_gives_up_with_what_did_not_happen() -> None:
    with pytest.raises(TimeoutError, match=r"^the server does not answer after 0s$"):
        wait_until(lambda: False, "the server does not answer", timeout=0)


def test_ignored_exceptions_count_as_false_and_others_propagate() -> None:
    def refuse() -> bool:
        raise ConnectionRefusedError

    with pytest.raises(TimeoutError):
        wait_until(refuse, "refused", timeout=0, ignore=(OSError,))
    with pytest.raises(ConnectionRefusedError):
        wait_until(refuse, "refused", timeout=60)
