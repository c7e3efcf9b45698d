"""`assessor diff OLD NEW`: changed answers, verdict, score and findings, as text or Markdown."""

from __future__ import annotations

from pathlib import Path

import pytest
from report_support import EXAMPLES

BEFORE = (EXAMPLES / "refund-assistant.yaml").read_text(encoding="utf-8")


def versions(tmp_path: Path, after: str) -> tuple[Path, Path]:
    old, new = tmp_path / "v1.yaml", tmp_path / "v2.yaml"
    old.write_text(BEFORE, encoding="utf-8")
    new.write_text(after, encoding="utf-8")
    return old, new


def improved() -> str:
    return (
        BEFORE.replace("autonomy: autonomous", "autonomy: human_approves").replace(
            "evaluation: none", "evaluation: offline"
        )
        + 'notes:\n  autonomy: "Agreed with legal on 3 March \\e[31m| ops"\n'
    )


def test_text_diff_names_every_change(cli, tmp_path: Path) -> None:
    old, new = versions(tmp_path, improved())
    result = cli("diff", old, new)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Refund policy assistant" in out
    assert "verdict: Not ready -> Conditional" in out
    assert "score:   14 -> 54 (+40)" in out
    assert "Human oversight [autonomy]: Fully autonomous -> A person approves each one" in out
    assert (
        "Evaluation maturity [evaluation]: Not evaluated -> Measured offline on a test set" in out
    )
    assert "Notes changed (1)" in out and "Agreed with legal on 3 March | ops" in out
    assert "Findings added (1):" in out
    assert "+ condition Not measured continuously in production [no-continuous-monitoring]" in out
    assert "Findings removed (4):" in out
    assert "- blocker   Consequential decisions without human review" in out
    assert "\x1b" not in out


def test_markdown_diff(cli, tmp_path: Path) -> None:
    old, new = versions(tmp_path, improved())
    result = cli("diff", old, new, "--format", "md")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("## Refund policy assistant\n")
    assert "| Verdict | Not ready | Conditional |" in out
    assert "| Score | 14 | 54 (+40) |" in out
    assert "| Human oversight `autonomy` | Fully autonomous | A person approves each one |" in out
    assert "Agreed with legal on 3 March \\| ops" in out  # the pipe cannot split the table
    assert "### Findings removed" in out and "(`autonomous-consequential`)" in out
    assert "<" not in out


def test_unchanged_files_say_so(cli, tmp_path: Path) -> None:
    old, new = versions(tmp_path, BEFORE.replace("version: 1", "# a comment\nversion: 1"))
    result = cli("diff", old, new)
    assert result.exit_code == 0
    assert "No changes" in result.stdout


def test_use_case_and_unanswered_questions(cli, tmp_path: Path) -> None:
    after = (
        BEFORE.replace("name: Refund policy assistant", "name: Refund assistant v2")
        .replace("  cost_per_error: 250\n", "")
        .replace("error_rate: 0.03", "error_rate: 0.005")
    )
    old, new = versions(tmp_path, after)
    out = cli("diff", old, new).stdout
    assert "name: Refund policy assistant -> Refund assistant v2" in out
    assert "[cost_per_error]: 250 -> not answered" in out
    assert "Error rate [error_rate]: 3% (1 in 33) -> 0.5% (1 in 200)" in out
    assert "- blocker   High-cost errors at more than 1 in 100" in out


@pytest.mark.parametrize("which", ["old", "new"])
def test_invalid_file_exits_2_with_location(cli, tmp_path: Path, which: str) -> None:
    bad = BEFORE.replace("evaluation: none", "evaluation: sometimes")
    old, new = versions(tmp_path, bad) if which == "new" else versions(tmp_path, BEFORE)
    if which == "old":
        old.write_text(bad, encoding="utf-8")
    result = cli("diff", old, new)
    assert result.exit_code == 2
    assert f"{(old if which == 'old' else new).name}:" in result.stderr
    assert "answers.evaluation" in result.stderr
    assert "Traceback" not in result.output


def test_contradictions_that_appear_or_go_are_shown(cli, tmp_path: Path) -> None:
    contradictory = BEFORE.replace("error_rate_source: estimated", "error_rate_source: unknown")
    old, new = versions(tmp_path, contradictory)
    out = cli("diff", old, new).stdout
    assert "Answers that now contradict each other (1):" in out
    assert "+ Error rate given, but its source is unknown [error-rate-source-unknown]" in out

    back = cli("diff", new, old, "--format", "md").stdout
    assert "### Contradictions resolved" in back
    assert "- Error rate given, but its source is unknown (`error-rate-source-unknown`)" in back
