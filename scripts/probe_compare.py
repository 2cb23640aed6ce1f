"""Probe the hardened example and the tutorial's plain DRF project, side by side (docs/probe.md).

    .venv/bin/python -m scripts.probe_compare

tests.probe.compare does the work; tests/probe/e2e/test_tutorial.py runs it and holds
docs/probe.md to what it prints.
"""

from tests.probe.compare import main

if __name__ == "__main__":
    main()
