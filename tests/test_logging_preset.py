"""drf_hardening.presets.logging.logging_preset, applied with dictConfig, through the full stack."""

from __future__ import annotations

import json
import logging
import logging.config
import logging.handlers
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from drf_hardening.logging import DisallowedHostFilter
from drf_hardening.presets.logging import (
    CONSOLE_HANDLER,
    FILE_HANDLER,
    LOG_FILE_BACKUP_COUNT,
    LOG_FILE_MAX_BYTES,
    logging_preset,
)
from tests.helpers import ADMINS
from tests.test_exceptions import REQUEST_ID_MIDDLEWARE

LOGGERS = [
    "django.request",
    "django.security",
    "django.security.DisallowedHost",
    "drf_hardening",
    "drf_hardening.security",
]
CARELESS = "tests.careless"
TEXT_LINE_START = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} [A-Z]+ ")

Configure = Callable[..., dict[str, Any]]


@pytest.fixture
def configure_logging() -> Iterator[Configure]:
    """Apply the preset (plus an application logger routed to its handlers), then undo it."""
    names = [*LOGGERS, CARELESS]
    saved = {}
    for name in names:
        logger = logging.getLogger(name)
        saved[name] = (
            logger.handlers[:],
            logger.filters[:],
            logger.level,
            logger.propagate,
            logger.disabled,
        )

    def configure(**kwargs: Any) -> dict[str, Any]:
        config = logging_preset(**kwargs)
        outputs = config["loggers"]["drf_hardening"]["handlers"]
        config["loggers"][CARELESS] = {"handlers": outputs, "level": "INFO", "propagate": False}
        logging.config.dictConfig(config)
        return config

    yield configure
    for name, (handlers, filters, level, propagate, disabled) in saved.items():
        logger = logging.getLogger(name)
        for handler in set(logger.handlers) - set(handlers):  # the ones dictConfig made
            handler.close()
        logger.handlers = handlers
        logger.filters = filters
        logger.setLevel(level)
        logger.propagate = propagate
        logger.disabled = disabled


@pytest.fixture
def client(settings: Any) -> Client:
    settings.REST_FRAMEWORK = {
        "NUM_PROXIES": 0,
        "EXCEPTION_HANDLER": "drf_hardening.exceptions.exception_handler",
    }
    settings.MIDDLEWARE = [REQUEST_ID_MIDDLEWARE]
    return Client(raise_request_exception=False)


def test_preset_is_plain_data_for_each_profile() -> None:
    for profile in ("production", "development"):
        config = logging_preset(profile=profile)
        assert json.loads(json.dumps(config)) == config
        assert set(config["loggers"]) == set(LOGGERS)
        assert FILE_HANDLER not in config["handlers"]
        for handler in config["handlers"].values():
            assert {"drf_hardening_request_id", "drf_hardening_redact"} <= set(handler["filters"])


def test_preset_levels_differ_by_profile() -> None:
    production = logging_preset(profile="production")["loggers"]
    development = logging_preset(profile="development")["loggers"]

    assert production["drf_hardening"]["level"] == "INFO"
    assert development["drf_hardening"]["level"] == "DEBUG"
    assert production["drf_hardening.security"]["level"] == "INFO"


def test_preset_rejects_unknown_profile() -> None:
    with pytest.raises(ValueError, match="'staging'"):
        logging_preset(profile="staging")


def test_preset_file_handler_rotates_by_size() -> None:
    handler = logging_preset(profile="production", log_file="/var/log/api.log")["handlers"][
        FILE_HANDLER
    ]

    assert handler["class"] == "logging.handlers.RotatingFileHandler"
    assert handler["maxBytes"] == LOG_FILE_MAX_BYTES > 0
    assert handler["backupCount"] == LOG_FILE_BACKUP_COUNT > 0


def test_preset_module_does_not_import_django_settings() -> None:
    code = (
        "import sys; from drf_hardening.presets.logging import logging_preset; "
        "logging_preset(profile='production', log_file='x.log', json_format=True); "
        "print('django.conf' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={}
    )

    assert result.stdout.strip() == "False"


def test_file_never_grows_past_its_bound(configure_logging: Configure, tmp_path: Path) -> None:
    log_file = tmp_path / "api.log"
    configure_logging(profile="production", log_file=str(log_file))
    [handler] = [
        h
        for h in logging.getLogger("drf_hardening").handlers
        if isinstance(h, logging.handlers.RotatingFileHandler)
    ]
    assert not log_file.exists()  # delay=True: nothing is opened before the first record
    handler.maxBytes = 1000

    for number in range(200):
        logging.getLogger("drf_hardening").info("line %d %s", number, "x" * 50)

    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["api.log", *(f"api.log.{n}" for n in range(1, LOG_FILE_BACKUP_COUNT + 1))]
    assert all(p.stat().st_size <= 1000 for p in tmp_path.iterdir())


def outputs(capsys: Any, log_file: Path) -> dict[str, str]:
    for handler in logging.getLogger("drf_hardening").handlers:
        handler.flush()
    return {"console": capsys.readouterr().err, "file": log_file.read_text(encoding="utf-8")}


@pytest.mark.urls("tests.urls_errors")
@pytest.mark.django_db
@pytest.mark.parametrize("json_format", [False, True], ids=["text", "json"])
def test_failed_token_never_reaches_any_log_output(
    configure_logging: Configure,
    client: Client,
    capsys: Any,
    tmp_path: Path,
    json_format: bool,
) -> None:
    log_file = tmp_path / "api.log"
    configure_logging(profile="production", log_file=str(log_file), json_format=json_format)

    response = client.get("/api/token/", HTTP_AUTHORIZATION="Token abc123secret")
    client.post(
        "/api/careless/",
        {"title": "hello"},
        content_type="application/json",
        HTTP_AUTHORIZATION="Token abc123secret",
        HTTP_COOKIE="sessionid=cookie123value",
    )
    client.post(
        "/api/careless/?access_token=query123value&page=2",
        {"title": "hello"},
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer bearer123value",
        HTTP_PROXY_AUTHORIZATION="Basic proxy123value",
        HTTP_X_API_KEY="apikey123value",
    )
    secrets = ["abc123secret", "cookie123value", "query123value", "bearer123value"]
    secrets += ["proxy123value", "apikey123value"]

    assert response.status_code == 401
    for name, text in outputs(capsys, log_file).items():
        for secret in secrets:
            assert secret not in text, (name, secret)
        assert "page=2" in text, name  # the rest of the line is still there
        # The records are there, with the secret masked.
        assert "authentication_failed" in text, name
        assert "Unauthorized: /api/token/" in text, name
        assert "[REDACTED]" in text, name
        assert response["X-Request-ID"] in text, name
        if json_format:
            records = [json.loads(line) for line in text.splitlines()]
            [event] = [r for r in records if r.get("event") == "authentication_failed"]
            assert event["status"] == 401
            assert event["path"] == "/api/token/"
            assert event["request_id"] == response["X-Request-ID"]
            [unauthorized] = [r for r in records if r["message"] == "Unauthorized: /api/token/"]
            assert unauthorized["request_id"] == response["X-Request-ID"]


@pytest.mark.urls("tests.urls_errors")
@pytest.mark.django_db
@pytest.mark.parametrize("json_format", [False, True], ids=["text", "json"])
def test_crlf_in_user_input_cannot_forge_a_log_line(
    configure_logging: Configure,
    client: Client,
    capsys: Any,
    tmp_path: Path,
    json_format: bool,
) -> None:
    log_file = tmp_path / "api.log"
    configure_logging(profile="production", log_file=str(log_file), json_format=json_format)

    client.post(
        "/api/careless/",
        {"title": "hi\r\nFAKE LOG LINE"},
        content_type="application/json",
    )
    client.get("/api/forbidden%0D%0AFAKE%20LOG%20LINE/")
    client.get("/api/boom/")

    for name, text in outputs(capsys, log_file).items():
        lines = text.splitlines()
        assert "FAKE LOG LINE" in text, name
        assert not any(line.startswith("FAKE") for line in lines), name
        if json_format:
            for line in lines:
                json.loads(line)
        else:
            # Each line starts a record (timestamp) or continues one (indented).
            for line in lines:
                assert TEXT_LINE_START.match(line) or line.startswith("  "), line


@pytest.mark.urls("tests.urls_errors")
@pytest.mark.django_db
def test_500_traceback_is_logged_with_the_body_request_id(
    configure_logging: Configure, client: Client, capsys: Any, tmp_path: Path
) -> None:
    log_file = tmp_path / "api.log"
    configure_logging(profile="production", log_file=str(log_file), json_format=True)

    response = client.get("/api/boom/")

    request_id = response.json()["error"]["request_id"]
    records = [json.loads(line) for line in outputs(capsys, log_file)["file"].splitlines()]
    [error] = [r for r in records if r["logger"] == "django.request"]
    assert error["request_id"] == request_id
    assert "RuntimeError: secret-db-password" in error["exc_info"]
    assert error["status_code"] == 500


def test_console_handler_is_named_in_the_preset() -> None:
    config = logging_preset(profile="development", json_format=True)

    assert config["handlers"][CONSOLE_HANDLER]["formatter"] == "drf_hardening_json"


def test_foreign_host_is_logged_but_not_mailed_to_admins(
    configure_logging: Configure, capsys: Any
) -> None:
    from django.utils.log import AdminEmailHandler

    configure_logging(profile="production")
    disallowed_host = logging.getLogger("django.security.DisallowedHost")
    security = logging.getLogger("django.security")

    try:
        raise ValueError("Invalid HTTP_HOST header")
    except ValueError:
        disallowed_host.exception("Invalid HTTP_HOST header")

    [line] = capsys.readouterr().err.splitlines()  # one line: no traceback
    assert " WARNING django.security.DisallowedHost [-] Invalid HTTP_HOST header" in line
    assert [type(f) for f in disallowed_host.filters] == [DisallowedHostFilter]
    assert not disallowed_host.propagate
    assert not [h for h in disallowed_host.handlers if isinstance(h, AdminEmailHandler)]
    # No django.security record is mailed (issue 17); server errors still are.
    assert not [h for h in security.handlers if isinstance(h, AdminEmailHandler)]
    request_logger = logging.getLogger("django.request")
    assert [h for h in request_logger.handlers if isinstance(h, AdminEmailHandler)]


# --- issue 17, finding 4: a query-parameter flood with ADMINS set ----------------------

FLOOD = "/api/echo/?" + "&".join(f"p{i}=x" for i in range(1001))


@pytest.fixture
def admins(settings: Any) -> None:
    settings.ADMINS = ADMINS
    settings.DEBUG = False


@pytest.mark.urls("tests.urls_errors")
def test_query_parameter_flood_is_a_400_and_no_mail(
    configure_logging: Configure, client: Client, admins: None, mailoutbox: list[Any], capsys: Any
) -> None:
    configure_logging(profile="production")
    response = client.get(FLOOD)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"
    assert mailoutbox == []
    err = capsys.readouterr().err
    assert "django.security.TooManyFieldsSent" in err
    assert "Logging error" not in err


@pytest.mark.urls("tests.urls_errors")
def test_query_parameter_flood_mailed_by_djangos_handler_is_still_a_400(
    configure_logging: Configure,
    client: Client,
    admins: None,
    mailoutbox: list[Any],
    settings: Any,
) -> None:
    # A project that routes django.security to e-mail itself: the library's reporter
    # builds the report without re-parsing the query string, so the handler cannot fail.
    # Set before the handler is built: AdminEmailHandler reads it in __init__.
    settings.DEFAULT_EXCEPTION_REPORTER = "drf_hardening.logging.reporter.SafeExceptionReporter"
    config = configure_logging(profile="production")
    config["loggers"]["django.security"]["handlers"].append("drf_hardening_mail_admins")
    logging.config.dictConfig(config)
    response = client.get(FLOOD)
    assert response.status_code == 400
    [mail] = mailoutbox
    assert "DATA_UPLOAD_MAX_NUMBER_FIELDS" in mail.subject
    assert "901 more parameters left out" in mail.body


@pytest.mark.urls("tests.urls_errors")
def test_query_parameter_flood_with_djangos_reporter_is_a_400_not_a_500(
    configure_logging: Configure,
    client: Client,
    admins: None,
    mailoutbox: list[Any],
    capsys: Any,
) -> None:
    # The finding itself: Django's reporter re-reads request.GET and raises inside the
    # mail handler. The handler's failure is printed to stderr; the client gets its 400.
    config = configure_logging(profile="production")
    config["loggers"]["django.security"]["handlers"].append("drf_hardening_mail_admins")
    logging.config.dictConfig(config)
    response = client.get(FLOOD)
    assert response.status_code == 400
    assert mailoutbox == []
    err = capsys.readouterr().err
    assert "--- Logging error in django.security.TooManyFieldsSent" in err
    assert "TooManyFieldsSent" in err


class FailingHandler(logging.Handler):
    """A handler that raises out of ``handle`` (not every third-party handler catches)."""

    def handle(self, record: logging.LogRecord) -> bool:
        raise RuntimeError("log sink is down")


@pytest.mark.urls("tests.urls_errors")
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "status", "logger"),
    [
        ("/api/missing/", 404, "django.request"),  # RequestIDMiddleware's log_response
        ("/api/suspicious/", 400, "django.security"),  # the handler's security log
        ("/api/token/", 401, "drf_hardening.security"),  # log_event
        ("/api/boom/", 500, "django.request"),  # the 500's traceback
    ],
)
def test_a_failing_handler_never_changes_the_answer(
    client: Client, capsys: Any, path: str, status: int, logger: str
) -> None:
    failing = FailingHandler()
    target = logging.getLogger(logger)
    target.addHandler(failing)
    try:
        response = client.get(path, HTTP_AUTHORIZATION="Token wrong")
    finally:
        target.removeHandler(failing)
    assert response.status_code == status
    assert response.json()["error"]["status"] == status
    assert "RuntimeError: log sink is down" in capsys.readouterr().err


@pytest.mark.urls("tests.urls_errors")
@pytest.mark.django_db
def test_a_failing_handler_is_silent_when_logging_raise_exceptions_is_off(
    client: Client, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # logging.raiseExceptions = False is the standard library's "never print handler errors"
    # (production code sets it); the library's report of a failed handler honours it too.
    monkeypatch.setattr(logging, "raiseExceptions", False)
    failing = FailingHandler()
    target = logging.getLogger("drf_hardening.security")
    target.addHandler(failing)
    try:
        response = client.get("/api/token/", HTTP_AUTHORIZATION="Token wrong")
    finally:
        target.removeHandler(failing)
    assert response.status_code == 401
    assert capsys.readouterr().err == ""
