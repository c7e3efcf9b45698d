"""Scoring with measured evidence: the 1-in-100 rule is judged on the Wilson 95% upper bound,
and the finding says so; too few cases and stale evidence are conditions of their own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evidence_support import (
    ASSESSMENT,
    outcomes,
    promptfoo,
    read_yaml,
    recent,
    write_assessment,
    write_results,
)


def add_and_score(
    cli: Any, tmp_path: Path, cases: list[str], text: str = ASSESSMENT, **kw: Any
) -> dict[str, Any]:
    file = write_assessment(tmp_path / "assessment.yaml", text)
    results = write_results(tmp_path / "results.json", promptfoo(cases, **kw))
    added = cli("evidence", "add", file, results)
    assert added.exit_code == 0, added.output
    scored = cli("score", file, "--format", "json")
    assert scored.exit_code == 0, scored.output
    data: dict[str, Any] = json.loads(scored.stdout)
    return data


def ids(findings: list[dict[str, Any]]) -> set[str]:
    return {f["id"] for f in findings}


def test_upper_bound_at_the_boundary(cli: Any, tmp_path: Path) -> None:
    # 0 wrong of 380: upper bound 1.0008% -- does not rule out more than 1 in 100
    over = add_and_score(cli, tmp_path, outcomes(380, 0))
    assert over["verdict"] == "not_ready"
    assert "high-cost-error-rate" in ids(over["blockers"])
    assert over["evidence"]["upper_95"] > 0.01
    # 0 wrong of 381: upper bound 0.998% -- at most 1 in 100 with 95% confidence
    under = add_and_score(cli, tmp_path, outcomes(381, 0))
    assert under["evidence"]["upper_95"] < 0.01
    assert "high-cost-error-rate" not in ids(under["blockers"])
    assert under["verdict"] == "ready"


def test_the_finding_says_what_was_measured_and_what_would_settle_it(
    cli: Any, tmp_path: Path
) -> None:
    result = add_and_score(cli, tmp_path, outcomes(298, 2))
    [blocker] = [b for b in result["blockers"] if b["id"] == "high-cost-error-rate"]
    assert (
        "0.67% measured on 300 cases; the upper bound 2.4% does not rule out more than 1 in "
        "100; about 3,200 more cases at that rate would." in blocker["reason"]
    )
    assert result["evidence"]["more_cases_needed"] == 3123
    # the estimate alone (0.67%) would not have fired the rule: the bound did
    assert blocker["answers"]["error_rate"] == 0.006667


def test_a_measured_rate_above_the_limit_says_so(cli: Any, tmp_path: Path) -> None:
    result = add_and_score(cli, tmp_path, outcomes(940, 60))
    [blocker] = [b for b in result["blockers"] if b["id"] == "high-cost-error-rate"]
    assert (
        "6% measured on 1,000 cases; even the lower bound 4.7% is above 1 in 100."
        in (blocker["reason"])
    )


def test_too_few_cases_is_a_condition(cli: Any, tmp_path: Path) -> None:
    low_cost = ASSESSMENT.replace("error_cost: high ", "error_cost: low  ")
    result = add_and_score(cli, tmp_path, outcomes(40, 0), low_cost)
    assert result["verdict"] == "conditional"
    [finding] = [c for c in result["conditions"] if c["id"] == "evidence-too-few-cases"]
    assert "measured on 40 cases; a measurement needs at least 100" in finding["reason"]
    assert result["evidence"]["too_few_cases"] is True
    # no answer change clears it, so none is offered as reaching "ready"
    assert all(i["verdict"] != "ready" for i in result["to_improve"])


def test_stale_evidence_is_a_condition(cli: Any, tmp_path: Path) -> None:
    low_cost = ASSESSMENT.replace("error_cost: high ", "error_cost: low  ")
    result = add_and_score(cli, tmp_path, outcomes(500, 0), low_cost, timestamp=recent(120))
    assert result["verdict"] == "conditional"
    [finding] = [c for c in result["conditions"] if c["id"] == "evidence-stale"]
    assert "measured 120 days ago; measurements older than 90 days" in finding["reason"]
    fresh = add_and_score(cli, tmp_path, outcomes(500, 0), low_cost, timestamp=recent(89))
    assert fresh["verdict"] == "ready"
    assert fresh["evidence"]["stale"] is False


def test_a_hand_edited_rate_is_judged_as_written(cli: Any, tmp_path: Path) -> None:
    file = write_assessment(tmp_path / "assessment.yaml")
    results = write_results(tmp_path / "results.json", promptfoo(outcomes(298, 2)))
    assert cli("evidence", "add", file, results).exit_code == 0
    text = file.read_text().replace("error_rate: 0.006667", "error_rate: 0.005", 1)
    file.write_text(text)
    data = json.loads(cli("score", file, "--format", "json").stdout)
    assert data["evidence"]["applied"] is False
    assert "high-cost-error-rate" not in ids(data["blockers"])
    assert read_yaml(file)["evidence"][0]["n"] == 300  # the record stays


def test_without_evidence_the_score_json_has_evidence_null(cli: Any, tmp_path: Path) -> None:
    file = write_assessment(tmp_path / "assessment.yaml")
    data = json.loads(cli("score", file, "--format", "json").stdout)
    assert data["evidence"] is None
    assert "error-rate-unmeasured" in ids(data["conditions"])
