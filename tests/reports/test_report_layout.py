"""Print layout: no page of any PDF report ends with a heading whose content is on the next page.

Every example and the portfolio of all of them is rendered to PDF (and to HTML, for its list of
headings); each page's last line of text, read back with pdftotext, must not be a heading.
"""

from __future__ import annotations

import html
import re
import subprocess
from pathlib import Path

import pytest
from report_support import EXAMPLES, require_tool

MARGIN = 6
"""Columns of indentation (pdftotext -layout) a heading's line may have."""
FOOTER = re.compile(r"Page \d+ of \d+\s*$")
HEADING = re.compile(
    r"<(h[1-6])\b[^>]*>(.*?)</\1>|<tr class=\"group\"><th[^>]*>(.*?)</th>", re.DOTALL
)
TAG = re.compile(r"<[^>]+>")


def norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def headings(page: str) -> set[str]:
    """Every heading's text in the HTML report (section titles and answer groups)."""
    out = set()
    for match in HEADING.finditer(page):
        inner = match.group(2) if match.group(2) is not None else match.group(3)
        text = norm(html.unescape(TAG.sub(" ", inner)))
        if text:
            out.add(text)
    return out


def last_lines(pdf: Path) -> list[str]:
    """Each page's last line of text, without the running footer."""
    info = subprocess.run(
        [require_tool("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))  # type: ignore[union-attr]
    out = []
    for page in range(1, pages + 1):
        text = subprocess.run(
            [require_tool("pdftotext"), "-layout", "-enc", "UTF-8", "-f", str(page), "-l",
             str(page), str(pdf), "-"],
            capture_output=True, check=True,
        ).stdout.decode("utf-8")  # fmt: skip
        lines = [line for line in text.splitlines() if line.strip()]
        while lines and FOOTER.search(lines[-1]):
            lines.pop()
        # A heading starts at the left margin; an indented line is a table cell or a box.
        last = lines[-1] if lines else ""
        out.append(norm(last) if len(last) - len(last.lstrip()) <= MARGIN else "")
    return out


def render(cli, tmp_path: Path, files: list[Path], name: str, *extra: str) -> tuple[Path, str]:
    pdf, page = tmp_path / f"{name}.pdf", tmp_path / f"{name}.html"
    for fmt, out in (("pdf", pdf), ("html", page)):
        result = cli("report", *files, "--format", fmt, "-o", out, "--author", "Acme", *extra)
        assert result.exit_code == 0, result.output
    return pdf, page.read_text(encoding="utf-8")


def assert_no_stranded_heading(pdf: Path, page: str) -> None:
    titles = headings(page)
    assert len(titles) > 5, titles  # the check reads the headings it means to
    for number, line in enumerate(last_lines(pdf), 1):
        stranded = [t for t in titles if line == t or (len(line) > 8 and t.startswith(line))]
        assert not stranded, f"{pdf.name}: page {number} ends with the heading {stranded[0]!r}"


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.yaml")))
def test_no_page_of_an_example_ends_with_a_heading(cli, tmp_path: Path, example: str) -> None:
    pdf, page = render(cli, tmp_path, [EXAMPLES / example], "uc")
    assert_no_stranded_heading(pdf, page)


def test_no_page_of_the_portfolio_ends_with_a_heading(cli, tmp_path: Path) -> None:
    files = sorted(EXAMPLES.glob("*.yaml"))
    pdf, page = render(cli, tmp_path, files, "portfolio")
    assert_no_stranded_heading(pdf, page)
    pdf, page = render(cli, tmp_path, files, "summary", "--summary")
    assert_no_stranded_heading(pdf, page)
