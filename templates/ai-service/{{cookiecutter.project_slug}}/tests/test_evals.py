"""The evaluation runner: passes on the shipped golden set, fails when worse than baseline."""

import itertools
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }} import evals
from {{ cookiecutter.package_name }}.evals import main
from {{ cookiecutter.package_name }}.monitoring import wilson_interval

from .conftest import PROJECT


@pytest.fixture
def evals_dir(tmp_path: Path) -> Path:
    target = tmp_path / "evals"
    shutil.copytree(PROJECT / "evals", target, ignore=shutil.ignore_patterns("results.json"))
    return target


def run(evals_dir: Path, *extra: str) -> int:
    return main(
        [
            "--golden",
            str(evals_dir / "golden.jsonl"),
            "--baseline",
            str(evals_dir / "baseline.json"),
            "--output",
            str(evals_dir / "results.json"),
            *extra,
        ]
    )


def test_the_golden_set_passes_against_the_baseline(evals_dir: Path, capsys) -> None:
    assert run(evals_dir) == 0

    report = json.loads((evals_dir / "results.json").read_text())
    assert report["passed"] is True
    assert report["criteria"]["accuracy"] == 1.0
    assert report["criteria"]["failure_rate"] == 0.0
    assert {row["name"] for row in report["comparison"]} >= {"accuracy", "deferral_rate"}
    assert all(result["correct"] for result in report["results"])
    assert "passed: no criterion is worse than the baseline" in capsys.readouterr().out


def test_a_wrong_answer_makes_the_run_fail(evals_dir: Path, capsys) -> None:
    golden = evals_dir / "golden.jsonl"
    first = json.loads(golden.read_text().splitlines()[0])
    if "expected" in first:
        first["expected"] = "an answer the model does not give"
    else:
        first["must_include"] = ["a phrase the model does not write"]
    first["id"] = "deliberately-wrong"
    with golden.open("a") as handle:
        handle.write(json.dumps(first) + "\n")

    assert run(evals_dir) == 1

    report = json.loads((evals_dir / "results.json").read_text())
    assert report["passed"] is False
    assert report["criteria"]["accuracy"] < 1.0
    assert "worse than the baseline: accuracy" in capsys.readouterr().err


def test_provider_failures_make_the_run_fail(evals_dir: Path, monkeypatch) -> None:
    monkeypatch.setenv("APP_LLM_TIMEOUT_SECONDS", "0.05")
    monkeypatch.setenv("APP_LLM_BACKOFF_SECONDS", "0")
    golden = evals_dir / "golden.jsonl"
    first = json.loads(golden.read_text().splitlines()[0])
    first["input"] += " [fake:error]"
    golden.write_text(golden.read_text() + json.dumps(first) + "\n")

    assert run(evals_dir) == 1

    report = json.loads((evals_dir / "results.json").read_text())
    assert report["criteria"]["failure_rate"] > 0


def test_an_invalid_golden_line_is_named(evals_dir: Path, capsys) -> None:
    golden = evals_dir / "golden.jsonl"
    golden.write_text(golden.read_text() + "{not json\n")

    assert run(evals_dir) == 2

    lines = len(golden.read_text().splitlines())
    assert f"golden.jsonl:{lines}:2: invalid JSON" in capsys.readouterr().err


def test_update_baseline_writes_the_measured_values(evals_dir: Path, monkeypatch) -> None:
    # Every example takes exactly 4 ms on this clock: two runs of wall-clock latencies on
    # a busy machine can differ by more than the baseline's headroom.
    ticks = itertools.count()
    monkeypatch.setattr(evals, "clock", lambda: next(ticks) * 0.004)
    (evals_dir / "baseline.json").unlink()

    assert run(evals_dir, "--update-baseline") == 0

    baseline = json.loads((evals_dir / "baseline.json").read_text())
    measured = json.loads((evals_dir / "results.json").read_text())["criteria"]
    assert baseline["accuracy"] == measured["accuracy"] == 1.0
    assert baseline["failure_rate"] == measured["failure_rate"] == 0.0
    assert measured["latency_p50_ms"] == measured["latency_p95_ms"] == 4.0
    assert baseline["latency_p50_ms"] == baseline["latency_p95_ms"] == 104.0  # + headroom
    assert run(evals_dir) == 0


def test_the_module_runs_from_the_command_line(evals_dir: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "{{ cookiecutter.package_name }}.evals"],
        cwd=evals_dir.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert "accuracy" in result.stdout


def test_wilson_interval() -> None:
    assert wilson_interval(0, 0) == (0.0, 1.0)
    low, high = wilson_interval(0, 10)
    assert low == 0.0
    assert high == pytest.approx(0.2775, abs=1e-4)
    low, high = wilson_interval(5, 10)
    assert (low, high) == (pytest.approx(0.2366, abs=1e-4), pytest.approx(0.7634, abs=1e-4))


def test_the_report_is_the_results_format_assessor_reads(evals_dir: Path) -> None:
    assert run(evals_dir) == 0
    report = json.loads((evals_dir / "results.json").read_text())
    assert (report["format"], report["format_version"]) == ("assessor-eval", 1)
    delivered = [r for r in report["results"] if r["status"] == "delivered"]
    assert report["n"] == len(delivered)
    assert report["errors"] == sum(not r["correct"] for r in delivered)
    assert report["unscored"] == sum(r["status"] == "failed" for r in report["results"])
    assert report["deferred"] == sum(r["status"] == "needs_review" for r in report["results"])
    assert len(report["dataset"]["sha256"]) == 64
    assert report["started_at"].endswith("Z") and report["finished_at"].endswith("Z")
    assert report["eval_id"]
