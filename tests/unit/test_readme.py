"""The README's assessment example is a valid assessment, scored as the README says."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from engine_support import REPO


def test_readme_assessment_example_scores(cli: Any, tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The assessment file", 1)[1]
    example = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert example, "no YAML example under 'The assessment file'"
    path = tmp_path / "assessment.yaml"
    path.write_text(example.group(1), encoding="utf-8")
    result = cli("score", path, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["verdict"] == "not_ready"
    assert {b["id"] for b in data["blockers"]} == {
        "autonomous-consequential",
        "high-cost-error-rate",
    }
    assert data["notes"] == {"error_rate": "Estimated from 200 support transcripts."}
