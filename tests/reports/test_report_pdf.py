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
        "Methodology",
        "weighted mean 45.5, × 0.92 = 36.8, in the band 0–39: 0 + round(39 × 36.8 / 100) = 14",
        "Sign-off",
        "Appendix: answers as given",
        "Production readiness of an AI integration",
        f"Page {pages} of {pages}",
    ):
        assert text in everything, text
    # Client-facing text carries no rule or question ids and no machine paths.
    for internal in ("autonomous-consequential", "no-evaluation", "error_rate_source", "examples/"):
        assert internal not in everything, internal
    info = subprocess.run(
        [require_tool("pdfinfo"), str(out)], capture_output=True, text=True, check=True
    ).stdout
    assert re.search(r"^Title:\s+Refund policy assistant$", info, re.MULTILINE), info
    assert re.search(r"^Author:\s+Acme Advisory$", info, re.MULTILINE), info
    assert re.search(r"^Tagged:\s+yes$", info, re.MULTILINE), info


def test_document_fields_and_no_appendix(cli, tmp_path: Path) -> None:
    require_tool("pdfinfo")
    full = write_pdf(cli, tmp_path, EXAMPLES / "refund-assistant.yaml")
    out = tmp_path / "short.pdf"
    result = cli(
        "report", EXAMPLES / "refund-assistant.yaml", "--format", "pdf", "-o", out,
        "--client", "Northwind Insurance", "--author", "Acme Advisory", "--no-appendix",
        "--doc-version", "1.2", "--status", "final", "--confidential", "--currency", "EUR",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert pdf_pages(out) < pdf_pages(full)
    text = pdf_text(out)
    assert "Answers as given" not in text
    first = pdf_text(out, 1, 1)
    for expected in ("Version", "1.2", "Status", "Final", "Confidential: prepared for Northwind"):
        assert has(expected, first), expected
    assert "EUR 4,447 a day" in first
    # Every page carries the confidentiality mark in its header.
    for page in range(1, pdf_pages(out) + 1):
        assert has("Confidential", pdf_text(out, page, page)), page


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
    assert "Value and readiness" in second
    assert "What to build first" in second and "Build order: ready use cases first" in second
    # The build order refers to the page of each use case's section.
    refs = [int(p) for p in re.findall(r"\(p\. ?(\d+)\)", second)]
    assert len(refs) == len(ALL_EXAMPLES) and refs == sorted(refs) and refs[0] > 2
    for ref, name in zip(refs, ["Support ticket triage"], strict=False):
        assert name in pdf_text(out, ref, ref)


def test_portfolio_summary_is_short(cli, tmp_path: Path) -> None:
    require_tool("pdfinfo")
    files = [EXAMPLES / n for n in ALL_EXAMPLES]
    full = write_pdf(cli, tmp_path, *files, name="p.pdf")
    out = tmp_path / "s.pdf"
    result = cli("report", *files, "--format", "pdf", "-o", out, "--summary")
    assert result.exit_code == 0, result.output
    assert pdf_pages(out) <= 4 < pdf_pages(full)
    text = pdf_text(out)
    for expected in ("Risks by dimension", "Value and readiness", "What to build first",
                     "Methodology", "Sign-off"):  # fmt: skip
        assert has(expected, text), expected
    assert "Readiness by dimension" not in text and "All use cases" not in text
