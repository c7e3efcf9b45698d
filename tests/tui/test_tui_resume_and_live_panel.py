"""Resuming an assessment with every answer in place; the live panel following each answer."""

from __future__ import annotations

from pathlib import Path

import yaml
from tui_helpers import (
    continue_from_use_case,
    copy_example,
    example_data,
    fill_use_case,
    open_app,
    screen_text,
    wait_for,
)

from assessor.tui.screens.results import ResultsScreen
from assessor.tui.widgets.answer import AnswerInput, ChoiceSet
from assessor.tui.widgets.verdict_panel import VerdictPanel
from assessor.views.answers import format_answer


async def test_resume_puts_every_answer_back(tmp_path: Path) -> None:
    path = copy_example("refund-assistant.yaml", tmp_path / "refund.yaml")
    data = example_data("refund-assistant.yaml")
    app = open_app(path)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert app.screen is app.use_case_screen  # the use case first, filled in
        text = screen_text(app)
        assert "Refund policy assistant" in text and "Continue where you left off" in text
        await continue_from_use_case(pilot)
        assert isinstance(app.screen, ResultsScreen)  # complete: straight to the results
        await pilot.press("escape")  # back to the questions
        await pilot.pause()
        screen = app.question_screen
        assert app.screen is screen
        assert "NOT READY" in screen_text(app)
        seen = []
        for q in app.session.questions():
            await screen.go_to(q.id)
            await pilot.pause()
            widget = screen.query_one("#answer-widget")
            seen.append(q.id)
            if isinstance(widget, ChoiceSet):
                expected = data["answers"].get(q.id)
                if expected is None:
                    assert widget.pressed_index == -1, q.id
                else:
                    assert widget.value_at(widget.pressed_index) == expected, q.id
            else:
                assert isinstance(widget, AnswerInput)
                if q.id in data["answers"]:
                    assert widget.value == format_answer(q, data["answers"][q.id]), q.id
                else:
                    assert widget.value == "", q.id
        assert set(data["answers"]) <= set(seen)
        # The use case is back too.
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert app.screen is app.use_case_screen
        text = screen_text(app)
        assert "Refund policy assistant" in text and "Support platform team" in text
    app.session.close()
    # Opening and looking changes nothing on disk but the autosave header.
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["answers"] == data["answers"]


async def test_partial_assessment_resumes_at_first_open_question(tmp_path: Path, cli) -> None:
    path = tmp_path / "a.yaml"
    app = open_app(path)
    async with app.run_test(size=(100, 32)) as pilot:
        await fill_use_case(pilot, "Half done")
        await pilot.press("down", "down", "enter")  # task_type: classification
        await pilot.press("down", "down", "down", "enter")  # error_cost: critical
        await pilot.pause()
    app.session.close()

    # The partial file is an assessment: `assessor score` names what is missing (exit 2).
    result = cli("score", path)
    assert result.exit_code == 2
    for missing in ("answers.autonomy", "answers.regulation", "answers.evaluation"):
        assert missing in result.stderr
    assert "Traceback" not in result.stderr

    app = open_app(path)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await continue_from_use_case(pilot)
        assert app.screen is app.question_screen
        assert app.question_screen.current == "autonomy"
        assert app.session.answers == {"task_type": "classification", "error_cost": "critical"}
    app.session.close()


async def test_live_panel_follows_each_answer_and_never_guesses(tmp_path: Path) -> None:
    app = open_app(tmp_path / "a.yaml")
    async with app.run_test(size=(100, 32)) as pilot:
        await fill_use_case(pilot, "Loans")
        panel = app.screen.query_one("#panel", VerdictPanel)
        text = screen_text(app)
        assert "NO ANSWERS YET" in text
        assert text.count("open") >= 8  # every dimension is open

        await pilot.press(*["down"] * 5, "enter")  # agentic_workflow
        await pilot.press(*["down"] * 3, "enter")  # error_cost critical
        await pilot.pause()
        assert panel.result.provisional and panel.bounds.determined is None
        text = screen_text(app)
        assert "open: NOT READY to READY" in text  # the range, never one optimistic verdict
        assert "Consequential decisions" not in text  # autonomy is open: no guess

        await pilot.press(*["down"] * 3, "space")  # autonomy: autonomous (picked, stays)
        await pilot.pause()
        assert panel.result.verdict == "not_ready"
        text = screen_text(app)
        assert "NOT READY" in text and "Consequential decisions" in text
        assert "Blockers (1)" in text

        await pilot.press("up", "up", "space")  # autonomy: human_approves
        await pilot.pause()
        text = screen_text(app)
        assert "Consequential decisions" not in text
        assert "Blockers (0)" in text
        assert app.session.answers["autonomy"] == "human_approves"
    app.session.close()


async def test_clear_and_note(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    app = open_app(path)
    async with app.run_test(size=(100, 32)) as pilot:
        await fill_use_case(pilot, "Notes")
        await pilot.press("down", "space")  # summarization, stay
        await pilot.press("ctrl+t")
        await pilot.pause()
        await pilot.press(*"Asked the team")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Note: Asked the team" in screen_text(app)
        assert app.session.notes == {"task_type": "Asked the team"}
        # Ctrl+L (a terminal's "redraw" habit) no longer clears anything.
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert app.session.answers["task_type"] == "summarization"
        # Delete on the options clears the pick, and Ctrl+Z brings it back.
        await pilot.press("delete")
        await wait_for(pilot, lambda: "task_type" not in app.session.answers)
        await wait_for(pilot, lambda: "(•)" not in screen_text(app))
        await pilot.press("ctrl+z")
        await wait_for(pilot, lambda: app.session.answers.get("task_type") == "summarization")
        await wait_for(pilot, lambda: "›(•) Summarization" in screen_text(app))
        assert "task_type: summarization" in path.read_text(encoding="utf-8")
        # Undo goes back one change at a time: before the pick, the question was open.
        await pilot.press("ctrl+z")
        await wait_for(pilot, lambda: "task_type" not in app.session.answers)
        await pilot.press("ctrl+z")  # nothing left to undo
        await pilot.pause()
        assert "task_type" not in app.session.answers
    app.session.close()
    saved = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert saved["answers"] == {}
    assert saved["notes"] == {"task_type": "Asked the team"}


async def test_command_palette_has_an_entry_per_action(tmp_path: Path) -> None:
    app = open_app(tmp_path / "a.yaml")
    async with app.run_test(size=(100, 32)) as pilot:
        await fill_use_case(pilot, "Palette")
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for action in ("Next", "Back", "Results", "Note", "Clear", "Undo", "Panel", "Use case",
                       "Save now", "Quit"):  # fmt: skip
            assert action in titles
        assert any(t.startswith("Go to: How is output quality evaluated") for t in titles)
        # Every binding shown in the footer has an id (keymaps and the palette use it).
        for active in app.screen.active_bindings.values():
            if active.binding.show:
                assert active.binding.id, active.binding
        # The palette runs the action: go to the results through it.
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Results")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
    app.session.close()


async def test_mouse_works(tmp_path: Path) -> None:
    app = open_app(tmp_path / "a.yaml")
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press(*"Mouse")
        await pilot.click("#start")
        await pilot.pause()
        assert app.screen is app.question_screen
        widget = app.screen.query_one("#answer-widget", ChoiceSet)
        buttons = list(widget.query("RadioButton"))
        await pilot.click(buttons[3])
        await pilot.pause()
        assert app.session.answers["task_type"] == "extraction"
    app.session.close()


async def test_readable_at_80x24(tmp_path: Path) -> None:
    path = copy_example("claims-summaries.yaml", tmp_path / "claims.yaml")
    app = open_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await continue_from_use_case(pilot)
        await pilot.press("escape")
        await pilot.pause()
        text = screen_text(app)
        lines = text.splitlines()
        assert len(lines) == 24 and all(len(line) <= 80 for line in lines)
        # Question, verdict, footer keys all visible at once.
        assert "CONDITIONAL" in text and "Next" in text and "Results" in text
        assert "Dimensions" in text
    app.session.close()
