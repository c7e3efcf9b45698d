"""The generated project's own results: ``<script> eval --output results.json``.

Shape (``"format": "assessor-eval"``, ``format_version`` 1; the generated README documents
it)::

    {"format": "assessor-eval", "format_version": 1, "eval_id": "...",
     "started_at": "...Z", "finished_at": "...Z", "model": "...", "provider": "...",
     "dataset": {"path": "evals/golden.jsonl", "sha256": "..."},
     "n": 18, "errors": 1, "unscored": 0, "deferred": 2,
     "criteria": {"accuracy": ..., "auto_error_rate": ..., ...},
     "results": [{"id": ..., "status": "delivered", "correct": true, ...}]}

``n`` counts the outputs delivered without a human (the ones whose errors take effect),
``errors`` the wrong ones among them; outputs held for review are ``deferred`` and failed
calls ``unscored``. The per-case results must agree with these counts.
"""

from __future__ import annotations

from typing import Any

from assessor.domain.evidence import Measurement
from assessor.domain.results.common import ShapeError, count, items, mapping, text

KIND = "assessor-eval"
EXPECTED = 'an object with "format": "assessor-eval", n, errors and results[]'


def matches(doc: Any) -> bool:
    return isinstance(doc, dict) and doc.get("format") == "assessor-eval"


def read(doc: Any) -> Measurement:
    version = doc.get("format_version")
    if version != 1:
        raise ShapeError(
            f"unsupported format_version {version!r} (this assessor reads 1)", "format_version"
        )
    n = count(doc.get("n"), "n")
    errors = count(doc.get("errors"), "errors")
    unscored = count(doc.get("unscored", 0), "unscored")
    if errors > n:
        raise ShapeError(f"errors ({errors}) is more than n ({n})", "errors")
    delivered = wrong = failed = 0
    for i, case in enumerate(items(doc.get("results"), "results")):
        case = mapping(case, f"results[{i}]")
        status = case.get("status")
        if status == "delivered":
            delivered += 1
            if case.get("correct") is not True:
                wrong += 1
        elif status == "failed":
            failed += 1
    if (delivered, wrong, failed) != (n, errors, unscored):
        raise ShapeError(
            f"the per-case results ({delivered} delivered, {wrong} wrong, {failed} failed) "
            f"do not match n, errors and unscored ({n}, {errors}, {unscored})",
            "results",
        )
    dataset = doc.get("dataset") if isinstance(doc.get("dataset"), dict) else {}
    sha = text(dataset.get("sha256"))
    name = text(dataset.get("path"))
    return Measurement(
        kind=KIND,
        n=n,
        errors=errors,
        unscored=unscored,
        measured_at=text(doc.get("finished_at")) or text(doc.get("started_at")),
        eval_id=text(doc.get("eval_id")),
        dataset=f"{name}@sha256:{sha[:12]}" if name and sha else (name or sha),
        model=text(doc.get("model")),
    )
