"""Answers that contradict each other, in the app: the results screen and the live panel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from tui_helpers import continue_from_use_case, open_app, screen_text, wait_for

from assessor.tui.screens.results import ResultsScreen

# Expert review "yes" while outputs take effect on their own, and an error rate whose source
# is answered as unknown.
ANSWERS: dict[str, Any] = {
    "task_type": "summarization",
    "error_cost": "high",
    "autonomy": "autonomous",
    "regulation": "regulated",
    "expert_review": True,
    "customer_facing": False,
    "error_rate": 0.02,
    "error_rate_source": "unknown",
    "realtime": False,
    "repeat_queries": "rare",
    "evaluation": "offline",
    "task_defined": True,
}


def write_contradictory(path: Path) -> Path:
    doc = {"version": 1, "use_case": {"name": "Claim letters"}, "answers": ANSWERS}
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


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
