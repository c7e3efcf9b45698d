"""The scaffold command in a real process: odd locales, no terminal, the help text."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

ASSESSOR = [sys.executable, "-m", "assessor"]


def run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [*ASSESSOR, *args],
        cwd=cwd,
        env={**os.environ, **env},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=120,
    )


def test_an_ascii_only_terminal_gets_no_encoding_error(
    assessment: Callable[..., Path], tmp_path: Path
) -> None:
    name = "Café ünïcode — 日本"
    case = assessment(use_case={"name": name})
    proc = run(
        ["scaffold", str(case), "-o", "out", "--no-input"],
        tmp_path,
        LANG="C",
        LC_ALL="C",
        PYTHONIOENCODING="ascii",
    )
    assert proc.returncode == 0, proc.stderr.decode("ascii", "replace")
    assert b"Traceback" not in proc.stderr
    proc.stderr.decode("ascii")  # nothing but ASCII reached the terminal
    assert f"# {name}\n" in (tmp_path / "out/README.md").read_text(encoding="utf-8")
    assert (tmp_path / "out/assessment.yaml").read_bytes() == case.read_bytes()


def test_closed_stdin_without_no_input_exits_2_and_never_hangs(
    assessment: Callable[..., Path], tmp_path: Path
) -> None:
    proc = run(["scaffold", str(assessment()), "-o", "out"], tmp_path)
    assert proc.returncode == 2
    assert b"pass --no-input" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_the_help_says_evaluation_is_always_on(tmp_path: Path) -> None:
    proc = run(["scaffold", "--help"], tmp_path)
    assert proc.returncode == 0
    text = b" ".join(proc.stdout.split()).decode()
    assert "evaluation is always on and cannot be removed" in text
    assert "--name NAME" in text and "--package NAME" in text
