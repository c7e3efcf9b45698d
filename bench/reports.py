"""Report benchmarks, as ratios to scoring the same files in the same run.

    python bench/reports.py [--files N] [--repeat R]

1. ``assessor report --format html`` of a portfolio of N assessment files (default 200)
   against ``assessor score --format json`` of the same files (goal: at most 2x).
2. The same for 1,000 files (no goal; shows how rendering scales), and Markdown and JSON
   reports of the N files (no goal).
3. One use case with a 100,000-character description and long notes, as HTML and as PDF,
   against scoring it (no goal; the PDF line shows what WeasyPrint costs).
4. PDF reports of the N files (``--pdf``; takes minutes): the full portfolio (goal: at most
   0.15 s a use case) and ``--summary`` (goal: at most 30 s and 30 pages), each with its page
   count and the peak memory of the report process, against scoring the same files. Then,
   in this process, where a full PDF's CPU time goes for 20 of the files: the HTML, then
   WeasyPrint's parsing and styling, its layout, and writing the PDF, with the CPU time per
   page (no goal; shows what parallel rendering could and could not save).

Every timing is the best of R rounds with the compared commands run in turn (so a busy machine
slows both sides alike). Prints ``ratio`` lines: wall-time ratio, then CPU-time ratio.
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from engine import make_assessments, show, timings, tool

REPORT_GOAL = 2.0


def long_text_case(folder: Path) -> Path:
    path = folder / "long-text.yaml"
    description = (
        "A very long description of the use case, pasted from a design document. " * 1400
    )[:100_000]
    note = ("Measured on the September sample by two reviewers; see the wiki. " * 1600)[:100_000]
    path.write_text(
        "version: 1\n"
        "use_case:\n"
        "  name: Long texts\n"
        f"  description: {description!r}\n"
        "answers:\n"
        "  task_type: rag\n  error_cost: high\n  autonomy: human_on_exceptions\n"
        "  regulation: none\n  error_rate: 0.03\n  customer_facing: true\n  realtime: true\n"
        "  repeat_queries: some\n  evaluation: offline\n  retrieval_tuned: true\n"
        "  document_quality: high\n  cost_per_error: 250\n"
        "notes:\n"
        f"  error_rate: {note!r}\n"
        f"  autonomy: {('x' * 20_000)!r}\n",
        encoding="utf-8",
    )
    return path


PDF_PER_USE_CASE_GOAL = 0.15
SUMMARY_SECONDS_GOAL = 30.0
SUMMARY_PAGES_GOAL = 30
PEAK_MEMORY_BOUND_MB = 1024


def measured(cmd: list[str]) -> tuple[float, float, float]:
    """(wall s, CPU s, peak RSS MB of the process) of one run of ``cmd``."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        sys.exit(f"bench: {' '.join(cmd[:3])} ... failed: {proc.stderr.read().decode()[-400:]}")  # type: ignore[union-attr]
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def pages(pdf: str) -> int:
    """The PDF's page count (poppler's pdfinfo; -1 when it is not installed)."""
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo is None:
        return -1
    info = subprocess.run([pdfinfo, pdf], capture_output=True, text=True, check=True).stdout
    match = re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)
    return int(match.group(1)) if match else -1


def pdf_section(assessor: str, files: list[str], out: str) -> None:
    n = len(files)
    base = measured([assessor, "score", "--format", "json", *files])
    full = [assessor, "report", *files, "--format", "pdf", "-o", f"{out}-full.pdf", "--force"]
    summary = [assessor, "report", *files, "--format", "pdf", "-o", f"{out}-summary.pdf",
               "--force", "--summary"]  # fmt: skip
    for name, cmd in ((f"report pdf, {n} files", full), (f"report pdf --summary, {n}", summary)):
        wall, cpu, peak = measured(cmd)
        pdf = cmd[cmd.index("-o") + 1]
        print(
            f"{name:<28} wall {wall:8.2f} s   cpu {cpu:8.2f} s   {pages(pdf):4d} pages   "
            f"peak {peak:7.0f} MB  (bound {PEAK_MEMORY_BOUND_MB} MB: "
            f"{'ok' if peak <= PEAK_MEMORY_BOUND_MB else 'MISSED'})"
        )
        show(f"{name.split(',')[0]}/score ({n})", (wall, cpu), base[:2])
        if cmd is full:
            each = wall / n
            verdict = "ok" if each <= PDF_PER_USE_CASE_GOAL else "MISSED"
            print(f"figure pdf-per-use-case ({n})  {each:.3f} s wall, {cpu / n:.3f} s cpu  "
                  f"goal <= {PDF_PER_USE_CASE_GOAL} s  {verdict}")  # fmt: skip
        else:
            ok = wall <= SUMMARY_SECONDS_GOAL and pages(pdf) <= SUMMARY_PAGES_GOAL
            print(f"figure pdf-summary ({n})        {wall:.1f} s, {pages(pdf)} pages  goal <= "
                  f"{SUMMARY_SECONDS_GOAL:g} s and {SUMMARY_PAGES_GOAL} pages  "
                  f"{'ok' if ok else 'MISSED'}")  # fmt: skip


PHASE_FILES = 20


def pdf_phases(files: list[str]) -> None:
    """CPU seconds of each step of a full portfolio PDF of ``files``, rendered in-process.

    WeasyPrint's steps are told apart by its progress log ("Step 3 - Applying CSS", ...)."""
    import gc
    import logging

    from assessor.reports import render_report
    from assessor.reports.html import break_long_words
    from assessor.reports.pdf import html_to_pdf, require_engine

    require_engine()
    marks: list[tuple[str, float]] = []

    class Steps(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            # "Step 5 - Creating layout - Page %d": one mark per step, at its first message.
            step = " - ".join(str(record.msg).split(" - ")[:2])
            if step.startswith("Step ") and step not in (name for name, _ in marks):
                marks.append((step, time.process_time()))

    progress = logging.getLogger("weasyprint.progress")
    handler = Steps()
    progress.addHandler(handler)
    progress.setLevel(logging.INFO)
    gc.disable()  # as ``assessor report`` does while it renders
    try:
        start = time.process_time()
        html = render_report([Path(f) for f in files], fmt="html")
        assert isinstance(html, str)
        html = break_long_words(html)
        marks.append(("HTML report (assessor)", start))
        marks.append(("PDF", time.process_time()))
        pdf = html_to_pdf(html)
        marks.append(("end", time.process_time()))
    finally:
        gc.enable()
        progress.removeHandler(handler)
    marks.sort(key=lambda mark: mark[1])
    steps = [(name, after - at) for (name, at), (_, after) in itertools.pairwise(marks)]
    steps = [(name, cpu) for name, cpu in steps if name != "PDF"]
    total = sum(cpu for _, cpu in steps)
    n = len(files)
    with tempfile.NamedTemporaryFile(suffix=".pdf") as out:
        out.write(pdf)
        out.flush()
        count = pages(out.name)
    print(f"pdf cpu by step ({n} files, {count} pages, {count / n:.1f} a use case):")
    for name, cpu in steps:
        print(f"  {name:<40} {cpu:7.2f} s  {100 * cpu / total:5.1f}%  {cpu / n:.3f} s a use case")
    print(f"  {'total':<40} {total:7.2f} s          {total / n:.3f} s a use case, "
          f"{total / count:.3f} s a page")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5, help="runs per timing")
    parser.add_argument("--pdf", action="store_true", help="also the PDF reports (minutes)")
    parser.add_argument("--pdf-only", action="store_true", help="only the PDF reports")
    args = parser.parse_args()
    assessor = tool("assessor")
    if args.pdf_only:
        with tempfile.TemporaryDirectory(prefix="assessor-bench-pdf-") as tmp:
            files = [str(p) for p in make_assessments(Path(tmp), args.files)]
            pdf_section(assessor, files, str(Path(tmp) / "out"))
            pdf_phases(files[:PHASE_FILES])
        return 0

    with tempfile.TemporaryDirectory(prefix="assessor-bench-reports-") as tmp:
        folder = Path(tmp)
        (folder / "n").mkdir()
        (folder / "k").mkdir()
        files = [str(p) for p in make_assessments(folder / "n", args.files)]
        many = [str(p) for p in make_assessments(folder / "k", 1000)]
        out = str(folder / "out")

        def report(fmt: str, names: list[str]) -> list[str]:
            return [assessor, "report", *names, "--format", fmt, "-o", f"{out}.{fmt}", "--force"]

        n = args.files
        t = timings(
            {
                f"score {n} files": [assessor, "score", "--format", "json", *files],
                f"report html, {n} files": report("html", files),
                f"report md, {n} files": report("md", files),
                f"report json, {n} files": report("json", files),
            },
            args.repeat,
        )
        for name, (wall, cpu) in t.items():
            print(f"{name:<28} wall {wall * 1000:8.1f} ms   cpu {cpu * 1000:8.1f} ms")
        base = t[f"score {n} files"]
        show(f"report-html/score ({n})", t[f"report html, {n} files"], base, REPORT_GOAL)
        show(f"report-md/score ({n})", t[f"report md, {n} files"], base)
        show(f"report-json/score ({n})", t[f"report json, {n} files"], base)

        t = timings(
            {
                "score 1000 files": [assessor, "score", "--format", "json", *many],
                "report html, 1000 files": report("html", many),
            },
            max(1, args.repeat // 2),
        )
        for name, (wall, cpu) in t.items():
            print(f"{name:<28} wall {wall * 1000:8.1f} ms   cpu {cpu * 1000:8.1f} ms")
        show("report-html/score (1000)", t["report html, 1000 files"], t["score 1000 files"])

        long_case = [str(long_text_case(folder))]
        t = timings(
            {
                "score long texts": [assessor, "score", "--format", "json", *long_case],
                "report html, long texts": report("html", long_case),
                "report pdf, long texts": report("pdf", long_case),
            },
            max(1, args.repeat // 2),
        )
        for name, (wall, cpu) in t.items():
            print(f"{name:<28} wall {wall * 1000:8.1f} ms   cpu {cpu * 1000:8.1f} ms")
        show("report-html/score (100k text)", t["report html, long texts"], t["score long texts"])
        show("report-pdf/score (100k text)", t["report pdf, long texts"], t["score long texts"])
        if args.pdf:
            pdf_section(assessor, files, out)
            pdf_phases(files[:PHASE_FILES])
    return 0


if __name__ == "__main__":
    sys.exit(main())
