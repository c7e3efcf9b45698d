"""`assessor export FILE... --to wa-answers|github-issues|csv [-o OUT]`: answers for the WA
Tool's update-answer, and findings as work items with stable keys."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))
REFUND = REPO / "examples" / "refund-assistant.yaml"


def _findings(cli: Callable[..., Any], files: list[Path]) -> list[tuple[str, str, str]]:
    out = []
    for f in files:
        data = json.loads(cli("score", f, "--format", "json").stdout)
        out += [
            (data["use_case"], x["id"], x["kind"]) for x in data["blockers"] + data["conditions"]
        ]
    return out


def test_github_issues_are_one_issue_body_per_finding(cli: Callable[..., Any]) -> None:
    result = cli("export", *EXAMPLES, "--to", "github-issues")
    assert result.exit_code == 0, result.output
    issues = [json.loads(line) for line in result.stdout.splitlines()]
    expected = _findings(cli, EXAMPLES)
    assert len(issues) == len(expected) > 0
    for issue, (use_case, finding, kind) in zip(issues, expected, strict=True):
        assert set(issue) == {"title", "body", "labels"}
        assert issue["title"].startswith(f"{use_case}: ")
        assert f"kind: {kind}" in issue["labels"]
        assert any(label.startswith("verdict: ") for label in issue["labels"])
        assert f"`{finding}`" in issue["body"]
        for heading in ("### Why", "### Fix", "### Guide", "### Answers"):
            assert heading in issue["body"]
    first = issues[0]
    assert first["labels"][0] == "verdict: conditional"  # claims-summaries sorts first
    assert "dimension: evaluation" in first["labels"]
    assert "| Evaluation | Measured offline on a test set |" in first["body"]


def test_re_export_gives_the_same_keys_and_other_use_cases_other_keys(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    once = cli("export", REFUND, "--to", "github-issues").stdout
    again = cli("export", REFUND, "--to", "github-issues").stdout
    assert once == again
    keys = [line.split("assessor-finding: ")[1][:16] for line in once.splitlines()]
    assert len(set(keys)) == len(keys) == 6
    renamed = tmp_path / "renamed.yaml"
    doc = yaml.safe_load(REFUND.read_text())
    doc["use_case"]["name"] = "Another assistant"
    renamed.write_text(yaml.safe_dump(doc))
    other = cli("export", renamed, "--to", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(other)))
    assert not {r["key"] for r in rows} & set(keys)
    # the CSV and the issues carry the same key for the same finding
    assert [
        r["key"] for r in csv.DictReader(io.StringIO(cli("export", REFUND, "--to", "csv").stdout))
    ] == keys


def test_user_text_cannot_form_markup_or_formulas(cli: Callable[..., Any], tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    doc = yaml.safe_load(REFUND.read_text())
    doc["use_case"]["name"] = '=HYPERLINK("x") [click](javascript:alert(1)) <img src=x>'
    case.write_text(yaml.safe_dump(doc))
    issue = json.loads(cli("export", case, "--to", "github-issues").stdout.splitlines()[0])
    assert (
        "\\[click\\](javascript:alert(1))" in issue["body"] and "\\<img src=x\\>" in issue["body"]
    )
    rows = list(csv.reader(io.StringIO(cli("export", case, "--to", "csv").stdout)))
    assert rows[1][1].startswith("'=HYPERLINK")


def test_csv_has_one_row_per_finding(cli: Callable[..., Any], tmp_path: Path) -> None:
    out = tmp_path / "findings.csv"
    result = cli("export", *EXAMPLES, "--to", "csv", "-o", out)
    assert result.exit_code == 0 and result.stdout == ""
    rows = list(csv.DictReader(io.StringIO(out.read_text(), newline="")))
    assert [(r["use_case"], r["finding"], r["kind"]) for r in rows] == _findings(cli, EXAMPLES)
    refund = next(
        r
        for r in rows
        if r["finding"] == "autonomous-consequential" and r["use_case"] == "Refund policy assistant"
    )
    assert refund["verdict"] == "not_ready"
    assert refund["answers"] == "Human oversight: Fully autonomous; Cost of an error: High"
    assert refund["dimensions"] == "error_cost autonomy"
    # -o refuses to replace without --force
    again = cli("export", REFUND, "--to", "csv", "-o", out)
    assert again.exit_code == 2 and "exists; pass --force" in again.stderr
    assert len(list(csv.DictReader(io.StringIO(out.read_text())))) == len(rows)
    assert cli("export", REFUND, "--to", "csv", "-o", out, "--force").exit_code == 0
    assert len(list(csv.DictReader(io.StringIO(out.read_text())))) == 6


def test_wa_answers_of_an_imported_lens_keep_its_ids(
    imported: Path, tmp_path: Path, cli: Callable[..., Any]
) -> None:
    case = tmp_path / "case.yaml"
    case.write_text(
        f"version: 1\nrubric: {imported}\nuse_case: {{name: X}}\nanswers:\n"
        "  rel01: [REL01_canary, REL01_rollback]\n  rel02: [REL02_no]\n  sec01: []\n"
        "notes:\n  rel02: Drift checks are planned for Q3.\n"
    )
    result = cli(
        "export", case, "--to", "wa-answers", "--workload-id", "w-123", "--lens-alias", "arn:aws:x"
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {
            "WorkloadId": "w-123",
            "LensAlias": "arn:aws:x",
            "QuestionId": "REL01",
            "SelectedChoices": ["REL01_canary", "REL01_rollback"],
            "Notes": "",
        },
        {
            "WorkloadId": "w-123",
            "LensAlias": "arn:aws:x",
            "QuestionId": "REL02",
            "SelectedChoices": ["REL02_no"],
            "Notes": "Drift checks are planned for Q3.",
        },
        {
            "WorkloadId": "w-123",
            "LensAlias": "arn:aws:x",
            "QuestionId": "SEC01",
            "SelectedChoices": [],
            "Notes": "",
        },
    ]


def test_wa_answers_of_the_default_rubric_match_its_exported_lens(
    tmp_path: Path, cli: Callable[..., Any]
) -> None:
    lens_path = tmp_path / "readiness.json"
    assert (
        cli(
            "rubric", "export", "production-readiness", "--to", "wa-lens", "-o", lens_path
        ).exit_code
        == 0
    )
    lens = json.loads(lens_path.read_text())
    choices = {
        q["id"]: {c["id"] for c in q["choices"]} for p in lens["pillars"] for q in p["questions"]
    }
    answers = json.loads(cli("export", REFUND, "--to", "wa-answers").stdout)
    assert [a["QuestionId"] for a in answers] == list(choices)
    by_id = {a["QuestionId"]: a for a in answers}
    assert by_id["task_type"]["SelectedChoices"] == ["rag"]
    assert by_id["customer_facing"]["SelectedChoices"] == ["yes"]
    assert by_id["expert_review"]["SelectedChoices"] == ["answer_no"]
    assert by_id["input_quality"] == {
        "QuestionId": "input_quality",
        "SelectedChoices": [],
        "Notes": "",
        "IsApplicable": False,
    }
    for a in answers:
        assert set(a["SelectedChoices"]) <= choices[a["QuestionId"]]


def test_wa_answers_take_one_file(cli: Callable[..., Any]) -> None:
    result = cli("export", *EXAMPLES[:2], "--to", "wa-answers")
    assert result.exit_code == 2 and "takes one assessment file" in result.stderr
