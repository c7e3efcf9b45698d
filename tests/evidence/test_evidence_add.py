"""`assessor evidence add`: the assessment file gains an evidence entry, the error rate becomes
measured, the user's comments, notes and other answers stay, and the new verdict is shown."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from evidence_support import (
    ASSESSMENT,
    outcomes,
    promptfoo,
    read_yaml,
    write_assessment,
    write_results,
)


def test_add_records_the_entry_sets_the_answer_and_keeps_everything_else(
    cli: Any, tmp_path: Path
) -> None:
    file = write_assessment(tmp_path / "assessment.yaml")
    results = write_results(tmp_path / "results.json", promptfoo(outcomes(298, 2)))
    result = cli("evidence", "add", file, results)
    assert result.exit_code == 0, result.output
    assert "results.json: promptfoo, 2 wrong of 300 (0.67%; 95% interval 0.18% to 2.4%)" in (
        result.stdout
    )
    assert "verdict not_ready" in result.stdout

    text = file.read_text(encoding="utf-8")
    # comments and layout kept; the two answers changed in place
    assert text.startswith("# Refund assistant: assessed by the support platform team\n")
    assert "  error_cost: high          # a wrong refund costs money\n" in text
    assert "  error_rate: 0.006667          # our guess from the pilot\n" in text
    assert "  error_rate_source: measured\n" in text
    assert "# Why we answered as we did\n" in text
    data = read_yaml(file)
    assert data["notes"] == {"autonomy": "Low-confidence answers go to an agent."}
    assert data["answers"]["document_quality"] == "high"
    [entry] = data["evidence"]
    assert entry["kind"] == "promptfoo"
    assert entry["path"] == "results.json"
    assert entry["sha256"] == hashlib.sha256(results.read_bytes()).hexdigest()
    assert (entry["n"], entry["errors"], entry["error_rate"]) == (300, 2, 0.006667)
    assert entry["upper_95"] == pytest.approx(0.023978, abs=1e-6)
    assert entry["lower_95"] == pytest.approx(0.00183, abs=1e-6)
    assert entry["recorded_at"].endswith("Z")
    assert entry["eval_id"] == "eval-test"
    # and the file still scores, with the evidence in the score JSON
    scored = cli("score", file, "--format", "json")
    assert scored.exit_code == 0, scored.output
    assert json.loads(scored.stdout)["evidence"]["n"] == 300


def test_a_second_recording_appends_and_the_latest_one_counts(cli: Any, tmp_path: Path) -> None:
    file = write_assessment(tmp_path / "assessment.yaml")
    first = write_results(tmp_path / "first.json", promptfoo(outcomes(290, 10)))
    assert cli("evidence", "add", file, first).exit_code == 0
    second = write_results(tmp_path / "second.json", promptfoo(outcomes(499, 1)))
    third = write_results(tmp_path / "third.json", promptfoo(outcomes(500, 0)))
    result = cli("evidence", "add", file, second, third)
    assert result.exit_code == 0, result.output
    data = read_yaml(file)
    assert [e["path"] for e in data["evidence"]] == ["first.json", "second.json", "third.json"]
    # the answer pools the files recorded together: 1 wrong of 1,000
    assert data["answers"]["error_rate"] == 0.001
    evidence = json.loads(cli("score", file, "--format", "json").stdout)["evidence"]
    assert (evidence["n"], evidence["errors"], evidence["applied"]) == (1000, 1, True)
    assert len(evidence["sources"]) == 3


def test_missing_answers_are_added_inside_the_answers_block(cli: Any, tmp_path: Path) -> None:
    text = ASSESSMENT.replace("  error_rate: 0.03          # our guess from the pilot\n", "")
    text = text.replace("  error_rate_source: estimated\n", "")
    file = write_assessment(tmp_path / "assessment.yaml", text)
    results = write_results(tmp_path / "r.json", promptfoo(outcomes(400, 0)))
    result = cli("evidence", "add", file, results)
    assert result.exit_code == 0, result.output
    new = file.read_text(encoding="utf-8")
    assert "  document_quality: high\n  error_rate: 0.0\n  error_rate_source: measured\n" in new
    assert "# Why we answered as we did" in new
    assert "note:" not in result.stderr


def test_flow_style_and_json_files_are_rewritten_whole_and_say_so(cli: Any, tmp_path: Path) -> None:
    answers = read_yaml(write_assessment(tmp_path / "x.yaml"))["answers"]
    flow = tmp_path / "flow.yaml"
    flow.write_text(
        "version: 1\nuse_case: {name: Flow}\nanswers: " + json.dumps(answers) + "\n",
        encoding="utf-8",
    )
    as_json = tmp_path / "case.json"
    as_json.write_text(
        json.dumps({"version": 1, "use_case": {"name": "J"}, "answers": answers}), "utf-8"
    )
    results = write_results(tmp_path / "r.json", promptfoo(outcomes(400, 0)))
    for file in (flow, as_json):
        result = cli("evidence", "add", file, results)
        assert result.exit_code == 0, result.output
        assert "rewritten whole" in result.stderr
        data = read_yaml(file)
        assert data["answers"]["error_rate_source"] == "measured"
        assert data["evidence"][0]["n"] == 400
    assert as_json.read_text().lstrip().startswith("{")
    json.loads(as_json.read_text())


def test_invalid_assessment_is_exit_2_and_not_changed(cli: Any, tmp_path: Path) -> None:
    file = write_assessment(
        tmp_path / "a.yaml", ASSESSMENT.replace("error_cost: high", "error_cost: huge")
    )
    before = file.read_text()
    results = write_results(tmp_path / "r.json", promptfoo(outcomes(10, 0)))
    result = cli("evidence", "add", file, results)
    assert result.exit_code == 2
    assert "a.yaml:7:3: answers.error_cost: must be one of" in result.stderr
    assert file.read_text() == before


def test_evidence_entries_are_validated_with_file_line_column(cli: Any, tmp_path: Path) -> None:
    file = write_assessment(tmp_path / "a.yaml")
    results = write_results(tmp_path / "r.json", promptfoo(outcomes(298, 2)))
    assert cli("evidence", "add", file, results).exit_code == 0
    text = file.read_text()
    line = next(i for i, t in enumerate(text.split("\n"), 1) if "    errors: 2" in t)
    broken = text.replace("    errors: 2\n", "    errors: 3\n").replace("    n: 300", "    n: many")
    file.write_text(broken)
    result = cli("score", file)
    assert result.exit_code == 2
    assert f"a.yaml:{line - 1}:5: evidence[0].n: must be a valid integer" in result.stderr
    file.write_text(text.replace("    errors: 2\n", "    errors: 3\n"))
    result = cli("score", file)
    assert result.exit_code == 2
    assert "evidence[0]: error_rate 0.006667 does not match errors/n (0.010000)" in result.stderr
    file.write_text(text.replace("- kind: promptfoo", "- knd: promptfoo"))
    result = cli("score", file)
    assert result.exit_code == 2
    assert "evidence[0].knd: unknown key 'knd' (did you mean 'kind'?)" in result.stderr


def test_a_locked_assessment_is_refused(cli: Any, tmp_path: Path) -> None:
    from assessor.app.session.lock import FileLock

    file = write_assessment(tmp_path / "a.yaml")
    before = file.read_text()
    results = write_results(tmp_path / "r.json", promptfoo(outcomes(10, 0)))
    lock = FileLock(file)
    lock.acquire()
    try:
        result = cli("evidence", "add", file, results)
    finally:
        lock.release()
    assert result.exit_code == 2
    assert "a.yaml is locked" in result.stderr
    assert file.read_text() == before


def test_the_interactive_session_keeps_evidence_when_it_saves(cli: Any, tmp_path: Path) -> None:
    from assessor.app.session.session import Session

    file = write_assessment(tmp_path / "a.yaml")
    results = write_results(tmp_path / "r.json", promptfoo(outcomes(298, 2)))
    assert cli("evidence", "add", file, results).exit_code == 0
    session = Session.open(file)
    try:
        session.set_note("error_cost", "Checked with finance.")
        assert session.save()
    finally:
        session.close()
    data = read_yaml(file)
    assert data["evidence"][0]["n"] == 300
    assert data["notes"]["error_cost"] == "Checked with finance."
