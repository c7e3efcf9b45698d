"""An assessment file edited outside the app is never saved over: the app asks, and keeps
the other version next to the file whichever the user chooses."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from tui_helpers import continue_from_use_case, open_app, screen_text, wait_for

PARTIAL = (
    "version: 1\nuse_case: {name: Refund policy assistant}\n"
    "answers: {task_type: rag, error_cost: high, regulation: none, error_rate: 0.03}\n"
)
OUTSIDE = (
    b"# edited by hand\nversion: 1\nuse_case: {name: Edited elsewhere}\n"
    b"answers: {task_type: rag, error_cost: low, regulation: none, error_rate: 0.01}\n"
)


def write_outside(path: Path, data: bytes) -> None:
    """Write the file as an editor or git does: a new file renamed over the old one."""
    tmp = path.with_name("editor-tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def notifications(app) -> str:  # type: ignore[no-untyped-def]
    """The messages the app has shown as notifications (toasts wrap across lines)."""
    return "\n".join(n.message for n in app._notifications)


def side_copies(path: Path, kind: str) -> list[Path]:
    return sorted(path.parent.glob(f"{path.name}.{kind}-*"))


async def start_on_autonomy(pilot, path: Path) -> None:  # type: ignore[no-untyped-def]
    """Resume the file and pick "A person approves each one" (saved at once)."""
    await continue_from_use_case(pilot)
    app = pilot.app
    await wait_for(pilot, lambda: app.question_screen.current == "autonomy")
    await pilot.press("down", "space")
    await wait_for(pilot, lambda: "human_approves" in path.read_text("utf-8"))


async def pick_after_outside_edit(pilot, path: Path) -> None:  # type: ignore[no-untyped-def]
    """Edit the file from outside, then pick another answer: the autosave finds the edit.
    (These apps look for outside edits only when saving; the periodic look has its test.)"""
    write_outside(path, OUTSIDE)
    await pilot.press("down", "space")  # "Only exceptions reach a person"
    await wait_for(pilot, lambda: pilot.app.screen.id == "outside-modal")
    await wait_for(pilot, lambda: pilot.app.screen.armed)  # keys work after a moment


def app_for(path: Path):  # type: ignore[no-untyped-def]
    return open_app(path, outside_check_every=3600)


async def test_outside_edit_is_not_overwritten_and_reload_keeps_mine_aside(tmp_path: Path) -> None:
    path = tmp_path / "assessment.yaml"
    path.write_text(PARTIAL)
    app = app_for(path)
    async with app.run_test(size=(100, 32)) as pilot:
        await start_on_autonomy(pilot, path)
        await pick_after_outside_edit(pilot, path)
        assert path.read_bytes() == OUTSIDE  # not saved over
        text = screen_text(app)
        assert "assessment.yaml was changed outside this app" in text
        assert "Nothing is saved over it until you choose" in text
        assert "kept in assessment.yaml.mine-<time>" in text
        assert "kept in assessment.yaml.outside-<time>" in text
        # The modal's keys are in its footer.
        assert "r Reload from disk" in text and "k Keep mine" in text
        await pilot.press("r")
        await wait_for(pilot, lambda: app.screen is app.question_screen)
        assert path.read_bytes() == OUTSIDE
        (mine,) = side_copies(path, "mine")
        kept = yaml.safe_load(mine.read_text("utf-8"))
        assert kept["use_case"]["name"] == "Refund policy assistant"
        assert kept["answers"]["autonomy"] == "human_on_exceptions"
        assert kept["answers"]["error_cost"] == "high"
        assert f"your previous answers are kept in {mine.name}" in notifications(app)
        assert app.session.answers["error_cost"] == "low"
        assert "autonomy" not in app.session.answers
        # The screen shows the reloaded answers: autonomy is open again.
        await wait_for(pilot, lambda: "(•)" not in screen_text(app))
        assert "Edited elsewhere" in app.use_case_screen.query_one("#name").value
        # Saving goes on from the reloaded version.
        await pilot.press("down", "space")
        await wait_for(pilot, lambda: "autonomy" in path.read_text("utf-8"))
        saved = yaml.safe_load(path.read_text("utf-8"))
        assert saved["use_case"]["name"] == "Edited elsewhere"
        assert saved["answers"]["error_cost"] == "low"
    app.session.close()
    assert side_copies(path, "outside") == []


async def test_keep_mine_saves_after_keeping_the_outside_version(tmp_path: Path) -> None:
    path = tmp_path / "assessment.yaml"
    path.write_text(PARTIAL)
    app = app_for(path)
    async with app.run_test(size=(100, 32)) as pilot:
        await start_on_autonomy(pilot, path)
        await pick_after_outside_edit(pilot, path)
        await pilot.press("k")
        await wait_for(pilot, lambda: "human_on_exceptions" in path.read_text("utf-8"))
        (outside,) = side_copies(path, "outside")
        assert outside.read_bytes() == OUTSIDE
        saved = yaml.safe_load(path.read_text("utf-8"))
        assert saved["use_case"]["name"] == "Refund policy assistant"
        assert saved["answers"]["error_cost"] == "high"
        assert saved["answers"]["autonomy"] == "human_on_exceptions"
        assert f"the outside version is kept in {outside.name}" in notifications(app)
        # Autosave is back on.
        await pilot.press("down", "space")
        await wait_for(pilot, lambda: "autonomous\n" in path.read_text("utf-8"))
    app.session.close()
    assert side_copies(path, "mine") == []


async def test_same_content_written_from_outside_does_not_ask(tmp_path: Path) -> None:
    path = tmp_path / "assessment.yaml"
    path.write_text(PARTIAL)
    app = app_for(path)
    async with app.run_test(size=(100, 32)) as pilot:
        await start_on_autonomy(pilot, path)
        write_outside(path, path.read_bytes())  # new inode and mtime, same bytes
        app.check_outside()
        await pilot.press("down", "space")
        await wait_for(pilot, lambda: "human_on_exceptions" in path.read_text("utf-8"))
        assert app.screen is app.question_screen
        assert "changed outside" not in screen_text(app)
        assert "changed by another program" not in notifications(app)
    app.session.close()
    assert side_copies(path, "mine") == [] and side_copies(path, "outside") == []


async def test_outside_edit_is_noticed_without_a_keypress(tmp_path: Path) -> None:
    path = tmp_path / "assessment.yaml"
    path.write_text(PARTIAL)
    app = open_app(path, outside_check_every=0.2)
    async with app.run_test(size=(100, 32)) as pilot:
        await start_on_autonomy(pilot, path)
        write_outside(path, OUTSIDE)
        await wait_for(pilot, lambda: app.screen.id == "outside-modal")  # the periodic look
        assert path.read_bytes() == OUTSIDE


async def test_deciding_later_and_quitting_keeps_both_versions(tmp_path: Path) -> None:
    path = tmp_path / "assessment.yaml"
    path.write_text(PARTIAL)
    app = app_for(path)
    async with app.run_test(size=(100, 32)) as pilot:
        await start_on_autonomy(pilot, path)
        await pick_after_outside_edit(pilot, path)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.question_screen)
        assert "NOT SAVED: assessment.yaml was changed by another program" in screen_text(app)
        await pilot.press("down", "space")  # still not saved over, and not asked again
        await wait_for(pilot, lambda: app.session.answers.get("autonomy") == "autonomous")
        app.save_now()
        await pilot.pause()
        assert path.read_bytes() == OUTSIDE
        assert app.screen is app.question_screen
        await pilot.press("ctrl+q")
    app.session.close()
    assert path.read_bytes() == OUTSIDE
    (mine,) = side_copies(path, "mine")
    assert yaml.safe_load(mine.read_text("utf-8"))["answers"]["autonomy"] == "autonomous"
    assert f"your answers are kept in {mine.name}" in (app.session.save_error or "")


def test_an_outside_version_that_cannot_be_read_is_kept_not_loaded(tmp_path: Path) -> None:
    from assessor.app.session import Session

    path = tmp_path / "assessment.yaml"
    path.write_text(PARTIAL)
    session = Session.open(path)
    try:
        session.set_answer("autonomy", "suggest")
        assert session.save()
        broken = b"version: 1\nanswers: {autonomy: [unclosed\n"
        write_outside(path, broken)
        session.set_answer("autonomy", "autonomous")
        assert not session.save()
        assert path.read_bytes() == broken
        notice = session.resolve_outside("reload")
        assert notice.severity == "error"
        assert notice.text.startswith("Could not reload assessment.yaml: ")
        assert "Nothing was changed" in notice.text
        assert session.answers["autonomy"] == "autonomous"
        assert path.read_bytes() == broken and side_copies(path, "mine") == []
        notice = session.resolve_outside("keep")
        (outside,) = side_copies(path, "outside")
        assert outside.read_bytes() == broken
        assert notice.text == (
            f"Saved your answers to assessment.yaml; the outside version is kept in {outside.name}."
        )
        assert yaml.safe_load(path.read_text("utf-8"))["answers"]["autonomy"] == "autonomous"
    finally:
        session.close()


def test_keeping_mine_after_the_file_was_removed_saves_it_again(tmp_path: Path) -> None:
    from assessor.app.session import Session

    path = tmp_path / "assessment.yaml"
    path.write_text(PARTIAL)
    session = Session.open(path)
    try:
        write_outside(path, OUTSIDE)
        session.set_answer("autonomy", "suggest")
        assert not session.save() and session.outside is not None
        path.unlink()  # removed before the user chose
        notice = session.resolve_outside("keep")
        assert notice.severity == "information", notice.text
        assert yaml.safe_load(path.read_text("utf-8"))["answers"]["autonomy"] == "suggest"
        assert side_copies(path, "outside") == []
    finally:
        session.close()


def test_an_outside_file_too_large_to_compare_is_never_saved_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assessor.app.session import Session, session

    monkeypatch.setattr(session, "OUTSIDE_READ_LIMIT", 1024)  # instead of writing 64 MB
    path = tmp_path / "assessment.yaml"
    path.write_text(PARTIAL)
    big = OUTSIDE + b"# " + b"x" * 2048 + b"\n"
    s = Session.open(path)
    try:
        write_outside(path, big)
        s.set_answer("autonomy", "suggest")
        assert not s.save() and s.outside is not None
        notice = s.resolve_outside("keep")  # it cannot be kept aside, so it is not replaced
        assert notice.severity == "error", notice.text
        assert path.read_bytes() == big
    finally:
        s.close()
    assert path.read_bytes() == big
    (mine,) = side_copies(path, "mine")
    assert yaml.safe_load(mine.read_text("utf-8"))["answers"]["autonomy"] == "suggest"
