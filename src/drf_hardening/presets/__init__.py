"""``harden()`` and its presets: plain data, merged into a settings namespace.

- ``profiles``: what each profile sets (``build_preset``), pure data;
- ``logging``: the ``LOGGING`` preset;
- ``merge``: ``harden()`` itself, which merges a preset without overwriting the project;
- ``report``: the record of what it did, for ``manage.py hardening_report``.

Nothing in this package reads ``django.conf.settings``: settings.py runs it
before Django is configured.
"""
