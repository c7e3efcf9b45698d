"""Rich markup in a rubric or a use-case name is shown as written on every surface.

A custom rubric puts ``[/]``, ``[bold]`` and ``[link=x]`` in front of every text a user sees
(titles, prompts, help, option labels, rule titles, reasons, fixes and guide sentences,
dimension titles and levels, pattern titles and reasons), and in the use-case name. Each
surface must show the text literally and not crash: ``assessor score`` (text), the app's
live panel and results screen, the plain wizard and the reports.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from test_tui_wizard import DOWN, ENTER, QUIT, run
from tui_helpers import REPO, example_data, open_app, screen_text, wait_for

from assessor.app.session import Session

MARK = "[/] [bold]b [link=x]l"
TOKENS = ("[/]", "[bold]b", "[link=x]l")


def _marked(text: Any) -> str:
    return f"{MARK} {text}"


def hostile_rubric(folder: Path) -> Path:
    data = yaml.safe_load((REPO / "rubrics" / "production-readiness.yaml").read_text())
    data["title"] = _marked(data["title"])
    for q in data["questions"]:
        for key in ("prompt", "help", "label"):
            if q.get(key):
                q[key] = _marked(q[key])
        for option in q.get("options", []):
            option["label"] = _marked(option["label"])
            if option.get("help"):
                option["help"] = _marked(option["help"])
    for d in data["dimensions"]:
        d["title"] = _marked(d["title"])
        for case in d.get("cases", []):
            case["level"] = _marked(case["level"])
    for r in data["rules"]:
        for key in ("title", "reason", "fix", "guide"):
            r[key] = _marked(r[key])
    for p in data["patterns"]:
        for key in ("title", "reason"):
            p[key] = _marked(p[key])
    path = folder / "hostile.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def hostile_assessment(folder: Path, example: str = "loan-agent.yaml") -> Path:
    data = example_data(example)
    data["rubric"] = str(hostile_rubric(folder))
    data["use_case"]["name"] = _marked("Loan agent")
    path = folder / "case.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def shows_literally(text: str) -> None:
    for token in TOKENS:
        assert token in text, token
    assert f"{MARK} Loan agent" in text


def test_score_text(cli: Any, tmp_path: Path) -> None:
    result = cli("score", hostile_assessment(tmp_path))
    assert result.exit_code == 0, result.output
    shows_literally(result.stdout)
    assert f"{MARK} Regulated domain without expert review" in result.stdout
    assert f"Why: {MARK} The domain is regulated" in result.stdout


def test_rubric_show(cli: Any, tmp_path: Path) -> None:
    result = cli("rubric", "show", hostile_rubric(tmp_path))
    assert result.exit_code == 0, result.output
    assert f"{MARK} Production readiness" in result.stdout


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_reports(cli: Any, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"report.{fmt}"
    result = cli("report", hostile_assessment(tmp_path), "--format", fmt, "-o", out)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    if fmt == "md":  # Markdown escapes brackets; unescaped it reads as written
        text = text.replace("\\[", "[").replace("\\]", "]")
    for token in TOKENS:
        assert token in text, token


async def test_app_live_panel_and_results(tmp_path: Path) -> None:
    from assessor.tui.screens.results import ResultsScreen

    app = open_app(hostile_assessment(tmp_path))
    async with app.run_test(size=(160, 120)) as pilot:
        await pilot.pause()
        shows_literally(screen_text(app))  # the use-case screen
        await pilot.press("ctrl+n")  # complete: straight to the results
        await wait_for(pilot, lambda: isinstance(app.screen, ResultsScreen))
        text = screen_text(app)
        shows_literally(text)
        assert f"Fix: {MARK} Have a qualified expert" in text
        await pilot.press("escape")  # back to the questions: the live panel
        await wait_for(pilot, lambda: app.screen is app.question_screen)
        text = screen_text(app)
        assert f"{MARK} Cos" in text  # a dimension title in the panel (cut to fit)
        # A blocker title in the panel, wrapped under its bullet (not cut).
        assert f"• {MARK}" in text
        assert "▏   Regulated domain without" in text and "expert review" in text
        assert f"{MARK} What does" in text  # the question's prompt
    app.session.close()


def test_plain_wizard(tmp_path: Path) -> None:
    path = hostile_assessment(tmp_path)
    session = Session.open(path)
    # keep name, description, owner, the rubric file; continue from the results
    keys = [ENTER, ENTER, ENTER, ENTER, ENTER, DOWN + ENTER, QUIT]
    try:
        code, shown = run(session, keys)
    finally:
        session.close()
    assert code == 0, shown
    shows_literally(shown)
    assert f"{MARK} Regulated domain without expert review" in shown
