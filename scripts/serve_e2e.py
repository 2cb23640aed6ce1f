"""Run the e2e suite's production stack by hand: Redis, gunicorn, nginx with TLS.

    .venv/bin/python -m scripts.serve_e2e [--workers 4]

Migrates and seeds a temporary SQLite database, starts everything on free
127.0.0.1 ports, prints the URLs, a token and curl commands, and stops every
process when you press Ctrl-C. This is the offline stand-in for the tutorial's
ngrok step: real HTTPS in front of the production profile.
"""

from __future__ import annotations

import argparse
import contextlib
import secrets
import shutil
import tempfile
import time
from pathlib import Path

from tests.e2e.components import Gunicorn, Nginx, seed_example
from tests.services import RedisServer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="drfh-serve-"))
    database_url = f"sqlite:///{scratch}/db.sqlite3"
    token = seed_example(database_url)

    redis = RedisServer(shutil.which("redis-server") or "redis-server")
    redis.start()
    gunicorn = Gunicorn(
        "taskmanager.wsgi:application",
        {
            "DATABASE_URL": database_url,
            "DRF_HARDENING_PROFILE": "production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_TRUSTED_PROXIES": "1",
            "REDIS_URL": redis.url,
        },
        workers=args.workers,
    )
    nginx = Nginx(gunicorn.port, shutil.which("nginx", path="/usr/sbin:/usr/bin:/sbin") or "nginx")
    try:
        gunicorn.start()
        nginx.start()
        ca = scratch / "ca.pem"
        nginx.ca.cert_pem.write_to_path(str(ca))
        print(
            f"HTTPS (nginx): {nginx.https_url}/   plain HTTP: {nginx.http_url}/\n"
            f"gunicorn: {gunicorn.url} (logs: {gunicorn.directory})\n"
            f"nginx configuration and logs: {nginx.directory}\n"
            f"Token: {token}\n"
            f'  curl --cacert {ca} -H "Authorization: Token {token}" {nginx.https_url}/api/tasks/\n'
            f"  curl -i {nginx.http_url}/api/tasks/      # 301 to https\n"
            "Ctrl-C stops everything."
        )
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(1)
    finally:
        nginx.cleanup()
        gunicorn.cleanup()
        redis.stop()
        shutil.rmtree(redis.directory, ignore_errors=True)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
