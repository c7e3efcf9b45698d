"""``config --json``: the effective settings, and each assessed pattern's parameters.

The parameters appear under ``patterns`` with the names of the assessment's score
(``assessment.score.json``, ``patterns[].params``), read from the settings that carry them,
so what the service runs with can be checked against what the assessment recommended.
Secrets never appear: a key, token, secret or password shows as ``set`` or ``unset``, and a
password inside a URL as ``***``.
"""

import re
from typing import Any

from .settings import Settings

PATTERN_SETTINGS: dict[str, dict[str, str]] = {
{%- if cookiecutter.human_fallback %}
    "human_fallback": {
        "confidence_threshold": "confidence_threshold",
        "review_sample_rate": "review_sample_rate",
        "review_all": "review_all",
    },
{%- endif %}
{%- if cookiecutter.async_pipeline %}
    "async_pipeline": {
        "max_attempts": "llm_max_attempts",
        "backoff_seconds": "llm_backoff_seconds",
    },
{%- endif %}
{%- if cookiecutter.response_cache %}
    "response_cache": {"ttl_seconds": "cache_ttl_seconds"},
{%- endif %}
    "evaluation": {"max_error_rate": "max_error_rate", "criteria": "eval_criteria"},
}
"""Pattern -> parameter name in the assessment's score -> the setting that carries it."""

_SECRET_NAME = re.compile(r"(^|_)(key|token|secret|password)(_|$)")
_URL_PASSWORD = re.compile(r"^(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^:/@]*:)(?P<pw>[^@]*)@")


def shown(name: str, value: Any) -> Any:
    """A setting as ``config`` prints it: secrets as set/unset, URL passwords hidden."""
    if _SECRET_NAME.search(name):
        return "set" if value else "unset"
    if isinstance(value, str):
        return _URL_PASSWORD.sub(r"\g<head>***@", value)
    return value


def effective(settings: Settings) -> dict[str, Any]:
    """``{"settings": {...}, "patterns": {pattern: {parameter: value}}}``."""
    values = settings.model_dump(mode="json")
    return {
        "settings": {name: shown(name, value) for name, value in values.items()},
        "patterns": {
            pattern: {param: values[setting] for param, setting in params.items()}
            for pattern, params in PATTERN_SETTINGS.items()
        },
    }
