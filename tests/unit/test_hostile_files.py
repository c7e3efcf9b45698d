"""Hostile files: one safe way in (regular files, no blocking, bounded) and one way out
(atomic, never over a device or FIFO, exclusive without --force)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from engine_support import EXAMPLES, run_assessor

EXAMPLE = EXAMPLES / "refund-assistant.yaml"


def _null_device(path: Path) -> Path:
    """A character device like /dev/null, made in the test's folder (needs root)."""
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("creating a device node needs root")
    return path


# ---- reading -------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["score"], ["report", "--format", "json", "-o", "out.json"]])
def test_a_symlink_to_dev_zero_is_refused_not_read(tmp_path: Path, command: list[str]) -> None:
    link = tmp_path / "assessment.yaml"
    link.symlink_to("/dev/zero")
    done = run_assessor(*command[:1], link, *command[1:], cwd=tmp_path, timeout=60)
    assert done.returncode == 2
    assert "assessment.yaml: is a device, not a regular file; refusing to read it" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out.json").exists()


def test_a_fifo_as_logo_or_rubric_is_refused_without_hanging(tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    shutil.copy(EXAMPLE, case)
    fifo = tmp_path / "logo.svg"
    os.mkfifo(fifo)
    done = run_assessor(
        "report", case, "--format", "html", "-o", tmp_path / "r.html", "--logo", fifo, timeout=60
    )
    assert done.returncode == 2
    assert "is a FIFO, not a regular file" in done.stderr
    done = run_assessor("score", case, "--rubric", fifo, timeout=60)
    assert done.returncode == 2
    assert "is a FIFO, not a regular file" in done.stderr


# ---- writing -------------------------------------------------------------------------------


def test_report_never_replaces_a_device_even_with_force(tmp_path: Path, cli: Any) -> None:
    device = _null_device(tmp_path / "null")
    link = tmp_path / "link-to-null"
    link.symlink_to(device)
    for target in (device, link):
        result = cli("report", EXAMPLE, "--format", "json", "-o", target, "--force")
        assert result.exit_code == 2
        assert "is a device; an output must be a regular file" in result.stderr
        assert stat.S_ISCHR(os.stat(device).st_mode)
    assert link.is_symlink()


def test_report_and_init_never_replace_a_fifo_even_with_force(tmp_path: Path, cli: Any) -> None:
    fifo = tmp_path / "out.json"
    os.mkfifo(fifo)
    result = cli("report", EXAMPLE, "--format", "json", "-o", fifo, "--force")
    assert result.exit_code == 2
    assert "is a FIFO; an output must be a regular file" in result.stderr
    result = cli("init", fifo, "--force")
    assert result.exit_code == 2
    assert "is a FIFO; an output must be a regular file" in result.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_init_force_replaces_a_regular_file(tmp_path: Path, cli: Any) -> None:
    target = tmp_path / "a.yaml"
    target.write_text("old\n")
    assert cli("init", target).exit_code == 2
    assert target.read_text() == "old\n"
    assert cli("init", target, "--force").exit_code == 0
    assert "use_case:" in target.read_text()


def test_twenty_concurrent_reports_to_one_new_file_exactly_one_wins(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    cases = []
    for index in range(20):
        # Each run writes its own use case, so the winner is visible in the file.
        case = tmp_path / f"case-{index}.yaml"
        case.write_text(
            EXAMPLE.read_text(encoding="utf-8").replace(
                "name: Refund policy assistant", f"name: Run {index}"
            ),
            encoding="utf-8",
        )
        cases.append(case)
    assert "Run 3" in cases[3].read_text()
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "assessor", "report", case, "--format", "json", "-o", out],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for case in cases
    ]
    results = [(p.wait(timeout=300), p.stderr.read() if p.stderr else "") for p in procs]
    for p in procs:
        for stream in (p.stdout, p.stderr):
            if stream:
                stream.close()
    winners = [i for i, (code, _) in enumerate(results) if code == 0]
    assert len(winners) == 1, results
    for index, (code, err) in enumerate(results):
        if index != winners[0]:
            assert code == 2
            assert f"{out} exists; pass --force to replace it" in err
    import json

    assert json.loads(out.read_text())["use_cases"][0]["result"]["use_case"] == f"Run {winners[0]}"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
