"""The one parallel pool: a large batch's per-item work on the CPUs left free, in forked workers.

Scoring many files and rendering a large portfolio both go through :func:`map_in_chunks`.
Loading, scoring and rendering a use case are pure CPU work in Python, so threads would not
help. After the parent has loaded the rubric and compiled the templates, ``os.fork`` gives
each worker that state for free; a worker handles a contiguous share of the items and sends
its results back pickled through a pipe. The parent does the first share itself, then joins
the rest in order.

Errors keep their meaning: invalid input in any share is reported together with the others
(one :class:`~assessor.errors.InputError` with every problem), another assessor error is
raised again as itself, and a crash becomes a :class:`~assessor.errors.WorkerError`. An
interrupted parent (Ctrl+C, an error in its own share) kills and reaps every worker.

Used only where it pays off and is safe: at least :data:`PARALLEL_FROM` items, ``os.fork``
available, and no other thread running (fork copies only the calling thread).
The number of workers follows the CPUs the load average leaves free (on a busy machine
forking costs more than it saves); ``ASSESSOR_JOBS=N`` sets it (1: off).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from assessor.errors import AssessorError, InputError, Problem, WorkerError

T = TypeVar("T")
R = TypeVar("R")
PARALLEL_FROM = 64
MAX_JOBS = 8


def jobs_for(count: int) -> int:
    """How many processes to use for ``count`` items (1 when it would not pay off)."""
    wanted = os.environ.get("ASSESSOR_JOBS", "")
    if wanted.isdigit():
        limit = int(wanted)
    else:
        if hasattr(os, "sched_getaffinity"):
            limit = len(os.sched_getaffinity(0))
        else:
            limit = os.cpu_count() or 1
        if hasattr(os, "getloadavg"):
            # Workers only help on CPUs other work leaves free.
            limit = min(limit, max(1, int(limit - os.getloadavg()[0] + 1)))
    if count < PARALLEL_FROM or not hasattr(os, "fork") or threading.active_count() > 1:
        return 1
    return max(1, min(limit, MAX_JOBS, count // (PARALLEL_FROM // 2)))


def map_in_chunks(work: Callable[[Sequence[T]], list[R]], items: Sequence[T]) -> list[R]:
    """``work`` over contiguous chunks of ``items``, in forked workers when it pays off.

    Returns the concatenation of every chunk's results, in order.
    """
    jobs = jobs_for(len(items))
    if jobs < 2:
        return work(items)
    size = -(-len(items) // jobs)
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    children: list[tuple[int, int]] = []
    outcomes: list[tuple[str, Any]] = []
    try:
        for chunk in chunks[1:]:
            children.append(_spawn(work, chunk))
        outcomes.append(_run(work, chunks[0]))
        while children:
            pid, fd = children.pop(0)
            outcomes.append(_collect(pid, fd))
    finally:
        for pid, fd in children:  # the parent was interrupted: leave no worker behind
            _reap(pid, fd)

    problems: list[Problem] = []
    results: list[R] = []
    for kind, value in outcomes:
        if kind == "ok":
            results.extend(value)
        elif kind == "input":
            problems.extend(value)
        elif kind == "error":
            cls, message = value
            raise cls(message)
        else:
            raise WorkerError(f"a worker process failed: {value}")
    if problems:
        raise InputError(problems)
    return results


def _run(work: Callable[[Sequence[T]], list[R]], chunk: Sequence[T]) -> tuple[str, Any]:
    """One chunk's outcome as data: ("ok", results) | ("input", problems) | ("error", ...)."""
    try:
        return "ok", work(chunk)
    except InputError as exc:
        return "input", exc.problems
    except AssessorError as exc:
        return "error", (type(exc), exc.message)


def _spawn(work: Callable[[Sequence[T]], list[R]], chunk: Sequence[T]) -> tuple[int, int]:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child, which never returns
        code = 0
        try:
            os.close(read_fd)
            try:
                payload = pickle.dumps(_run(work, chunk), protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException:
                import traceback

                payload = pickle.dumps(("bug", traceback.format_exc(limit=-3)))
                code = 1
            with os.fdopen(write_fd, "wb") as pipe:
                pipe.write(payload)
        finally:
            os._exit(code)
    os.close(write_fd)
    return pid, read_fd


def _collect(pid: int, fd: int) -> tuple[str, Any]:
    with os.fdopen(fd, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    try:
        outcome: tuple[str, Any] = pickle.loads(data) if data else ("bug", "no result")
    except Exception:
        return "bug", "an unreadable result"
    if outcome[0] != "bug" and status != 0:
        return "bug", f"exit status {status}"
    return outcome


def _reap(pid: int, fd: int) -> None:
    import signal

    with contextlib.suppress(OSError):
        os.close(fd)
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        os.waitpid(pid, 0)
