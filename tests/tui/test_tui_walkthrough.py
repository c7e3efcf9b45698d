"""A team walks through a use case with the keyboard and ends at each verdict."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from tui_helpers import answer_questions, example_data, fill_use_case, open_app, screen_text

from assessor.domain.load import load_assessment
from assessor.tui.screens.results import ResultsScreen

CASES = [
    ("ticket-triage.yaml", "ready", "READY"),
    ("claims-summaries.yaml", "conditional", "CONDITIONAL"),
    ("refund-assistant.yaml", "not_ready", "NOT READY"),
]


@pytest.mark.parametrize(("example", "verdict", "words"), CASES)
async def test_walkthrough_ends_in_verdict(
    tmp_path: Path, cli, example: str, verdict: str, words: str
) -> None:
    data = example_data(example)
    uc = data["use_case"]
    path = tmp_path / "assessment.yaml"
    app = open_app(path)
    async with app.run_test(size=(100, 32)) as pilot:
        assert app.focused is not None and app.focused.id == "name"
        await fill_use_case(pilot, uc["name"], uc.get("description", ""), uc.get("owner", ""))
        await answer_questions(pilot, data["answers"], data.get("notes"))
        assert isinstance(app.screen, ResultsScreen)
        text = screen_text(app)
        assert uc["name"] in text
        assert words in text
        assert "provisional" not in text
        if verdict != "ready":
            first = app.screen.result.blockers or app.screen.result.conditions
            assert first[0].title in text
    app.session.close()

    # Everything answered is in the file, which is a complete, valid assessment.
    saved = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert saved["use_case"]["name"] == uc["name"]
    assert saved["answers"] == data["answers"]
    assert saved.get("notes", {}) == data.get("notes", {})
    loaded = load_assessment(path)
    assert loaded.answers == data["answers"]
    result = cli("score", path, "--format", "json")
    assert result.exit_code == 0, result.output
    assert f'"verdict": "{verdict}"' in result.stdout


async def test_results_show_reasons_fixes_guide_improvements_costs_patterns(
    tmp_path: Path,
) -> None:
    from tui_helpers import continue_from_use_case, copy_example

    path = copy_example("refund-assistant.yaml", tmp_path / "refund.yaml")
    app = open_app(path)
    async with app.run_test(size=(120, 200)) as pilot:
        await pilot.pause()
        await continue_from_use_case(pilot)
        assert isinstance(app.screen, ResultsScreen)  # complete: continuing shows the results
        text = screen_text(app)
        result = app.screen.result
        for finding in result.blockers + result.conditions:
            assert finding.title in text
        assert "Why:" in text and "Fix:" in text and "Guide:" in text
        assert "What would raise the verdict" in text
        assert result.to_improve and result.to_improve[0].summary.split(":")[0] in text
        assert "Cost model" in text and "per day" in text
        assert "Recommended patterns" in text
        assert "confidence_threshold=" in text
        for pattern in result.patterns:
            assert f"[{pattern.id}]" in text
    app.session.close()


async def test_questions_that_do_not_apply_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    app = open_app(path)
    async with app.run_test(size=(100, 32)) as pilot:
        await fill_use_case(pilot, "Triage")
        seen: list[str] = []
        answers = {"task_type": "classification"}
        screen = app.question_screen
        await answer_questions(pilot, answers, stop_before="error_cost")
        for _ in range(40):
            if app.screen is not screen:
                break
            seen.append(screen.current)
            await pilot.press("ctrl+n")
            await pilot.pause()
    app.session.close()
    assert "input_quality" in seen and "targets_defined" in seen
    assert "retrieval_tuned" not in seen and "document_quality" not in seen
    assert "code_deployment" not in seen and "task_defined" not in seen


async def test_fraction_accepts_percent_or_fraction_and_rejects_nonsense(tmp_path: Path) -> None:
    from assessor.tui.widgets.answer import AnswerInput

    path = tmp_path / "a.yaml"
    app = open_app(path)
    async with app.run_test(size=(100, 32)) as pilot:
        await fill_use_case(pilot, "Rates")
        await answer_questions(pilot, {"task_type": "rag"}, stop_before="error_cost")
        await app.question_screen.go_to("error_rate")
        await pilot.pause()
        widget = app.screen.query_one("#answer-widget", AnswerInput)
        assert app.focused is widget
        await pilot.press(*"3%")
        await pilot.pause()
        assert app.session.answers["error_rate"] == pytest.approx(0.03)
        await pilot.press(*["backspace"] * 2, *"0.002")
        await pilot.pause()
        assert app.session.answers["error_rate"] == pytest.approx(0.002)
        await pilot.press(*["backspace"] * 5, *"150%")
        await pilot.pause()
        assert "at most 1" in screen_text(app)
        assert widget.has_class("-invalid")
        assert "error_rate" not in app.session.answers  # an invalid answer stays open
        assert "error_rate" not in path.read_text(encoding="utf-8")
        await pilot.press(*["backspace"] * 4, *"unknown")
        await pilot.pause()
        assert app.session.answers["error_rate"] is None
    app.session.close()
    assert "error_rate: null" in path.read_text(encoding="utf-8")


async def test_name_is_required_before_the_questions(tmp_path: Path) -> None:
    app = open_app(tmp_path / "a.yaml")
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert "Give the use case a name first." in screen_text(app)
        assert app.screen is app.use_case_screen
    app.session.close()


async def test_rubric_from_a_file(tmp_path: Path, cli) -> None:
    from assessor.resources import rubrics_dir

    text = (rubrics_dir() / "production-readiness.yaml").read_text(encoding="utf-8")
    text = text.replace("id: production-readiness", "id: custom-readiness", 1)
    text = text.replace(
        "title: Production readiness of an AI integration", "title: Our own readiness", 1
    )
    rubric = tmp_path / "rubrics" / "custom.yaml"
    rubric.parent.mkdir()
    rubric.write_text(text, encoding="utf-8")
    path = tmp_path / "a.yaml"
    app = open_app(path)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press(*"Custom", "tab", "tab", "tab")  # name, description, owner, rubric
        await pilot.press("down", "space")  # "A rubric file…"
        await pilot.pause()
        assert app.focused is not None and app.focused.id == "rubric-path"
        await pilot.press(*"/nope/missing.yaml", "enter")
        await pilot.pause()
        assert "Cannot use this rubric" in screen_text(app)
        assert app.screen is app.use_case_screen
        app.focused.value = ""  # type: ignore[union-attr]
        await pilot.press(*str(rubric), "enter")
        await pilot.pause()
        assert app.screen is app.question_screen
        assert app.session.rubric.id == "custom-readiness"
    app.session.close()
    saved = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert saved["rubric"] == "rubrics/custom.yaml"  # relative to the assessment file
    result = cli("score", path)
    assert result.exit_code == 2 and "custom-readiness" in result.stderr  # partial: names it
