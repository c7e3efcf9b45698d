"""DeepEval test runs: ``.deepeval/.latest_test_run.json`` (``{"testRunData": {...}}``) or a
test run saved on its own.

Shape::

    {"testFile": ..., "testCases": [{"name": ..., "success": true,
       "metricsData": [{"name": ..., "success": true, "score": 0.9, "error": null}]}],
     "testPassed": 9, "testFailed": 1, "identifier": ...}

Older files call the per-case metrics ``metricsMetadata``. A case is wrong when it did not
succeed; a case whose metrics all errored failed to run. Conversational test cases count like
the others.
"""

from __future__ import annotations

from typing import Any

from assessor.domain.evidence import Measurement
from assessor.domain.results.common import ShapeError, items, mapping, text

KIND = "deepeval"
EXPECTED = "an object with testCases[].success and testPassed / testFailed"


def _run(doc: Any) -> Any:
    if isinstance(doc, dict) and isinstance(doc.get("testRunData"), dict):
        return doc["testRunData"]
    return doc


def matches(doc: Any) -> bool:
    run = _run(doc)
    return (
        isinstance(run, dict)
        and isinstance(run.get("testCases"), list)
        and ("testPassed" in run or "testFailed" in run)
    )


def read(doc: Any) -> Measurement:
    run = _run(doc)
    passed = wrong = unscored = 0
    cases = items(run["testCases"], "testCases")
    extra = run.get("conversationalTestCases")
    if isinstance(extra, list):
        cases = cases + extra
    for i, case in enumerate(cases):
        where = f"testCases[{i}]"
        case = mapping(case, where)
        metrics = case.get("metricsData", case.get("metricsMetadata")) or []
        if not isinstance(metrics, list):
            raise ShapeError("expected a list of metrics", f"{where}.metricsData")
        if metrics and all(isinstance(m, dict) and m.get("error") for m in metrics):
            unscored += 1
            continue
        success = case.get("success")
        if success is True:
            passed += 1
        elif success is False:
            wrong += 1
        else:
            raise ShapeError("expected success true or false", f"{where}.success")
    declared = run.get("testPassed")
    if isinstance(declared, int) and not isinstance(declared, bool) and declared != passed:
        raise ShapeError(
            f"testPassed is {declared} but {passed} test cases succeeded", "testPassed"
        )
    return Measurement(
        kind=KIND,
        n=passed + wrong,
        errors=wrong,
        unscored=unscored,
        eval_id=text(run.get("identifier")) or text(doc.get("testRunLink")),
        dataset=text(run.get("datasetAlias")) or text(run.get("testFile")),
    )
