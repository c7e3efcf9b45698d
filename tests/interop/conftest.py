"""Fixtures for the interoperability tests: lenses in and out, exports to trackers."""

from __future__ import annotations

import json
from collections.abc import Callable
from itertools import count
from pathlib import Path
from typing import Any

import pytest
import yaml
from lens_support import LENS


@pytest.fixture
def imported(tmp_path: Path, cli: Callable[..., Any]) -> Path:
    """The fixture lens imported to a rubric file in tmp_path."""
    out = tmp_path / "model-ops.yaml"
    result = cli("rubric", "import", LENS, "-o", out)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def score_answers(tmp_path: Path, cli: Callable[..., Any]) -> Callable[..., dict[str, Any]]:
    """``score_answers(rubric_path, answers)`` -> the score JSON of an assessment of them."""
    numbers = count()

    def run(rubric: Path, answers: dict[str, Any], name: str = "Fraud scoring") -> dict[str, Any]:
        path = tmp_path / f"case-{next(numbers)}.yaml"
        doc = {"version": 1, "rubric": str(rubric), "use_case": {"name": name}, "answers": answers}
        path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
        result = cli("score", path, "--format", "json")
        assert result.exit_code == 0, result.output
        data: dict[str, Any] = json.loads(result.stdout)
        return data

    return run
