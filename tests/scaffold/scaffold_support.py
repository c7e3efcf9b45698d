"""Constants and helpers shared by the scaffold tests (fixtures are in conftest.py).

Import with ``from scaffold_support import ...`` (pytest puts this folder on sys.path).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import subprocess
import sys
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
REAL_TEMPLATE = REPO / "templates" / "ai-service"
EXAMPLES = REPO / "examples"
MINI_TEMPLATE = Path(__file__).resolve().parent / "data" / "mini-template"
PATTERNS = ("human_fallback", "async_pipeline", "response_cache")
"""The optional patterns (``evaluation`` is always on)."""

VARIANTS: dict[str, frozenset[str]] = {
    "minimal": frozenset(),
    "fallback": frozenset({"human_fallback"}),
    "async": frozenset({"async_pipeline"}),
    "cache": frozenset({"response_cache"}),
    "no-fallback": frozenset({"async_pipeline", "response_cache"}),
    "no-async": frozenset({"human_fallback", "response_cache"}),
    "no-cache": frozenset({"human_fallback", "async_pipeline"}),
    "full": frozenset(PATTERNS),
}
"""Every supported combination: minimal, one factor on, one factor off, and the full set."""

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")

BASE_ASSESSMENT = {
    "version": 1,
    "rubric": "production-readiness",
    "use_case": {
        "name": "Refund policy assistant",
        "description": "Answers customers' questions about refunds on the website.",
        "owner": "Support platform team",
    },
    "answers": {
        "task_type": "rag",
        "error_cost": "high",
        "autonomy": "human_on_exceptions",
        "regulation": "none",
        "expert_review": False,
        "error_rate": 0.005,
        "error_rate_source": "measured",
        "customer_facing": True,
        "realtime": True,
        "repeat_queries": "frequent",
        "evaluation": "continuous",
        "retrieval_tuned": True,
        "document_quality": "high",
    },
}
"""A valid assessment recommending the fallback and the cache (not the async pipeline)."""


DROP = "<drop>"
"""As the value of an answer in :func:`assessment_yaml`: leave that answer out."""


def assessment_yaml(
    *, use_case: Mapping[str, str] | None = None, answers: Mapping[str, object] | None = None
) -> str:
    """The YAML text of :data:`BASE_ASSESSMENT` with some use-case fields or answers changed.

    An answer given as :data:`DROP` is removed.
    """
    import yaml

    merged = {**BASE_ASSESSMENT["answers"], **(answers or {})}  # type: ignore[dict-item]
    doc = {
        **BASE_ASSESSMENT,
        "use_case": {**BASE_ASSESSMENT["use_case"], **(use_case or {})},  # type: ignore[dict-item]
        "answers": {k: v for k, v in merged.items() if v != DROP},
    }
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


def variant_names(variant: str) -> tuple[str, str]:
    """Project and package names of a variant, unique per xdist worker.

    Every rendered project gets its own distribution and package name so that several of
    them can be installed in the shared venv at once without replacing each other.
    """
    slug = f"svc-{variant}-{WORKER}".lower()
    return slug, slug.replace("-", "_")


# ------------------------------------------------------------------------------------------
# the shared venv


def template_hash(template: Path = REAL_TEMPLATE) -> str:
    """A hash of every file (path and content) under the template, and the Python version."""
    digest = hashlib.sha256(f"{sys.version_info[:2]}".encode())
    for path in sorted(template.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(template)).encode())
            digest.update(b"\0")
            digest.update(path.read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()[:16]


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a generated project's process: none of ours leaks into it."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("APP_", "PYTEST_", "ASSESSOR_", "VIRTUAL_ENV", "PYTHON"))
    }
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env.update(extra or {})
    return env


@dataclass
class ProjectVenv:
    """The shared venv. ``install`` and every pip call hold the lock; running does not."""

    path: Path
    lock_file: Path

    @property
    def python(self) -> Path:
        return self.path / "bin" / "python"

    def bin(self, name: str) -> Path:
        return self.path / "bin" / name

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        with open(self.lock_file, "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def install(self, project: Path) -> None:
        """``pip install -e '<project>[test]'`` (dependencies are already in the venv)."""
        with self.locked():
            run_checked(
                [
                    str(self.python),
                    "-m",
                    "pip",
                    "install",
                    "-q",
                    "--no-build-isolation",
                    "-e",
                    f"{project}[test]",
                ],
                timeout=900,
            )


def run_checked(cmd: list[str], *, timeout: float, cwd: Path | None = None) -> None:
    proc = subprocess.run(
        cmd, cwd=cwd, env=clean_env(), capture_output=True, text=True, timeout=timeout
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"{' '.join(cmd)} failed ({proc.returncode}):\n"
            f"{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
        )


def dependencies(project: Path) -> list[str]:
    data = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    deps = list(data["project"].get("dependencies", []))
    for extra in data["project"].get("optional-dependencies", {}).values():
        deps.extend(extra)
    deps.extend(data.get("build-system", {}).get("requires", []))
    return deps


def explain(proc: subprocess.CompletedProcess[str]) -> str:
    """The tail of a subprocess's output, for assertion messages."""
    return f"exit {proc.returncode}\n{proc.stdout[-6000:]}\n{proc.stderr[-3000:]}"
