"""Nothing is lost: the lock, corrupt files, stray temp files, saves that fail."""

from __future__ import annotations

import json
import os
import resource
import signal
from pathlib import Path

import pytest
import yaml
from tui_helpers import (
    continue_from_use_case,
    copy_example,
    fill_use_case,
    open_app,
    screen_text,
    wait_for,
)

from assessor.app.session import Session, lock_path
from assessor.errors import LockedError


def test_second_session_is_told_the_file_is_locked(tmp_path: Path) -> None:
    path = copy_example("ticket-triage.yaml", tmp_path / "t.yaml")
    first = Session.open(path)
    try:
        with pytest.raises(LockedError) as info:
            Session.open(path)
        assert "t.yaml is locked" in info.value.message
        assert f"pid {os.getpid()}" in info.value.message
    finally:
        first.close()
    assert not lock_path(path).exists()
    Session.open(path).close()  # free again


async def test_app_on_a_locked_file_says_so_and_quits_with_2(tmp_path: Path) -> None:
    path = copy_example("ticket-triage.yaml", tmp_path / "t.yaml")
    holder = Session.open(path)
    try:
        app = open_app(path)
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.pause()
            text = screen_text(app)
            assert "This assessment is locked" in text
            assert "another assessor has it open" in text
            await pilot.press("q")
            await pilot.pause()
        assert app.return_code == 2
    finally:
        holder.close()


async def test_read_only_view_of_a_locked_file_never_writes(tmp_path: Path) -> None:
    path = copy_example("ticket-triage.yaml", tmp_path / "t.yaml")
    before = path.read_bytes()
    holder = Session.open(path)
    try:
        app = open_app(path)
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.press("r")
            await pilot.pause()
            await continue_from_use_case(pilot)
            await pilot.press("escape")  # results -> questions
            await pilot.pause()
            await pilot.press("down", "space")
            await pilot.pause()
            assert "Read-only" in screen_text(app)
        app.session.close()
    finally:
        holder.close()
    assert path.read_bytes() == before


def test_stale_lock_left_by_a_killed_assessor_is_recovered(tmp_path: Path) -> None:
    path = copy_example("ticket-triage.yaml", tmp_path / "t.yaml")
    # What a kill -9'd holder leaves: the lock file with its details, nobody holding it.
    lock_path(path).write_text(json.dumps({"pid": 999999, "host": "gone", "since": "x"}))
    session = Session.open(path)
    try:
        assert any("Recovered a lock" in n.text for n in session.notices)
        assert session.answers["task_type"] == "classification"
    finally:
        session.close()


async def test_corrupt_file_is_set_aside_and_the_app_starts(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    garbage = b"version: 1\nuse_case: {name: [unclosed\n\x00\xff"
    path.write_bytes(garbage)
    app = open_app(path)
    async with app.run_test(size=(100, 32), notifications=True) as pilot:
        await wait_for(pilot, lambda: "could not be read" in screen_text(app))
        assert app.screen is app.use_case_screen
        text = screen_text(app)
        assert "could not be read as an assessment" in text
        assert "a.yaml.corrupt-" in text
        assert path.read_bytes() == garbage  # untouched until something changes
        await fill_use_case(pilot, "Fresh start")
    app.session.close()
    aside = list(tmp_path.glob("a.yaml.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == garbage  # nothing lost
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["use_case"]["name"] == "Fresh start"


def test_invalid_answers_are_set_aside_and_the_rest_recovered(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    text = (
        "version: 1\nuse_case:\n  name: Mixed\nanswers:\n  task_type: rag\n"
        "  error_cost: extreme\n  error_rate: 3%\n  bogus: 1\n"
    )
    path.write_text(text)
    session = Session.open(path)
    try:
        assert session.name == "Mixed"
        assert session.answers == {"task_type": "rag", "error_rate": 0.03}
        notice = next(n.text for n in session.notices if "could not be read" in n.text)
        assert "error_cost" in notice and "bogus" in notice  # every problem, not "and 1 more"
        assert "kept as a.yaml.corrupt-" in notice
        assert path.read_text() == text and not list(tmp_path.glob("a.yaml.corrupt-*"))
        session.set_answer("error_cost", "high")  # the user changes an answer: now it saves
        assert session.save()
    finally:
        session.close()
    (aside,) = tmp_path.glob("a.yaml.corrupt-*")
    assert aside.read_text() == text
    saved = yaml.safe_load(path.read_text())
    assert saved["answers"] == {"task_type": "rag", "error_cost": "high", "error_rate": 0.03}


def test_a_yaml_syntax_error_keeps_every_line_it_can_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    text = (
        "version: 1\nuse_case:\n  name: Discharge summaries\nanswers:\n"
        "  task_type: summarization\n  error_cost: [critical\n  autonomy: human_approves\n"
        "  regulation: regulated\n  expert_review: true\n"
    )
    path.write_text(text)
    session = Session.open(path)
    try:
        assert session.name == "Discharge summaries"
        assert session.answers == {
            "task_type": "summarization", "autonomy": "human_approves",
            "regulation": "regulated", "expert_review": True,
        }  # fmt: skip
        assert any("Recovered 4 answers" in n.text for n in session.notices)
    finally:
        session.close()  # nothing changed: nothing written, nothing moved
    assert path.read_text() == text
    assert not list(tmp_path.glob("a.yaml.corrupt-*"))


def test_empty_answers_and_missing_name_are_open_not_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("version: 1\nuse_case:\n  name: ''\nanswers:\n  task_type:\n  error_rate:\n")
    session = Session.open(path)
    try:
        assert session.name == ""
        assert session.answers == {"error_rate": None}  # null error rate means "unknown"
        assert not list(tmp_path.glob("*.corrupt-*"))
    finally:
        session.close()


def test_stray_temp_files_are_cleaned_never_loaded(tmp_path: Path) -> None:
    path = copy_example("ticket-triage.yaml", tmp_path / "t.yaml")
    stray = tmp_path / ".t.yaml.abc123.tmp"
    stray.write_text("version: 1\nuse_case: {name: WRONG}\nanswers: {}\n")
    session = Session.open(path)
    try:
        assert session.name == "Support ticket triage"
        assert not stray.exists()
        assert any("temporary file" in n.text for n in session.notices)
    finally:
        session.close()


async def test_disk_full_shows_not_saved_and_the_session_keeps_working(tmp_path: Path) -> None:
    """A real write failure: the file-size limit makes the kernel refuse the write (EFBIG)."""
    path = tmp_path / "a.yaml"
    app = open_app(path)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    old_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    async with app.run_test(size=(100, 32), notifications=True) as pilot:
        await fill_use_case(pilot, "Full disk")
        assert path.exists()
        resource.setrlimit(resource.RLIMIT_FSIZE, (100, hard))
        try:
            await pilot.press("down", "space")
            await pilot.pause()
            text = screen_text(app)
            assert "NOT SAVED" in text and "Not saved" in text
            assert app.session.answers["task_type"] == "summarization"  # still working
            await pilot.press("ctrl+n")
            await pilot.press("down", "enter")
            await pilot.pause()
            assert app.session.answers["error_cost"] == "medium"
            assert yaml.safe_load(path.read_text())["answers"] == {}  # old version intact
        finally:
            resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
            signal.signal(signal.SIGXFSZ, old_handler)
        await pilot.press("ctrl+s")  # space again: retry
        await pilot.pause()
        assert "NOT SAVED" not in screen_text(app)
    app.session.close()
    saved = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert saved["answers"] == {"task_type": "summarization", "error_cost": "medium"}


async def test_read_only_file_shows_not_saved(tmp_path: Path) -> None:
    path = copy_example("ticket-triage.yaml", tmp_path / "t.yaml")
    before = path.read_bytes()
    path.chmod(0o444)
    app = open_app(path)
    async with app.run_test(size=(100, 32)) as pilot:
        await continue_from_use_case(pilot)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("down", "space")
        await pilot.pause()
        assert "NOT SAVED: t.yaml is read-only" in screen_text(app)
    app.session.close()
    assert path.read_bytes() == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
async def test_read_only_folder_shows_not_saved(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    path = copy_example("ticket-triage.yaml", folder / "t.yaml")
    folder.chmod(0o555)
    try:
        app = open_app(path)
        async with app.run_test(size=(100, 32)) as pilot:
            await continue_from_use_case(pilot)
            await pilot.press("escape")
            await pilot.pause()
            await pilot.press("down", "space")
            await pilot.pause()
            assert "NOT SAVED" in screen_text(app)
        app.session.close()
    finally:
        folder.chmod(0o755)
