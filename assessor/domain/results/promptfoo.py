"""promptfoo's ``promptfoo eval --output results.json``.

Shape (output format versions 2 and 3)::

    {"evalId": "eval-...", "results": {"version": 3, "timestamp": "...",
      "results": [{"success": true, "failureReason": 0, "error": null, ...}, ...],
      "stats": {"successes": 9, "failures": 1, "errors": 0, ...}}, "config": {...}}

A result with ``success: false`` is a wrong output, except ``failureReason: 2`` (the provider
or the test itself errored), which is a case that failed to run. Older files have no
``failureReason`` and no ``stats.errors``: every unsuccessful result counts as wrong.
"""

from __future__ import annotations

from typing import Any

from assessor.domain.evidence import Measurement
from assessor.domain.results.common import ShapeError, count, items, mapping, text

KIND = "promptfoo"
EXPECTED = "an object with results.results[].success and results.stats"
_ERROR = 2
"""promptfoo's ResultFailureReason.ERROR (ASSERT is 1, NONE 0)."""


def matches(doc: Any) -> bool:
    if not isinstance(doc, dict):
        return False
    inner = doc.get("results")
    return isinstance(inner, dict) and isinstance(inner.get("results"), list) and ("stats" in inner)


def read(doc: Any) -> Measurement:
    inner = mapping(doc["results"], "results")
    passed = wrong = unscored = 0
    for result in items(inner["results"], "results.results"):
        if not isinstance(result, dict):
            raise ShapeError("expected an object per result", "results.results")
        success = result.get("success")
        if success is True:
            passed += 1
        elif result.get("failureReason") == _ERROR:
            unscored += 1
        elif success is False:
            wrong += 1
        else:
            raise ShapeError("a result without success true/false", "results.results")
    stats = mapping(inner["stats"], "results.stats")
    if "successes" in stats and count(stats["successes"], "results.stats.successes") != passed:
        raise ShapeError(
            f"stats.successes is {stats['successes']} but {passed} results succeeded",
            "results.stats.successes",
        )
    config = doc.get("config") if isinstance(doc.get("config"), dict) else {}
    return Measurement(
        kind=KIND,
        n=passed + wrong,
        errors=wrong,
        unscored=unscored,
        measured_at=_time(inner.get("timestamp")),
        eval_id=text(doc.get("evalId")),
        dataset=text(config.get("description")) if config else None,
    )


def _time(value: Any) -> str | None:
    return value if isinstance(value, str) and len(value) >= 10 else None
