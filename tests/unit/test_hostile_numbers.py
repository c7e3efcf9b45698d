"""Numbers are bounded before they are converted, rubrics with absurd numbers are refused, and
every JSON output is strict JSON (no NaN or Infinity), even at the limits."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from engine_support import answers_for, run_assessor, write_assessment

from assessor.resources import rubrics_dir

HUGE = "1" + "0" * 400


def strict(text: str) -> Any:
    """Parse JSON, refusing NaN, Infinity and -Infinity."""

    def refuse(constant: str) -> Any:
        raise AssertionError(f"{constant} in JSON output")

    return json.loads(text, parse_constant=refuse)


def test_a_400_digit_cost_is_a_located_error(tmp_path: Path, cli: Any) -> None:
    case = write_assessment(tmp_path / "case.yaml", answers_for("rag"))
    lines = case.read_text().splitlines()
    lines.append(f"  cost_per_error: {HUGE}")
    case.write_text("\n".join(lines) + "\n")
    result = cli("score", case, "--format", "json")
    assert result.exit_code == 2
    assert result.stderr == (
        f"{case}:{len(lines)}:3: answers.cost_per_error: "
        "number out of range: at most 1e15 in magnitude\n"
    )


@pytest.mark.parametrize("text", ["1e300", "'1e300'", "-1e16"])
def test_numbers_written_as_text_are_bounded_too(tmp_path: Path, cli: Any, text: str) -> None:
    case = write_assessment(tmp_path / "case.yaml", answers_for("rag"))
    case.write_text(case.read_text() + f"  volume_per_day: {text}\n")
    result = cli("score", case)
    assert result.exit_code == 2
    assert "answers.volume_per_day: number out of range" in result.stderr or (
        "answers.volume_per_day: must be at least 0" in result.stderr
    )


def _rubric(tmp_path: Path, change: Any) -> Path:
    data = yaml.safe_load((rubrics_dir() / "production-readiness.yaml").read_text())
    change(data)
    path = tmp_path / "rubric.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return path


def _set_weight(value: float) -> Any:
    def change(data: dict[str, Any]) -> None:
        data["dimensions"][0]["weight"] = value

    return change


def _set_by_level(key: str, value: float) -> Any:
    def change(data: dict[str, Any]) -> None:
        data["policy"][key]["high"] = value

    return change


def _set_question_max(value: float) -> Any:
    def change(data: dict[str, Any]) -> None:
        next(q for q in data["questions"] if q["id"] == "cost_per_error")["max"] = value

    return change


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (_set_weight(1e308), "dimensions[0].weight", "number out of range"),
        (_set_weight(5000), "dimensions[0].weight", "must be less than or equal to 1000"),
        (_set_weight(float("nan")), "dimensions[0].weight", "must be a finite number"),
        (_set_weight(float("inf")), "dimensions[0].weight", "must be a finite number"),
        (_set_by_level("cost_per_error", float("inf")), "policy.cost_per_error.high", "finite"),
        (_set_by_level("max_error_rate", 2.0), "policy.max_error_rate.high", "less than or"),
        (_set_by_level("review_sample_rate", -0.5), "policy.review_sample_rate.high", "greater"),
        (_set_question_max(float("inf")), "questions[17].max", "must be a finite number"),
    ],
)
def test_rubric_validate_refuses_absurd_numbers(
    tmp_path: Path, cli: Any, change: Any, field: str, message: str
) -> None:
    path = _rubric(tmp_path, change)
    result = cli("rubric", "validate", path)
    assert result.exit_code == 2, result.output
    assert f"{field}: " in result.stderr and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_rubric_validate_refuses_a_huge_literal(tmp_path: Path, cli: Any) -> None:
    path = _rubric(tmp_path, _set_weight(3))
    path.write_text(path.read_text().replace("weight: 3\n", f"weight: {HUGE}\n", 1))
    result = cli("rubric", "validate", path)
    assert result.exit_code == 2
    assert "dimensions[0].weight: number out of range" in result.stderr


def _limit_rubric(tmp_path: Path) -> Path:
    """Every number a rubric may hold at the largest value validation accepts."""

    def change(data: dict[str, Any]) -> None:
        for dim in data["dimensions"]:
            dim["weight"] = 1000
        for key in ("cost_per_error",):
            data["policy"][key] = dict.fromkeys(data["policy"][key], 1e15)
        for q in data["questions"]:
            if q["id"] in ("cost_per_error", "cost_per_review", "volume_per_day"):
                q["max"] = 1e15
        data["costs"]["cost_per_review"] = 1e15
        data["costs"]["volume_per_day"] = 1e15

    return _rubric(tmp_path, change)


def test_every_json_output_is_strict_even_at_the_limits(tmp_path: Path) -> None:
    rubric = _limit_rubric(tmp_path)
    assert run_assessor("rubric", "validate", rubric).returncode == 0
    big = {"cost_per_error": 10**15, "cost_per_review": 10**15, "volume_per_day": 10**15}
    cases = [
        write_assessment(
            tmp_path / f"case-{i}.yaml",
            answers_for(task, error_rate=rate, **big),
            rubric="rubric.yaml",
        )
        for i, (task, rate) in enumerate([("rag", 0.5), ("classification", None)])
    ]
    outputs = {}
    done = run_assessor("score", cases[0], "--format", "json")
    assert done.returncode == 0, done.stderr
    outputs["score"] = done.stdout
    done = run_assessor("score", *cases, "--format", "json")
    assert done.returncode == 0, done.stderr
    outputs["score several"] = done.stdout
    out = tmp_path / "report.json"
    done = run_assessor("report", *cases, "--format", "json", "-o", out)
    assert done.returncode == 0, done.stderr
    outputs["report"] = out.read_text()
    for kind in ("assessment", "rubric", "report"):
        done = run_assessor("schema", kind)
        assert done.returncode == 0, done.stderr
        outputs[f"schema {kind}"] = done.stdout

    from assessor.scaffold import prepare
    from assessor.scaffold.project import load

    loaded, data = load(cases[0])
    outputs["scaffold assessment.score.json"] = prepare(loaded, assessment_bytes=data).score_json()

    for name, text in outputs.items():
        assert strict(text), name
    score = strict(outputs["score"])
    assert score["verdict"] in ("ready", "conditional", "not_ready")
    assert 0 <= score["score"] <= 100
