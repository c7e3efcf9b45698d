"""The improvement plan (``plan:``) and ``use_case.business_value`` in the assessment file."""

from __future__ import annotations

from pathlib import Path

import yaml

from assessor.app.session.session import Session

REPO = Path(__file__).resolve().parents[2]

PLAN = """\
plan:
  - finding: no-evaluation
    action: Define the criteria and measure them weekly
    owner: Ana Ruiz
    due: 2026-01-31
    status: in_progress
  - finding: autonomous-consequential
    action: no
"""


def assessment(tmp_path: Path, plan: str = PLAN, value: str = "high") -> Path:
    text = (REPO / "examples" / "refund-assistant.yaml").read_text(encoding="utf-8")
    text = text.split("\nplan:")[0].replace("business_value: high", f"business_value: {value}")
    assert f"business_value: {value}" in text
    path = tmp_path / "a.yaml"
    path.write_text(text.rstrip("\n") + "\n" + plan, encoding="utf-8")
    return path


def test_a_valid_plan_scores(cli, tmp_path: Path) -> None:
    result = cli("score", assessment(tmp_path))
    assert result.exit_code == 0, result.output


def test_plan_errors_are_located(cli, tmp_path: Path) -> None:
    bad = """\
plan:
  - finding: no-evaluaton
    action: Define criteria
    due: 2026-13-01
    status: started
  - action: ""
"""
    path = assessment(tmp_path, bad, value="huge")
    lines = path.read_text(encoding="utf-8").splitlines()
    plan_line = lines.index("plan:") + 1
    value_line = next(i for i, t in enumerate(lines, 1) if "business_value" in t)
    result = cli("score", path)
    assert result.exit_code == 2
    out = result.output
    assert f"a.yaml:{value_line}:" in out and "use_case.business_value: must be 'low'" in out
    assert (
        f"a.yaml:{plan_line + 1}:5: plan[0].finding: rubric 'production-readiness' has no "
        "blocker or condition 'no-evaluaton' (did you mean 'no-evaluation'?)"
    ) in out
    assert f"a.yaml:{plan_line + 3}:5: plan[0].due: must be a valid date" in out
    assert (
        f"a.yaml:{plan_line + 4}:5: plan[0].status: must be 'open', 'in_progress' or 'done'" in out
    )
    assert f"a.yaml:{plan_line + 5}:5: plan[1].finding: missing required field" in out
    assert f"a.yaml:{plan_line + 5}:5: plan[1].action: must not be empty" in out
    assert "Traceback" not in out


def test_the_interactive_session_keeps_plan_and_value(tmp_path: Path) -> None:
    path = assessment(tmp_path)
    session = Session.open(path)
    try:
        session.ensure_loaded()
        assert session.set_answer("evaluation", "offline")
        assert session.save(), session.save_error
    finally:
        session.release()
    saved = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert saved["answers"]["evaluation"] == "offline"
    assert saved["use_case"]["business_value"] == "high"
    assert saved["plan"] == [
        {
            "finding": "no-evaluation",
            "action": "Define the criteria and measure them weekly",
            "owner": "Ana Ruiz",
            "due": "2026-01-31",
            "status": "in_progress",
        },
        {"finding": "autonomous-consequential", "action": "no", "status": "open"},
    ]
