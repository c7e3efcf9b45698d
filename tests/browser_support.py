"""Headless Chromium for the tests that look at pages as a browser draws them (HTML reports,
the generated review page): screenshots at a given window size and an overflow probe."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from PIL.Image import Image

DESKTOP = (1280, 900)
PHONE = (390, 844)
PROBE_MAGENTA = (255, 0, 255)
# Added to a copy of a page: paints it magenta when anything is wider than the window.
PROBE = (
    "<script>addEventListener('load', () => { const d = document.documentElement;"
    " if (d.scrollWidth > innerWidth + 1) { document.body.style.cssText ="
    " 'background:#f0f !important'; d.style.background = '#f0f'; } });</script>"
)


def require_tool(name: str) -> str:
    """The tool's path; skip when missing (fail in CI, which installs it: .ci/setup-reports.sh)."""
    path = shutil.which(name)
    if path:
        return path
    message = f"{name} not installed (run .ci/setup-reports.sh as root)"
    if os.environ.get("ASSESSOR_REQUIRE_SERVICES") == "1":
        pytest.fail(message)
    pytest.skip(message)


def screenshot(html: Path, size: tuple[int, int], tmp_path: Path, name: str) -> Image:
    """The page at ``html`` as headless Chromium draws it in a window of ``size``."""
    from PIL import Image as PILImage

    chromium = require_tool("chromium")
    png = tmp_path / f"{name}.png"
    subprocess.run(
        [
            chromium, "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", "--hide-scrollbars", "--disable-extensions",
            f"--user-data-dir={tmp_path / ('profile-' + name)}",
            f"--window-size={size[0]},{size[1]}", f"--screenshot={png}", html.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )  # fmt: skip
    image = PILImage.open(png).convert("RGB")
    assert image.size == size
    return image


def near(pixel: tuple[int, int, int], color: tuple[int, int, int], tolerance: int = 30) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, color, strict=True))


def with_probe(html: Path, extra_body: str = "") -> Path:
    """A copy of the page next to it with the overflow probe (the page itself has no script)."""
    probe = html.with_name("probe-" + html.name)
    text = html.read_text(encoding="utf-8")
    probe.write_text(text.replace("</body>", extra_body + PROBE + "</body>"), encoding="utf-8")
    return probe
