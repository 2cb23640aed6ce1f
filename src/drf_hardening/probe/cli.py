"""The ``drf-hardening`` console script: ``drf-hardening probe URL [options]``.

Exit status: 0 when every check passed or was skipped, 1 when one failed, 2
when the probe could not run (bad options, an unreachable URL, a failed login).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import ssl
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from drf_hardening.probe.context import Options

DEFAULT_MAX_REQUESTS = 150
DEFAULT_BODY_LIMIT = 1_048_576
# Names of environment variables, which keep secrets out of shell history and `ps`.
TOKEN_VARIABLE = "DRF_HARDENING_PROBE_TOKEN"  # noqa: S105
PASSWORD_VARIABLE = "DRF_HARDENING_PROBE_PASSWORD"  # noqa: S105


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="drf-hardening", description="Tools of drf-hardening that need no Django project."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    probe = commands.add_parser(
        "probe",
        help="audit a running API from the outside",
        description="Audit a running API from the outside with a bounded number of requests.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    probe.add_argument(
        "url", help="an endpoint of the API, e.g. https://api.example.com/api/tasks/"
    )
    probe.add_argument("--token", help=f"the API token (or ${TOKEN_VARIABLE}); 'Bearer x' as is")
    probe.add_argument("--login-url", help="the login endpoint (POST username and password)")
    probe.add_argument("--username", help="an existing user, for the login checks")
    probe.add_argument("--password", help=f"its password (or ${PASSWORD_VARIABLE}), to log in")
    probe.add_argument("--origin", help="the front end's origin, which CORS must allow")
    probe.add_argument("--http-url", help="the plain-HTTP URL (default: the host on port 80)")
    probe.add_argument("--anon-url", help="an endpoint anonymous clients may GET (default: URL, /)")
    probe.add_argument("--post-json", metavar="FILE", help="a valid create request, for input.*")
    tls = probe.add_mutually_exclusive_group()
    tls.add_argument("--cafile", help="the CA certificate(s) to verify the server with")
    tls.add_argument("--insecure", action="store_true", help="do not verify the certificate")
    output = probe.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print the report as JSON")
    output.add_argument("--sarif", action="store_true", help="print the report as SARIF 2.1.0")
    probe.add_argument("--only", metavar="ID,...", help="run only these checks (ids or concerns)")
    probe.add_argument(
        "--max-requests", type=int, default=DEFAULT_MAX_REQUESTS, help="requests it may send"
    )
    probe.add_argument(
        "--body-limit", type=int, default=DEFAULT_BODY_LIMIT, help="the API's body cap, bytes"
    )
    probe.add_argument("--timeout", type=float, default=10.0, help="seconds per request")
    return parser


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    out = stdout or sys.stdout
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit:  # --help, or a usage error (status 2)
        return int(exit.code or 0)
    try:
        return probe(args, out)
    except UsageError as error:
        print(f"drf-hardening probe: error: {error}", file=sys.stderr)
        return 2


class UsageError(Exception):
    pass


def probe(args: argparse.Namespace, out: TextIO) -> int:
    if importlib.util.find_spec("httpx") is None:
        raise UsageError("the probe needs httpx: pip install 'drf-hardening[probe]'")
    from drf_hardening.probe import runner
    from drf_hardening.probe.checks import CHECKS
    from drf_hardening.probe.context import Context
    from drf_hardening.probe.http import Budget, Client, ProbeError
    from drf_hardening.probe.report import Run, as_json, sarif, table

    options = options_from(args)
    only = [name.strip() for name in (args.only or "").split(",") if name.strip()]
    client = Client(Budget(options.max_requests), verify=verify_from(args), timeout=args.timeout)
    started = time.monotonic()
    try:
        checks = runner.select(CHECKS, only)
        ctx = Context(options, client)
        if options.password and options.login_url and options.username and not options.token:
            ctx.token = ctx.login(options.login_url, options.username, options.password)
        outcomes = runner.run(ctx, checks)
    except ProbeError as error:
        raise UsageError(str(error)) from error
    finally:
        client.close()
    report = Run(options.url, outcomes, client.budget.sent, options.max_requests,
                 time.monotonic() - started)  # fmt: skip
    if args.json:
        print(as_json(report), file=out)
    elif args.sarif:
        print(sarif(report, checks), file=out)
    else:
        width = shutil.get_terminal_size().columns if out.isatty() else None
        print(table(report, width), file=out)
    return report.exit_code


def options_from(args: argparse.Namespace) -> Options:
    from drf_hardening.probe.context import Options

    if not args.url.startswith(("http://", "https://")):
        raise UsageError(f"the URL must start with https:// or http://, got {args.url!r}")
    if args.max_requests < 1:
        raise UsageError("--max-requests must be at least 1")
    if args.body_limit < 1:
        raise UsageError("--body-limit must be at least 1")
    password = args.password or os.environ.get(PASSWORD_VARIABLE)
    if password and not (args.login_url and args.username):
        raise UsageError("--password needs --login-url and --username")
    return Options(
        url=args.url,
        token=args.token or os.environ.get(TOKEN_VARIABLE) or None,
        login_url=args.login_url,
        username=args.username,
        password=password,
        origin=args.origin.rstrip("/") if args.origin else None,
        http_url=args.http_url,
        anon_url=args.anon_url,
        post_json=load_template(args.post_json) if args.post_json else None,
        insecure=args.insecure,
        body_limit=args.body_limit,
        max_requests=args.max_requests,
    )


def load_template(path: str) -> dict[str, Any]:
    try:
        template = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise UsageError(f"--post-json {path}: {error}") from error
    if not isinstance(template, dict):
        raise UsageError(f"--post-json {path}: the template must be a JSON object")
    return template


def verify_from(args: argparse.Namespace) -> ssl.SSLContext | bool:
    if args.insecure:
        return False
    if args.cafile:
        try:
            return ssl.create_default_context(cafile=args.cafile)
        except (OSError, ssl.SSLError) as error:
            raise UsageError(f"--cafile {args.cafile}: {error}") from error
    return True
