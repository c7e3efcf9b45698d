"""The one parallel pool (assessor.app.parallel): load-aware, and leaves no worker behind."""

from __future__ import annotations

import os

import pytest

from assessor.app import parallel

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


def test_a_busy_machine_gets_no_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSESSOR_JOBS", raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)
    monkeypatch.setattr(os, "getloadavg", lambda: (3.5, 3.0, 3.0))
    assert parallel.jobs_for(1000) == 1  # 4 CPUs, 3.5 busy: forking would not pay off
    monkeypatch.setattr(os, "getloadavg", lambda: (0.2, 0.2, 0.2))
    assert parallel.jobs_for(1000) == 4


def test_an_explicit_job_count_wins_over_the_load(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSESSOR_JOBS", "3")
    monkeypatch.setattr(os, "getloadavg", lambda: (50.0, 50.0, 50.0))
    assert parallel.jobs_for(1000) == 3


def test_an_interrupted_parent_kills_and_reaps_every_worker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ASSESSOR_JOBS", "3")
    parent = os.getpid()
    started_r, started_w = os.pipe()
    never_r, never_w = os.pipe()  # nothing is ever written: a worker blocks on it for good

    def work(chunk: list[int]) -> list[int]:
        if os.getpid() != parent:
            os.write(started_w, b"started\n")
            os.read(never_r, 1)
            return list(chunk)
        # The parent's own share: wait until both workers run, then Ctrl+C arrives.
        seen = b""
        while seen.count(b"\n") < 2:
            seen += os.read(started_r, 64)
        raise KeyboardInterrupt

    try:
        with pytest.raises(KeyboardInterrupt):
            parallel.map_in_chunks(work, list(range(200)))
    finally:
        for fd in (started_r, started_w, never_r, never_w):
            os.close(fd)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # every worker was reaped
