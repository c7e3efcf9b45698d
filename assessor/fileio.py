"""Safe file writes and terminal-safe text; standard library only."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_ANSI = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")


def atomic_write(path: str | Path, data: str | bytes, *, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` so that readers only ever see the old or the new content.

    A temporary file in the same folder is written, flushed and fsynced, then renamed over
    the target (``os.replace`` is atomic on POSIX); the folder is fsynced too. A killed
    process leaves at most a stray ``.<name>.*.tmp`` file, never a truncated target. Text is
    written as UTF-8 whatever the locale. A symlink is followed (the file it points to is
    replaced, the link stays), and an existing file keeps its permissions; a new one gets
    ``mode`` (default 0o644).
    """
    path = Path(path)
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    if mode is None:
        try:
            mode = os.stat(path).st_mode & 0o7777
        except OSError:
            mode = 0o644
    payload = data.encode("utf-8") if isinstance(data, str) else data
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def stray_temp_files(path: str | Path) -> list[Path]:
    """Leftover temporary files of :func:`atomic_write` for ``path`` (from a killed writer)."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    return sorted(folder.glob(f".{path.name}.*.tmp"))


def terminal_safe(text: str) -> str:
    """Strip ANSI escapes and control characters (except newline and tab) from user text."""
    return _CONTROL.sub("", _ANSI.sub("", text))
