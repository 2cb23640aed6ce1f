"""StrictCharField benchmark: its cost against DRF's CharField on the same value.

Run from the repository root::

    .venv/bin/python benchmarks/text_bench.py             # the tables of docs/text-policy.md
    .venv/bin/python benchmarks/text_bench.py --quick     # fewer rounds, for a smoke run
    .venv/bin/python benchmarks/text_bench.py --digest    # cross-Python stability fingerprint

Tables:
1. a 200-character mixed-script value (Latin, Cyrillic, Greek, Han, kana,
   Hangul, Arabic, Hebrew, Devanagari, emoji with a ZWJ sequence), validated
   by ``CharField(max_length=N)`` and by ``StrictCharField(max_length=N)`` with
   several options; each round times ``CALLS`` calls of ``run_validation`` per
   field, interleaved, and the ratio is computed within the round; the table
   shows medians over the rounds;
2. the same value repeated to lengths 50 to 12,800: if the cost is linear, the
   nanoseconds per character stay flat.

``--digest`` runs every code point after "a" through the default policy and the
``identifier=True`` policy and prints a hash of the results: equal hashes on
two Pythons mean the policy behaves identically on both.
"""

from __future__ import annotations

import argparse
import hashlib
import platform
import statistics
import sys
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

# 200 characters, every major script family, no rejected character.
SEGMENT = (
    "Grüße aus Köln, Москва и Αθήνα; 東京タワーに行く。한국어 漢字 "
    "مرحبا بالعالم שלום עולם नमस्ते दुनिया 👩🏽‍💻 naïve café "
)
VALUE_200 = (SEGMENT * 4)[:200]
LENGTHS = (50, 100, 200, 400, 800, 1600, 3200, 6400, 12800)


def configure_django() -> None:
    import django
    from django.conf import settings

    settings.configure(SECRET_KEY="bench", USE_I18N=False, INSTALLED_APPS=["rest_framework"])
    django.setup()


def per_call(function: Callable[[], Any], calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        function()
    return (time.perf_counter() - start) / calls


def bench_value(rounds: int, calls: int) -> None:
    from rest_framework.fields import CharField

    from drf_hardening.fields import StrictCharField

    variants: dict[str, Any] = {
        "StrictCharField()": StrictCharField(max_length=255),
        "  reject_mixed_script=True": StrictCharField(max_length=255, reject_mixed_script=True),
        "  identifier=True": StrictCharField(max_length=255, identifier=True),
        "  multiline=True": StrictCharField(max_length=255, multiline=True),
        "  allow=letters,digits,spaces,punctuation,emoji": StrictCharField(
            max_length=255, allow=["letters", "digits", "spaces", "punctuation", "emoji"]
        ),
    }
    drf = CharField(max_length=255)
    value = VALUE_200
    # Mixed-script detection rejects this value; it is timed up to that rejection.
    timings: dict[str, list[float]] = {name: [] for name in ["CharField (DRF)", *variants]}
    ratios: dict[str, list[float]] = {name: [] for name in variants}

    def call(field: Any) -> Callable[[], Any]:
        def run() -> Any:
            try:
                return field.run_validation(value)
            except Exception as exc:  # only ValidationError is expected
                return exc

        return run

    for _ in range(rounds):
        base = per_call(call(drf), calls)
        timings["CharField (DRF)"].append(base)
        for name, field in variants.items():
            cost = per_call(call(field), calls)
            timings[name].append(cost)
            ratios[name].append(cost / base)

    print(f"\nTable 1: one {len(value)}-character mixed-script value, median of {rounds} rounds")
    print(f"{'field':<50} {'µs/call':>9} {'x DRF':>7}")
    for name, values in timings.items():
        ratio = f"{statistics.median(ratios[name]):.2f}" if name in ratios else "1.00"
        print(f"{name:<50} {statistics.median(values) * 1e6:>9.2f} {ratio:>7}")


def bench_lengths(rounds: int, calls: int) -> None:
    from rest_framework.fields import CharField

    from drf_hardening.fields import StrictCharField

    print(f"\nTable 2: cost by length, median of {rounds} rounds")
    print(f"{'chars':>6} {'DRF µs':>9} {'strict µs':>10} {'x DRF':>6} {'strict ns/char':>15}")
    for length in LENGTHS:
        value = (SEGMENT * (length // len(SEGMENT) + 1))[:length]
        drf = CharField(max_length=length)
        strict = StrictCharField(max_length=length)
        n = max(20, calls * 200 // length)
        base, cost, ratio = [], [], []
        for _ in range(rounds):
            b = per_call(lambda f=drf, v=value: f.run_validation(v), n)
            c = per_call(lambda f=strict, v=value: f.run_validation(v), n)
            base.append(b)
            cost.append(c)
            ratio.append(c / b)
        median = statistics.median(cost)
        print(
            f"{length:>6} {statistics.median(base) * 1e6:>9.2f} {median * 1e6:>10.2f} "
            f"{statistics.median(ratio):>6.2f} {median * 1e9 / length:>15.1f}"
        )


def digest() -> None:
    import regex

    from drf_hardening.text.policy import TextPolicy, TextPolicyError

    results = []
    for policy in (TextPolicy(), TextPolicy(identifier=True)):
        h = hashlib.sha256()
        for cp in range(0x110000):
            try:
                out = policy.clean("a" + chr(cp))
            except TextPolicyError as exc:
                out = "!" + exc.code
            h.update(out.encode("utf-8", "surrogatepass") + b"\0")
        results.append(h.hexdigest()[:16])
    print(
        f"Python {platform.python_version()}, unicodedata {unicodedata.unidata_version}, "
        f"regex {regex.__version__}: default {results[0]}, identifier {results[1]}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    parser.add_argument("--digest", action="store_true", help="print the stability fingerprint")
    args = parser.parse_args()
    configure_django()
    if args.digest:
        digest()
        return
    rounds, calls = (5, 200) if args.quick else (21, 2000)
    print(
        f"Python {platform.python_version()} ({platform.machine()}), "
        f"{rounds} rounds x {calls} calls"
    )
    bench_value(rounds, calls)
    bench_lengths(rounds, calls)


if __name__ == "__main__":
    main()
