"""Inspect AI eval logs in JSON (``inspect eval ... --log-format json``, or
``inspect log convert --to json``).

Shape::

    {"version": 2, "status": "success",
     "eval": {"run_id": ..., "task": ..., "model": ..., "created": ...,
              "dataset": {"name": ..., "samples": 100}},
     "results": {"total_samples": 100, "completed_samples": 100, "scores": [...]},
     "samples": [{"id": 1, "scores": {"match": {"value": "C"}}, "error": null}, ...]}

A sample is right when every scorer gave it full marks: ``C`` (correct) or a number of 1
or more (``true`` too); ``I`` (incorrect), ``P`` (partial), ``N`` (no answer) or less than 1
is wrong. A sample with an ``error`` failed to run. Version 1 logs give one ``score`` per
sample instead of ``scores``.
"""

from __future__ import annotations

from typing import Any

from assessor.domain.evidence import Measurement
from assessor.domain.results.common import ShapeError, count, items, mapping, text

KIND = "inspect-ai"
EXPECTED = "an object with results.total_samples and samples[].scores"

_RIGHT = {"C"}
_WRONG = {"I", "P", "N"}


def matches(doc: Any) -> bool:
    if not isinstance(doc, dict) or not isinstance(doc.get("eval"), dict):
        return False
    results = doc.get("results")
    return isinstance(results, dict) and "total_samples" in results


def read(doc: Any) -> Measurement:
    results = mapping(doc["results"], "results")
    total = count(results["total_samples"], "results.total_samples")
    samples = doc.get("samples")
    if samples is None:
        raise ShapeError(
            "the log has no samples (written with --no-log-samples?); per-sample scores "
            "are needed to count errors",
            "samples",
        )
    right = wrong = unscored = 0
    for i, sample in enumerate(items(samples, "samples")):
        where = f"samples[{i}]"
        sample = mapping(sample, where)
        if sample.get("error"):
            unscored += 1
            continue
        scores = sample.get("scores")
        if scores is None and "score" in sample:
            scores = {"score": sample["score"]}  # version 1 logs
        if not scores:
            unscored += 1
            continue
        ok = all(_full_marks(v, f"{where}.scores.{k}") for k, v in mapping(scores, where).items())
        if ok:
            right += 1
        else:
            wrong += 1
    if right + wrong + unscored != len(samples):
        raise ShapeError("samples could not be counted", "samples")
    del total  # the header's count may include samples not logged; the samples decide
    spec = doc["eval"]
    dataset = spec.get("dataset") if isinstance(spec.get("dataset"), dict) else {}
    return Measurement(
        kind=KIND,
        n=right + wrong,
        errors=wrong,
        unscored=unscored,
        measured_at=text(spec.get("created")),
        eval_id=text(spec.get("run_id")) or text(spec.get("eval_id")),
        dataset=text(dataset.get("name")) or text(dataset.get("location")),
        model=text(spec.get("model")),
    )


def _full_marks(score: Any, where: str) -> bool:
    value = score.get("value") if isinstance(score, dict) else None
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        if value in _RIGHT:
            return True
        if value in _WRONG:
            return False
        raise ShapeError(f"unknown score value {value!r} (expected C, I, P, N or a number)", where)
    if isinstance(value, int | float):
        return value >= 1
    if isinstance(value, dict) and value:
        # A scorer with several named values: full marks only if each one is.
        return all(_full_marks({"value": v}, where) for v in value.values())
    raise ShapeError("expected a score with a value", where)
