"""Multi-select questions in any rubric: `type: multi`, the answer a list of option ids, an
optional exclusive "none of these" option, and contains / contains_any / contains_all tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

RUBRIC = """\
id: multi-demo
version: 1
title: Multi demo
questions:
  - id: safeguards
    prompt: Which safeguards are in place?
    type: multi
    required: true
    options:
      - {value: human_review, label: A person reviews flagged outputs}
      - {value: eval_suite, label: An evaluation suite runs before release}
      - {value: monitoring, label: Production monitoring}
      - {value: none, label: None of these, exclusive: true}
  - id: error_cost
    prompt: Cost of an error?
    type: choice
    required: true
    options: [{value: low, label: Low}, {value: high, label: High}]
dimensions:
  - id: safeguards
    title: Safeguards
    cases:
      - when: {answer: safeguards, contains_all: [human_review, eval_suite, monitoring]}
        score: 100
        level: complete
      - when: {answer: safeguards, contains_any: [human_review, eval_suite, monitoring]}
        score: 50
        level: partial
      - when: {answer: safeguards, known: true}
        score: 0
        level: none
rules:
  - id: unguarded-high-cost
    kind: blocker
    title: High cost without review
    when:
      all:
        - {answer: error_cost, is: high}
        - not: {answer: safeguards, contains: human_review}
    reason: "Safeguards: {safeguards}."
    guide: Fallback to human.
    fix: Add review.
  - id: no-monitoring
    kind: condition
    title: No monitoring
    when: {not: {answer: safeguards, contains: monitoring}}
    reason: Not monitored.
    guide: Evaluation in production.
    fix: Monitor.
patterns: []
"""


@pytest.fixture
def rubric_file(tmp_path: Path) -> Path:
    path = tmp_path / "multi.yaml"
    path.write_text(RUBRIC)
    return path


def _score(tmp_path: Path, cli: Callable[..., Any], rubric: Path, answers: str) -> Any:
    case = tmp_path / "case.yaml"
    case.write_text(f"version: 1\nrubric: {rubric}\nuse_case: {{name: X}}\nanswers:\n{answers}")
    return cli("score", case, "--format", "json")


@pytest.mark.parametrize(
    ("safeguards", "cost", "verdict", "level"),
    [
        ("[human_review, eval_suite, monitoring]", "high", "ready", "complete"),
        ("[monitoring, eval_suite]", "low", "ready", "partial"),
        ("[monitoring]", "high", "not_ready", "partial"),
        ("[human_review]", "high", "conditional", "partial"),
        ("[none]", "low", "conditional", "none"),
        ("[]", "low", "conditional", "none"),
    ],
)
def test_multi_answers_score_through_contains_tests(
    tmp_path: Path,
    cli: Callable[..., Any],
    rubric_file: Path,
    safeguards: str,
    cost: str,
    verdict: str,
    level: str,
) -> None:
    result = _score(
        tmp_path, cli, rubric_file, f"  safeguards: {safeguards}\n  error_cost: {cost}\n"
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["verdict"] == verdict
    assert data["dimensions"][0]["level"] == level


def test_reason_placeholders_read_selected_labels(
    tmp_path: Path, cli: Callable[..., Any], rubric_file: Path
) -> None:
    result = _score(
        tmp_path, cli, rubric_file, "  safeguards: [monitoring, eval_suite]\n  error_cost: high\n"
    )
    (blocker,) = json.loads(result.stdout)["blockers"]
    assert (
        blocker["reason"]
        == "Safeguards: Production monitoring, An evaluation suite runs before release."
    )
    assert blocker["answers"] == {"error_cost": "high", "safeguards": ["monitoring", "eval_suite"]}


def test_bad_multi_answers_are_located_per_item(
    tmp_path: Path, cli: Callable[..., Any], rubric_file: Path
) -> None:
    result = _score(
        tmp_path,
        cli,
        rubric_file,
        "  safeguards: [monitoring, none, monitorin]\n  error_cost: low\n",
    )
    assert result.exit_code == 2
    errors = result.stderr.splitlines()
    assert any(
        ":5:28: answers.safeguards[1]: 'none' (none of these) cannot be selected" in e
        for e in errors
    )
    assert any(
        ":5:34: answers.safeguards[2]: 'monitorin' is not an option" in e
        and "(did you mean 'monitoring'?)" in e
        for e in errors
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("{answer: safeguards, contains: monitoring}", "{answer: safeguards, is: monitoring}"),
            "rules[1].when.not.is: 'safeguards' is a multi question (a list of options): "
            "test it with contains, contains_any or contains_all",
        ),
        (
            ("{answer: error_cost, is: high}", "{answer: error_cost, contains: high}"),
            "rules[0].when.all[0].answer: contains tests read multi questions, "
            "and 'error_cost' is a choice question",
        ),
        (
            (
                "contains_all: [human_review, eval_suite, monitoring]",
                "contains_all: [human_review, evals]",
            ),
            "dimensions[0].cases[0].when.contains_all: 'evals' is not an option of 'safeguards'",
        ),
        (
            ("{value: high, label: High}", "{value: high, label: High, exclusive: true}"),
            "only options of multi questions can be exclusive",
        ),
    ],
)
def test_rubric_validate_checks_multi_questions_and_their_tests(
    tmp_path: Path, cli: Callable[..., Any], change: tuple[str, str], message: str
) -> None:
    path = tmp_path / "bad.yaml"
    old, new = change
    assert old in RUBRIC
    path.write_text(RUBRIC.replace(old, new, 1))
    result = cli("rubric", "validate", path)
    assert result.exit_code == 2
    assert message in result.stderr, result.stderr


def test_the_assessment_schema_spells_out_multi_answers(
    cli: Callable[..., Any], rubric_file: Path
) -> None:
    result = cli("schema", "assessment", "--rubric", rubric_file)
    answer = json.loads(result.stdout)["properties"]["answers"]["properties"]["safeguards"]
    assert answer["type"] == ["array", "null"] and answer["uniqueItems"] is True
    assert answer["items"]["enum"] == ["human_review", "eval_suite", "monitoring", "none"]
