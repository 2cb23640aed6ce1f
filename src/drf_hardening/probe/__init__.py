"""``drf-hardening probe URL``: audit a running API from the outside.

``manage.py check --deploy`` and ``hardening_report`` read settings. Neither sees
what a deployment serves once nginx, a load balancer or a CDN stand in front, so
this command asks the API itself, with a bounded number of requests, and reports
each check as PASS, FAIL or SKIP with one line of evidence (docs/probe.md).

Nothing in this package imports Django or DRF: it runs from any machine,
against any API, hardened by this library or not. Its one dependency is
``httpx`` (the ``probe`` extra).
"""
