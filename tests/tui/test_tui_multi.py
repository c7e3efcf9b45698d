"""Multi questions in the interactive assessment: checkboxes, with "none of these" exclusive."""

from __future__ import annotations

from pathlib import Path

import yaml
from tui_helpers import continue_from_use_case, model_ops_case, open_app, screen_text, wait_for


async def test_multi_question_is_ticked_with_space_and_saved_as_a_list(tmp_path: Path, cli) -> None:
    path = model_ops_case(cli, tmp_path)
    app = open_app(path)
    async with app.run_test(size=(110, 36)) as pilot:
        await continue_from_use_case(pilot)
        await wait_for(
            pilot, lambda: "How do you roll out a new model version?" in screen_text(app)
        )
        assert "Canary or shadow deployment" in screen_text(app)
        await pilot.press("space")  # canary
        await pilot.press("down", "space")  # rollback
        await wait_for(
            pilot, lambda: app.session.answers.get("rel01") == ["REL01_canary", "REL01_rollback"]
        )
        await pilot.press("down", "down", "space")  # none of these clears the others
        await wait_for(pilot, lambda: app.session.answers.get("rel01") == ["REL01_no"])
        await pilot.press("up", "space")  # a practice clears "none of these"
        await wait_for(pilot, lambda: app.session.answers.get("rel01") == ["REL01_tests"])
        await pilot.press("enter")  # on to the next question
        await wait_for(pilot, lambda: "How do you detect model drift?" in screen_text(app))
        app.flush_pending()
    app.session.close()
    saved = yaml.safe_load(path.read_text())
    assert saved["answers"] == {"rel01": ["REL01_tests"]}
