"""Nothing the user types is dropped: an invalid answer keeps its text and the focus, numbers
are read as people write them, and the description keeps every line. And the results show
the cost model, saying when the rubric's defaults stand in for the team's figures."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from test_tui_tmux import Tmux
from tui_helpers import (
    PYTHON,
    copy_example,
    fill_use_case,
    open_app,
    screen_text,
    wait_for,
    wait_until,
)

from assessor.tui.widgets.answer import AnswerInput


async def _at_question(pilot, app, qid: str) -> AnswerInput:  # type: ignore[no-untyped-def]
    await pilot.press("ctrl+n")  # complete example: the results
    await pilot.press("escape")  # the questions
    await wait_for(pilot, lambda: app.screen is app.question_screen)
    await app.question_screen.go_to(qid)
    await wait_for(pilot, lambda: app.question_screen.current == qid)
    await wait_for(pilot, lambda: isinstance(app.focused, AnswerInput))
    widget = app.screen.query_one("#answer-widget", AnswerInput)
    assert widget.question.id == qid
    return widget


@pytest.mark.parametrize(
    ("typed", "value"),
    [("5000", 5000), ("5,000", 5000), ("$5,000", 5000), ("5k", 5000), ("1e3", 1000),
     ("€12.50", 12.5), ("3%", 0.03)],
)  # fmt: skip
async def test_numbers_as_people_write_them(tmp_path: Path, typed: str, value: float) -> None:
    path = copy_example("refund-assistant.yaml", tmp_path / "r.yaml")
    app = open_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        widget = await _at_question(pilot, app, "cost_per_error")
        widget.value = ""
        await pilot.press(*typed)
        await pilot.pause()
        assert not widget.has_class("-invalid"), screen_text(app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.question_screen.current != "cost_per_error")
    app.session.close()
    saved = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert saved["answers"]["cost_per_error"] == value


async def test_enter_on_an_invalid_answer_keeps_the_text_and_the_focus(tmp_path: Path) -> None:
    path = copy_example("refund-assistant.yaml", tmp_path / "r.yaml")
    app = open_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        widget = await _at_question(pilot, app, "cost_per_error")
        widget.value = ""
        await pilot.press(*"5 thousand-ish")
        await pilot.pause()
        for key in ("enter", "ctrl+n", "ctrl+o", "pagedown", "ctrl+r"):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is app.question_screen, key
            assert app.question_screen.current == "cost_per_error", key
            assert app.focused is widget and widget.value == "5 thousand-ish", key
        assert "must be a number" in screen_text(app)
        widget.value = "5k"  # corrected: now it is taken and Enter moves on
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.question_screen.current != "cost_per_error")
    app.session.close()
    assert yaml.safe_load(path.read_text("utf-8"))["answers"]["cost_per_error"] == 5000


async def test_a_pasted_multi_line_description_keeps_every_line(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    app = open_app(path)
    text = "Answers refund questions.\nEscalates disputes.\n\nOwned by support."
    async with app.run_test(size=(100, 32)) as pilot:
        await fill_use_case(pilot, "Refunds", description=text, owner="Support")
        await wait_for(pilot, lambda: app.screen is app.question_screen)
    app.session.close()
    saved = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert saved["use_case"]["description"] == text
    assert saved["use_case"]["owner"] == "Support"


def test_invalid_number_in_tmux_stays_on_screen(tmp_path: Path) -> None:
    copy_example("refund-assistant.yaml", tmp_path / "r.yaml")
    tmux = Tmux(tmp_path)
    try:
        tmux.start("t", f"exec {PYTHON} -m assessor assess r.yaml")
        tmux.wait_for("t", "What is being assessed?")
        tmux.run("send-keys", "-t", "t", "C-n")  # complete: the results
        tmux.wait_for("t", "Export report")
        tmux.run("send-keys", "-t", "t", "Escape")
        tmux.wait_for("t", "What does the model do")

        def progress() -> str:
            return next((ln for ln in tmux.screen("t").splitlines() if "· question" in ln), "")

        for _ in range(30):  # Ctrl+N, one question at a time, to the cost per error
            before = progress()
            if "Costs · question" in before:  # the first of them: cost per error
                break
            tmux.run("send-keys", "-t", "t", "C-n")
            wait_until(lambda before=before: progress() not in ("", before))
        tmux.wait_for("t", "Cost of one wrong")
        tmux.wait_for("t", "▊  250 ")  # the answer's field is on screen (and focused)
        tmux.run("send-keys", "-t", "t", "C-u")  # clear the field (Input: delete to start)
        tmux.wait_for("t", "a number")  # its placeholder
        tmux.run("send-keys", "-t", "t", "-l", "$5,000 per error")
        tmux.wait_for("t", "$5,000 per error")
        tmux.run("send-keys", "-t", "t", "Enter")
        tmux.wait_for("t", "Not a valid answer yet")
        screen = tmux.screen("t")
        assert "$5,000 per error" in screen and "Cost of one wrong" in screen
        tmux.run("send-keys", "-t", "t", "BSpace")
        for _ in range(len(" per error") - 1):
            tmux.run("send-keys", "-t", "t", "BSpace")
        tmux.wait_for("t", "$5,000")
        wait_until(lambda: "must be a number" not in tmux.screen("t"))
        tmux.run("send-keys", "-t", "t", "Enter")
        wait_until(lambda: "Cost of one wrong" not in tmux.screen("t"))
        wait_until(
            lambda: (
                yaml.safe_load((tmp_path / "r.yaml").read_text("utf-8"))["answers"].get(
                    "cost_per_error"
                )
                == 5000
            )
        )
    finally:
        tmux.kill_server()


async def test_results_show_the_cost_model_labelled_with_rubric_defaults(tmp_path: Path) -> None:
    from tui_helpers import EXAMPLES

    data = yaml.safe_load((EXAMPLES / "refund-assistant.yaml").read_text("utf-8"))
    for key in ("cost_per_error", "cost_per_review", "volume_per_day"):
        data["answers"].pop(key, None)
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    app = open_app(path)
    async with app.run_test(size=(120, 200)) as pilot:
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: "Cost model" in screen_text(app))
        text = screen_text(app)
        assert "Cost model (per day)" in text
        assert "rubric defaults for cost_per_error, cost_per_review, volume_per_day" in text
    app.session.close()
