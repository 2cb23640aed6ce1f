"""The token string: shape, entropy, checksum, scanner regex; no database."""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from drf_hardening.tokens import format

TOKEN = format.generate("drfh").token


def test_generated_token_has_the_documented_shape() -> None:
    prefix, public_id, secret = TOKEN.split("_")
    assert prefix == "drfh"
    assert len(public_id) == 12
    assert len(secret) == 43 + 6
    assert set(public_id + secret) <= set(string.ascii_letters + string.digits)


def test_secret_carries_256_bits_without_the_checksum() -> None:
    import math

    assert format.SECRET_LENGTH * math.log2(len(format.ALPHABET)) >= 256
    assert len(set(format.ALPHABET)) == 62


def test_tokens_differ_every_time() -> None:
    tokens = {format.generate("drfh").token for _ in range(200)}
    assert len(tokens) == 200
    assert len({t.split("_")[1] for t in tokens}) == 200


def test_parse_finds_the_public_id_and_the_secrets_digest() -> None:
    new = format.generate("drfh")
    presented = format.parse(new.token)
    assert presented == format.Presented(new.public_id, new.digest)
    assert new.digest == format.digest(new.token.split("_")[2])
    assert new.token.split("_")[2] not in new.digest


def test_digest_is_sha256_hex() -> None:
    import hashlib

    assert format.digest("abc") == hashlib.sha256(b"abc").hexdigest()


@pytest.mark.parametrize("cut", [1, 6, 7, 30, len(TOKEN) - 5])
def test_a_truncated_token_does_not_parse(cut: int) -> None:
    assert format.parse(TOKEN[:-cut]) is None


@given(position=st.integers(0, len(TOKEN) - 1), replacement=st.sampled_from(format.ALPHABET))
def test_a_mistyped_character_does_not_parse(position: int, replacement: str) -> None:
    assume(TOKEN[position] not in (replacement, "_"))  # a typo, not a separator
    typo = TOKEN[:position] + replacement + TOKEN[position + 1 :]
    assert format.parse(typo) is None


def test_swapped_neighbours_do_not_parse() -> None:
    body = TOKEN.split("_", 2)[2]
    i = next(i for i in range(len(body) - 1) if body[i] != body[i + 1])
    swapped = body[:i] + body[i + 1] + body[i] + body[i + 2 :]
    assert format.parse(TOKEN.rsplit("_", 1)[0] + "_" + swapped) is None


@pytest.mark.parametrize(
    "raw",
    ["", "drfh", "drfh__", TOKEN + "x", " " + TOKEN, TOKEN.replace("_", "-"), TOKEN.lower(),
     "0" * 39, "0" * 41, "A" * 40, "g" * 40, "drfh_" + "a" * 61],
)  # fmt: skip
def test_garbage_does_not_parse(raw: str) -> None:
    assert format.parse(raw) is None


def test_another_prefix_still_parses() -> None:
    # Changing TOKEN_PREFIX must not log anybody out.
    assert format.parse(format.generate("acme2").token) is not None


def test_a_drf_key_parses_as_legacy() -> None:
    key = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"
    presented = format.parse(key)
    assert presented == format.legacy(key)
    assert presented is not None
    assert presented.digest == format.digest(key)
    assert len(presented.lookup_id) == 24
    assert presented.digest.startswith(presented.lookup_id)


def test_scanner_regex_finds_tokens_in_text_and_nothing_else() -> None:
    pattern = re.compile(format.scanner_regex("drfh"))
    tokens = [format.generate("drfh").token for _ in range(3)]
    text = f"export API_TOKEN={tokens[0]}\nAuthorization: Bearer {tokens[1]}\n'{tokens[2]}'"
    assert pattern.findall(text) == tokens
    assert not pattern.search(TOKEN[:-1])
    assert not pattern.search(format.generate("acme").token)
    assert pattern.search(TOKEN + "x") is None  # a longer string is not a token
