"""The interactive assessment started on a device or a FIFO refuses at once (exit 2, a clear
message) instead of reading forever or hanging."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tui_helpers import PtyProcess


@pytest.mark.parametrize("kind", ["dev-zero", "fifo"])
def test_the_app_refuses_a_device_or_fifo(tmp_path: Path, kind: str) -> None:
    target = tmp_path / "assessment.yaml"
    if kind == "fifo":
        os.mkfifo(target)
        expected = "assessment.yaml: is a FIFO, not a regular file; refusing to read it"
    else:
        target.symlink_to("/dev/zero")
        expected = "assessment.yaml: is a device, not a regular file; refusing to read it"
    app = PtyProcess(["assess", "assessment.yaml"], cwd=tmp_path)
    try:
        assert app.wait(timeout=60) == 2
        assert expected in app.text()
        assert "Traceback" not in app.text()
    finally:
        app.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["assessment.yaml"]


def test_the_session_refuses_a_symlink_to_dev_zero(tmp_path: Path) -> None:
    from assessor.app.session import Session
    from assessor.errors import InputError

    target = tmp_path / "assessment.yaml"
    target.symlink_to("/dev/zero")
    for defer in (True, False):
        with pytest.raises(InputError, match="is a device, not a regular file"):
            Session.open(target, if_locked="readonly", defer=defer)


async def test_a_400_digit_number_in_the_file_is_set_aside_not_a_crash(tmp_path: Path) -> None:
    from tui_helpers import screen_text, wait_for

    from assessor.app.session import Session
    from assessor.tui.app import make_app

    path = tmp_path / "a.yaml"
    text = (
        "version: 1\nuse_case: {name: Kept}\n"
        f"answers: {{task_type: rag, cost_per_error: 1{'0' * 400}}}\n"
    )
    path.write_text(text)
    session = Session.open(path, defer=True)
    app = make_app(session, save_delay=0)
    async with app.run_test(size=(100, 32), notifications=True) as pilot:
        await wait_for(pilot, lambda: "number out of range" in screen_text(app))
        assert session.name == "Kept" and session.answers == {"task_type": "rag"}
        await pilot.press("ctrl+n")  # on to the questions: no crash
        await pilot.pause()
        assert app.screen is app.question_screen
        assert path.read_text() == text  # untouched until the user changes something
        session.set_answer("error_cost", "high")
        assert session.save()
    session.close()
    (aside,) = tmp_path.glob("a.yaml.corrupt-*")
    assert aside.read_text() == text


def test_a_typed_400_digit_number_is_an_answer_error(tmp_path: Path) -> None:
    from assessor.app.session import Session

    session = Session.open(tmp_path / "a.yaml")
    question = session.rubric.by_id["cost_per_error"]
    for typed in ("9" * 400, "1e300", "-1e16"):
        value, error = session.parse_answer(question, typed)
        assert value is None and error is not None, typed
        assert "out of range" in error or "at least 0" in error or "finite" in error
    session.close()
