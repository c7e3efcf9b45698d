"""Benchmark: `assessor evidence add` on a 100,000-case promptfoo results file.

Writes a promptfoo ``--output results.json`` of 100,000 results (in the shape promptfoo 0.x
writes: response, grading result, vars, latency per result) and times, in this process:

- ``baseline``: ``json.load`` of the same file (what any reader must at least do);
- ``evidence add``: reading, detecting and counting the file, recording it in an assessment
  (sha256, text edit, validation, atomic write) and scoring before and after.

Prints the time of each and one ``ratio`` line. Goals (issue 13): under 2 s, and at most 3x
``json.load``. Best of 3 runs each.

    python bench/evidence.py [--cases 100000]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

ASSESSMENT = """\
version: 1
use_case:
  name: Benchmark
answers:
  task_type: rag
  error_cost: high
  autonomy: human_on_exceptions
  regulation: none
  expert_review: false
  error_rate: 0.03
  customer_facing: true
  realtime: true
  repeat_queries: some
  evaluation: continuous
  retrieval_tuned: true
  document_quality: high
"""


def write_results(path: Path, cases: int) -> None:
    rng = random.Random(13)
    results = []
    for i in range(cases):
        ok = rng.random() > 0.004
        results.append(
            {
                "id": f"{i:08x}-result",
                "promptIdx": 0,
                "testIdx": i,
                "promptId": "9f2c1b",
                "provider": {"id": "openai:gpt-4o-mini", "label": ""},
                "vars": {"question": f"Can I return item {i} after {i % 60} days?"},
                "response": {
                    "output": f"Refunds for item {i} are accepted within 30 days with a receipt.",
                    "tokenUsage": {"total": 120, "prompt": 90, "completion": 30},
                    "cached": False,
                },
                "success": ok,
                "score": 1 if ok else 0,
                "failureReason": 0 if ok else 1,
                "error": None if ok else "Expected output to mention the receipt",
                "latencyMs": rng.randint(200, 1500),
                "gradingResult": {
                    "pass": ok,
                    "score": 1 if ok else 0,
                    "reason": "All assertions passed" if ok else "Missing receipt",
                    "componentResults": [
                        {
                            "pass": ok,
                            "score": 1 if ok else 0,
                            "reason": "contains receipt",
                            "assertion": {"type": "icontains", "value": "receipt"},
                        }
                    ],
                },
                "namedScores": {},
                "cost": 0.00012,
                "metadata": {},
            }
        )
    successes = sum(r["success"] for r in results)
    doc = {
        "evalId": "eval-bench",
        "results": {
            "version": 3,
            "timestamp": "2026-12-01T10:00:00.000Z",
            "prompts": [{"raw": "{{question}}", "label": "p"}],
            "results": results,
            "stats": {
                "successes": successes,
                "failures": cases - successes,
                "errors": 0,
                "tokenUsage": {"total": 120 * cases},
            },
        },
        "config": {"description": "bench"},
    }
    path.write_text(json.dumps(doc), encoding="utf-8")


def best(fn, runs: int = 3) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Best wall time and best CPU time (this process) of ``runs`` runs."""
    walls, cpus = [], []
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    args = parser.parse_args()

    from assessor.app.evidence import add_evidence

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        results = folder / "results.json"
        write_results(results, args.cases)
        size = results.stat().st_size
        template = folder / "template.yaml"
        template.write_text(ASSESSMENT, encoding="utf-8")
        assessment = folder / "assessment.yaml"

        def baseline() -> None:
            with results.open("rb") as handle:
                json.load(handle)

        def add() -> None:
            shutil.copy(template, assessment)
            add_evidence(assessment, [results])

        add()  # warm: imports, rubric load and compile happen once per process
        base, base_cpu = best(baseline)
        took, took_cpu = best(add)
        ratio = took / base
        print(f"results file: {args.cases:,} cases, {size / 1e6:.1f} MB")
        print(f"json.load:    {base * 1000:.0f} ms wall, {base_cpu * 1000:.0f} ms cpu")
        print(f"evidence add: {took * 1000:.0f} ms wall, {took_cpu * 1000:.0f} ms cpu")
        goal_time = "met" if took < 2.0 else "MISSED"
        goal_ratio = "met" if ratio <= 3.0 else "MISSED"
        print(
            f"ratio evidence-add/json.load = {ratio:.2f}x (goal <= 3x: {goal_ratio}); "
            f"{took:.2f} s (goal < 2 s: {goal_time}); cpu ratio {took_cpu / base_cpu:.2f}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
