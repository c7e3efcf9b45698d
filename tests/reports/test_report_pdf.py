"""The PDF report, read back with poppler: pages, text, and the executive summary on page 1."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from report_support import ALL_EXAMPLES, EXAMPLES, hostile_assessment, require_tool


def pdf_pages(path: Path) -> int:
    info = subprocess.run(
        [require_tool("pdfinfo"), str(path)], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)
    assert match, info
    return int(match.group(1))


def pdf_text(path: Path, first: int | None = None, last: int | None = None) -> str:
    args = [require_tool("pdftotext"), "-enc", "UTF-8"]
    if first:
        args += ["-f", str(first)]
    if last:
        args += ["-l", str(last)]
    done = subprocess.run([*args, str(path), "-"], capture_output=True, check=True)
    return " ".join(done.stdout.decode("utf-8").split())


def has(text: str, page_text: str) -> bool:
    """Text on the page, ignoring case (small headings are upper-cased by CSS)."""
    return text.casefold() in page_text.casefold()


def write_pdf(cli, tmp_path: Path, *files: Path, name: str = "r.pdf") -> Path:
    out = tmp_path / name
    result = cli(
        "report", *files, "--format", "pdf", "-o", out,
        "--client", "Northwind Insurance", "--author", "Acme Advisory",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return out


def test_use_case_pdf_pages_and_text(cli, tmp_path: Path) -> None:
    require_tool("pdfinfo")
    out = write_pdf(cli, tmp_path, EXAMPLES / "refund-assistant.yaml")
    pages = pdf_pages(out)
    assert 3 <= pages <= 10, pages

    first = pdf_text(out, 1, 1)
    for text in (
        "Refund policy assistant",
        "Northwind Insurance",
        "Acme Advisory",
        "NOT READY",
        "14",
        "What matters most",
        "Consequential decisions",  # (two columns: pdftotext interleaves wrapped lines)
        "High-cost errors at more than 1 in 100",
        "What to do next",
        "Page 1 of",
    ):
        assert has(text, first), text
    # Details start on page 2; the executive summary has page 1 to itself.
    assert "Readiness by dimension" not in first

    everything = pdf_text(out)
    for text in (
        "Readiness by dimension",
        "High-cost errors at more than 1 in 100",
        "Any task where the cost of an error is high and errors happen at a rate of more",
        "What would raise the verdict",
        "Cost of errors and reviews",
        "Recommended architecture",
        "Answers as given",
        "production-readiness",
        f"Page {pages} of {pages}",
    ):
        assert text in everything, text


def test_executive_summary_stays_on_page_one_with_a_huge_description(cli, tmp_path: Path) -> None:
    require_tool("pdfinfo")
    description = ("A long description of the use case. " * 3000)[:100_000]
    path = tmp_path / "long.yaml"
    path.write_text(
        hostile_assessment(
            name="Long description", description=description, owner="Ops", note="n" * 5000
        ),
        encoding="utf-8",
    )
    out = write_pdf(cli, tmp_path, path)
    first = pdf_text(out, 1, 1)
    assert has("What to do next", first) and has("What matters most", first)
    assert "full description under" in first
    assert pdf_pages(out) > 10  # the whole description is in the report, further on


def test_portfolio_pdf_has_a_section_per_use_case(cli, tmp_path: Path) -> None:
    require_tool("pdfinfo")
    out = write_pdf(cli, tmp_path, *(EXAMPLES / n for n in ALL_EXAMPLES), name="p.pdf")
    pages = pdf_pages(out)
    assert pages >= 2 + len(ALL_EXAMPLES)
    first = pdf_text(out, 1, 1)
    assert "1 of 5 use cases is ready" in first
    assert "Readiness of the portfolio" in first
    second = pdf_text(out, 2, 2)
    assert "What to build first" in second and "Build order: ready use cases first" in second
    # The build order refers to the page of each use case's section.
    refs = [int(p) for p in re.findall(r"\(p\. ?(\d+)\)", second)]
    assert len(refs) == len(ALL_EXAMPLES) and refs == sorted(refs) and refs[0] > 2
    for ref, name in zip(refs, ["Support ticket triage"], strict=False):
        assert name in pdf_text(out, ref, ref)
