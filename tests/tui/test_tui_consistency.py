"""Answers that contradict each other, in the app: the results screen and the live panel."""

from __future__ import annotations

from pathlib import Path

from tui_helpers import (
    continue_from_use_case,
    open_app,
    screen_text,
    wait_for,
    write_contradictory,
)

from assessor.tui.screens.results import ResultsScreen


async def test_results_and_live_panel_show_contradictions(tmp_path: Path) -> None:
    app = open_app(write_contradictory(tmp_path / "case.yaml"))
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await continue_from_use_case(pilot)
        await wait_for(pilot, lambda: isinstance(app.screen, ResultsScreen))
        text = screen_text(app)
        assert "Answers that contradict each other" in text
        assert "Expert review, yet outputs take effect unreviewed" in text
        await pilot.press("escape")  # back to the questions, with the live panel
        await wait_for(pilot, lambda: app.screen is app.question_screen)
        await wait_for(pilot, lambda: "Contradictions (2)" in screen_text(app))
        assert "! Expert review, yet" in screen_text(app)
    app.session.close()
