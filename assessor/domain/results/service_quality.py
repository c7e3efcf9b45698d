"""The generated service's production estimate: ``GET /v1/quality``.

Shape::

    {"format": "assessor-quality", "format_version": 1, "n": 240, "errors": 1,
     "rate": 0.004167, "lower_95": ..., "upper_95": ..., "window": {"from": ..., "to": ...,
     "days": 30}, "measured_at": "...Z", "model": ..., "max_error_rate": 0.01}

``n`` is the number of reviewed outputs of the random sample of confident, delivered ones
(an unbiased sample), ``errors`` those the reviewer rejected or corrected.
"""

from __future__ import annotations

from typing import Any

from assessor.domain.evidence import Measurement
from assessor.domain.results.common import ShapeError, count, text

KIND = "service-quality"
EXPECTED = 'an object with "format": "assessor-quality", n and errors'


def matches(doc: Any) -> bool:
    return isinstance(doc, dict) and doc.get("format") == "assessor-quality"


def read(doc: Any) -> Measurement:
    if doc.get("format_version") != 1:
        raise ShapeError(
            f"unsupported format_version {doc.get('format_version')!r} (this assessor reads 1)",
            "format_version",
        )
    n = count(doc.get("n"), "n")
    errors = count(doc.get("errors"), "errors")
    if errors > n:
        raise ShapeError(f"errors ({errors}) is more than n ({n})", "errors")
    window = doc.get("window")
    span = None
    if isinstance(window, dict) and window.get("from") and window.get("to"):
        span = f"{window['from']} to {window['to']}"
    return Measurement(
        kind=KIND,
        n=n,
        errors=errors,
        measured_at=text(doc.get("measured_at")),
        model=text(doc.get("model")),
        window=span,
    )
