"""Report benchmarks, as ratios to scoring the same files in the same run.

    python bench/reports.py [--files N] [--repeat R]

1. ``assessor report --format html`` of a portfolio of N assessment files (default 200)
   against ``assessor score --format json`` of the same files (goal: at most 2x).
2. The same for 1,000 files (no goal; shows how rendering scales), and Markdown and JSON
   reports of the N files (no goal).
3. One use case with a 100,000-character description and long notes, as HTML and as PDF,
   against scoring it (no goal; the PDF line shows what WeasyPrint costs).

Every timing is the best of R rounds with the compared commands run in turn (so a busy machine
slows both sides alike). Prints ``ratio`` lines: wall-time ratio, then CPU-time ratio.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5, help="runs per timing")
    args = parser.parse_args()
    assessor = tool("assessor")

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
    return 0


if __name__ == "__main__":
    sys.exit(main())
