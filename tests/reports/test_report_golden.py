"""Golden files: the reports of the examples, byte for byte (dates fixed by SOURCE_DATE_EPOCH).

After an intended change, regenerate and review the diff:

    ASSESSOR_UPDATE_GOLDEN=1 .venv/bin/pytest tests/reports/test_report_golden.py
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest
from report_support import ALL_EXAMPLES, GOLDEN, REPO

from assessor import __version__

CASES = {
    "use-case.md": ["examples/refund-assistant.yaml"],
    "use-case.html": ["examples/refund-assistant.yaml"],
    "use-case.json": ["examples/refund-assistant.yaml"],
    "ready.md": ["examples/ticket-triage.yaml"],
    "portfolio.md": [f"examples/{name}" for name in ALL_EXAMPLES],
    "portfolio.json": [f"examples/{name}" for name in ALL_EXAMPLES],
}


def check_golden(name: str, actual: str) -> None:
    actual = actual.replace(f"assessor {__version__}", "assessor VERSION")
    path = GOLDEN / name
    if os.environ.get("ASSESSOR_UPDATE_GOLDEN") == "1":
        path.write_text(actual, encoding="utf-8")
        return
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(
            list(
                difflib.unified_diff(
                    expected.splitlines(keepends=True),
                    actual.splitlines(keepends=True),
                    f"golden/{name}",
                    "rendered",
                )
            )[:80]
        )
        pytest.fail(f"{name} differs from the golden file:\n{diff}")


@pytest.mark.parametrize("name", sorted(CASES))
def test_report_matches_golden_file(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.chdir(REPO)  # file names in the report are as given: examples/...
    fmt = name.rsplit(".", 1)[1]
    out = tmp_path / name
    result = cli(
        "report", *CASES[name], "--format", fmt, "-o", out,
        "--client", "Northwind Insurance", "--author", "Acme Advisory",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    check_golden(name, out.read_text(encoding="utf-8"))


def test_score_markdown_matches_golden_file(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = cli("score", *[f"examples/{n}" for n in ALL_EXAMPLES], "--format", "md")
    assert result.exit_code == 0, result.output
    check_golden("score-summary.md", result.stdout)
