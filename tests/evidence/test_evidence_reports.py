"""Reports and `assessor diff` show the measured evidence: source, cases, interval, date, and
the verdict before and after."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from evidence_support import outcomes, promptfoo, write_assessment, write_results


def recorded_pair(
    cli: Any, tmp_path: Path, results_name: str = "results.json"
) -> tuple[Path, Path]:
    old = write_assessment(tmp_path / "old.yaml")
    new = tmp_path / "new.yaml"
    shutil.copy(old, new)
    results = write_results(tmp_path / results_name, promptfoo(outcomes(998, 2)))
    assert cli("evidence", "add", new, results).exit_code == 0
    return old, new


def test_diff_shows_the_evidence_and_the_verdict_before_and_after(cli: Any, tmp_path: Path) -> None:
    old, new = recorded_pair(cli, tmp_path)
    result = cli("diff", old, new)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "verdict: Not ready -> Ready" in out
    assert "Error rate [error_rate]: 3% (1 in 33) -> 0.2% (1 in 500)" in out
    assert "+ promptfoo: results.json: 2 wrong of 1,000, 0.2% (95% interval 0.055% – 0.73%)" in (
        out
    )
    assert "before: none" in out
    assert "after:  2 wrong of 1,000 cases" in out
    assert "within the limit of 1%" in out
    md = cli("diff", old, new, "--format", "md").stdout
    assert "### Measured evidence" in md
    assert "| promptfoo: results.json | 2 wrong of 1,000 | 0.2% | 0.055% – 0.73% |" in md


def test_reports_show_the_evidence_and_escape_its_text(cli: Any, tmp_path: Path) -> None:
    _, new = recorded_pair(cli, tmp_path, results_name="<script>alert(1).json")
    md_out, html_out, json_out = tmp_path / "r.md", tmp_path / "r.html", tmp_path / "r.json"
    assert cli("report", new, "--format", "md", "-o", md_out).exit_code == 0
    assert cli("report", new, "--format", "html", "-o", html_out).exit_code == 0
    assert cli("report", new, "--format", "json", "-o", json_out).exit_code == 0
    md = md_out.read_text(encoding="utf-8")
    assert "## Measured evidence" in md or "### Measured evidence" in md
    assert "2 wrong of 1,000 cases (0.2%; 95% interval 0.055% – 0.73%)" in md
    assert "<script>" not in md
    html = html_out.read_text(encoding="utf-8")
    assert "Measured evidence</h" in html
    assert "&lt;script&gt;alert(1).json" in html
    assert "<script>alert(1)" not in html
    data = json.loads(json_out.read_text(encoding="utf-8"))
    evidence = data["use_cases"][0]["result"]["evidence"]
    assert (evidence["n"], evidence["errors"], evidence["applied"]) == (1000, 2, True)
