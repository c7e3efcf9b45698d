"""The one way in and out for files, and terminal-safe text; standard library only.

* :func:`read_bytes` is how every input is read (assessments, rubrics, logos, the interactive
  session's file): regular files only (judged on the opened file, after symlinks are
  resolved), opened without blocking (a FIFO cannot hang us), read to a bound (a device or a
  growing file cannot exhaust memory).
* :func:`atomic_write` is how every output is written: temp file + fsync + rename, never over
  something that is not a regular file (a device, FIFO or socket is refused even with
  ``--force``), and with ``exclusive`` the target is created only if it does not exist, in
  one atomic step (of concurrent writers, exactly one wins).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import tempfile
from pathlib import Path

from assessor.errors import InputError, OutputExistsError, Problem, UsageError

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_ANSI = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_bytes(path: str | Path, *, limit: int, display: str | None = None) -> bytes:
    """Read an input file: a regular file of at most ``limit`` bytes, or an :class:`InputError`.

    Symlinks are followed and the file they lead to is judged: it is checked with ``stat``
    before opening (a device is never opened) and with ``fstat`` on the opened descriptor
    (nothing can be swapped in between). The open does not block (``O_NONBLOCK``: a FIFO put
    in place after the check cannot hang the read), and at most ``limit + 1`` bytes are ever
    read, whatever the file claims its size is.
    """
    name = display or str(path)

    def refuse(message: str) -> InputError:
        return InputError(Problem(name, message=message))

    st = check_input(path, display=name)
    if st.st_size > limit:
        raise refuse(f"file too large ({st.st_size:,} bytes; limit {limit:,})")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise refuse(_describe(exc)) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise refuse(_refusal(st.st_mode))
        chunks = []
        remaining = limit + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    except OSError as exc:
        raise refuse(_describe(exc)) from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        raise refuse(f"file too large (over {limit:,} bytes)")
    return data


def check_input(path: str | Path, *, display: str | None = None) -> os.stat_result:
    """The ``stat`` of an input that exists and is a regular file (after symlinks), or an
    :class:`InputError` saying what it is instead. Nothing is opened."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise InputError(Problem(display or str(path), message=_describe(exc))) from None
    if not stat.S_ISREG(st.st_mode):
        raise InputError(Problem(display or str(path), message=_refusal(st.st_mode)))
    return st


def _describe(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "file not found"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, IsADirectoryError):
        return "is a directory, expected a file"
    if exc.errno == errno.ELOOP:
        return "too many levels of symbolic links"
    return f"cannot read: {exc.strerror or exc}"


def _refusal(mode: int) -> str:
    kind = _kind(mode)
    if kind == "a directory":
        return "is a directory, expected a file"
    return f"is {kind}, not a regular file; refusing to read it"


def check_writable_target(path: str | Path) -> None:
    """Refuse an output path that exists and is not a regular file (after symlinks).

    A device, FIFO or socket is never replaced, with or without ``--force``: replacing
    ``/dev/null`` with a file (as root) would break it for the whole machine.
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise UsageError(f"{path}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(st.st_mode):
        raise UsageError(
            f"{path} is {_kind(st.st_mode)}; an output must be a regular file "
            "(it is never replaced, even with --force)"
        )


def atomic_write(
    path: str | Path, data: str | bytes, *, mode: int | None = None, exclusive: bool = False
) -> None:
    """Write ``data`` to ``path`` so that readers only ever see the old or the new content.

    A temporary file in the same folder is written, flushed and fsynced, then renamed over
    the target (``os.replace`` is atomic on POSIX); the folder is fsynced too. A killed
    process leaves at most a stray ``.<name>.*.tmp`` file, never a truncated target. Text is
    written as UTF-8 whatever the locale. A symlink is followed (the file it points to is
    replaced, the link stays), and an existing file keeps its permissions; a new one gets
    ``mode`` (default 0o644).

    A target that exists and is not a regular file is refused (:class:`UsageError`).
    With ``exclusive`` the target must not exist: the finished temp file is hard-linked to
    it, which fails if anything is there (:class:`OutputExistsError`), so of several writers
    exactly one creates it and nobody's file is replaced.
    """
    path = Path(path)
    if path.is_symlink() and not exclusive:
        path = Path(os.path.realpath(path))
    check_writable_target(path)
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
        if exclusive:
            _link_exclusive(tmp, path)
        else:
            check_writable_target(path)  # again, just before: the smallest window possible
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


def _link_exclusive(tmp: str, path: Path) -> None:
    """Create ``path`` with ``tmp``'s content only if nothing is there (then drop ``tmp``)."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise OutputExistsError(f"{path} exists; pass --force to replace it") from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
            raise
        # No hard links here (some network and FAT file systems): claim the name with
        # O_EXCL, then move the finished content over our own claim.
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            raise OutputExistsError(f"{path} exists; pass --force to replace it") from None
        os.replace(tmp, path)
        return
    os.unlink(tmp)


def stray_temp_files(path: str | Path) -> list[Path]:
    """Leftover temporary files of :func:`atomic_write` for ``path`` (from a killed writer)."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    return sorted(folder.glob(f".{path.name}.*.tmp"))


def terminal_safe(text: str) -> str:
    """Strip ANSI escapes and control characters (except newline and tab) from user text."""
    return _CONTROL.sub("", _ANSI.sub("", text))
