"""The evaluation runner. Run it with either of

    {{ cookiecutter.project_slug }} eval
    python -m {{ cookiecutter.package_name }}.evals

Runs every example of ``evals/golden.jsonl`` through the real pipeline (the provider and
settings from the environment, a throwaway database{% if cookiecutter.response_cache %}, no cache hits{% endif %}), computes the criteria
and compares them with ``evals/baseline.json``. Exit 0 when no criterion is worse than the
baseline, 1 when one is, 2 when an input file is invalid.

Criteria (from the assessment):

- ``accuracy``: share of examples whose model output is correct (``task.is_correct``:
  exact match or required terms, by task type); failed calls count as wrong. Higher is better.
- ``exact_match``: share of the examples with an ``"expected"`` answer whose output is
  exactly that answer (JSON answers compared as JSON, text with surrounding blanks
  removed); failed calls count as wrong; n/a when no example has one. Higher is better.
- ``error_rate`` (the assessment's name) and ``auto_error_rate``: share of wrong outputs
  among those delivered without a human (the errors that take effect). The assessed
  maximum is ``APP_MAX_ERROR_RATE``. Lower is better.
- ``deferral_rate``: share of outputs held for a human (low confidence or policy).
  Lower is better.
- ``failure_rate``: share of examples where the provider failed. Lower is better.
- ``latency_p50_ms`` and ``latency_p95_ms``: time per example. Lower is better; the
  baseline values are budgets.

The report (``--output``, default ``evals/results.json``) is what ``assessor evidence add``
reads (``"format": "assessor-eval"``, ``format_version`` 1): ``n`` is the number of outputs
delivered without a human (the ones whose errors take effect), ``errors`` the wrong ones
among them, ``deferred`` those held for review, ``unscored`` the failed calls; ``eval_id``,
``started_at`` and ``finished_at`` (ISO 8601, UTC), ``model``, ``assessed_criteria`` (the
assessment's criteria, ``APP_EVAL_CRITERIA``; one that this runner does not compute is
reported as ``null`` and named in ``not_measured``), ``dataset`` (path and
sha256 of the golden set), the ``criteria`` values, and ``results``: one entry per example
with its ``status``, whether it was ``correct``, its ``confidence`` and ``latency_ms``.
"""

import argparse
import asyncio
import hashlib
import json
import math
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from . import task
from .services import open_services
from .settings import Settings

clock = time.perf_counter
"""Where example latencies are read (a test replaces it to get exact latencies)."""

HIGHER_IS_BETTER = {"accuracy", "exact_match"}
CRITERIA = (
    "accuracy",
    "exact_match",
    "error_rate",
    "auto_error_rate",
    "deferral_rate",
    "failure_rate",
    "latency_p50_ms",
    "latency_p95_ms",
)


class EvalInputError(Exception):
    """An input file is missing or invalid; the message names the file and line."""


@dataclass(frozen=True)
class ExampleResult:
    id: str
    status: str
    correct: bool
    exact_match: bool | None
    """Whether the output is exactly the example's ``"expected"`` (None: it has none)."""
    confidence: float | None
    latency_ms: float
    output: str | None


def load_golden(path: Path) -> list[dict]:
    if not path.is_file():
        raise EvalInputError(f"{path}: no such file")
    examples = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            example = json.loads(line)
        except json.JSONDecodeError as error:
            raise EvalInputError(
                f"{path}:{number}:{error.colno}: invalid JSON: {error.msg}"
            ) from None
        if not isinstance(example, dict) or not isinstance(example.get("input"), str):
            raise EvalInputError(f'{path}:{number}: each line needs a string "input"')
        if "expected" not in example and "must_include" not in example:
            raise EvalInputError(f'{path}:{number}: needs "expected" or "must_include"')
        example.setdefault("id", f"line-{number}")
        examples.append(example)
    if not examples:
        raise EvalInputError(f"{path}: no examples")
    return examples


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


async def run_examples(examples: list[dict], settings: Settings) -> list[ExampleResult]:
    """Each example through store, provider, confidence and routing, as in production."""
    with tempfile.TemporaryDirectory() as scratch:
        overrides: dict = {"database_url": f"sqlite:///{scratch}/eval.db", "database_schema": None}
{%- if cookiecutter.response_cache %}
        overrides |= {"cache_url": "mem://", "cache_namespace": "eval"}
{%- endif %}
        services = await open_services(
            Settings.model_validate({**settings.model_dump(), **overrides})
        )
        try:
            results = []
            for example in examples:
                started = clock()
                done = await services.pipeline.run(example["input"])
                latency_ms = (clock() - started) * 1000
                correct = done.output is not None and _is_correct(done.output, example)
                exact = (
                    None
                    if "expected" not in example
                    else done.output is not None and is_exact(done.output, example["expected"])
                )
                results.append(
                    ExampleResult(
                        id=str(example["id"]),
                        status=done.status,
                        correct=correct,
                        exact_match=exact,
                        confidence=done.confidence,
                        latency_ms=round(latency_ms, 3),
                        output=done.output,
                    )
                )
            return results
        finally:
            await services.close()


def _is_correct(output: str, example: dict) -> bool:
    try:
        return bool(task.is_correct(output, example))
    except (ValueError, KeyError, TypeError):
        return False


def is_exact(output: str, expected: object) -> bool:
    """The output is exactly the expected answer (as JSON when the answer is not text)."""
    if isinstance(expected, str):
        return output.strip() == expected.strip()
    try:
        return json.loads(output) == expected
    except ValueError:
        return False


def criteria(results: list[ExampleResult]) -> dict[str, float | None]:
    total = len(results)
    delivered = [result for result in results if result.status == "delivered"]
    latencies = [result.latency_ms for result in results]
    with_expected = [result for result in results if result.exact_match is not None]
    error_rate = (
        sum(not result.correct for result in delivered) / len(delivered) if delivered else None
    )
    return {
        "accuracy": sum(result.correct for result in results) / total,
        "exact_match": (
            sum(bool(result.exact_match) for result in with_expected) / len(with_expected)
            if with_expected
            else None
        ),
        "error_rate": error_rate,
        "auto_error_rate": error_rate,
        "deferral_rate": sum(result.status == "needs_review" for result in results) / total,
        "failure_rate": sum(result.status == "failed" for result in results) / total,
        "latency_p50_ms": percentile(latencies, 0.50),
        "latency_p95_ms": percentile(latencies, 0.95),
    }


def compare(values: dict[str, float | None], baseline: dict) -> list[dict]:
    """One row per criterion in the baseline: value, baseline, and whether it is no worse."""
    rows = []
    for name in CRITERIA:
        if name not in baseline or baseline[name] is None:
            continue
        value, limit = values.get(name), float(baseline[name])
        if value is None:
            ok = True  # nothing to measure (e.g. no output was delivered automatically)
        elif name in HIGHER_IS_BETTER:
            ok = value >= limit - 1e-9
        else:
            ok = value <= limit + 1e-9
        direction = "higher" if name in HIGHER_IS_BETTER else "lower"
        rows.append(
            {"name": name, "value": value, "baseline": limit, "better": direction, "ok": ok}
        )
    return rows


def as_baseline(values: dict[str, float | None]) -> dict[str, float | None]:
    """This run's values as a baseline. Latencies become budgets with headroom (twice the
    measured value, at least 100 ms more), so the gate catches slowdowns, not jitter."""
    baseline = dict(values)
    for name in ("latency_p50_ms", "latency_p95_ms"):
        measured = values[name] or 0.0
        baseline[name] = round(max(2 * measured, measured + 100), 1)
    return baseline


def load_baseline(path: Path) -> dict:
    if not path.is_file():
        raise EvalInputError(f"{path}: no such file (create it with --update-baseline)")
    try:
        baseline = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise EvalInputError(
            f"{path}:{error.lineno}:{error.colno}: invalid JSON: {error.msg}"
        ) from None
    if not isinstance(baseline, dict):
        raise EvalInputError(f"{path}: expected a JSON object of criterion: value")
    unknown = sorted(set(baseline) - set(CRITERIA))
    if unknown:
        raise EvalInputError(f"{path}: unknown criteria {unknown}; known: {list(CRITERIA)}")
    for name, value in baseline.items():
        if value is not None and not isinstance(value, int | float):
            raise EvalInputError(f"{path}: {name} must be a number or null")
    return baseline


def evaluate(
    golden: Path, baseline_path: Path, output: Path, *, settings: Settings, update_baseline: bool
) -> tuple[dict, bool]:
    """Run the evaluation, write the report, and return it with whether it passed."""
    examples = load_golden(golden)
    baseline = {} if update_baseline else load_baseline(baseline_path)
    started = _now()
    results = asyncio.run(run_examples(examples, settings))
    finished = _now()
    values = criteria(results)
    rows = compare(values, baseline)
    passed = all(row["ok"] for row in rows)
    delivered = [result for result in results if result.status == "delivered"]
    report = {
        "format": "assessor-eval",
        "format_version": 1,
        "eval_id": uuid.uuid4().hex,
        "started_at": started,
        "finished_at": finished,
        "dataset": {
            "path": golden.as_posix(),
            "sha256": hashlib.sha256(golden.read_bytes()).hexdigest(),
        },
        "n": len(delivered),
        "errors": sum(not result.correct for result in delivered),
        "deferred": sum(result.status == "needs_review" for result in results),
        "unscored": sum(result.status == "failed" for result in results),
        "task_type": task.TASK_TYPE,
        "prompt_version": task.PROMPT_VERSION,
        "metric": task.METRIC,
        "provider": settings.llm_provider,
        "model": settings.llm_model if settings.llm_provider == "openai" else "fake",
        "examples": len(results),
        "max_error_rate": settings.max_error_rate,
        "criteria": values,
        "assessed_criteria": list(settings.eval_criteria),
        "not_measured": [name for name in settings.eval_criteria if name not in CRITERIA],
        "comparison": rows,
        "passed": passed,
        "results": [result.__dict__ for result in results],
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if update_baseline:
        baseline_path.write_text(json.dumps(as_baseline(values), indent=2) + "\n", encoding="utf-8")
    return report, passed


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def run_cli(golden: str, baseline: str, output: str, *, update_baseline: bool = False) -> int:
    try:
        report, passed = evaluate(
            Path(golden),
            Path(baseline),
            Path(output),
            settings=Settings(),
            update_baseline=update_baseline,
        )
    except EvalInputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"{report['examples']} examples, task {report['task_type']}, metric {report['metric']}")
    assessed = report["assessed_criteria"]
    print(f"assessed criteria: {', '.join(assessed)}")
    for name in report["not_measured"]:
        print(f"  {name:<16} {'n/a':>10}  (not computed by this runner; add it to evals.py)")
    ordered = [name for name in assessed if name in report["criteria"]]
    ordered += [name for name in report["criteria"] if name not in ordered]
    for name in ordered:
        value = report["criteria"][name]
        row = next((row for row in report["comparison"] if row["name"] == name), None)
        shown = "n/a" if value is None else f"{value:.4g}"
        verdict = "" if row is None else ("  ok" if row["ok"] else "  WORSE")
        limit = (
            "" if row is None else f"  (baseline {row['baseline']:.4g}, {row['better']} is better)"
        )
        print(f"  {name:<16} {shown:>10}{limit}{verdict}")
    if update_baseline:
        print(f"baseline written to {baseline}")
        return 0
    print(f"report written to {output}")
    if not passed:
        worse = [row["name"] for row in report["comparison"] if not row["ok"]]
        print(f"FAILED: worse than the baseline: {', '.join(worse)}", file=sys.stderr)
        return 1
    print("passed: no criterion is worse than the baseline")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m {{ cookiecutter.package_name }}.evals",
    )
    parser.add_argument("--golden", default="evals/golden.jsonl")
    parser.add_argument("--baseline", default="evals/baseline.json")
    parser.add_argument("--output", default="evals/results.json")
    parser.add_argument("--update-baseline", action="store_true")
    args = parser.parse_args(argv)
    return run_cli(args.golden, args.baseline, args.output, update_baseline=args.update_baseline)


if __name__ == "__main__":
    sys.exit(main())
