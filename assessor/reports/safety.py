"""Everything that stands between user text and a report: escaping, links and the logo.

Decisions (tested in tests/reports/test_safety_*.py):

* HTML: Jinja2 autoescapes every value; no user text is marked safe. The only markup made from
  user text is :func:`linkify`, which escapes each piece itself and turns ``http(s)://`` URLs
  into links; any other scheme (``javascript:``, ``data:``, ``vbscript:``, ``file:``) stays
  plain, escaped text.
* Markdown: user text never forms markup. :func:`md_inline` backslash-escapes every character
  GitHub would read as syntax (emphasis, links, images, HTML, tables, code, math, entities) and
  puts it on one line; :func:`md_block` keeps line breaks as hard breaks and escapes what would
  start a block (headings, lists, quotes, code fences, rules).
* The logo is the one binary input: it must really be a PNG, JPEG or SVG (checked by content,
  not by name), at most :data:`MAX_LOGO_BYTES`; SVG is rebuilt from an allow-list of elements
  and attributes (no scripts, event handlers, external references, entities or styles that
  load anything), and every logo is embedded as a ``data:`` URI in an ``<img>``, where browsers
  run no script even if one slipped through.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assessor.errors import InputError, Problem
from assessor.reports.words import clean, one_line

# ---------------------------------------------------------------------------------------------
# Markdown

# Every ASCII punctuation character may be backslash-escaped in CommonMark/GFM. These are the
# ones that can open or close markup inside a line: emphasis, code, links and images (``[``),
# raw HTML and autolinks (``<``), table cells, strikethrough, GitHub math (``$``), entities
# (``&``) and closing ``#``s of headings. Bare ``http(s)://`` URLs still become links on
# GitHub, and those are safe.
_MD_INLINE = re.compile(r"([\\`*_\[\]<>#|~$&])")
# What starts a block at the beginning of a line: lists, setext underlines, numbered lists.
_MD_BLOCK_START = re.compile(r"^([-+=]|\d+(?=[.)]))")


def md_inline(text: Any) -> str:
    """User text as Markdown that renders as exactly that text, on one line (table-safe)."""
    return _MD_INLINE.sub(r"\\\1", one_line(text))


def md_block(text: Any) -> str:
    """Multi-line user text as Markdown paragraphs: lines become hard breaks, nothing else."""
    paragraphs = []
    for para in re.split(r"\n\s*\n", clean(text).strip()):
        lines = []
        for raw in para.split("\n"):
            line = _MD_INLINE.sub(r"\\\1", " ".join(raw.split()))
            line = _MD_BLOCK_START.sub(_escape_block_start, line)
            if line:
                lines.append(line)
        if lines:
            paragraphs.append("\\\n".join(lines))
    return "\n\n".join(paragraphs)


def _escape_block_start(match: re.Match[str]) -> str:
    marker = match.group(1)
    # "1." -> "1\." : escaping the punctuation after the digits stops an ordered list.
    return marker + "\\" if marker[0].isdigit() else "\\" + marker


def md_code(text: str) -> str:
    """An identifier as inline code; text that could break out of a code span is escaped."""
    if "`" in text or "\n" in text or not text.strip():
        return md_inline(text)
    return f"`{text}`"


# ---------------------------------------------------------------------------------------------
# HTML links

# A URL runs to the first space, quote, angle bracket or backtick; trailing punctuation that
# usually ends the sentence is not part of it.
_URL = re.compile(r"\bhttps?://[^\s<>\"'`]+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\""
SAFE_SCHEMES = ("http://", "https://")


def safe_url(url: str) -> str | None:
    """The URL if a report may link to it (``http``/``https`` only), else ``None``."""
    candidate = "".join(ch for ch in url.strip() if ch >= " " and ch != "\x7f")
    return candidate if candidate.lower().startswith(SAFE_SCHEMES) else None


def linkify(text: Any) -> Any:
    """Escape user text for HTML, turning ``http(s)`` URLs into links (Jinja filter).

    Returns ``markupsafe.Markup`` built only from escaped pieces: text outside URLs is escaped,
    and a URL is escaped both as the ``href`` value and as the link text.
    """
    from markupsafe import Markup, escape

    source = clean(text)
    out: list[str] = []
    pos = 0
    for match in _URL.finditer(source):
        url = match.group(0)
        while url and url[-1] in _TRAILING:
            url = url[:-1]
        start, end = match.start(), match.start() + len(url)
        href = safe_url(url)
        if not href or len(url) <= len("https://"):
            continue
        out.append(str(escape(source[pos:start])))
        out.append(f'<a href="{escape(href)}" rel="noopener noreferrer nofollow">{escape(url)}</a>')
        pos = end
    out.append(str(escape(source[pos:])))
    return Markup("".join(out))


# ---------------------------------------------------------------------------------------------
# Logo

MAX_LOGO_BYTES = 2_000_000

_SVG_NS = "http://www.w3.org/2000/svg"
_XLINK_NS = "http://www.w3.org/1999/xlink"
_SVG_ELEMENTS = {
    "svg", "g", "defs", "title", "desc", "path", "rect", "circle", "ellipse", "line",
    "polyline", "polygon", "text", "tspan", "linearGradient", "radialGradient", "stop",
    "clipPath", "mask", "symbol", "use", "style",
}  # fmt: skip
_SVG_ATTRIBUTES = {
    "id", "class", "viewBox", "width", "height", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy",
    "r", "rx", "ry", "d", "points", "fill", "fill-opacity", "fill-rule", "clip-rule",
    "stroke", "stroke-width", "stroke-opacity", "stroke-linecap", "stroke-linejoin",
    "stroke-miterlimit", "stroke-dasharray", "stroke-dashoffset", "opacity", "transform",
    "offset", "stop-color", "stop-opacity", "gradientUnits", "gradientTransform",
    "spreadMethod", "fx", "fy", "fr", "clip-path", "mask", "clipPathUnits", "maskUnits",
    "maskContentUnits", "preserveAspectRatio", "font-family", "font-size", "font-weight",
    "font-style", "text-anchor", "dominant-baseline", "letter-spacing", "dx", "dy",
    "visibility", "display", "color", "href", "version", "style",
}  # fmt: skip
_STYLE_FORBIDDEN = re.compile(r"url\s*\((?!\s*['\"]?#)|@import|expression|\\|<|javascript:", re.I)
_PAINT_REF = re.compile(r"^\s*url\(\s*['\"]?#[A-Za-z0-9_.:-]+['\"]?\s*\)\s*(\w+)?\s*$")


@dataclass(frozen=True)
class Logo:
    """A validated logo, ready to embed."""

    media_type: str
    data: bytes

    @property
    def data_uri(self) -> str:
        return f"data:{self.media_type};base64,{base64.b64encode(self.data).decode('ascii')}"


def load_logo(path: Path) -> Logo:
    """Read and check a logo file; raise :class:`InputError` naming the file when it is unfit."""
    from assessor.fileio import read_bytes

    name = str(path)
    try:
        data = read_bytes(path, limit=MAX_LOGO_BYTES, display=name)
    except InputError as exc:
        message = exc.problems[0].message
        if message.startswith("file too large"):
            message += f"; a logo may be at most {MAX_LOGO_BYTES:,} bytes"
        raise _refuse(name, "no such file" if message == "file not found" else message) from None
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 24 and data[12:16] == b"IHDR":
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        _check_pixels(name, width, height)
        return Logo("image/png", data)
    if data.startswith(b"\xff\xd8\xff") and len(data) > 4:
        size = _jpeg_size(data)
        if size is None:
            raise _refuse(name, "JPEG without a frame header (no image size); export it again")
        _check_pixels(name, *size)
        return Logo("image/jpeg", data)
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<?xml", b"<svg", b"<!--")) and b"<svg" in data.lower():
        return Logo("image/svg+xml", sanitize_svg(data, name))
    raise _refuse(name, "not a PNG, JPEG or SVG image (checked by content, not by file name)")


MAX_LOGO_SIDE = 10_000
"""Widest or tallest raster logo (pixels); also the largest width or height of an SVG."""
MAX_LOGO_PIXELS = 25_000_000
"""A raster logo decodes to at most this many pixels (100 MB as RGBA): a small compressed
file cannot ask the PDF engine or a browser for gigabytes."""
MAX_SVG_ELEMENTS = 5_000
"""Elements an SVG logo may have as written."""
MAX_SVG_RENDERED = 20_000
"""Elements an SVG logo may draw once every ``<use>`` and ``url(#...)`` reference is
expanded: nested references multiply (10 levels of 10 uses are 10^10 elements from 2 KB)."""
MAX_SVG_DEPTH = 50
SVG_SECONDS = 2.0
"""Time budget for checking one SVG logo; the counting above bounds it long before."""


def _check_pixels(name: str, width: int, height: int) -> None:
    if width <= 0 or height <= 0:
        raise _refuse(name, f"image size {width}x{height} is empty")
    if width > MAX_LOGO_SIDE or height > MAX_LOGO_SIDE or width * height > MAX_LOGO_PIXELS:
        raise _refuse(
            name,
            f"image is {width:,}x{height:,} pixels; a logo may be at most "
            f"{MAX_LOGO_SIDE:,} pixels a side and {MAX_LOGO_PIXELS:,} pixels in all",
        )


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a JPEG's frame header (SOFn), or None when there is none."""
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            if pos + 9 > len(data):
                return None
            height = int.from_bytes(data[pos + 5 : pos + 7], "big")
            width = int.from_bytes(data[pos + 7 : pos + 9], "big")
            return width, height
        if marker == 0xDA or length < 2:  # image data before any frame header
            return None
        pos += 2 + length
    return None


def _refuse(
    name: str, message: str, line: int | None = None, column: int | None = None
) -> InputError:
    return InputError(Problem(name, line, column, "--logo", message))


def sanitize_svg(data: bytes, name: str = "logo") -> bytes:
    """Rebuild an SVG from allowed elements and attributes only; refuse what cannot be parsed.

    DOCTYPEs and entities are refused outright (no entity expansion, no external entities).
    Scripts, ``foreignObject``, ``image``, animation, event handlers, styles that load
    anything and links to anything but a fragment of the same document are dropped.
    """
    import xml.etree.ElementTree as ET

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _refuse(name, f"SVG is not valid UTF-8 (byte {exc.start})") from None
    if re.search(r"<!DOCTYPE|<!ENTITY", text, re.IGNORECASE):
        raise _refuse(name, "SVG with a DOCTYPE or entities is not accepted; export a plain SVG")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        line, column = exc.position
        raise _refuse(
            name, f"SVG does not parse: {exc.msg if hasattr(exc, 'msg') else exc}", line, column + 1
        ) from None
    if _local(root.tag) != "svg":
        raise _refuse(name, "the document's root element is not <svg>")
    _check_svg_budget(root, name)

    def copy(node: ET.Element) -> ET.Element | None:
        tag = _local(node.tag)
        in_svg = node.tag == tag or node.tag.startswith("{" + _SVG_NS + "}")
        if tag not in _SVG_ELEMENTS or not in_svg:
            return None
        out = ET.Element(f"{{{_SVG_NS}}}{tag}")
        for key, value in node.attrib.items():
            attr = _safe_attribute(key, value)
            if attr is not None:
                out.set(*attr)
        if tag in _TEXT_ELEMENTS and node.text:
            out.text = node.text
        if tag == "style" and node.text and _STYLE_FORBIDDEN.search(node.text):
            return None
        for child in node:
            kept = copy(child)
            if kept is not None:
                out.append(kept)
                if tag in ("text", "tspan") and child.tail:
                    kept.tail = child.tail
        return out

    clean_root = copy(root)
    assert clean_root is not None
    ET.register_namespace("", _SVG_NS)
    ET.register_namespace("xlink", _XLINK_NS)
    return ET.tostring(clean_root, encoding="utf-8", xml_declaration=True)


_TEXT_ELEMENTS = {"text", "tspan", "title", "desc", "style"}
_REFERENCE = re.compile(r"url\(\s*['\"]?#([^'\")\s]+)")
_LENGTH = re.compile(r"^\s*([0-9.eE+-]+)\s*(px|pt|pc|mm|cm|in|em|ex|%)?\s*$")


def _check_svg_budget(root: Any, name: str) -> None:
    """Refuse an SVG too big to draw: too many elements, too deep, too large a canvas, or
    references (``<use>``, ``url(#id)``) that expand beyond :data:`MAX_SVG_RENDERED`
    elements or form a cycle. Counting is linear in the file (each element's expanded size
    is computed once), and a clock stops it after :data:`SVG_SECONDS` whatever happens."""
    import time

    deadline = time.monotonic() + SVG_SECONDS
    by_id: dict[str, Any] = {}
    count = 0
    stack = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_SVG_ELEMENTS:
            raise _refuse(name, f"SVG has more than {MAX_SVG_ELEMENTS:,} elements")
        if depth > MAX_SVG_DEPTH:
            raise _refuse(name, f"SVG is nested deeper than {MAX_SVG_DEPTH} levels")
        if "id" in node.attrib:
            by_id.setdefault(node.attrib["id"], node)
        stack.extend((child, depth + 1) for child in node)
    for attribute in ("width", "height"):
        match = _LENGTH.match(root.attrib.get(attribute, "0"))
        if match and match.group(2) != "%":
            try:
                value = float(match.group(1))
            except ValueError:
                continue
            if not 0 <= value <= MAX_LOGO_SIDE:
                raise _refuse(name, f"SVG {attribute} {value:g} is outside 0..{MAX_LOGO_SIDE:,}")

    sizes: dict[int, int] = {}
    visiting: set[int] = set()

    def references(node: Any) -> list[Any]:
        found = []
        for key, value in node.attrib.items():
            if _local(key) == "href" and value.strip().startswith("#"):
                found.append(value.strip()[1:])
            found.extend(_REFERENCE.findall(value))
        if _local(node.tag) == "style" and node.text:
            found.extend(_REFERENCE.findall(node.text))
        return [by_id[ref] for ref in found if ref in by_id]

    def size(node: Any, depth: int = 0) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if depth > 4 * MAX_SVG_DEPTH:
            raise _refuse(name, "SVG references are chained too deeply")
        if key in visiting:
            raise _refuse(name, "SVG references form a cycle (<use> or url(#...))")
        if time.monotonic() > deadline:
            raise _refuse(name, f"SVG took over {SVG_SECONDS:g} s to check; simplify it")
        visiting.add(key)
        total = 1
        for child in (*node, *references(node)):
            total += size(child, depth + 1)
            if total > MAX_SVG_RENDERED:
                raise _refuse(
                    name,
                    f"SVG expands to more than {MAX_SVG_RENDERED:,} elements through nested "
                    "<use> or url(#...) references; export it with the references flattened",
                )
        visiting.discard(key)
        sizes[key] = total
        return total

    size(root)


def _safe_attribute(key: str, value: str) -> tuple[str, str] | None:
    name = _local(key)
    if name not in _SVG_ATTRIBUTES or name.lower().startswith("on"):
        return None
    if key.startswith("{") and not key.startswith("{" + _XLINK_NS + "}"):
        return None
    lowered = value.lower()
    if "javascript:" in lowered or "data:" in lowered:
        return None
    if name == "href":
        return (f"{{{_XLINK_NS}}}href", value) if value.strip().startswith("#") else None
    if name == "style":
        return None if _STYLE_FORBIDDEN.search(value) else (name, value)
    if "url(" in lowered and not _PAINT_REF.match(value):
        return None
    return name, value


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
