"""From the results: export a report and generate the starter project, each in a modal."""

from __future__ import annotations

import json
from pathlib import Path

from tui_helpers import continue_from_use_case, copy_example, open_app, screen_text, wait_for

from assessor.tui.screens.modals import ExportModal, ScaffoldModal
from assessor.tui.screens.results import ResultsScreen


async def _export(pilot, app, fmt_index: int, out: Path) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("e")
    await pilot.pause()
    assert isinstance(app.screen, ExportModal)
    destination = app.screen.query_one("#destination")
    destination.value = ""
    destination.insert_text_at_cursor(str(out))  # pasted: long temporary paths
    if fmt_index:
        await pilot.press("shift+tab")  # to the format radio set
        await pilot.press(*["down"] * fmt_index, "space")
    await pilot.press("ctrl+s")


async def test_export_markdown_and_json(tmp_path: Path) -> None:
    path = copy_example("refund-assistant.yaml", tmp_path / "refund.yaml")
    app = open_app(path)
    md, js = tmp_path / "out" / "r.md", tmp_path / "r.json"
    (tmp_path / "out").mkdir()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await continue_from_use_case(pilot)
        assert isinstance(app.screen, ResultsScreen)
        await _export(pilot, app, 0, md)
        await wait_for(pilot, lambda: isinstance(app.screen, ResultsScreen))
        json_index = ExportModal(app.session).formats.index("json")
        await _export(pilot, app, json_index, js)
        await wait_for(pilot, lambda: isinstance(app.screen, ResultsScreen))
    app.session.close()
    text = md.read_text(encoding="utf-8")
    assert "Refund policy assistant" in text
    assert "autonomous-consequential" in text or "Consequential decisions" in text
    data = json.loads(js.read_text(encoding="utf-8"))
    flat = json.dumps(data)
    assert "not_ready" in flat and "Refund policy assistant" in flat


async def test_export_refuses_to_overwrite_unless_asked(tmp_path: Path) -> None:
    path = copy_example("ticket-triage.yaml", tmp_path / "t.yaml")
    out = tmp_path / "t.md"
    out.write_text("mine")
    app = open_app(path)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await continue_from_use_case(pilot)
        await _export(pilot, app, 0, out)
        await wait_for(pilot, lambda: "exists" in screen_text(app))
        assert isinstance(app.screen, ExportModal)
        assert out.read_text() == "mine"
        app.screen.query_one("#force").value = True
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ResultsScreen))
    app.session.close()
    assert "Support ticket triage" in out.read_text(encoding="utf-8")


async def test_export_of_an_incomplete_assessment_says_what_is_missing(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("version: 1\nuse_case: {name: Half}\nanswers: {task_type: rag}\n")
    app = open_app(path)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await continue_from_use_case(pilot)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert "Provisional" in screen_text(app)
        await pilot.press("e")
        await pilot.pause()
        assert "Answer the open questions first" in screen_text(app)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ExportModal)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
    app.session.close()
    assert not list(tmp_path.glob("*-report.*"))


async def test_scaffold_modal_generates_the_project(tmp_path: Path) -> None:
    path = copy_example("ticket-triage.yaml", tmp_path / "t.yaml")
    out = tmp_path / "triage-service"
    app = open_app(path)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await continue_from_use_case(pilot)
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, ScaffoldModal)
        text = screen_text(app)
        assert "Async pipeline" in text and "recommended" in text
        app.screen.query_one("#destination").value = str(out)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ResultsScreen), timeout=120)
    app.session.close()
    assert (out / "README.md").is_file()
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert any(f.endswith(".py") for f in files)
    assert "pyproject.toml" in files


async def test_scaffold_into_a_non_empty_folder_is_refused(tmp_path: Path) -> None:
    path = copy_example("ticket-triage.yaml", tmp_path / "t.yaml")
    out = tmp_path / "busy"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    app = open_app(path)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await continue_from_use_case(pilot)
        await pilot.press("g")
        await pilot.pause()
        app.screen.query_one("#destination").value = str(out)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "is not empty" in screen_text(app))
        assert isinstance(app.screen, ScaffoldModal)
    app.session.close()
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]
