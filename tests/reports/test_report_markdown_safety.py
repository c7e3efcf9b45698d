"""Markdown for GitHub: no raw HTML, tables intact, user text shown exactly as typed.

Parsed with markdown-it-py (CommonMark plus GFM tables and strikethrough, as GitHub renders).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from report_support import EXAMPLES, HOSTILE_NAME, HOSTILE_NOTE, HOSTILE_OWNER, SCRIPT

from assessor.reports.safety import md_block, md_inline


def gfm() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True, "linkify": False}).enable(
        ["table", "strikethrough"]
    )


def tokens(text: str) -> list:
    out = []

    def walk(items: list) -> None:
        for t in items:
            out.append(t)
            if t.children:
                walk(t.children)

    walk(gfm().parse(text))
    return out


def rendered_text(markdown: str) -> str:
    """What a reader sees: the text content of every inline token."""
    return "".join(t.content for t in tokens(markdown) if t.type in ("text", "code_inline"))


def assert_no_markup_from(markdown: str) -> None:
    kinds = {t.type for t in tokens(markdown)}
    assert "html_inline" not in kinds and "html_block" not in kinds, "raw HTML in Markdown"
    for t in tokens(markdown):
        if t.type in ("link_open", "image"):
            href = t.attrs.get("href") or t.attrs.get("src") or ""
            assert not str(href).lower().startswith(("javascript:", "data:")), href


@pytest.mark.parametrize(
    "text",
    [
        SCRIPT,
        "a | b | c",
        "`code` and ``double``",
        "**bold** _em_ ~~strike~~ $math$",
        "[link](javascript:alert(1)) ![img](data:x) <https://x.example>",
        "# heading? no",
        "line one\nline two\n\n| in | table |",
        "&lt;entity&gt; &amp; &#60;",
        "back\\slash\\|pipe",
        "ends with backslash\\",
    ],
)
def test_inline_text_renders_as_typed(text: str) -> None:
    markdown = f"| Col |\n| --- |\n| {md_inline(text)} |\n"
    assert_no_markup_from(markdown)
    kinds = [t.type for t in tokens(markdown)]
    assert kinds.count("td_open") == 1 and kinds.count("tr_open") == 2
    assert not {"strong_open", "em_open", "s_open", "image", "code_inline"} & set(kinds)
    # The only links are the http(s) URLs in the text, as autolinks.
    links = [t.attrs["href"] for t in tokens(markdown) if t.type == "link_open"]
    assert all(href.startswith("https://") and href in text for href in links), links
    assert rendered_text(markdown) == "Col" + " ".join(text.split())


@pytest.mark.parametrize(
    "url",
    [
        "https://wiki.example.com/eval?run=7&set=gold",
        "https://x.example/a_b*c~d$e#frag",
        "https://x.example/a|b",
    ],
)
def test_bare_urls_link_to_exactly_that_url(url: str) -> None:
    markdown = f"| Col |\n| --- |\n| See {md_inline(url)}. |\n"
    links = [t.attrs["href"] for t in tokens(markdown) if t.type == "link_open"]
    assert links == [url.replace("|", "%7C")]
    kinds = [t.type for t in tokens(markdown)]
    assert kinds.count("td_open") == 1
    assert rendered_text(markdown).endswith(".")
    para = md_block(f"First line {url}\nsecond")
    assert [t.attrs["href"] for t in tokens(para) if t.type == "link_open"] == [
        url.replace("|", "%7C")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "- not a list\n+ nor this\n* nor this\n1. not ordered\n2) nor this",
        "# not a heading\n> not a quote\n    not code\n```\nnot a fence\n```",
        "Title\n===\nSub\n---\n***",
        "<div>\nraw block\n</div>",
    ],
)
def test_block_text_keeps_lines_and_forms_no_blocks(text: str) -> None:
    markdown = md_block(text)
    assert_no_markup_from(markdown)
    kinds = {t.type for t in tokens(markdown)}
    assert kinds <= {"paragraph_open", "paragraph_close", "inline", "text", "hardbreak",
                     "softbreak"}, kinds  # fmt: skip
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    assert rendered_text(markdown) == "".join(lines)


@pytest.mark.parametrize("portfolio", [False, True])
def test_report_with_hostile_text_has_intact_tables(
    cli, tmp_path: Path, hostile_file: Path, portfolio: bool
) -> None:
    out = tmp_path / "r.md"
    files = [hostile_file, EXAMPLES / "ticket-triage.yaml"] if portfolio else [hostile_file]
    result = cli("report", *files, "--format", "md", "-o", out, "--client", "<b>Client</b> | x")
    assert result.exit_code == 0, result.output
    markdown = out.read_text(encoding="utf-8")
    assert_no_markup_from(markdown)
    # Every table row has as many cells as its header.
    toks = tokens(markdown)
    row_cells: list[int] = []
    for t in toks:
        if t.type == "tr_open":
            row_cells.append(0)
        elif t.type in ("td_open", "th_open"):
            row_cells[-1] += 1
    tables = markdown.count("\n| :--") + markdown.count("\n| --:")
    assert tables >= 6 and row_cells and all(n >= 2 for n in row_cells)
    lines = markdown.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("| :--") or line.startswith("| --:"):
            width = lines[i - 1].count(" | ")
            j = i + 1
            while j < len(lines) and lines[j].startswith("| "):
                assert lines[j].replace("\\|", "").count(" | ") == width, lines[j]
                j += 1
    text = rendered_text(markdown)
    assert " ".join(HOSTILE_NAME.split()) in text
    assert HOSTILE_OWNER in text
    assert " ".join(HOSTILE_NOTE.split()) in text
    assert "\x1b" not in markdown


def test_score_summary_is_safe(cli, hostile_file: Path) -> None:
    result = cli("score", hostile_file, EXAMPLES / "loan-agent.yaml", "--format", "md")
    assert result.exit_code == 0, result.output
    assert_no_markup_from(result.stdout)
    assert SCRIPT in rendered_text(result.stdout)
    assert "| Use case | Verdict | Score | Blockers | Conditions |" in result.stdout
