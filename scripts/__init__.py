"""Scripts run by hand from the repository's root (``python -m scripts.NAME``), never by a test.

They start the test suites' stacks for a person to look at, or regenerate a picture of the
docs; the suites' helpers they import are what the tests measure, so coverage leaves them out.
"""
