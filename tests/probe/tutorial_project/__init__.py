"""The plain DRF project the tutorial builds, with its login URL, for the probe to compare.

``settings`` and ``urls`` add one thing to benchmarks/tutorial_settings.py and
benchmarks/tutorial_api.py (the hand-made tutorial project of the benchmarks,
read here, not changed): DRF's ``obtain_auth_token`` at ``/api-token-auth/``,
as the tutorial's login step writes it.
"""

LOGIN = "/api-token-auth/"
