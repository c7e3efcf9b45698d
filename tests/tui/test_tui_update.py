"""From the results of an assessment that sits in a generated project: update the project."""

from __future__ import annotations

from pathlib import Path

import yaml
from tui_helpers import continue_from_use_case, copy_example, open_app, screen_text, wait_for

from assessor.scaffold import render_file
from assessor.tui.screens.results import ResultsScreen
from assessor.tui.screens.update_modal import UpdateModal


async def test_results_offer_to_update_the_generated_project(tmp_path: Path) -> None:
    case = copy_example("refund-assistant.yaml", tmp_path / "r.yaml")
    project = tmp_path / "refund"
    render_file(case, project)
    package = next((project / "src").iterdir())
    assert not (package / "jobs.py").exists()
    # the team learns the use case does not need real-time answers
    followed = project / "assessment.yaml"
    doc = yaml.safe_load(followed.read_text(encoding="utf-8"))
    doc["answers"]["realtime"] = False
    followed.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")

    app = open_app(followed)
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        await continue_from_use_case(pilot)
        assert isinstance(app.screen, ResultsScreen)
        assert "Update project" in screen_text(app)
        # closed while the plan is being made: nothing happens, the app goes on
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, UpdateModal))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ResultsScreen))
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, UpdateModal))

        def planned() -> bool:
            text = screen_text(app)
            return all(part in text for part in ("Ctrl+S updates", "Would update", "jobs.py"))

        await wait_for(pilot, planned, 60)  # the plan is laid out a frame after the status
        assert not (package / "jobs.py").exists()  # the plan wrote nothing
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ResultsScreen), timeout=60)
    app.session.close()
    assert (package / "jobs.py").is_file()
    record = yaml.safe_load((project / ".assessor/project.yaml").read_text(encoding="utf-8"))
    assert record["patterns"]["async_pipeline"] is True


async def test_no_update_offered_outside_a_generated_project(tmp_path: Path) -> None:
    case = copy_example("ticket-triage.yaml", tmp_path / "t.yaml")
    app = open_app(case)
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        await continue_from_use_case(pilot)
        assert "Update project" not in screen_text(app)
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
    app.session.close()
