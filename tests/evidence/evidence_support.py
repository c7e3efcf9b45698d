"""Builders of results files in each format's real shape, and an assessment to record into."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

ASSESSMENT = """\
# Refund assistant: assessed by the support platform team
version: 1
use_case:
  name: Refund assistant
answers:
  task_type: rag
  error_cost: high          # a wrong refund costs money
  autonomy: human_on_exceptions
  regulation: none
  expert_review: false
  error_rate: 0.03          # our guess from the pilot
  error_rate_source: estimated
  customer_facing: true
  realtime: true
  repeat_queries: some
  evaluation: continuous
  retrieval_tuned: true
  document_quality: high

# Why we answered as we did
notes:
  autonomy: Low-confidence answers go to an agent.
"""


def write_assessment(path: Path, text: str = ASSESSMENT) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def read_yaml(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def recent(days: float = 1) -> str:
    """A time ``days`` ago, as the tools write it (ISO 8601, UTC)."""
    return (datetime.now(UTC) - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def outcomes(passed: int, wrong: int, failed: int = 0) -> list[str]:
    return ["pass"] * passed + ["wrong"] * wrong + ["failed"] * failed


def promptfoo(cases: list[str], timestamp: str | None = None) -> dict[str, Any]:
    results = []
    for i, case in enumerate(cases):
        reason = {"pass": 0, "wrong": 1, "failed": 2}[case]
        results.append(
            {
                "id": f"r{i}",
                "promptIdx": 0,
                "testIdx": i,
                "success": case == "pass",
                "score": 1 if case == "pass" else 0,
                "failureReason": reason,
                "error": None if case == "pass" else "failed",
                "response": {"output": "x"},
            }
        )
    stats = {
        "successes": cases.count("pass"),
        "failures": cases.count("wrong"),
        "errors": cases.count("failed"),
        "tokenUsage": {"total": 0},
    }
    return {
        "evalId": "eval-test",
        "results": {
            "version": 3,
            "timestamp": timestamp or recent(),
            "results": results,
            "stats": stats,
        },
        "config": {},
    }


def inspect_ai(scores: list[Any]) -> dict[str, Any]:
    """``scores``: per sample a score value (C, I, P, N or a number), or "failed"."""
    samples = []
    for i, value in enumerate(scores, 1):
        sample: dict[str, Any] = {"id": i, "epoch": 1, "input": "q", "target": "a"}
        if value == "failed":
            sample["scores"] = {}
            sample["error"] = {"message": "boom", "traceback": ""}
        else:
            sample["scores"] = {"match": {"value": value, "answer": "a"}}
        samples.append(sample)
    return {
        "version": 2,
        "status": "success",
        "eval": {
            "run_id": "run-1",
            "created": recent(),
            "task": "t",
            "model": "openai/gpt-4o-mini",
            "dataset": {"name": "golden", "samples": len(samples)},
        },
        "results": {"total_samples": len(samples), "completed_samples": len(samples), "scores": []},
        "samples": samples,
    }


def deepeval(cases: list[str]) -> dict[str, Any]:
    test_cases = []
    for i, case in enumerate(cases):
        test_cases.append(
            {
                "name": f"test_case_{i}",
                "input": "q",
                "actualOutput": "a",
                "success": case == "pass",
                "metricsData": [
                    {
                        "name": "Correctness",
                        "threshold": 0.5,
                        "success": case == "pass",
                        "score": 1.0 if case == "pass" else 0.0,
                        "error": "Timeout" if case == "failed" else None,
                    }
                ],
                "order": i,
            }
        )
    return {
        "testFile": "test_x.py",
        "testCases": test_cases,
        "conversationalTestCases": [],
        "testPassed": cases.count("pass"),
        "testFailed": len(cases) - cases.count("pass"),
        "identifier": "nightly",
    }


def openai_evals(cases: list[str]) -> str:
    lines = [
        {
            "spec": {
                "completion_fns": ["gpt-4o-mini"],
                "eval_name": "refund.dev.v0",
                "run_id": "230315120000ABCDEFGH",
                "created_at": recent().replace("T", " ").rstrip("Z"),
            }
        },
        {"final_report": {"accuracy": 0.0}},
    ]
    for i, case in enumerate(cases):
        lines.append(
            {
                "run_id": "230315120000ABCDEFGH",
                "event_id": i,
                "sample_id": f"refund.dev.{i}",
                "type": "match",
                "data": {"correct": case == "pass", "expected": ["a"], "picked": "a"},
            }
        )
    return "\n".join(json.dumps(line) for line in lines) + "\n"


def assessor_eval(cases: list[str]) -> dict[str, Any]:
    results = []
    for i, case in enumerate(cases):
        status = {"pass": "delivered", "wrong": "delivered", "failed": "failed"}[case]
        results.append(
            {"id": f"ex-{i}", "status": status, "correct": case == "pass", "latency_ms": 1.0}
        )
    delivered = [r for r in results if r["status"] == "delivered"]
    return {
        "format": "assessor-eval",
        "format_version": 1,
        "eval_id": "e1",
        "started_at": recent(),
        "finished_at": recent(),
        "model": "fake",
        "dataset": {"path": "evals/golden.jsonl", "sha256": "ab" * 32},
        "n": len(delivered),
        "errors": sum(not r["correct"] for r in delivered),
        "unscored": sum(r["status"] == "failed" for r in results),
        "deferred": 0,
        "criteria": {},
        "results": results,
    }


BUILDERS = {
    "promptfoo": promptfoo,
    "deepeval": deepeval,
    "openai-evals": openai_evals,
    "assessor-eval": assessor_eval,
}


def write_results(path: Path, doc: Any) -> Path:
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return path
