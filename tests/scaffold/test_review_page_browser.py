"""A real browser opens the generated review page: headless Chromium at phone and desktop width.

The generated app (a code-generation service, so outputs are code) serves a queue of 30
waiting items; the list, an item and the reject confirmation are saved as they were served
and screenshotted. Nothing may be wider than a 390 px phone screen (a probe script added to
a copy paints the page magenta when anything overflows; the page itself has no script), and
the page must be laid out, not blank.
"""

from __future__ import annotations

import subprocess
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from browser_support import DESKTOP, PHONE, PROBE_MAGENTA, near, screenshot, with_probe
from scaffold_support import DROP, ProjectVenv, clean_env, explain, variant_names

Image = pytest.importorskip("PIL.Image")  # Pillow comes with WeasyPrint (the test extra)

CODE_ANSWERS = {
    "task_type": "code_generation",
    "code_deployment": "supervised",
    "retrieval_tuned": DROP,
    "document_quality": DROP,
}

# Serves the pages with the generated app in-process and saves them as served.
SERVE_PAGES = textwrap.dedent(
    """\
    import re, sys
    from pathlib import Path
    from fastapi.testclient import TestClient
    from {package}.app import create_app
    from {package}.auth import create_token
    from {package}.settings import Settings

    out = Path(sys.argv[1])
    settings = Settings(
        _env_file=None, database_url=f"sqlite:///{{out}}/app.db", review_all=True,
        allowed_hosts="testserver", review_sample_rate=0.0,
    )
    with TestClient(create_app(settings)) as client:
        client.headers["Authorization"] = "Bearer " + create_token(settings, "ci", "client")
        for n in range(30):
            asked = (
                f"Write `normalise_customer_reference_number_{{n}}(reference: str, "
                f"country_code: str = 'DE') -> str` that strips spaces, upper-cases and "
                f"checks the ISO 7064 check digit of very-long-reference-{{'x' * 60}}."
            )
            assert client.post("/v1/tasks", json={{"input": asked}}).status_code in (200, 202)
        del client.headers["Authorization"]
        token = create_token(settings, "Rita Reviewer", "reviewer")
        assert client.post("/review/login", data={{"token": token}}).status_code == 200
        listing = client.get("/review").text
        (out / "list.html").write_text(listing, encoding="utf-8")
        first = re.search(r'href="/review/([0-9a-f]{{32}})"', listing).group(1)
        csrf = re.search(r'name="csrf" value="([^"]+)"', listing).group(1)
        (out / "detail.html").write_text(client.get(f"/review/{{first}}").text, encoding="utf-8")
        confirm = client.post(f"/review/{{first}}", data={{"csrf": csrf, "action": "reject"}})
        (out / "confirm.html").write_text(confirm.text, encoding="utf-8")
    """
)


def share(image: Image.Image, test: Callable[[tuple[int, int, int]], bool]) -> float:
    small = image.resize((image.width // 2, image.height // 2))
    raw = small.tobytes()
    pixels = [(raw[i], raw[i + 1], raw[i + 2]) for i in range(0, len(raw), 3)]
    return sum(test(p) for p in pixels) / len(pixels)


def magenta(pixel: tuple[int, int, int]) -> bool:
    return near(pixel, PROBE_MAGENTA, 10)


@pytest.fixture(scope="module")
def pages(
    render_variant: Callable[..., Path],
    project_venv: ProjectVenv,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, Path]:
    project = render_variant("fallback", answers=CODE_ANSWERS)
    _, package = variant_names("fallback")
    out = tmp_path_factory.mktemp("review-pages")
    proc = subprocess.run(
        [str(project_venv.python), "-c", SERVE_PAGES.format(package=package), str(out)],
        cwd=out,
        env=clean_env({"PYTHONPATH": str(project / "src")}),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, explain(proc)
    return {name: out / f"{name}.html" for name in ("list", "detail", "confirm")}


def test_the_served_pages_are_the_all_day_review_page(pages: dict[str, Path]) -> None:
    listing = pages["list"].read_text(encoding="utf-8")
    assert "30 waiting" in listing
    assert "Page 1 of 2" in listing and "Next page" in listing
    assert 'class="output mono"' in listing  # code outputs in a monospace font
    detail = pages["detail"].read_text(encoding="utf-8")
    assert 'class="approve">Approve' in detail and 'class="reject">Reject' in detail
    assert "Reject this output?" in pages["confirm"].read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["list", "detail", "confirm"])
def test_nothing_is_wider_than_a_phone(pages: dict[str, Path], tmp_path: Path, name: str) -> None:
    image = screenshot(with_probe(pages[name]), PHONE, tmp_path, f"phone-{name}")
    image.save(pages[name].with_name(f"phone-{name}.png"))  # kept for a look by hand

    assert share(image, magenta) == 0
    assert share(image, lambda p: sum(p) < 3 * 235) > 0.02, "the page looks blank"


def test_the_desktop_list_lays_out(pages: dict[str, Path], tmp_path: Path) -> None:
    image = screenshot(with_probe(pages["list"]), DESKTOP, tmp_path, "desktop-list")

    assert share(image, magenta) == 0
    assert share(image, lambda p: sum(p) < 3 * 235) > 0.02
