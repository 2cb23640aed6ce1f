"""The Unicode text policy behind ``StrictCharField``.

- ``policy``: the rules and their error codes (``check_text``);
- ``scripts``: the mixed-script (look-alike) test;
- ``sequences``: where variation selectors and tag characters are legitimate;
- ``unicode_data``: the Unicode 13 tables, frozen so every supported Python agrees.

docs/text-policy.md explains each rule.
"""
