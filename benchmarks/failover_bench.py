"""A Sentinel failover timeline: decisions allowed and refused per 100 ms, with the limit.

Run from the repository root; it starts a Sentinel set (3 sentinels, 1 primary,
1 replica; ``down-after-milliseconds`` 1000) with ``tests.topologies``, and stops it by PID::

    .venv/bin/python benchmarks/failover_bench.py   # writes docs/img/sentinel-failover.svg

Four threads decide as fast as they can on one key at ``LIMIT`` per second through
``THROTTLE_STORE`` (``THROTTLE_FAIL_OPEN=True``). After ``BEFORE`` seconds the primary is
killed; the run goes on until ``AFTER`` seconds after the sentinels promote the replica.
Each 100 ms bucket counts the decisions the store allowed, those it refused, and those
it could not make (the store failed: allowed by ``THROTTLE_FAIL_OPEN``). The table is
what the plot shows, one row per second.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]
SVG = ROOT / "docs" / "img" / "sentinel-failover.svg"
LIMIT, BEFORE, AFTER, THREADS, BUCKET = 40, 2.0, 2.0, 4, 0.1


def run(sentinel_set: Any) -> tuple[list[tuple[float, str]], float, float]:
    """Every decision as (seconds since the start, outcome); when the kill and promotion came."""
    import django
    import redis
    from django.conf import settings

    settings.configure(
        SECRET_KEY="bench",
        INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes", "rest_framework"],
        REST_FRAMEWORK={"DEFAULT_THROTTLE_RATES": {"anon": f"{LIMIT}/s"}},
        DRF_HARDENING={
            "THROTTLE_STORE": {"SENTINELS": sentinel_set.sentinels, "SERVICE_NAME": "mymaster"}
        },
    )
    django.setup()
    logging.getLogger("drf_hardening.security").setLevel(logging.ERROR)
    from drf_hardening.throttling.counting import count
    from drf_hardening.throttling.throttles import AnonRateThrottle

    outcomes: list[tuple[float, str]] = []
    stop = threading.Event()
    begin = time.perf_counter()

    def decide() -> None:
        throttle = AnonRateThrottle()
        while not stop.is_set():
            decision = count(throttle, "throttle_anon_timeline")
            outcome = "failed" if decision is None else "allowed" if decision.allowed else "refused"
            outcomes.append((time.perf_counter() - begin, outcome))
            time.sleep(0.001)

    threads = [threading.Thread(target=decide) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    time.sleep(BEFORE)
    killed = time.perf_counter() - begin
    sentinel_set.processes.stop(sentinel_set.primary_port)
    sentinel = redis.Redis(port=sentinel_set.sentinel_ports[0])
    while True:
        address = sentinel.execute_command("SENTINEL GET-MASTER-ADDR-BY-NAME mymaster")
        if int(address[1]) != sentinel_set.primary_port:
            break
        time.sleep(0.05)
    promoted = time.perf_counter() - begin
    time.sleep(AFTER)
    stop.set()
    for thread in threads:
        thread.join()
    return outcomes, killed, promoted


def buckets(outcomes: list[tuple[float, str]], width: float) -> list[dict[str, int]]:
    end = max(t for t, _ in outcomes)
    counts = [{"allowed": 0, "refused": 0, "failed": 0} for _ in range(int(end / width) + 1)]
    for t, outcome in outcomes:
        counts[int(t / width)][outcome] += 1
    return counts


COLOURS = {"allowed": "#2b8a3e", "failed": "#e67700", "refused": "#adb5bd"}


def svg(counts: list[dict[str, int]], killed: float, promoted: float) -> str:
    """A stacked bar per 100 ms: allowed, failed open, refused; the kill and the promotion."""
    width, height, left, bottom, top = 760, 300, 50, 40, 30
    bar = (width - left - 10) / len(counts)
    peak = max(sum(c.values()) for c in counts)
    scale = (height - bottom - top) / peak
    base = height - bottom
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="11">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="16" font-size="13">Decisions per 100 ms on one key at {LIMIT}/s '
        "(Sentinel, THROTTLE_FAIL_OPEN=True)</text>",
    ]
    for i, c in enumerate(counts):
        y = base
        for outcome in ("allowed", "failed", "refused"):
            h = c[outcome] * scale
            if h:
                y -= h
                parts.append(
                    f'<rect x="{left + i * bar:.1f}" y="{y:.1f}" width="{bar * 0.9:.1f}" '
                    f'height="{h:.1f}" fill="{COLOURS[outcome]}"/>'
                )
    for at, label in ((killed, "primary killed"), (promoted, "replica promoted")):
        x = left + at / BUCKET * bar
        parts.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{base}" stroke="#c92a2a" '
            'stroke-dasharray="4 3"/>'
        )
        parts.append(f'<text x="{x + 3:.1f}" y="{top + 10}" fill="#c92a2a">{label}</text>')
    y_limit = base - LIMIT * scale
    parts.append(
        f'<line x1="{left}" y1="{y_limit:.1f}" x2="{width - 10}" y2="{y_limit:.1f}" '
        'stroke="#1864ab" stroke-dasharray="2 2"/>'
    )
    parts.append(
        f'<text x="{width - 10}" y="{y_limit - 3:.1f}" text-anchor="end" fill="#1864ab">'
        f"limit: {LIMIT} allowed per 1 s window</text>"
    )
    parts.append(f'<line x1="{left}" y1="{base}" x2="{width - 10}" y2="{base}" stroke="black"/>')
    for second in range(int(len(counts) * BUCKET) + 1):
        x = left + second / BUCKET * bar
        parts.append(f'<text x="{x:.1f}" y="{base + 14}" text-anchor="middle">{second} s</text>')
    parts.append(f'<text x="8" y="{top + 10}">{peak}</text><text x="8" y="{base}">0</text>')
    for i, outcome in enumerate(("allowed", "failed", "refused")):
        x = left + i * 190
        label = {"failed": "store failed: allowed (fail open)"}.get(outcome, outcome)
        parts.append(
            f'<rect x="{x}" y="{height - 16}" width="10" height="10" fill="{COLOURS[outcome]}"/>'
            f'<text x="{x + 14}" y="{height - 7}">{label}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main() -> None:
    from tests.topologies import Processes, start_sentinel_set

    processes = Processes()
    try:
        outcomes, killed, promoted = run(start_sentinel_set(processes))
    finally:
        processes.stop_all()
    per_bucket = buckets(outcomes, BUCKET)
    SVG.parent.mkdir(exist_ok=True)
    SVG.write_text(svg(per_bucket, killed, promoted))
    print(f"primary killed at {killed:.2f} s, replica promoted at {promoted:.2f} s; wrote {SVG}\n")
    print("| second | allowed | store failed (allowed, fail open) | refused |")
    print("|---|---|---|---|")
    per_second = buckets(outcomes, 1.0)
    for second, c in enumerate(per_second):
        print(f"| {second}-{second + 1} s | {c['allowed']} | {c['failed']} | {c['refused']} |")


if __name__ == "__main__":
    main()
