"""A database dump or the database file itself gives no token away.

A separate process migrates a SQLite file, issues tokens (by ``issue_token``
and by the login view), uses them, imports DRF keys, and dumps the database;
then every byte of the file and of the dump is searched for every token and
every secret part of one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import json, sys
import django
from django.conf import settings
from tests import settings as suite

values = {name: getattr(suite, name) for name in dir(suite) if name.isupper()}
values.update(
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": sys.argv[2]}},
    ROOT_URLCONF="tests.tokens.urls",
    REST_FRAMEWORK={
        "DEFAULT_AUTHENTICATION_CLASSES": [
            "drf_hardening.tokens.authentication.TokenAuthentication"
        ],
    },
    PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
)
settings.configure(**values)
django.setup()
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from rest_framework.authtoken.models import Token
from drf_hardening.tokens import issue_token

call_command("migrate", verbosity=0)
alice = User.objects.create_user("alice", password="pw-alice-123")
legacy = [Token.objects.create(user=User.objects.create_user(f"old{i}")).key for i in range(3)]
call_command("import_drf_tokens", verbosity=0, stdout=sys.stderr)
tokens = [issue_token(alice, name=f"t{i}")[1] for i in range(10)]
client = Client()
login = client.post(
    "/auth/login/", {"username": "alice", "password": "pw-alice-123"},
    content_type="application/json",
)
tokens.append(login.json()["token"])
statuses = [
    client.get("/me/", HTTP_AUTHORIZATION=f"Bearer {t}").status_code for t in tokens + legacy
]
with open(sys.argv[1], "w") as dump:
    call_command("dumpdata", stdout=dump)
print(json.dumps({"tokens": tokens, "legacy": legacy, "statuses": statuses}))
"""


def test_no_token_or_secret_in_dumpdata_or_the_sqlite_file(tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite3"
    dump = tmp_path / "dump.json"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(dump), str(database)],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    issued = json.loads(result.stdout)
    assert set(issued["statuses"]) == {200}  # every token worked
    assert len(issued["tokens"]) == 11

    secrets: list[str] = []
    for token in issued["tokens"]:
        secret = token.split("_")[2]
        secrets += [token, secret, secret[:43], secret[:20], secret[-26:]]
    secrets += issued["legacy"]  # DRF keys: deleted from the file, not just unlinked
    files = {path.name: path.read_bytes() for path in tmp_path.iterdir() if path != dump}
    dumped = dump.read_text()
    assert "drf_hardening_tokens.authtoken" in dumped  # the rows are there...
    assert json.loads(dumped)  # ...in a valid dump
    for secret in secrets:
        assert secret not in dumped
        for name, content in files.items():
            assert secret.encode() not in content, f"{secret[:8]}... found in {name}"
