"""Fixtures for the engine tests.

``assess(task_type, **answers)`` writes a complete assessment file (safe answers for
everything not given, plus the questions the task type asks) and returns what ``assessor
score --format json`` prints for it, parsed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from engine_support import answers_for, write_assessment


@pytest.fixture
def assess(tmp_path: Path, cli: Callable[..., Any]) -> Callable[..., dict[str, Any]]:
    """``assess(task_type, **answers)`` -> the score JSON of that use case, via the CLI."""
    numbers = count()

    def run(task_type: str = "text_generation", **answers: Any) -> dict[str, Any]:
        path = write_assessment(
            tmp_path / f"case-{next(numbers)}.yaml", answers_for(task_type, **answers)
        )
        result = cli("score", path, "--format", "json")
        assert result.exit_code == 0, result.output
        data: dict[str, Any] = json.loads(result.stdout)
        return data

    return run
