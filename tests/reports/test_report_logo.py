"""--logo: only real PNG, JPEG or SVG images, embedded as data URIs; SVGs lose anything active."""

from __future__ import annotations

import base64
import re
import struct
import zlib
from pathlib import Path

import pytest
from report_support import EXAMPLES

from assessor.reports.safety import MAX_LOGO_BYTES


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 2, 1, 8, 2, 0, 0, 0)  # 2x1 RGB
    pixels = zlib.compress(b"\x00\x22\x39\x5d\xb4\x23\x18")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def tiny_jpeg_header(width: int, height: int) -> bytes:
    """A JPEG's start: JFIF segment and a baseline frame header of the given size."""
    jfif = b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    frame = (
        b"\xff\xc0\x00\x11\x08" + struct.pack(">HH", height, width) + b"\x03" + b"\x01\x11\x00" * 3
    )
    return b"\xff\xd8" + jfif + frame


HOSTILE_SVG = """<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     viewBox="0 0 10 10" onload="alert(1)">
  <script>alert(2)</script>
  <style>.a { fill: #123456 }</style>
  <style>.b { background: url(https://evil.example/track.png) }</style>
  <foreignObject><iframe xmlns="http://www.w3.org/1999/xhtml" src="https://evil.example"/></foreignObject>
  <image href="https://evil.example/pixel.png" width="1" height="1"/>
  <a href="javascript:alert(3)"><rect width="5" height="5"/></a>
  <rect class="a" width="10" height="10" onclick="alert(4)" fill="url(#g)"
        style="fill: url(https://evil.example/x)"/>
  <use xlink:href="https://evil.example/sprite.svg#x"/>
  <use xlink:href="#g"/>
  <circle cx="5" cy="5" r="3" fill="#b42318"/>
  <text x="1" y="9">ACME</text>
  <animate attributeName="href" to="javascript:alert(5)"/>
</svg>
"""


def render(cli, tmp_path: Path, logo: Path, fmt: str = "html"):
    out = tmp_path / f"r.{fmt}"
    result = cli(
        "report", EXAMPLES / "ticket-triage.yaml", "--format", fmt, "-o", out, "--logo", logo
    )
    return result, out


def embedded(html: str) -> tuple[str, bytes]:
    match = re.search(r'<img class="logo" src="data:([^;]+);base64,([A-Za-z0-9+/=]+)"', html)
    assert match, "logo not embedded"
    return match.group(1), base64.b64decode(match.group(2))


def test_png_logo_is_embedded_as_data_uri(cli, tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(tiny_png())
    result, out = render(cli, tmp_path, logo)
    assert result.exit_code == 0, result.output
    media, data = embedded(out.read_text(encoding="utf-8"))
    assert media == "image/png" and data == tiny_png()


def test_jpeg_is_recognised_by_content_not_name(cli, tmp_path: Path) -> None:
    logo = tmp_path / "logo.bin"
    logo.write_bytes(tiny_jpeg_header(2, 1) + b"\x00" * 32)
    result, out = render(cli, tmp_path, logo)
    assert result.exit_code == 0, result.output
    assert embedded(out.read_text(encoding="utf-8"))[0] == "image/jpeg"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<html><script>alert(1)</script></html>", "not a PNG, JPEG or SVG"),
        (b"\x89PNG but not really", "not a PNG, JPEG or SVG"),
        (
            b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            b'<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>',
            "DOCTYPE or entities",
        ),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><rect></svg>", "SVG does not parse"),
        (b"<?xml version='1.0'?><html><svg/></html>", "root element is not <svg>"),
    ],
)
def test_unfit_logos_are_refused_with_exit_2(
    cli, tmp_path: Path, content: bytes, message: str
) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(content)
    result, out = render(cli, tmp_path, logo)
    assert result.exit_code == 2
    assert str(logo) in result.stderr and "--logo" in result.stderr
    assert message in result.stderr
    assert not out.exists()


def test_missing_and_huge_logos_are_refused(cli, tmp_path: Path) -> None:
    result, _ = render(cli, tmp_path, tmp_path / "nope.png")
    assert result.exit_code == 2 and "no such file" in result.stderr
    huge = tmp_path / "huge.png"
    huge.write_bytes(tiny_png() + b"\x00" * MAX_LOGO_BYTES)
    result, _ = render(cli, tmp_path, huge)
    assert result.exit_code == 2 and "at most" in result.stderr


def test_svg_logo_is_sanitised(cli, tmp_path: Path) -> None:
    logo = tmp_path / "logo.svg"
    logo.write_text(HOSTILE_SVG, encoding="utf-8")
    result, out = render(cli, tmp_path, logo)
    assert result.exit_code == 0, result.output
    media, data = embedded(out.read_text(encoding="utf-8"))
    assert media == "image/svg+xml"
    svg = data.decode("utf-8")
    for gone in ("script", "onload", "onclick", "foreignObject", "iframe", "<image", "evil.example",
                 "javascript:", "animate"):  # fmt: skip
        assert gone not in svg, gone
    for kept in ("<circle", 'fill="#b42318"', "ACME", ".a { fill: #123456 }", 'href="#g"'):
        assert kept in svg, kept


def test_svg_logo_renders_in_pdf(cli, tmp_path: Path) -> None:
    logo = tmp_path / "logo.svg"
    logo.write_text(HOSTILE_SVG, encoding="utf-8")
    result, out = render(cli, tmp_path, logo, fmt="pdf")
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF-")


def test_markdown_refers_to_the_logo_file(cli, tmp_path: Path) -> None:
    logo = tmp_path / "brand" / "logo.png"
    logo.parent.mkdir()
    logo.write_bytes(tiny_png())
    result, out = render(cli, tmp_path, logo, fmt="md")
    assert result.exit_code == 0, result.output
    assert "![Logo](brand/logo.png)" in out.read_text(encoding="utf-8")


# ---- logos that are expensive to draw -------------------------------------------------------


def use_bomb(levels: int = 10, fan: int = 10) -> bytes:
    """Nested <use>: each level draws the previous one ``fan`` times (fan**levels elements)."""
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">']
    parts.append('<defs><path id="l0" d="M0 0h1v1z"/>')
    for level in range(1, levels + 1):
        uses = "".join(f'<use xlink:href="#l{level - 1}"/>' for _ in range(fan))
        parts.append(f'<g id="l{level}">{uses}</g>')
    parts.append(f'</defs><use xlink:href="#l{levels}"/></svg>')
    return "".join(parts).encode()


@pytest.mark.parametrize("fmt", ["html", "md", "json"])
def test_nested_use_svg_bomb_is_refused(cli, tmp_path: Path, fmt: str) -> None:
    bomb = use_bomb()
    assert len(bomb) < 4096
    logo = tmp_path / "bomb.svg"
    logo.write_bytes(bomb)
    result, out = render(cli, tmp_path, logo, fmt)
    assert result.exit_code == 2
    assert "SVG expands to more than 20,000 elements" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("svg", "message"),
    [
        (
            '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
            '<g id="a"><use xlink:href="#b"/></g><g id="b"><use xlink:href="#a"/></g></svg>',
            "SVG references form a cycle",
        ),
        (
            '<svg xmlns="http://www.w3.org/2000/svg"><defs><linearGradient id="g">'
            '<stop offset="0"/></linearGradient></defs>'
            '<rect fill="url(#g)" width="1" height="1"/>' + "<g>" * 60 + "</g>" * 60 + "</svg>",
            "nested deeper than 50 levels",
        ),
        (
            '<svg xmlns="http://www.w3.org/2000/svg" width="1000000" height="10"/>',
            "SVG width 1e+06 is outside 0..10,000",
        ),
        (
            '<svg xmlns="http://www.w3.org/2000/svg">' + "<rect/>" * 6000 + "</svg>",
            "SVG has more than 5,000 elements",
        ),
    ],
)
def test_svgs_beyond_the_budget_are_refused(cli, tmp_path: Path, svg: str, message: str) -> None:
    logo = tmp_path / "logo.svg"
    logo.write_text(svg)
    result, out = render(cli, tmp_path, logo)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not out.exists()


def test_a_few_references_within_the_budget_are_kept(cli, tmp_path: Path) -> None:
    logo = tmp_path / "logo.svg"
    logo.write_bytes(use_bomb(levels=3, fan=5))  # 125 paths drawn: fine
    result, out = render(cli, tmp_path, logo)
    assert result.exit_code == 0, result.output
    media, data = embedded(out.read_text(encoding="utf-8"))
    assert media == "image/svg+xml" and data.count(b"<svg:use") + data.count(b"<use") == 16


def _png_of_size(width: int, height: int) -> bytes:
    png = bytearray(tiny_png())
    png[16:24] = struct.pack(">II", width, height)
    return bytes(png)


@pytest.mark.parametrize(
    ("content", "shown"),
    [
        (_png_of_size(100_000, 100_000), "100,000x100,000"),
        (_png_of_size(8_000, 8_000), "8,000x8,000"),
        (tiny_jpeg_header(65_535, 65_535) + b"\x00" * 16, "65,535x65,535"),
    ],
)
def test_raster_logos_with_too_many_pixels_are_refused(
    cli, tmp_path: Path, content: bytes, shown: str
) -> None:
    logo = tmp_path / "logo.img"
    logo.write_bytes(content)
    result, out = render(cli, tmp_path, logo)
    assert result.exit_code == 2
    assert f"image is {shown} pixels; a logo may be at most 10,000 pixels a side" in result.stderr
    assert not out.exists()
