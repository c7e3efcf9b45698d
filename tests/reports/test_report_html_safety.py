"""Hostile user text in the HTML report: parsed with html.parser, nothing executable comes out.

Every text field of the assessment (name, description, owner, notes), the cover options and a
rubric's own texts carry script tags, attribute breakouts and javascript:/data: links. The
parsed document must contain no script, no event-handler attribute, no element the template
does not produce, no link to anything but http(s) or a fragment, and nothing fetched.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from report_support import DATA_LINK, EXAMPLES, IMG, JS_LINK, SAFE_LINK, SCRIPT

from assessor.reports.safety import linkify

# Every element the template itself writes; anything else came from user text.
TEMPLATE_TAGS = {
    "html", "head", "meta", "title", "style", "body", "main", "header", "footer", "section",
    "nav", "article", "div", "span", "p", "h1", "h2", "h3", "h4", "h5", "dl", "dt", "dd", "ul",
    "ol", "li", "strong", "code", "blockquote", "table", "thead", "tbody", "tr", "th", "td", "a",
    "img", "svg", "circle", "rect", "text", "line", "polyline", "figure", "figcaption", "wbr",
    "sup", "em",
}  # fmt: skip


class Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.style_blocks = 0
        self._in_style = False
        self.css = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"
        self.style_blocks += tag == "style"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.css += data
        else:
            self.text.append(data)


def parse(html: str) -> Collector:
    parser = Collector()
    parser.feed(html)
    parser.close()
    return parser


def render(cli, tmp_path: Path, *files: Path, extra: tuple[str, ...] = ()) -> str:
    out = tmp_path / "report.html"
    result = cli("report", *files, "--format", "html", "-o", out, "--force", *extra)
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def assert_inert(doc: Collector, *, logo: bool = False) -> None:
    for tag, attrs in doc.tags:
        assert tag in TEMPLATE_TAGS, f"unexpected element <{tag}> {attrs}"
        for name, value in attrs.items():
            assert not name.startswith("on"), f"event handler {name}={value!r} on <{tag}>"
            assert name not in ("srcdoc", "formaction", "xlink:href", "action"), name
            if name in ("href", "src"):
                assert value is not None
                if tag == "img" and name == "src" and logo:
                    assert re.match(
                        r"data:image/(png|jpeg|svg\+xml);base64,[A-Za-z0-9+/=]+$", value
                    )
                    continue
                assert value.startswith(("#", "https://", "http://")), f"{tag} {name}={value!r}"
            if name == "style":
                assert "url(" not in (value or "") and "expression" not in (value or "")
    assert doc.style_blocks == 1
    assert "url(" not in doc.css and "@import" not in doc.css
    assert not [t for t, a in doc.tags if t in ("script", "iframe", "object", "embed", "link")]


def test_hostile_assessment_renders_as_text(cli, tmp_path: Path, hostile_file: Path) -> None:
    html = render(
        cli, tmp_path, hostile_file,
        extra=("--title", SCRIPT, "--client", IMG, "--author", f"{JS_LINK} <b>x</b>"),
    )  # fmt: skip
    doc = parse(html)
    assert_inert(doc)
    text = "".join(doc.text)
    # The hostile strings are shown to the reader, literally.
    assert SCRIPT in text
    assert IMG in text
    assert "<iframe src=//evil.example></iframe>" in text
    assert JS_LINK in text and DATA_LINK in text
    # ... and the escape sequence is gone, not half-kept.
    assert "\x1b" not in html and "[31m" not in html


def test_only_http_links_are_made_from_user_text(cli, tmp_path: Path, hostile_file: Path) -> None:
    doc = parse(render(cli, tmp_path, hostile_file))
    links = [
        a["href"] for t, a in doc.tags if t == "a" and not (a.get("href") or "").startswith("#")
    ]
    assert SAFE_LINK in links
    # The URL broken by a quote links only up to the quote; the rest stays text.
    assert "https://x.example/" in links
    assert all(href.startswith(("https://", "http://")) for href in links)
    assert not any("javascript" in h.lower() or h.lower().startswith("data:") for h in links)
    for tag, attrs in doc.tags:
        if tag == "a" and not attrs["href"].startswith("#"):
            assert attrs.get("rel") == "noopener noreferrer nofollow"


def test_hostile_rubric_text_is_escaped_too(cli, tmp_path: Path, hostile_rubric: Path) -> None:
    html = render(
        cli, tmp_path, EXAMPLES / "refund-assistant.yaml", extra=("--rubric", str(hostile_rubric))
    )
    doc = parse(html)
    assert_inert(doc)
    text = "".join(doc.text)
    assert f"Consequential {SCRIPT}" in text
    assert f"{IMG} guide" in text


def test_portfolio_with_hostile_names_is_inert(cli, tmp_path: Path, hostile_file: Path) -> None:
    doc = parse(render(cli, tmp_path, hostile_file, EXAMPLES / "ticket-triage.yaml"))
    assert_inert(doc)
    assert SCRIPT in "".join(doc.text)


def test_report_is_self_contained(cli, tmp_path: Path) -> None:
    """No script, no external stylesheet, font or image: the file opens offline."""
    html = render(cli, tmp_path, *(EXAMPLES / n for n in ("loan-agent.yaml", "ticket-triage.yaml")))
    doc = parse(html)
    assert_inert(doc)
    assert not re.search(r"@font-face|https?://", doc.css)
    assert "<svg" in html  # the charts are inline SVG


@pytest.mark.parametrize(
    ("text", "expected_links"),
    [
        ("see https://a.example/x.", ["https://a.example/x"]),
        ("(https://a.example/y)", ["https://a.example/y"]),
        ("javascript:alert(1) and JAVASCRIPT:https://b.example", ["https://b.example"]),
        ("data:text/html,<script>x</script>", []),
        ('https://c.example/"><script>', ["https://c.example/"]),
        ("vbscript:msgbox file:///etc/passwd http://", []),
    ],
)
def test_linkify_links_http_only(text: str, expected_links: list[str]) -> None:
    doc = parse(str(linkify(text)))
    assert [a["href"] for t, a in doc.tags if t == "a"] == expected_links
    assert [t for t, _ in doc.tags if t != "a"] == []
    assert "".join(doc.text) == text
