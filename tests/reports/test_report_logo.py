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
    logo.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32)
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


def test_markdown_leaves_out_an_svg_logo_the_sanitiser_changed(cli, tmp_path: Path) -> None:
    logo = tmp_path / "logo.svg"
    logo.write_text(HOSTILE_SVG, encoding="utf-8")
    result, out = render(cli, tmp_path, logo, fmt="md")
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "logo.svg" not in text and "![Logo]" not in text
