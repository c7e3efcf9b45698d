"""Helpers of the interoperability tests: the fixture lens and small lenses written inline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"
LENS = DATA / "model-ops.json"


def write_lens(path: Path, lens: dict[str, Any]) -> Path:
    path.write_text(json.dumps(lens, indent=2), encoding="utf-8")
    return path


def small_lens(**question: Any) -> dict[str, Any]:
    """A one-question lens; ``question`` overrides its fields."""
    q: dict[str, Any] = {
        "id": "ops01",
        "title": "How do you deploy?",
        "choices": [
            {"id": "ops01_a", "title": "A", "improvementPlan": {"displayText": "Do A."}},
            {"id": "ops01_b", "title": "B", "improvementPlan": {"displayText": "Do B."}},
            {"id": "ops01_c", "title": "C", "improvementPlan": {"displayText": "Do C."}},
            {"id": "ops01_no", "title": "None of these"},
        ],
        "riskRules": [
            {"condition": "ops01_a && ops01_b", "risk": "NO_RISK"},
            {"condition": "default", "risk": "HIGH_RISK"},
        ],
    }
    q.update(question)
    return {
        "schemaVersion": "2021-11-01",
        "name": "Small lens",
        "description": "One question.",
        "pillars": [{"id": "ops", "name": "Operations", "questions": [q]}],
    }
