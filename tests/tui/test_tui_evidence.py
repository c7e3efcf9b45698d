"""The interactive assessment shows measured evidence under the error-rate question and says
so when the user types over the measured value."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from click.testing import CliRunner
from tui_helpers import continue_from_use_case, open_app, screen_text

from assessor.cli import main

ASSESSMENT = """\
version: 1
use_case:
  name: Refund assistant
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


def recorded(tmp_path: Path) -> Path:
    path = tmp_path / "a.yaml"
    path.write_text(ASSESSMENT, encoding="utf-8")
    results = [{"success": i >= 2, "failureReason": 0 if i >= 2 else 1} for i in range(300)]
    doc = {"results": {"version": 3, "results": results, "stats": {"successes": 298}}}
    (tmp_path / "r.json").write_text(json.dumps(doc), encoding="utf-8")
    out = CliRunner().invoke(main, ["evidence", "add", str(path), str(tmp_path / "r.json")])
    assert out.exit_code == 0, out.output
    return path


async def test_evidence_shown_and_typing_over_it_is_said(tmp_path: Path) -> None:
    path = recorded(tmp_path)
    app = open_app(path)
    async with app.run_test(size=(110, 36)) as pilot:
        await continue_from_use_case(pilot)  # complete: the results first
        await pilot.press("escape")  # back to the questions
        await pilot.pause()
        await app.question_screen.go_to("error_rate")
        await pilot.pause()
        text = screen_text(app)
        assert "Measured: 2 wrong of 300 (0.67%; 95% interval 0.18% – 2.4%)" in text
        assert "promptfoo r.json" in text
        await pilot.press(*["backspace"] * 10, *"0.5%")
        await pilot.pause()
        assert "This replaces the measured 0.67%" in screen_text(app)
        assert app.session.answers["error_rate_source"] == "estimated"
        await pilot.press(*["backspace"] * 4, *"0.6667%")
        await pilot.pause()
        assert app.session.answers["error_rate_source"] == "measured"
        assert "This replaces" not in screen_text(app)
        await app.question_screen.go_to("error_cost")
        await pilot.pause()
        assert "Measured:" not in screen_text(app)
    app.session.close()
    saved = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert saved["evidence"][0]["n"] == 300  # the session kept the evidence
