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


def with_own_rubric(tmp_path: Path, files: list[Path], currency: str) -> None:
    """Point every file at a rubric in its folder whose costs are in ``currency``."""
    rubric = (EXAMPLES.parent / "rubrics" / "production-readiness.yaml").read_text("utf-8")
    rubric = rubric.replace("costs:\n", f"costs:\n  currency: {currency}\n", 1)
    (tmp_path / "priced.yaml").write_text(rubric, encoding="utf-8")
    for path in files:
        text = path.read_text(encoding="utf-8")
        text = text.replace("rubric: production-readiness\n", "")
        text = text.replace("version: 1\n", "version: 1\nrubric: priced.yaml\n", 1)
        path.write_text(text, encoding="utf-8")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
@pytest.mark.parametrize(("flag", "shown"), [((), "CHF"), (("EUR",), "EUR")])
def test_the_currency_is_the_same_above_and_below_the_parallel_threshold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flag: tuple[str, ...], shown: str
) -> None:
    from assessor.reports.build import DocFields

    files = portfolio(tmp_path, parallel.PARALLEL_FROM + 6)
    with_own_rubric(tmp_path, files, "CHF")
    doc = DocFields(currency=flag[0] if flag else None)
    monkeypatch.setenv("ASSESSOR_JOBS", "3")
    assert parallel.jobs_for(len(files)) == 2
    large = render_report(files, fmt="html", doc=doc)
    assert parallel.jobs_for(3) == 1
    small = render_report(files[:3], fmt="html", doc=doc)
    for html in (large, small):
        assert isinstance(html, str)
        assert f"Amounts are in {shown}." in html
        assert f"{shown}\u00a0" in html.split('id="uc-1"', 1)[1]  # amounts in a section
    monkeypatch.setenv("ASSESSOR_JOBS", "1")
    assert render_report(files, fmt="html", doc=doc) == large


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_pdf_rendered_through_the_workers_keeps_its_page_references_and_tags(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import re
    import subprocess

    from report_support import require_tool

    pdfinfo, pdftotext = require_tool("pdfinfo"), require_tool("pdftotext")
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 4)  # the workers' path, at a PDF's pace
    monkeypatch.setenv("ASSESSOR_JOBS", "2")
    files = portfolio(tmp_path, 6)
    assert parallel.jobs_for(len(files)) == 2
    out = tmp_path / "p.pdf"
    result = cli(
        "report", *files, "--format", "pdf", "-o", out,
        "--title", "Q4 portfolio", "--author", "Acme Advisory", "--confidential",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    info = subprocess.run([pdfinfo, out], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Title:\s+Q4 portfolio$", info, re.MULTILINE), info
    assert re.search(r"^Author:\s+Acme Advisory$", info, re.MULTILINE), info
    assert re.search(r"^Tagged:\s+yes$", info, re.MULTILINE), info
    count = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))  # type: ignore[union-attr]

    def page_text(n: int) -> str:
        args = [pdftotext, "-enc", "UTF-8", "-f", str(n), "-l", str(n), out, "-"]
        done = subprocess.run(args, capture_output=True, check=True)
        return " ".join(done.stdout.decode("utf-8").split())

    pages = [page_text(n) for n in range(1, count + 1)]
    # Every page is numbered in order, out of the whole document, under the running marks.
    for n, text in enumerate(pages, 1):
        assert f"Page {n} of {count}" in text, n
        assert "CONFIDENTIAL" in text, n
        if n > 1:
            assert "Q4 portfolio" in text, n
    # The build order names, for each use case, the page its section starts on.
    order = next(text for text in pages if "What to build first" in text)
    refs = [int(p) for p in re.findall(r"\(p\. ?(\d+)\)", order)]
    assert len(refs) == len(files) and refs == sorted(refs)
    for rank, ref in enumerate(refs, 1):
        # (the eyebrow above a section's title is upper-cased by CSS)
        assert f"BUILD ORDER {rank} OF {len(files)}" in pages[ref - 1], (rank, ref)
        assert f"BUILD ORDER {rank} OF" not in pages[ref - 2], (rank, ref)
