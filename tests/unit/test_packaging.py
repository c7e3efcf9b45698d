"""The wheel carries the bundled rubrics and templates, and an installed copy works anywhere.

Builds the wheel from this checkout with pip and hatchling, installs it with pip into a fresh
folder, and runs that copy from an unrelated folder.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from engine_support import EXAMPLES, REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # With hatchling in this environment nothing is downloaded; without it, pip fetches the
    # build backend from the package index into an isolated build environment.
    offline = importlib.util.find_spec("hatchling") is not None
    isolation = ["--no-build-isolation", "--no-index"] if offline else []
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            *isolation,
            "--quiet",
            "--wheel-dir",
            str(out),
            str(REPO),
        ],
        check=True,
        capture_output=True,
        timeout=300,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )
    (built,) = out.glob("assessor-*.whl")
    return built


def test_wheel_contains_the_package_rubrics_schemas_and_templates(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "assessor/cli/__init__.py",
        "assessor/domain/scoring.py",
        "assessor/_data/rubrics/production-readiness.yaml",
        "assessor/_data/rubrics/assessment.schema.json",
        "assessor/_data/rubrics/rubric.schema.json",
        "assessor/_data/templates/ai-service/cookiecutter.json",
    }
    assert expected <= names, expected - names
    assert any(n.startswith("assessor/_data/templates/ai-service/{{cookiecutter") for n in names)
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "assessor = assessor.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_an_installed_copy_scores_from_an_unrelated_folder(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-index",
            "--quiet",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(EXAMPLES / "refund-assistant.yaml", elsewhere / "case.yaml")
    # The installed copy comes first on the path; dependencies come from this environment.
    env = {**os.environ, "PYTHONPATH": str(target)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *args],
            cwd=elsewhere,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    where = run(
        "-c",
        "import assessor, assessor.resources as r; "
        "print(assessor.__file__); print(r.rubrics_dir()); print(r.templates_dir())",
    )
    module, rubrics, templates = where.stdout.split()
    assert Path(module).is_relative_to(target)
    assert Path(rubrics) == target / "assessor" / "_data" / "rubrics"
    assert (Path(templates) / "ai-service" / "cookiecutter.json").is_file()

    scored = run("-m", "assessor", "score", "case.yaml", "--format", "json")
    assert scored.returncode == 0, scored.stderr
    assert json.loads(scored.stdout)["verdict"] == "not_ready"

    listed = run("-m", "assessor", "rubric", "list")
    assert listed.stdout.startswith("production-readiness\t")

    script = target / "bin" / "assessor"
    if script.exists():  # pip writes the console script next to the installed copy
        done = subprocess.run(
            [str(script), "score", "case.yaml"],
            cwd=elsewhere,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert "NOT READY" in done.stdout
