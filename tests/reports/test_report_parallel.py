"""Large portfolios render their sections in forked workers: same bytes, clean failures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from report_support import ALL_EXAMPLES, EXAMPLES

from assessor.app import parallel
from assessor.errors import WorkerError
from assessor.reports import render_report


def portfolio(tmp_path: Path, count: int) -> list[Path]:
    files = []
    for i in range(count):
        source = EXAMPLES / ALL_EXAMPLES[i % len(ALL_EXAMPLES)]
        text = source.read_text(encoding="utf-8")
        path = tmp_path / f"case-{i:03d}.yaml"
        path.write_text(text.replace("  name: ", f"  name: No. {i} ", 1), encoding="utf-8")
        files.append(path)
    return files


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_parallel_and_serial_reports_are_identical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = portfolio(tmp_path, parallel.PARALLEL_FROM + 6)
    monkeypatch.setenv("ASSESSOR_JOBS", "1")
    assert parallel.jobs_for(len(files)) == 1
    serial = render_report(files, fmt="html")
    monkeypatch.setenv("ASSESSOR_JOBS", "3")
    assert parallel.jobs_for(len(files)) == 2  # 70 items: at most one worker per 32
    forked = render_report(files, fmt="html")
    assert forked == serial
    assert isinstance(forked, str) and forked.count('<section class="use-case"') == len(files)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_failing_worker_fails_the_call(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSESSOR_JOBS", "2")
    parent = os.getpid()

    def work(chunk):
        if os.getpid() != parent:
            raise RuntimeError("boom in worker")
        return [str(x) for x in chunk]

    with pytest.raises(WorkerError, match="boom in worker"):
        parallel.map_in_chunks(work, list(range(100)))
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no worker left behind


def test_small_batches_stay_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSESSOR_JOBS", raising=False)
    assert parallel.jobs_for(parallel.PARALLEL_FROM - 1) == 1
    pids = parallel.map_in_chunks(lambda chunk: [str(os.getpid()) for _ in chunk], [1, 2, 3])
    assert set(pids) == {str(os.getpid())}


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_invalid_files_in_any_worker_are_all_reported(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSESSOR_JOBS", "2")
    files = portfolio(tmp_path, parallel.PARALLEL_FROM + 6)
    for bad in (files[3], files[-2]):  # one in the parent's share, one in the worker's
        text = bad.read_text(encoding="utf-8")
        bad.write_text(text.replace("error_cost: ", "error_cost: extreme # was ", 1), "utf-8")
    out = tmp_path / "r.html"
    result = cli("report", *files, "--format", "html", "-o", out)
    assert result.exit_code == 2
    assert f"{files[3].name}:" in result.stderr and f"{files[-2].name}:" in result.stderr
    assert result.stderr.count("answers.error_cost") == 2
    assert not out.exists()
