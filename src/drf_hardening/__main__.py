"""``python -m drf_hardening probe URL``: the same as the ``drf-hardening`` console script."""

from __future__ import annotations

import sys

from drf_hardening.probe.cli import main

if __name__ == "__main__":
    sys.exit(main())
