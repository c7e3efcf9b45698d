"""The closed loop with a real generated project: its own `eval --output` results and its
running service's `GET /v1/quality` are recorded by `assessor evidence add` / `pull`, and the
generated CI workflow runs that loop and validates against the GitHub workflow schema."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from scaffold_support import ProjectVenv, clean_env, explain, variant_names

VARIANT = "minimal"


@pytest.fixture
def installed(render_variant: Callable[..., Path], project_venv: ProjectVenv) -> tuple[Path, Path]:
    """The rendered project (read-only, shared) and its console script."""
    project = render_variant(VARIANT)
    project_venv.install(project)
    slug, _ = variant_names(VARIANT)
    return project, project_venv.bin(slug)


def copy_assessment(project: Path, tmp_path: Path) -> Path:
    target = tmp_path / "assessment.yaml"
    shutil.copy(project / "assessment.yaml", target)
    return target


@pytest.mark.slow
def test_the_projects_own_eval_results_are_recorded(
    installed: tuple[Path, Path], tmp_path: Path, cli: Any
) -> None:
    project, script = installed
    evals = tmp_path / "evals"
    shutil.copytree(project / "evals", evals, ignore=shutil.ignore_patterns("results.json"))
    proc = subprocess.run(
        [str(script), "eval", "--golden", str(evals / "golden.jsonl"), "--baseline",
         str(evals / "baseline.json"), "--output", str(evals / "results.json")],
        cwd=tmp_path, env=clean_env({"APP_DATABASE_URL": f"sqlite:///{tmp_path}/app.db"}),
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, explain(proc)
    report = json.loads((evals / "results.json").read_text(encoding="utf-8"))
    assessment = copy_assessment(project, tmp_path)
    result = cli("evidence", "add", assessment, evals / "results.json")
    assert result.exit_code == 0, result.output
    [entry] = yaml.safe_load(assessment.read_text(encoding="utf-8"))["evidence"]
    assert entry["kind"] == "assessor-eval"
    assert (entry["n"], entry["errors"]) == (report["n"], report["errors"])
    assert entry["eval_id"] == report["eval_id"]
    assert entry["dataset"].startswith(f"{(evals / 'golden.jsonl').as_posix()}@sha256:")
    scored = json.loads(cli("score", assessment, "--format", "json").stdout)
    assert scored["evidence"]["applied"] is True


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def call(base: str, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        base + path,
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers=headers,
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture
def service(installed: tuple[Path, Path], tmp_path: Path) -> Iterator[tuple[str, str]]:
    """The generated service running for real (`serve`), every output sampled for review,
    and an admin token made with the project's own `token create`."""
    _, script = installed
    port = free_port()
    env = {
        "APP_DATABASE_URL": f"sqlite:///{tmp_path}/app.db",
        "APP_DBOS_DATABASE_URL": f"sqlite:///{tmp_path}/jobs.db",
        "APP_CACHE_URL": "mem://",
        "APP_FAKE_CONFIDENCE": "1.0",
        "APP_REVIEW_SAMPLE_RATE": "1.0",
    }
    made = subprocess.run(
        [str(script), "token", "create", "--name", "test-admin", "--role", "admin"],
        cwd=tmp_path, env=clean_env(env), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert made.returncode == 0, explain(made)
    token = made.stdout.strip().splitlines()[-1]
    log = (tmp_path / "serve.log").open("ab")
    proc = subprocess.Popen(
        [str(script), "serve", "--port", str(port)],
        cwd=tmp_path, env=clean_env(env), stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                call(base, "GET", "/healthz")
                break
            except OSError:
                assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
                time.sleep(0.1)
        yield base, token
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        log.close()


@pytest.mark.slow
def test_the_running_services_quality_estimate_is_pulled(
    installed: tuple[Path, Path], service: tuple[str, str], tmp_path: Path, cli: Any
) -> None:
    project, _ = installed
    base, token = service
    first = (project / "evals" / "golden.jsonl").read_text(encoding="utf-8").splitlines()[0]
    text = json.loads(first)["input"]
    for n in range(5):
        call(base, "POST", "/v1/tasks", {"input": f"{text} (case {n})"}, token)
    reviews = call(base, "GET", "/v1/reviews", token=token)
    assert len(reviews) == 5
    for review, action in zip(reviews, ["approve"] * 4 + ["reject"], strict=True):
        call(base, "POST", f"/v1/reviews/{review['review_id']}", {"action": action}, token)

    assessment = copy_assessment(project, tmp_path)
    unauthorised = cli("evidence", "pull", assessment, base, "--token", "not-a-token")
    assert unauthorised.exit_code != 0
    result = cli("evidence", "pull", assessment, base, "--token", token)
    assert result.exit_code == 0, result.output
    [entry] = yaml.safe_load(assessment.read_text(encoding="utf-8"))["evidence"]
    assert entry["kind"] == "service-quality"
    assert (entry["n"], entry["errors"], entry["error_rate"]) == (5, 1, 0.2)
    assert entry["path"] == f"{base}/v1/quality"
    assert "verdict" in result.stdout


def test_pull_from_nothing_is_a_clear_error(tmp_path: Path, cli: Any) -> None:
    assessment = tmp_path / "a.yaml"
    assessment.write_text("version: 1\nuse_case: {name: X}\nanswers: {}\n", encoding="utf-8")
    port = free_port()
    result = cli("evidence", "pull", assessment, f"http://127.0.0.1:{port}", "--token", "t")
    assert result.exit_code == 1
    assert f"http://127.0.0.1:{port}/v1/quality: cannot connect" in result.stderr
    assert "Traceback" not in result.output


def test_the_generated_ci_runs_the_loop_and_is_a_valid_workflow(
    render_variant: Callable[..., Path],
) -> None:
    import jsonschema
    from check_jsonschema.builtin_schemas import get_builtin_schema

    for variant in ("minimal", "full"):
        workflow_file = render_variant(variant) / ".github" / "workflows" / "ci.yml"
        workflow = yaml.safe_load(workflow_file.read_text(encoding="utf-8"))
        # YAML 1.1 (PyYAML) reads the key `on` as true; GitHub reads YAML 1.2.
        workflow["on"] = workflow.pop(True)
        jsonschema.validate(workflow, get_builtin_schema("vendor.github-workflows"))
        steps = workflow["jobs"]["test"]["steps"]
        runs = [s.get("run", "") for s in steps]
        slug, _ = variant_names(variant)
        order = [
            next(i for i, r in enumerate(runs) if r.startswith(f"{slug} eval --output")),
            next(i for i, r in enumerate(runs) if 'pip install "$ASSESSOR_PIP_SPEC"' in r),
            next(i for i, r in enumerate(runs) if r.startswith("assessor evidence add")),
            next(i for i, r in enumerate(runs) if r.startswith("assessor report")),
            next(i for i, r in enumerate(runs) if r.startswith("assessor score")),
        ]
        assert order == sorted(order)
        assert "--fail-on" in runs[order[-1]]
        upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact"))
        assert "assessment.yaml" in upload["with"]["path"]
        assert "readiness-report.html" in upload["with"]["path"]
        env = workflow["jobs"]["test"]["env"]
        assert env["ASSESSOR_PIP_SPEC"] == "assessor"  # the configurable pip spec
        assert env["ASSESSOR_FAIL_ON"] == "not_ready"
