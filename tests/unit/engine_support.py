"""Helpers for the engine tests: safe answers to start from, writing assessment files,
running the CLI in a fresh process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
DATA = REPO / "tests" / "data"

# A use case that is ready as answered: every guide condition holds.
SAFE: dict[str, Any] = {
    "error_cost": "low",
    "autonomy": "suggest",
    "regulation": "none",
    "customer_facing": False,
    "realtime": False,
    "repeat_queries": "rare",
    "evaluation": "continuous",
}

# What each task type is additionally asked, answered the safe way.
TASK_SAFE: dict[str, dict[str, Any]] = {
    "text_generation": {"task_defined": True},
    "summarization": {"task_defined": True},
    "classification": {"input_quality": "clean", "targets_defined": True},
    "extraction": {"input_quality": "clean", "targets_defined": True},
    "rag": {"retrieval_tuned": True, "document_quality": "high"},
    "agentic_workflow": {},
    "code_generation": {"code_deployment": "supervised"},
    "voice_synthesis": {},
    "other": {},
}


def answers_for(task_type: str = "text_generation", **answers: Any) -> dict[str, Any]:
    """Complete, safe answers for ``task_type``, overridden by ``answers``."""
    return {"task_type": task_type, **SAFE, **TASK_SAFE[task_type], **answers}


def write_assessment(
    path: Path, answers: dict[str, Any], *, name: str = "Case", **top: Any
) -> Path:
    doc = {"version": 1, **top, "use_case": {"name": name}, "answers": answers}
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def ids(findings: list[dict[str, Any]]) -> set[str]:
    return {f["id"] for f in findings}


def run_assessor(
    *args: object,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m assessor`` in a fresh process (output decoded as UTF-8)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "assessor", *map(str, args)],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        timeout=timeout,
        encoding="utf-8",
        errors="replace",
        check=False,
    )
