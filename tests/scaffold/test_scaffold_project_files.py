"""The generated project's own files: README, Dockerfile, compose file and CI workflow."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml


@pytest.fixture(scope="module")
def project(render_variant: Callable[..., Path]) -> Path:
    return render_variant("full")


def test_the_readme_starts_with_a_virtual_environment(project: Path) -> None:
    readme = (project / "README.md").read_text(encoding="utf-8")
    steps = readme[readme.index("```sh") :]
    assert steps.index("python3 -m venv .venv") < steps.index("pip install -e")


def test_the_dockerfile_installs_dependencies_before_the_source_and_runs_as_a_user(
    project: Path,
) -> None:
    lines = (project / "Dockerfile").read_text(encoding="utf-8").splitlines()
    copies = [line for line in lines if line.startswith("COPY")]
    assert copies[0].startswith("COPY pyproject.toml")
    assert "constraints.txt" in copies[0].split()
    # at the pinned versions (constraints.txt), as CI installs them
    first_install = next(
        i for i, line in enumerate(lines) if "pip install -c constraints.txt ." in line
    )
    source = next(i for i, line in enumerate(lines) if line.startswith("COPY src"))
    assert first_install < source
    user = [line for line in lines if line.startswith("USER ")]
    assert user and user[-1] not in ("USER root", "USER 0")
    assert any(line.startswith("HEALTHCHECK") for line in lines)


def test_docker_and_ci_use_the_same_python(project: Path) -> None:
    dockerfile = (project / "Dockerfile").read_text(encoding="utf-8")
    [image] = re.findall(r"^FROM python:(\d+\.\d+)", dockerfile, flags=re.M)
    ci = yaml.safe_load((project / ".github/workflows/ci.yml").read_text(encoding="utf-8"))
    versions = [
        step["with"]["python-version"]
        for job in ci["jobs"].values()
        for step in job["steps"]
        if "setup-python" in step.get("uses", "")
    ]
    assert versions == [image]
    install = "\n".join(step.get("run", "") for job in ci["jobs"].values() for step in job["steps"])
    assert "pip install -c constraints.txt -e '.[test]'" in install


def test_ci_has_a_timeout_and_least_permissions(project: Path) -> None:
    ci = yaml.safe_load((project / ".github/workflows/ci.yml").read_text(encoding="utf-8"))
    assert ci["permissions"] == {"contents": "read"}
    for job in ci["jobs"].values():
        assert 0 < job["timeout-minutes"] <= 60


def test_compose_publishes_the_port_on_localhost_only_by_default(project: Path) -> None:
    compose = yaml.safe_load((project / "docker-compose.yml").read_text(encoding="utf-8"))
    for service in compose["services"].values():
        for port in service.get("ports", []):
            assert str(port).startswith("${APP_PUBLISH_ADDRESS:-127.0.0.1}:"), port
