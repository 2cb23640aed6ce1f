"""What one probe run knows: the options, the client, and the responses checks share.

Checks ask for shared responses (the authenticated GET of the URL, the error
responses, the login attempts) through ``Context.once``, so ``--only`` sends
only what the chosen checks need and no request is sent twice.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from drf_hardening.probe.http import Client, ProbeError, json_body

T = TypeVar("T")


@dataclass(frozen=True)
class Options:
    """The command line, checked and resolved."""

    url: str
    token: str | None = None
    login_url: str | None = None
    username: str | None = None
    password: str | None = None
    origin: str | None = None
    http_url: str | None = None
    anon_url: str | None = None
    #: The parsed ``--post-json`` template (a JSON object).
    post_json: Mapping[str, Any] | None = None
    insecure: bool = False
    #: The API's request body cap, in bytes: the 413 check sends one byte more.
    body_limit: int = 1_048_576
    max_requests: int = 150


class Context:
    """One run: the options, the counted client and the shared responses."""

    def __init__(self, options: Options, client: Client) -> None:
        self.options = options
        self.client = client
        self.token = options.token
        self._memo: dict[str, Any] = {}
        #: Random, so that each run's probe URLs and names are its own.
        self.nonce = secrets.token_hex(4)

    @property
    def url(self) -> str:
        return self.options.url

    @property
    def is_https(self) -> bool:
        return urlsplit(self.url).scheme == "https"

    def once(self, key: str, factory: Callable[[], T]) -> T:
        """``factory()`` the first time ``key`` is asked for, the same value after."""
        if key not in self._memo:
            self._memo[key] = factory()
        value: T = self._memo[key]
        return value

    def cached(self, key: str) -> Any:
        """What ``once(key, ...)`` returned, or ``None`` if nothing asked for it yet."""
        return self._memo.get(key)

    def auth(self) -> dict[str, str]:
        """The ``Authorization`` header for the token, if there is one."""
        if not self.token:
            return {}
        # A value with a scheme ("Bearer eyJ...") is sent as given; a bare key is DRF's.
        return {"Authorization": self.token if " " in self.token else f"Token {self.token}"}

    def send(
        self,
        method: str,
        url: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
        authenticated: bool = True,
    ) -> httpx.Response:
        merged = {**(self.auth() if authenticated else {}), **(headers or {})}
        return self.client.send(method, url or self.url, headers=merged, content=content)

    def base(self) -> httpx.Response:
        """The GET of the URL (with the token): what most header checks read."""
        return self.once("base", lambda: self.send("GET"))

    def sibling(self, segment: str) -> str:
        """A URL next to the probed one: ``/api/tasks/`` -> ``/api/tasks/<segment>/``."""
        parts = urlsplit(self.url)
        path = parts.path if parts.path.endswith("/") else parts.path + "/"
        return urlunsplit((parts.scheme, parts.netloc, f"{path}{segment}/", "", ""))

    def unknown(self, segment: str) -> str:
        """A URL no API routes, next to the probed one's collection: ``/api/<segment>/``.

        Not ``/api/tasks/<segment>/``: a router's detail route would match that, and
        the URL resolver's own 404 (Django's HTML page, unless handler404 is set)
        would go untested.
        """
        parts = urlsplit(self.url)
        parent = parts.path.rstrip("/").rpartition("/")[0]
        return urlunsplit((parts.scheme, parts.netloc, f"{parent}/{segment}/", "", ""))

    def root(self) -> str:
        parts = urlsplit(self.url)
        return urlunsplit((parts.scheme, parts.netloc, "/", "", ""))

    def resolve(self, url: str) -> str:
        """A URL given on the command line, relative ones against the probed URL."""
        return urljoin(self.url, url)

    def login(self, login_url: str, username: str, password: str) -> str:
        """Log in with ``--username``/``--password`` and return the token the API gave."""
        response = self.send(
            "POST",
            self.resolve(login_url),
            headers={"Content-Type": "application/json"},
            content=json.dumps({"username": username, "password": password}).encode(),
            authenticated=False,
        )
        body = json_body(response)
        if response.is_success and isinstance(body, dict):
            for key, scheme in (("token", "Token"), ("key", "Token"), ("access", "Bearer")):
                if isinstance(body.get(key), str):
                    return f"{scheme} {body[key]}"
        raise ProbeError(
            f"logging in at {login_url} as {username!r} failed: "
            f"{response.status_code}; pass --token, or check --username/--password"
        )
