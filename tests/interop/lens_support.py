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


# --- what AWS accepts (the published limits), checked independently of the exporter -------------

_ID = r"[A-Za-z0-9_]"


def assert_within_limits(lens: dict[str, Any]) -> None:
    import re

    assert lens["schemaVersion"] == "2021-11-01"
    assert 0 < len(lens["name"]) <= 128 and len(lens["description"]) <= 2048
    assert 0 < len(lens["pillars"]) <= 10
    question_ids: set[str] = set()
    pillar_ids: set[str] = set()
    for pillar in lens["pillars"]:
        assert re.fullmatch(f"{_ID}{{3,64}}", pillar["id"]), pillar["id"]
        assert pillar["id"] not in pillar_ids
        pillar_ids.add(pillar["id"])
        assert 0 < len(pillar["name"]) <= 128
        assert 0 < len(pillar["questions"]) <= 20
        for q in pillar["questions"]:
            assert re.fullmatch(f"{_ID}{{3,128}}", q["id"]) and q["id"] not in question_ids
            question_ids.add(q["id"])
            assert 0 < len(q["title"]) <= 128 and len(q.get("description", "")) <= 2048
            assert 0 < len(q["choices"]) <= 15
            choice_ids = [c["id"] for c in q["choices"]]
            assert len(set(choice_ids)) == len(choice_ids)
            for c in q["choices"]:
                assert re.fullmatch(f"{_ID}{{3,64}}", c["id"]), c["id"]
                assert 0 < len(c["title"]) <= 1024
                if not c["id"].endswith("_no"):
                    assert 0 < len(c["improvementPlan"]["displayText"]) <= 2048
            rules = q["riskRules"]
            assert 1 <= len(rules) <= 3 and rules[-1]["condition"] == "default"
            assert len({r["risk"] for r in rules}) == len(rules)
            for r in rules[:-1]:
                names = set(re.findall(r"[A-Za-z0-9_]+", r["condition"]))
                assert names <= set(choice_ids), (names, choice_ids)
