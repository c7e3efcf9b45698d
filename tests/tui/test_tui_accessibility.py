"""Usable without colour, from the keyboard, and on an 80x24 terminal."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_tui_tmux import Tmux
from tui_helpers import (
    PYTHON,
    continue_from_use_case,
    model_ops_case,
    open_app,
    screen_text,
    wait_for,
)

PARTIAL = (
    "version: 1\nuse_case: {name: Refund policy assistant}\n"
    "answers: {task_type: rag, error_cost: high, regulation: none, error_rate: 0.03}\n"
)


async def test_picked_option_and_cursor_show_without_colour(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    path = tmp_path / "a.yaml"
    path.write_text(PARTIAL)
    app = open_app(path)
    async with app.run_test(size=(100, 32)) as pilot:
        assert app.no_color
        await continue_from_use_case(pilot)
        await wait_for(pilot, lambda: app.question_screen.current == "autonomy")
        await wait_for(pilot, lambda: "›( ) Suggestion only" in screen_text(app))
        await pilot.press("down", "down", "space")
        await wait_for(pilot, lambda: "›(•) Only exceptions reach a person" in screen_text(app))
        text = screen_text(app)
        assert "  ( ) Suggestion only" in text and "  ( ) Fully autonomous" in text
        assert "▐●▌" not in text
        # The colours are dropped for the terminal's own (ANSI theme): nothing is painted
        # black on black, as a grey-scale filter would paint ANSI colours.
        from textual.filter import Monochrome, NoColor

        assert any(isinstance(f, NoColor) for f in app._filters)
        assert not any(isinstance(f, Monochrome) for f in app._filters)
    app.session.close()


async def test_ticked_options_show_without_colour(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli
) -> None:  # type: ignore[no-untyped-def]
    path = model_ops_case(cli, tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    app = open_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await continue_from_use_case(pilot)
        await wait_for(pilot, lambda: "›[ ] Canary or shadow deployment" in screen_text(app))
        await pilot.press("space", "down")
        await wait_for(pilot, lambda: " [x] Canary or shadow deployment" in screen_text(app))
        text = screen_text(app)
        assert "›[ ] One-step rollback" in text  # the cursor moved on, to an unticked option
        # A label too long for the line wraps under itself instead of being cut.
        assert "▊      small share of traffic first." in text
        assert "…" not in "\n".join(line for line in text.splitlines() if "▊" in line)
    app.session.close()


async def test_the_option_under_the_cursor_stays_in_view_on_a_short_terminal(
    tmp_path: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    path = model_ops_case(cli, tmp_path)
    app = open_app(path)
    async with app.run_test(size=(80, 14)) as pilot:
        await continue_from_use_case(pilot)
        await wait_for(pilot, lambda: app.question_screen.query("MultiChoiceList"))
        await pilot.press("down", "down", "down")
        await wait_for(pilot, lambda: "›[ ] None of these" in screen_text(app))
        assert "How do you roll out a new model version?" in screen_text(app)
    app.session.close()


async def test_start_is_reached_with_tab_and_pressed_with_enter(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(PARTIAL)
    app = open_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(10):
            if app.focused is not None and app.focused.id == "start":
                break
            await pilot.press("tab")
        assert app.focused is not None and app.focused.id == "start"
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is app.question_screen)
    app.session.close()


async def test_a_dialog_shows_its_keys_in_its_footer(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(PARTIAL)
    app = open_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await continue_from_use_case(pilot)
        await wait_for(pilot, lambda: app.question_screen.current == "autonomy")
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: app.screen.id == "note-modal")
        last = screen_text(app).splitlines()[-1]
        assert "esc Cancel" in last and "^s Keep note" in last
    app.session.close()


async def test_progress_counts_what_can_still_apply(tmp_path: Path) -> None:
    app = open_app(tmp_path / "a.yaml")
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press(*"Count")
        await pilot.press("ctrl+n")
        screen = app.question_screen
        await wait_for(pilot, lambda: screen.current == "task_type")
        before = len(app.session.questions())
        assert f"question 1 · up to {before - 1} more" in screen_text(app)
        # Picking a task type makes the other task types' questions not apply: the count
        # drops then, on the same question, and never to a total that later shrinks.
        await pilot.press("down", "space")
        after = len(app.session.questions())
        assert after < before
        await wait_for(pilot, lambda: f"question 1 · up to {after - 1} more" in screen_text(app))
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: f"question 2 · up to {after - 2} more" in screen_text(app))
        assert " of " not in screen_text(app).splitlines()[1]
    app.session.close()


async def test_panel_hides_to_one_line_and_comes_back(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(PARTIAL)
    app = open_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await continue_from_use_case(pilot)
        await wait_for(pilot, lambda: app.question_screen.current == "autonomy")
        assert "Dimensions" in screen_text(app)
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: "Dimensions" not in screen_text(app))
        text = screen_text(app)
        assert "open: NOT READY to READY  Score" in text
        assert "0 blockers" in text
        # The whole width goes to the question: an option's help is on its line.
        assert "Outputs take effect with no human review." in text
        await pilot.press("down", "down", "down", "space")  # fully autonomous: blockers
        await wait_for(pilot, lambda: "2 blockers" in screen_text(app))
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: "Blockers (2)" in screen_text(app))
    app.session.close()


NO_EXPLICIT_COLOUR = re.compile(r"\x1b\[[0-9;]*?(?:3[0-7]|38;[25];[0-9;]+|4[0-7]|48;[25];[0-9;]+)m")


def test_80x24_without_colour_in_tmux(tmp_path: Path) -> None:
    import shutil

    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed (.ci/setup-tui.sh installs it)")
    (tmp_path / "a.yaml").write_text(PARTIAL)
    tmux = Tmux(tmp_path)
    try:
        tmux.start("t", f"exec env NO_COLOR=1 {PYTHON} -m assessor assess a.yaml", size=(80, 24))
        tmux.wait_for("t", "Continue where you left off")
        tmux.run("send-keys", "-t", "t", "C-n")
        tmux.wait_for("t", "What happens to an output before it takes")
        tmux.run("send-keys", "-t", "t", "Down", "Space")
        tmux.wait_for("t", "›(•) A person approves each one")
        screen = tmux.screen("t")
        lines = screen.splitlines()
        assert "Risk · question 3 · up to" in lines[1]  # the progress, at the top
        assert "What happens to an output" in screen  # the question stays visible
        assert "Blockers (0)" in screen  # the panel beside it
        # Option labels and their help wrap instead of being cut.
        assert "low-confidence ones go to a person." in screen
        assert "…" not in "\n".join(line for line in lines if "▊" in line)
        # Nothing is painted in an explicit colour (black on black is impossible).
        painted = tmux.run("capture-pane", "-p", "-e", "-t", "t")
        assert not NO_EXPLICIT_COLOUR.search(painted), NO_EXPLICIT_COLOUR.findall(painted)[:5]
        tmux.run("send-keys", "-t", "t", "C-f")
        tmux.wait_for("t", "0 blockers")
        assert "What happens to an output before it takes effect?" in tmux.screen("t")
    finally:
        tmux.kill_server()
