"""The generated project runs with the parameters its assessment recommended.

Every example under examples/ is scaffolded as a user would (the recommended patterns, no
overrides); the generated ``config --json`` must show, under ``patterns``, exactly the
parameters of the project's own ``assessment.score.json``, and no secret.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from scaffold_support import EXAMPLES, WORKER, ProjectVenv, clean_env, explain

from assessor.domain.load import load_assessment
from assessor.scaffold import render_project
from assessor.scaffold.context import SUPPORTED

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))


def render_example(example: Path, root: Path) -> tuple[Path, str]:
    package = f"cfg_{example.stem.replace('-', '_')}_{WORKER}"
    project = render_project(
        load_assessment(example),
        root / example.stem,
        project_slug=package.replace("_", "-"),
        package_name=package,
    )
    return project, package


def run_config(
    venv: ProjectVenv, project: Path, package: str, *, as_json: bool = True, **env: str
) -> subprocess.CompletedProcess[str]:
    """The generated console script's ``config [--json]`` (the package from its source)."""
    return subprocess.run(
        [str(venv.python), "-m", package, "config", *(["--json"] if as_json else [])],
        cwd=project,
        env=clean_env({"PYTHONPATH": str(project / "src"), **env}),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_examples_exist() -> None:
    assert len(EXAMPLE_FILES) >= 5


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda path: path.stem)
def test_config_shows_the_scored_parameters_of_each_pattern(
    example: Path, tmp_path: Path, project_venv: ProjectVenv
) -> None:
    project, package = render_example(example, tmp_path)
    score = json.loads((project / "assessment.score.json").read_text(encoding="utf-8"))
    scored = {p["id"]: p.get("params", {}) for p in score["patterns"] if p["id"] in SUPPORTED}

    proc = run_config(project_venv, project, package)

    assert proc.returncode == 0, explain(proc)
    shown = json.loads(proc.stdout)
    assert shown["patterns"] == scored
    # the same values are the settings' defaults, written in .env.example too
    env_example = (project / ".env.example").read_text(encoding="utf-8")
    settings = shown["settings"]
    assert f"APP_LLM_MAX_ATTEMPTS={settings['llm_max_attempts']}\n" in env_example
    assert f"APP_EVAL_CRITERIA={json.dumps(settings['eval_criteria'])}\n" in env_example


def test_async_pipeline_retries_as_scored_and_criteria_are_kept_by_name(
    tmp_path: Path, project_venv: ProjectVenv
) -> None:
    # code suggestions: the score asks for 5 attempts, 2 s backoff and exact_match
    project, package = render_example(EXAMPLES / "code-review-assistant.yaml", tmp_path)

    shown = json.loads(run_config(project_venv, project, package).stdout)

    assert shown["patterns"]["async_pipeline"] == {"max_attempts": 5, "backoff_seconds": 2}
    assert shown["settings"]["llm_max_attempts"] == 5
    assert shown["settings"]["llm_backoff_seconds"] == 2
    assert shown["patterns"]["evaluation"]["criteria"][0] == "exact_match"
    # without --json: .env lines, values as they would be written there
    plain = run_config(project_venv, project, package, as_json=False).stdout.splitlines()
    assert "APP_LLM_MAX_ATTEMPTS=5" in plain
    assert "APP_LLM_BACKOFF_SECONDS=2.0" in plain
    criteria = json.dumps(shown["settings"]["eval_criteria"])
    assert f"APP_EVAL_CRITERIA={criteria}" in plain


def test_config_never_prints_a_secret(tmp_path: Path, project_venv: ProjectVenv) -> None:
    project, package = render_example(EXAMPLES / "refund-assistant.yaml", tmp_path)
    key = "sk-live-0123456789abcdef"
    password = "hunter2-db-password"

    proc = run_config(
        project_venv,
        project,
        package,
        APP_LLM_API_KEY=key,
        APP_DATABASE_URL=f"postgresql://svc:{password}@db.internal:5432/app",
        APP_CONFIDENCE_THRESHOLD="0.5",
    )

    assert proc.returncode == 0, explain(proc)
    assert key not in proc.stdout
    assert password not in proc.stdout
    shown = json.loads(proc.stdout)
    assert shown["settings"]["llm_api_key"] == "set"
    assert shown["settings"]["database_url"] == (
        "postgresql+psycopg://svc:***@db.internal:5432/app"
    )
    # the effective value, not the rendered default
    assert shown["patterns"]["human_fallback"]["confidence_threshold"] == 0.5
    unset = run_config(project_venv, project, package)
    assert json.loads(unset.stdout)["settings"]["llm_api_key"] == "unset"


def test_config_with_an_invalid_setting_exits_2_naming_it(
    tmp_path: Path, project_venv: ProjectVenv
) -> None:
    project, package = render_example(EXAMPLES / "ticket-triage.yaml", tmp_path)

    proc = run_config(project_venv, project, package, APP_LLM_MAX_ATTEMPTS="0")

    assert proc.returncode == 2, explain(proc)
    assert "llm_max_attempts" in proc.stderr
    assert "Traceback" not in proc.stderr
