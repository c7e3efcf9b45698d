"""Render a large portfolio's use-case sections on every CPU, with forked workers.

Rendering is pure CPU work in Python (Jinja, escaping), so threads would not help. After the
parent has loaded, scored and compiled everything, ``os.fork`` gives each worker that state
for free; a worker renders its contiguous share of the sections and sends back their HTML
text through a pipe. The parent renders the first share itself, then joins the rest in order.

Used only where it pays off and is safe: at least :data:`PARALLEL_FROM` items, ``os.fork``
available, and no other thread running (fork copies only the calling thread).
``ASSESSOR_JOBS=1`` turns it off (the same switch as scoring).
"""

from __future__ import annotations

import os
import pickle
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar, cast

from assessor.errors import ReportError

T = TypeVar("T")
PARALLEL_FROM = 64
MAX_JOBS = 8


def jobs_for(count: int) -> int:
    """How many processes to use for ``count`` items (1 when it would not pay off)."""
    wanted = os.environ.get("ASSESSOR_JOBS", "")
    if wanted.isdigit():
        limit = int(wanted)
    elif hasattr(os, "sched_getaffinity"):
        limit = len(os.sched_getaffinity(0))
    else:
        limit = os.cpu_count() or 1
    if count < PARALLEL_FROM or not hasattr(os, "fork") or threading.active_count() > 1:
        return 1
    return max(1, min(limit, MAX_JOBS, count // (PARALLEL_FROM // 2)))


def map_in_chunks(work: Callable[[Sequence[T]], list[str]], items: Sequence[T]) -> list[str]:
    """``work`` over contiguous chunks of ``items``, in forked workers when it pays off.

    Returns the concatenation of every chunk's results, in order. A worker that fails makes
    the whole call fail with :class:`ReportError` (its traceback in the message).
    """
    jobs = jobs_for(len(items))
    if jobs < 2:
        return work(items)
    size = -(-len(items) // jobs)
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    children: list[tuple[int, int]] = []
    try:
        for chunk in chunks[1:]:
            children.append(_spawn(work, chunk))
        results = list(work(chunks[0]))
        for pid, fd in children:
            results.extend(_collect(pid, fd))
        children = []
    finally:
        for pid, fd in children:  # the parent failed: do not leave workers behind
            _reap(pid, fd, kill=True)
    return results


def _spawn(work: Callable[[Sequence[T]], list[str]], chunk: Sequence[T]) -> tuple[int, int]:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child, which never returns
        code = 0
        try:
            os.close(read_fd)
            try:
                payload = pickle.dumps(("ok", work(chunk)), protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException:
                import traceback

                payload = pickle.dumps(("bug", traceback.format_exc()))
                code = 1
            with os.fdopen(write_fd, "wb") as pipe:
                pipe.write(payload)
        finally:
            os._exit(code)
    os.close(write_fd)
    return pid, read_fd


def _collect(pid: int, fd: int) -> list[str]:
    with os.fdopen(fd, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    try:
        kind, value = pickle.loads(data) if data else ("bug", "worker sent nothing")
    except Exception:
        kind, value = "bug", "worker sent an unreadable result"
    if kind != "ok" or status != 0:
        detail = value if kind != "ok" else f"worker exited with status {status}"
        raise ReportError(f"rendering in a worker process failed: {detail}")
    return cast("list[str]", value)


def _reap(pid: int, fd: int, *, kill: bool) -> None:
    import contextlib
    import signal

    with contextlib.suppress(OSError):
        os.close(fd)
    if kill:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        os.waitpid(pid, 0)
