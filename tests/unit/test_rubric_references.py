"""`rubric:` in an assessment names a bundled rubric or a rubric file in the assessment's
folder; anything else (``/etc/passwd``, a symlink out, ``../``) is refused, and a file that is
not a rubric is never quoted back."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from engine_support import answers_for, write_assessment

from assessor.resources import rubrics_dir

SECRET_KEY = "aws_secret_access_key_do_not_show"


def _case(folder: Path, ref: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return write_assessment(folder / "case.yaml", answers_for("rag"), rubric=ref)


def _rubric_line(case: Path) -> int:
    lines = case.read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith("rubric:"))


@pytest.mark.parametrize("ref", ["/etc/passwd", "../outside.yaml", "link.yaml", "/etc/hostname"])
def test_a_rubric_outside_the_assessment_folder_is_refused(
    tmp_path: Path, cli: Any, ref: str
) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text(f"{SECRET_KEY}: 1\n")
    folder = tmp_path / "client"
    case = _case(folder, ref)
    (folder / "link.yaml").symlink_to(outside)
    result = cli("score", case)
    assert result.exit_code == 2
    line = _rubric_line(case)
    assert result.stderr.startswith(f"{case}:{line}:1: rubric: ")
    if ref.endswith(".yaml"):
        assert "names a file outside the assessment's folder" in result.stderr
    else:
        assert "must name a rubric file ending in .yaml, .yml or .json" in result.stderr
    assert SECRET_KEY not in result.stderr and "root:" not in result.stderr


def test_a_file_that_is_not_a_rubric_is_not_quoted(tmp_path: Path, cli: Any) -> None:
    folder = tmp_path / "client"
    case = _case(folder, "secrets.yaml")
    (folder / "secrets.yaml").write_text(f"{SECRET_KEY}: hunter2\nother: 1\n")
    result = cli("score", case)
    assert result.exit_code == 2
    assert "not a rubric file (no 'questions' list at the top level)" in result.stderr
    assert SECRET_KEY not in result.stderr and "hunter2" not in result.stderr


def test_rubrics_in_the_folder_and_on_the_command_line_still_work(tmp_path: Path, cli: Any) -> None:
    folder = tmp_path / "client"
    case = _case(folder, "rubrics/team.yaml")
    (folder / "rubrics").mkdir()
    shutil.copy(rubrics_dir() / "production-readiness.yaml", folder / "rubrics" / "team.yaml")
    assert cli("score", case).exit_code == 0
    elsewhere = tmp_path / "shared" / "team.yaml"
    elsewhere.parent.mkdir()
    shutil.copy(rubrics_dir() / "production-readiness.yaml", elsewhere)
    outside_ref = _case(tmp_path / "other", str(elsewhere))
    assert cli("score", outside_ref).exit_code == 2
    assert cli("score", outside_ref, "--rubric", elsewhere).exit_code == 0


def test_the_interactive_session_refuses_a_foreign_rubric(tmp_path: Path) -> None:
    from assessor.app.session import Session
    from assessor.errors import InputError

    case = _case(tmp_path, "/etc/passwd")
    with pytest.raises(InputError) as caught:
        Session.open(case, if_locked="readonly", defer=True)
    message = str(caught.value)
    assert "rubric: must name a rubric file" in message and "root:" not in message
    assert list(tmp_path.glob("*.corrupt-*")) == []
