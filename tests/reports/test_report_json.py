"""The JSON report: strict JSON (never NaN), UTF-8 text as typed, and its published schema."""

from __future__ import annotations

import json
from pathlib import Path

from report_support import ALL_EXAMPLES, EXAMPLES, REPO, hostile_assessment

from assessor.reports.model import Report, report_schema

SCHEMA_FILE = REPO / "rubrics" / "report.schema.json"


def strict_load(text: str) -> dict:
    def refuse(name: str) -> None:
        raise AssertionError(f"non-standard JSON constant {name}")

    return json.loads(text, parse_constant=refuse)


def write_json_report(cli, tmp_path: Path, *files: Path) -> tuple[str, dict]:
    out = tmp_path / "r.json"
    result = cli("report", *files, "--format", "json", "-o", out, "--force")
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    return text, strict_load(text)


def test_portfolio_json_follows_the_model(cli, tmp_path: Path) -> None:
    _, data = write_json_report(cli, tmp_path, *(EXAMPLES / n for n in ALL_EXAMPLES))
    report = Report.model_validate(data)
    assert report.kind == "portfolio" and report.format_version == 1
    assert report.portfolio is not None
    assert sum(report.portfolio.score_histogram) == len(ALL_EXAMPLES)
    # The build order: ready first, then conditional, then not ready.
    order = ["ready", "conditional", "not_ready"]
    verdicts = [e.verdict for e in report.portfolio.ranking]
    assert verdicts == sorted(verdicts, key=order.index)
    assert report.portfolio.ranking_rule.startswith("Build order: ready use cases first")
    for uc in report.use_cases:
        assert uc.result.rubric.id == "production-readiness"
        assert uc.summary.next_steps and uc.answers


def test_huge_costs_never_produce_nan_or_infinity(cli, tmp_path: Path) -> None:
    # The bundled rubric caps costs and volumes; a rubric without caps still bounds every
    # number at 1e15, which keeps every figure finite, and refuses larger ones.
    rubric_text = (REPO / "rubrics" / "production-readiness.yaml").read_text(encoding="utf-8")
    uncapped = tmp_path / "uncapped.yaml"
    uncapped.write_text(rubric_text.replace("    max: 1000000000000\n", ""), encoding="utf-8")
    src = (EXAMPLES / "refund-assistant.yaml").read_text(encoding="utf-8")
    huge = tmp_path / "huge.yaml"
    huge.write_text(
        src.replace("rubric: production-readiness", f"rubric: {uncapped}")
        .replace("cost_per_error: 250", "cost_per_error: 1.0e+15")
        .replace("volume_per_day: 4000", "volume_per_day: 1.0e+15"),
        encoding="utf-8",
    )
    text, data = write_json_report(cli, tmp_path, huge)
    assert "NaN" not in text and "Infinity" not in text
    uc = data["use_cases"][0]
    assert uc["result"]["cost_model"] is not None
    for fmt in ("md", "html"):
        out = tmp_path / f"huge.{fmt}"
        assert cli("report", huge, "--format", fmt, "-o", out).exit_code == 0
        rendered = out.read_text(encoding="utf-8")
        assert "n/a" not in rendered and "∞" not in rendered
    beyond = tmp_path / "beyond.yaml"
    beyond.write_text(
        huge.read_text().replace("volume_per_day: 1.0e+15", "volume_per_day: 1.0e+308")
    )
    result = cli("report", beyond, "--format", "json", "-o", tmp_path / "beyond.json")
    assert result.exit_code == 2
    assert "answers.volume_per_day: number out of range" in result.stderr


def test_non_ascii_round_trips(cli, tmp_path: Path) -> None:
    name = "Überprüfung der Schäden – 損害査定 ✓ 🚀"
    note = "Mesuré sur 1 200 dossiers; «échantillon» — 검증됨"
    path = tmp_path / "intl.yaml"
    path.write_text(
        hostile_assessment(name=name, description="Ελληνικά", owner="Zoë", note=note),
        encoding="utf-8",
    )
    text, data = write_json_report(cli, tmp_path, path)
    assert name in text and note in text  # written as UTF-8, not \\u escapes
    assert "\\u" not in text
    assert data["use_cases"][0]["result"]["use_case"] == name
    assert data["meta"]["title"] == name
    notes = {row["question"]: row["note"] for row in data["use_cases"][0]["answers"]}
    assert notes["autonomy"] == note


def test_committed_schema_matches_the_models() -> None:
    committed = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert committed == report_schema(), (
        "rubrics/report.schema.json is stale; regenerate it with "
        "`assessor schema report > rubrics/report.schema.json`"
    )


def test_schema_command_prints_the_report_schema(cli) -> None:
    result = cli("schema", "report")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def test_summary_json_holds_one_line_per_use_case_and_the_aggregates(cli, tmp_path: Path) -> None:
    import jsonschema

    files = [EXAMPLES / n for n in ALL_EXAMPLES]
    _, full = write_json_report(cli, tmp_path, *files)
    out = tmp_path / "summary.json"
    result = cli("report", *files, "--format", "json", "-o", out, "--summary")
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    data = strict_load(text)
    jsonschema.validate(data, json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    assert data["summary_only"] is True and data["use_cases"] == []
    ranking = data["portfolio"]["ranking"]
    assert sorted(e["file"] for e in ranking) == sorted(str(f) for f in files)
    assert [e["use_case"] for e in ranking] == [e["use_case"] for e in full["portfolio"]["ranking"]]
    # The aggregates are those of the full report; the use cases' answers are not repeated.
    for key in ("counts", "mean_score", "score_histogram", "risks", "matrix"):
        assert data["portfolio"][key] == full["portfolio"][key], key
    assert data["methodology"] == full["methodology"]
    assert "answers" not in text and len(text) * 5 < len(json.dumps(full))
