"""The lock on an assessment file while someone answers it.

An ``flock`` on ``.FILE.lock`` that the kernel drops when its holder dies, so a lock left by a
killed process is recovered without asking anyone; the lock file names the holder (best
effort), so a second assessor on the same file is told who has it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from assessor.errors import InputError, LockedError
from assessor.fileio import read_bytes


@dataclass(frozen=True)
class LockInfo:
    """Who holds an assessment file (read from the lock file; best effort)."""

    pid: int | None = None
    host: str = ""
    since: str = ""

    def describe(self) -> str:
        parts = []
        if self.pid:
            parts.append(f"pid {self.pid}")
        if self.host:
            parts.append(f"on {self.host}")
        if self.since:
            parts.append(f"since {self.since}")
        return ", ".join(parts) or "another process"


def lock_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.lock")


class FileLock:
    """An exclusive, advisory lock on an assessment file.

    The lock is an ``flock`` held on ``.FILE.lock`` for the life of the session. The kernel
    releases it when the holder exits or is killed, so a lock file left behind by a crash is
    stale by construction and the next session simply takes it over.
    """

    def __init__(self, path: Path) -> None:
        self.path = lock_path(path)
        self._fd: int | None = None
        self.recovered_stale = False
        """A lock file was left by a process that is gone; it was taken over."""

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        """Take the lock, or raise :class:`LockedError` naming the holder.

        Raises ``OSError`` when no lock file can be created (read-only folder); callers treat
        that as "no lock needed: nobody can write here either".
        """
        while True:
            existed = self.path.exists()
            # Never through a symlink, never blocking on a FIFO, never a device.
            flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK
            fd = os.open(self.path, flags | getattr(os, "O_CLOEXEC", 0), 0o644)
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                os.close(fd)
                raise OSError(errno.EINVAL, f"{self.path.name} is not a regular file")
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                os.close(fd)
                if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise LockedError(self.locked_message()) from None
                raise
            # The holder we waited for may have unlinked the file after we opened it: then we
            # hold a lock on a name nobody else sees. Start over on the current file.
            try:
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if not same:
                os.close(fd)
                continue
            break
        self._fd = fd
        if existed:
            self.recovered_stale = os.fstat(fd).st_size > 0
        info = {
            "pid": os.getpid(),
            "host": os.uname().nodename,
            "since": time.strftime("%Y-%m-%d %H:%M:%S"),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode() + b"\n", 0)

    def holder(self) -> LockInfo:
        try:
            data = json.loads(read_bytes(self.path, limit=4096) or b"{}")
        except (InputError, ValueError):
            return LockInfo()
        if not isinstance(data, dict):
            return LockInfo()
        pid = data.get("pid")
        return LockInfo(
            pid=pid if isinstance(pid, int) else None,
            host=str(data.get("host", ""))[:100],
            since=str(data.get("since", ""))[:40],
        )

    def locked_message(self) -> str:
        target = self.path.name[1:].removesuffix(".lock")
        return (
            f"{target} is locked: another assessor has it open ({self.holder().describe()}). "
            "Close that one first, or work on a copy of the file."
        )

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        with contextlib.suppress(OSError):
            os.unlink(self.path)
        with contextlib.suppress(OSError):
            os.close(fd)
