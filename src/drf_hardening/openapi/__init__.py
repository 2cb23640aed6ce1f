"""OpenAPI that tells the truth about drf-hardening: a drf-spectacular extension.

Needs the ``openapi`` extra (``pip install drf-hardening[openapi]``, which
brings drf-spectacular), then one setting::

    REST_FRAMEWORK = {"DEFAULT_SCHEMA_CLASS": "drf_hardening.openapi.AutoSchema"}

Every operation then documents the errors it can really give, in
``DRF_HARDENING["ERROR_FORMAT"]``, with their headers; ``StrictCharField``,
strict serializers and capped pagination say what they refuse.
docs/openapi.md shows what is documented and why.
"""

from drf_hardening.openapi.extensions import (
    StrictCharFieldExtension,
    describe_policy,
    strict_text_format,
)
from drf_hardening.openapi.schema import ERROR_DESCRIPTIONS, AutoSchema

__all__ = [
    "ERROR_DESCRIPTIONS",
    "AutoSchema",
    "StrictCharFieldExtension",
    "describe_policy",
    "strict_text_format",
]
