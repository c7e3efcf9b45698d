"""Fixtures for the scaffold tests: assessments, rendered projects, one shared venv.

Reusable by every scaffold test file (including the async-pipeline ones):

* ``assessment``: write an assessment file (function scope).
* ``render_variant``: render the real template (or another one) for a pattern set, once per
  session and xdist worker.
* ``project_venv``: ONE virtual environment shared by every generated project, cached across
  test runs and protected by a file lock.
* ``run_project_pytest``: install a rendered project into that venv and run its own tests.

* ``require_services``: tests/conftest.py's function of that name, as a fixture (the root
  conftest cannot be imported by name from here).

Constants and helpers live in ``scaffold_support`` (``from scaffold_support import ...``):
``REAL_TEMPLATE``, ``MINI_TEMPLATE`` (a tiny cookiecutter template with the same context
contract, under tests/scaffold/data/), ``PATTERNS``, ``VARIANTS``, ``variant_names``,
``assessment_yaml``, ``clean_env``, ``explain``, ``ProjectVenv``.

Example (a test of the async pipeline)::

    def test_jobs_survive(render_variant, project_venv):
        project = render_variant("async")           # or render_variant("x", patterns={...})
        project_venv.install(project)               # pip install -e '<project>[test]', locked
        slug, package = variant_names("async")      # its console script is project_venv.bin(slug)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import pytest
from scaffold_support import (
    PATTERNS,
    REAL_TEMPLATE,
    REPO,
    VARIANTS,
    ProjectVenv,
    assessment_yaml,
    clean_env,
    dependencies,
    run_checked,
    template_hash,
    variant_names,
)


@pytest.fixture
def assessment(tmp_path: Path) -> Callable[..., Path]:
    """Write an assessment: ``assessment(use_case={...}, answers={...}, name="case.yaml")``.

    Based on :data:`BASE_ASSESSMENT`; ``text=`` writes the given text instead.
    """

    def write(
        *,
        use_case: Mapping[str, str] | None = None,
        answers: Mapping[str, object] | None = None,
        text: str | None = None,
        name: str = "case.yaml",
    ) -> Path:
        path = tmp_path / name
        path.write_text(
            text if text is not None else assessment_yaml(use_case=use_case, answers=answers),
            encoding="utf-8",
        )
        return path

    return write


@pytest.fixture(scope="session")
def render_variant(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """Render a template for a pattern set; each distinct call is rendered once per session.

    ``render_variant("full")`` or ``render_variant("x", patterns={...})``, optional
    ``template=`` (default the real template), ``answers=`` (changed answers, e.g. a task
    type) and ``use_case=``. Goes through :func:`assessor.scaffold.render_project` with
    ``--with``/``--without`` overrides so exactly ``patterns`` are on. Returns the project
    folder (names from :func:`variant_names`). Treat the result as read-only: it is shared.
    """
    from assessor.domain.load import load_assessment
    from assessor.scaffold import render_project

    cache: dict[tuple[object, ...], Path] = {}

    def render(
        variant: str,
        *,
        patterns: Iterable[str] | None = None,
        template: Path = REAL_TEMPLATE,
        answers: Mapping[str, object] | None = None,
        use_case: Mapping[str, str] | None = None,
    ) -> Path:
        on = frozenset(VARIANTS[variant] if patterns is None else patterns)
        key = (
            variant,
            on,
            str(template),
            tuple(sorted((answers or {}).items())),
            tuple(sorted((use_case or {}).items())),
        )
        if key in cache:
            return cache[key]
        root = tmp_path_factory.mktemp(f"variant-{variant}")
        case = root / "case.yaml"
        case.write_text(assessment_yaml(use_case=use_case, answers=answers), encoding="utf-8")
        slug, package = variant_names(variant)
        out = render_project(
            load_assessment(case),
            root / slug,
            project_slug=slug,
            package_name=package,
            with_patterns=sorted(on),
            without_patterns=sorted(set(PATTERNS) - on),
            template=template,
        )
        cache[key] = out
        return out

    return render


@pytest.fixture(scope="session")
def project_venv(
    request: pytest.FixtureRequest, render_variant: Callable[..., Path]
) -> ProjectVenv:
    """ONE venv for every generated project, built once per template version.

    Lives in pytest's cache folder (the system temp folder with ``-p no:cacheprovider``) under
    ``assessor-scaffold-venv/venv-<hash>`` where the hash
    covers every file of templates/ai-service and the Python version, so it is reused across
    test runs until the template changes. An fcntl lock (``venv.lock`` beside it) makes
    concurrent xdist workers (and concurrent test runs) wait for one build instead of
    building twice, and serialises every ``pip install`` into it. The venv holds the
    dependencies, test extras and build backend of the full-set project, at the versions of
    its ``constraints.txt``; each project is then
    installed with ``ProjectVenv.install`` (editable, no build isolation, no download).
    """
    cache = getattr(request.config, "cache", None)  # None with -p no:cacheprovider
    if cache is not None:
        base = Path(cache.mkdir("assessor-scaffold-venv"))
    else:
        base = Path(tempfile.gettempdir()) / "assessor-scaffold-venv"
        base.mkdir(exist_ok=True)
    venv = ProjectVenv(base / f"venv-{template_hash()}", base / "venv.lock")
    marker = venv.path / ".assessor-ready"
    full = render_variant("full")
    # at the versions the generated project pins (its constraints.txt): what is tested is
    # what CI and the Dockerfile install
    constraints = full / "constraints.txt"
    # hatchling builds editable wheels with `editables`; without build isolation it must be there
    wanted = "\n".join(sorted({*dependencies(full), "editables"})) + "\n"
    with venv.locked():
        if not venv.python.exists():
            for stale in base.glob("venv-*"):
                shutil.rmtree(stale, ignore_errors=True)
            run_checked([sys.executable, "-m", "venv", str(venv.path)], timeout=300)
        if not marker.exists() or marker.read_text(encoding="utf-8") != wanted:
            pip = [str(venv.python), "-m", "pip", "install", "-q", "--upgrade", "pip"]
            run_checked([*pip, "-c", str(constraints), *wanted.splitlines()], timeout=1800)
            marker.write_text(wanted, encoding="utf-8")
    return venv


@pytest.fixture(scope="session")
def run_project_pytest(
    project_venv: ProjectVenv,
) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Install a rendered project in the shared venv and run its own pytest in it.

    ``run_project_pytest(project, "-m", "not services", env={...}, timeout=600)`` returns the
    completed process (stdout and stderr captured, text); it does not assert.
    """

    def run(
        project: Path,
        *args: str,
        env: Mapping[str, str] | None = None,
        timeout: float = 600,
    ) -> subprocess.CompletedProcess[str]:
        project_venv.install(project)
        return subprocess.run(
            [str(project_venv.python), "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
            cwd=project,
            env=clean_env(env),
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run


@pytest.fixture
def require_services(request: pytest.FixtureRequest) -> Callable[..., None]:
    """tests/conftest.py's ``require_services`` (that module is not importable by name)."""
    root = str(REPO / "tests" / "conftest.py")
    for plugin in request.config.pluginmanager.get_plugins():
        if getattr(plugin, "__file__", None) == root:
            return plugin.require_services  # type: ignore[no-any-return]
    raise LookupError("tests/conftest.py is not loaded")
