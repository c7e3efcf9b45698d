"""OpenAI evals records (``oaieval ... --record_path run.jsonl``), JSON Lines.

Shape: a ``{"spec": {"eval_name", "run_id", "created_at", "completion_fns", ...}}`` line, a
``{"final_report": {"accuracy": ...}}`` line, and one event per line; each ``match`` event
(``{"type": "match", "sample_id": ..., "data": {"correct": true, ...}}``) is one case.
"""

from __future__ import annotations

from typing import Any

from assessor.domain.evidence import Measurement
from assessor.domain.results.common import ShapeError, text

KIND = "openai-evals"
EXPECTED = 'JSON Lines with a "spec" line and "match" events carrying data.correct'


def matches(doc: Any) -> bool:
    if not isinstance(doc, list) or not doc:
        return False
    return any(isinstance(r, dict) and "spec" in r for r in doc[:3]) and any(
        isinstance(r, dict) and r.get("type") == "match" for r in doc
    )


def read(doc: Any) -> Measurement:
    spec: dict[str, Any] = {}
    right = wrong = 0
    for number, record in enumerate(doc, 1):
        if not isinstance(record, dict):
            raise ShapeError(f"line {number}: expected an object")
        if isinstance(record.get("spec"), dict):
            spec = record["spec"]
            continue
        if record.get("type") != "match":
            continue
        data = record.get("data")
        correct = data.get("correct") if isinstance(data, dict) else None
        if correct is True:
            right += 1
        elif correct is False:
            wrong += 1
        else:
            raise ShapeError(f"line {number}: a match event without data.correct true/false")
    models = spec.get("completion_fns")
    model = ", ".join(m for m in models if isinstance(m, str)) if isinstance(models, list) else None
    return Measurement(
        kind=KIND,
        n=right + wrong,
        errors=wrong,
        measured_at=_time(spec.get("created_at")),
        eval_id=text(spec.get("run_id")),
        dataset=text(spec.get("eval_name")),
        model=model or None,
    )


def _time(value: Any) -> str | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    # openai/evals writes "2023-03-15 12:00:00.123456" (a space, no zone): UTC.
    return value.replace(" ", "T", 1)
