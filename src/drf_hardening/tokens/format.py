"""The token string: generated, checked and digested without the database.

A token is ``<prefix>_<public id>_<secret><checksum>``, e.g.
``drfh_3kTq9ZbX2mLw_<43 characters><6 characters>``, all in ``[0-9A-Za-z]``:

- the public id (12 characters, about 71 bits) finds the row: one indexed query;
- the secret (43 characters from ``secrets``, 256 bits) is stored only as its
  SHA-256 digest, compared with ``hmac.compare_digest``;
- the checksum (CRC32 of everything before it, 6 base-62 characters) lets the
  library, and secret scanners, reject a truncated or mistyped token with no query.

A key of DRF's ``rest_framework.authtoken`` (40 lowercase hex digits) imported by
``import_drf_tokens`` is found by the first 24 hex digits of its SHA-256 digest.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import zlib
from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
PUBLIC_ID_LENGTH = 12
#: 62**43 > 2**256: 43 characters drawn uniformly carry 256 bits.
SECRET_LENGTH = 43
#: 62**6 > 2**32: room for any CRC32.
CHECKSUM_LENGTH = 6
#: Lookup ids of imported DRF keys: a prefix of the key's digest (hex, so never a new id).
LEGACY_ID_LENGTH = 24

_TOKEN = re.compile(
    rf"([0-9A-Za-z]{{1,16}})_([0-9A-Za-z]{{{PUBLIC_ID_LENGTH}}})_"
    rf"([0-9A-Za-z]{{{SECRET_LENGTH}}})([0-9A-Za-z]{{{CHECKSUM_LENGTH}}})"
)
#: What ``rest_framework.authtoken.models.Token.generate_key()`` makes.
LEGACY_KEY = re.compile(r"[0-9a-f]{40}")


def scanner_regex(prefix: str) -> str:
    """The regular expression a secret scanner should use for tokens of ``prefix``."""
    length = SECRET_LENGTH + CHECKSUM_LENGTH
    return rf"\b{re.escape(prefix)}_[0-9A-Za-z]{{{PUBLIC_ID_LENGTH}}}_[0-9A-Za-z]{{{length}}}\b"


def _base62(number: int, width: int) -> str:
    digits = []
    for _ in range(width):
        number, digit = divmod(number, 62)
        digits.append(ALPHABET[digit])
    return "".join(reversed(digits))


def checksum(body: str) -> str:
    """The 6-character CRC32 of ``body`` (the token without its last 6 characters)."""
    return _base62(zlib.crc32(body.encode("ascii")), CHECKSUM_LENGTH)


def digest(secret: str) -> str:
    """The stored form of a secret: its SHA-256, in hex.

    A fast hash is right here: the secret is 256 random bits, so no guess list
    or brute force can find it from its digest, and a slow password hasher would
    cost every request milliseconds for nothing (djangorestframework-api-key#173).
    """
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def random_string(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


@dataclass(frozen=True)
class NewToken:
    """A token just generated: the string to show once, and what the database keeps."""

    token: str
    public_id: str
    digest: str


def generate(prefix: str) -> NewToken:
    public_id = random_string(PUBLIC_ID_LENGTH)
    body = f"{prefix}_{public_id}_{random_string(SECRET_LENGTH)}"
    token = body + checksum(body)
    return NewToken(token, public_id, digest(token.rsplit("_", 1)[1]))


@dataclass(frozen=True)
class Presented:
    """A well-formed token from a request: the row to look up and the digest to compare."""

    lookup_id: str
    digest: str


def parse(raw: str) -> Presented | None:
    """``raw`` as a token or an imported DRF key; ``None`` when it cannot be either.

    No database access: a truncated token, a typo (the checksum) or garbage is
    refused here. Tokens of any prefix are accepted, so that changing
    ``TOKEN_PREFIX`` does not log anybody out.
    """
    match = _TOKEN.fullmatch(raw)
    if match is not None:
        _, public_id, secret, check = match.groups()
        if not secrets.compare_digest(checksum(raw[:-CHECKSUM_LENGTH]), check):
            return None
        return Presented(public_id, digest(secret + check))
    if LEGACY_KEY.fullmatch(raw) is not None:
        return legacy(raw)
    return None


def legacy(key: str) -> Presented:
    """How an imported ``rest_framework.authtoken`` key is stored and found."""
    key_digest = digest(key)
    return Presented(key_digest[:LEGACY_ID_LENGTH], key_digest)
