"""A real browser opens the HTML report: headless Chromium screenshots at desktop and phone width.

Checks that the page lays out (not blank, verdict colour visible on the first screen, content
across the width) and that nothing is wider than a phone's screen. The overflow check runs on
a copy of the report with a probe script added; the report itself has no script.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_support import DESKTOP, PHONE, PROBE_MAGENTA, near, screenshot, with_probe
from report_support import ALL_EXAMPLES, EXAMPLES, hostile_assessment

Image = pytest.importorskip("PIL.Image")  # Pillow comes with WeasyPrint (the test extra)

NOT_READY_RED = (180, 35, 24)


def stats(image: Image.Image) -> dict[str, float]:
    small = image.resize((image.width // 2, image.height // 2))
    raw = small.tobytes()
    pixels = [(raw[i], raw[i + 1], raw[i + 2]) for i in range(0, len(raw), 3)]
    ink = [i for i, p in enumerate(pixels) if sum(p) < 3 * 235]
    w = small.width
    return {
        "ink": len(ink) / len(pixels),
        "red": sum(near(p, NOT_READY_RED) for p in pixels) / len(pixels),
        "magenta": sum(near(p, PROBE_MAGENTA, 10) for p in pixels) / len(pixels),
        "left": min((i % w for i in ink), default=w) / w,
        "right": max((i % w for i in ink), default=0) / w,
    }


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The use-case and portfolio HTML reports, rendered once for this module."""
    from assessor.reports import render_report

    folder = tmp_path_factory.mktemp("browser")
    long_text = folder / "long-text.yaml"
    long_text.write_text(
        hostile_assessment(
            name="x" * 200,
            description="https://example.com/" + "a" * 5000 + " and more " * 2000,
            owner="o" * 200,
            note="n" * 3000 + " https://example.com/" + "p" * 300,
        ),
        encoding="utf-8",
    )
    out = {}
    for name, files in (
        ("use-case", [EXAMPLES / "refund-assistant.yaml"]),
        ("portfolio", [EXAMPLES / n for n in ALL_EXAMPLES]),
        ("long-text", [long_text, EXAMPLES / "ticket-triage.yaml"]),
    ):
        path = folder / f"{name}.html"
        html = render_report(files, fmt="html", client="Northwind Insurance", author="Acme")
        assert isinstance(html, str)
        path.write_text(html, encoding="utf-8")
        out[name] = path
    return out


@pytest.mark.parametrize("kind", ["use-case", "portfolio"])
@pytest.mark.parametrize(("device", "size"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_report_lays_out_in_chromium(
    reports: dict[str, Path], tmp_path: Path, kind: str, device: str, size: tuple[int, int]
) -> None:
    image = screenshot(reports[kind], size, tmp_path, f"{kind}-{device}")
    s = stats(image)
    assert 0.04 < s["ink"] < 0.6, f"page looks blank or flooded: {s}"
    if kind == "use-case":
        assert s["red"] > 0.002, f"no 'not ready' colour on the first screen: {s}"
    # Content spans the page: a margin on the left, text reaching well into the right half.
    assert s["left"] < 0.2 and s["right"] > 0.75, s
    assert s["magenta"] == 0


@pytest.mark.parametrize("kind", ["use-case", "portfolio", "long-text"])
def test_nothing_is_wider_than_a_phone(reports: dict[str, Path], tmp_path: Path, kind: str) -> None:
    image = screenshot(with_probe(reports[kind]), PHONE, tmp_path, f"{kind}-probe")
    assert stats(image)["magenta"] == 0, "something is wider than the phone screen"


def test_the_overflow_probe_detects_overflow(reports: dict[str, Path], tmp_path: Path) -> None:
    wide = with_probe(reports["use-case"], '<div style="width:2000px;height:10px"></div>')
    image = screenshot(wide, PHONE, tmp_path, "wide-probe")
    assert stats(image)["magenta"] > 0.3
