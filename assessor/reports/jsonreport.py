"""The JSON report: the report document as data, valid against ``rubrics/report.schema.json``.

Never emits NaN or Infinity (``allow_nan=False``): a cost model whose figures overflowed
(absurdly large costs or volumes) is left out and the report says why. Text stays UTF-8
(``ensure_ascii=False``) so names in any script round-trip as written.
"""

from __future__ import annotations

import json
import math
from typing import Any

from assessor.errors import ReportError
from assessor.reports.model import Report


def finite(value: Any) -> bool:
    """True when ``value`` holds no NaN or infinite float at any depth."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(finite(v) for v in value.values())
    if isinstance(value, list | tuple):
        return all(finite(v) for v in value)
    return True


def render_json(report: Report) -> str:
    """The report as JSON; a summary (``--summary``) holds what the summary shows: the
    portfolio's aggregates and one line per use case (``portfolio.ranking``), not every use
    case in full."""
    if report.summary_only:
        report = report.model_copy(update={"use_cases": []})
    data = report.model_dump(mode="json")
    try:
        return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    except ValueError as exc:  # build.use_case_report drops overflowing cost models
        raise ReportError(f"cannot write the JSON report: {exc}") from None
