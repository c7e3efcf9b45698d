"""Safe writes and terminal-safe text (assessor.fileio)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from assessor.fileio import atomic_write, stray_temp_files, terminal_safe


def test_atomic_write_replaces_the_content_and_leaves_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "assessment.yaml"
    target.write_text("old\n", encoding="utf-8")
    atomic_write(target, "new — ünïcode\n")
    assert target.read_bytes() == "new — ünïcode\n".encode()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["assessment.yaml"]
    assert stray_temp_files(target) == []


def test_a_new_file_gets_0644_and_an_existing_one_keeps_its_mode(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.yaml"
    atomic_write(fresh, b"x")
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o644
    private = tmp_path / "private.yaml"
    private.write_text("x")
    private.chmod(0o600)
    atomic_write(private, "y")
    assert stat.S_IMODE(private.stat().st_mode) == 0o600


def test_a_symlink_is_followed_and_kept(tmp_path: Path) -> None:
    real = tmp_path / "real.yaml"
    real.write_text("old")
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    atomic_write(link, "new")
    assert link.is_symlink()
    assert real.read_text() == "new"


def test_stray_temp_files_of_a_killed_writer_are_found(tmp_path: Path) -> None:
    target = tmp_path / "assessment.yaml"
    leftover = tmp_path / ".assessment.yaml.abc123.tmp"
    leftover.write_text("half")
    (tmp_path / ".other.yaml.abc.tmp").write_text("not ours")
    assert stray_temp_files(target) == [leftover]


def test_a_failed_write_keeps_the_old_file_and_removes_its_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "assessment.yaml"
    target.write_text("old")

    def disk_full(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(OSError, match="No space left"):
        atomic_write(target, "new")
    assert target.read_text() == "old"
    assert stray_temp_files(target) == []


def test_terminal_safe_strips_escapes_and_controls_but_keeps_text() -> None:
    hostile = "Refund\x1b[31m bot\x1b[0m\x1b]0;owned\x07 ‮evil\u202c\r\x00 ok\n\tnext — ✓"
    assert terminal_safe(hostile) == "Refund bot evil ok\n\tnext — ✓"
