"""Each results format is read as its tool writes it: `assessor evidence add` records how many
cases were scored, how many were wrong and how many failed to run."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from evidence_support import (
    BUILDERS,
    inspect_ai,
    outcomes,
    read_yaml,
    write_assessment,
    write_results,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "evidence"


def recorded(cli: Any, tmp_path: Path, results: Path, *args: str) -> dict[str, Any]:
    file = write_assessment(tmp_path / "assessment.yaml")
    result = cli("evidence", "add", file, results, *args)
    assert result.exit_code == 0, result.output
    entry: dict[str, Any] = read_yaml(file)["evidence"][-1]
    return entry


@pytest.mark.parametrize(
    ("fixture", "kind", "n", "errors", "unscored", "extra"),
    [
        ("promptfoo-v3.json", "promptfoo", 3, 1, 1, {"eval_id": "eval-7Xq-2026-11-30T10:00:00"}),
        ("promptfoo-v2.json", "promptfoo", 3, 1, 0, {}),
        ("inspect-ai.json", "inspect-ai", 4, 2, 1, {"model": "openai/gpt-4o-mini"}),
        ("inspect-ai-v1.json", "inspect-ai", 3, 1, 0, {"dataset": "arith"}),
        ("deepeval-latest.json", "deepeval", 2, 1, 1, {"eval_id": "refunds-nightly"}),
        ("deepeval-old.json", "deepeval", 2, 0, 0, {}),
        ("openai-evals.jsonl", "openai-evals", 3, 1, 0, {"eval_id": "230315120000ABCDEFGH"}),
    ],
)
def test_each_tools_file_is_read_and_detected(
    cli: Any,
    tmp_path: Path,
    fixture: str,
    kind: str,
    n: int,
    errors: int,
    unscored: int,
    extra: dict[str, str],
) -> None:
    results = shutil.copy(DATA / fixture, tmp_path / fixture)
    entry = recorded(cli, tmp_path, Path(results))
    assert (entry["kind"], entry["n"], entry["errors"]) == (kind, n, errors)
    assert entry.get("unscored", 0) == unscored
    assert entry["error_rate"] == round(errors / n, 6)
    for key, value in extra.items():
        assert entry[key] == value


@pytest.mark.parametrize("kind", sorted(BUILDERS))
@pytest.mark.parametrize(
    ("cases", "n", "errors", "unscored"),
    [
        (outcomes(20, 0), 20, 0, 0),  # all pass
        (outcomes(0, 20), 20, 20, 0),  # all fail
        (outcomes(1, 0), 1, 0, 0),  # a single case
        (outcomes(0, 1), 1, 1, 0),
        (outcomes(7, 2, 3), 9, 2, 3),  # some wrong, some failed to run
    ],
    ids=["all-pass", "all-fail", "n1-pass", "n1-fail", "errors-in-some"],
)
def test_edges_of_each_kind(
    cli: Any, tmp_path: Path, kind: str, cases: list[str], n: int, errors: int, unscored: int
) -> None:
    if kind == "openai-evals" and unscored:
        # OpenAI evals records no event for a sample that failed to run.
        cases = [c for c in cases if c != "failed"]
        unscored = 0
    results = write_results(tmp_path / "results.json", BUILDERS[kind](cases))
    entry = recorded(cli, tmp_path, results, "--kind", kind)
    assert (entry["kind"], entry["n"], entry["errors"], entry.get("unscored", 0)) == (
        kind,
        n,
        errors,
        unscored,
    )
    # detected from the content as well
    assert recorded(cli, tmp_path, results)["kind"] == kind


def test_inspect_partial_and_numeric_scores_count_as_wrong_unless_full_marks(
    cli: Any, tmp_path: Path
) -> None:
    results = write_results(
        tmp_path / "log.json", inspect_ai(["C", "P", "N", "I", 1.0, 0.5, True, "failed"])
    )
    entry = recorded(cli, tmp_path, results)
    # right: C, 1.0, true; wrong: P, N, I, 0.5; one sample errored
    assert (entry["n"], entry["errors"], entry["unscored"]) == (7, 4, 1)


def test_unknown_shape_is_exit_2_naming_the_file_and_what_was_expected(
    cli: Any, tmp_path: Path
) -> None:
    file = write_assessment(tmp_path / "assessment.yaml")
    before = file.read_text()
    odd = write_results(tmp_path / "odd.json", {"accuracy": 0.99})
    result = cli("evidence", "add", file, odd)
    assert result.exit_code == 2
    assert "odd.json: not a results file of a known kind" in result.stderr
    assert "results.results[].success" in result.stderr  # what promptfoo looks like
    assert "testCases[].success" in result.stderr
    assert "Traceback" not in result.output
    assert file.read_text() == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"results": {"results": [}', "bad.json:1:26: invalid JSON"),
        ("", "bad.json:1:1: invalid JSON"),
        ('{"format": "assessor-eval", "format_version": 9}', "unsupported format_version 9"),
        (
            '{"format": "assessor-eval", "format_version": 1, "n": 3, "errors": 5, "results": []}',
            "errors (5) is more than n (3)",
        ),
        (
            '{"results": {"results": [{"success": false, "failureReason": 2}], "stats": {}}}',
            "promptfoo: no scored cases (1 failed to run)",
        ),
        (
            '{"results": {"results": [{"success": true}], "stats": {"successes": 4}}}',
            "stats.successes is 4 but 1 results succeeded",
        ),
    ],
)
def test_bad_results_files_are_exit_2_and_change_nothing(
    cli: Any, tmp_path: Path, content: str, message: str
) -> None:
    file = write_assessment(tmp_path / "assessment.yaml")
    before = file.read_text()
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    result = cli("evidence", "add", file, bad)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert file.read_text() == before


def test_kind_given_but_content_of_another_kind(cli: Any, tmp_path: Path) -> None:
    file = write_assessment(tmp_path / "assessment.yaml")
    results = shutil.copy(DATA / "deepeval-old.json", tmp_path / "r.json")
    result = cli("evidence", "add", file, results, "--kind", "promptfoo")
    assert result.exit_code == 2
    assert "r.json: not a promptfoo file: expected an object with results.results" in result.stderr


@pytest.mark.parametrize("what", ["missing", "folder"])
def test_missing_results_file_or_folder(cli: Any, tmp_path: Path, what: str) -> None:
    file = write_assessment(tmp_path / "assessment.yaml")
    target = tmp_path / "results"
    if what == "folder":
        target.mkdir()
    result = cli("evidence", "add", file, target)
    assert result.exit_code == 2
    assert ("file not found" if what == "missing" else "is a directory") in result.stderr
