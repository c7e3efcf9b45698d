"""The non-interactive command line: score, rubric, schema, init, --version.

Exit codes (DESIGN.md): 0 scored; 2 invalid input; 1 other errors; 3 with ``--fail-on``
when any verdict is at or below it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from engine_support import EXAMPLES, REPO, answers_for, run_assessor, write_assessment

import assessor

READY = EXAMPLES / "ticket-triage.yaml"
CONDITIONAL = EXAMPLES / "contract-extraction.yaml"
NOT_READY = EXAMPLES / "refund-assistant.yaml"


# --- score ------------------------------------------------------------------------------------


def test_score_text_is_a_readable_summary(cli: Any) -> None:
    result = cli("score", NOT_READY)
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("Refund policy assistant  NOT READY  score 14/100\n")
    for heading in ("Blockers", "Conditions", "What would raise the verdict"):
        assert f"\n{heading}\n" in out
    assert "  • Consequential decisions without human review [autonomous-consequential]" in out
    assert "    Why: Outputs take effect with no human review" in out
    assert "  • Human oversight: A person approves each one → CONDITIONAL" in out
    assert "review below 0.99:" in out
    assert all(len(line) <= 80 for line in out.splitlines())  # wrapped for the terminal
    assert result.stderr == ""


def test_score_text_strips_terminal_escapes_from_user_text(cli: Any, tmp_path: Path) -> None:
    case = write_assessment(
        tmp_path / "case.yaml",
        answers_for(error_cost="high", autonomy="autonomous"),
        name="Bot\x1b[2J\x1b]0;owned\x07 \u202eevil",
    )
    result = cli("score", case)
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout
    assert result.stdout.startswith("Bot evil  NOT READY")


def test_score_json_of_one_file_is_an_object(cli: Any) -> None:
    result = cli("score", CONDITIONAL, "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["use_case"] == "Contract renewal extraction"
    assert data["rubric"] == {"id": "production-readiness", "version": "1"}
    assert data["verdict"] == "conditional"
    assert {"dimensions", "blockers", "conditions", "patterns", "to_improve"} <= set(data)
    assert data["to_improve"][0]["changes"] == {
        "evaluation": "continuous",
        "input_quality": "clean",
    }


def test_score_json_of_several_files_is_an_array_in_argument_order(cli: Any) -> None:
    result = cli("score", READY, NOT_READY, CONDITIONAL, "--format", "json")
    assert result.exit_code == 0
    verdicts = [item["verdict"] for item in json.loads(result.stdout)]
    assert verdicts == ["ready", "not_ready", "conditional"]


def test_json_output_equals_the_result_models_json(cli: Any) -> None:
    from assessor.app.batch import results_json, score_files

    files = [READY, NOT_READY, CONDITIONAL]
    for chosen in (files, files[1:2]):
        printed = cli("score", *chosen, "--format", "json").stdout
        assert printed == results_json(score_files(chosen)) + "\n"


def test_score_markdown_summary(cli: Any) -> None:
    result = cli("score", READY, NOT_READY, "--format", "md")
    assert result.exit_code == 0, result.output
    assert "Support ticket triage" in result.stdout
    assert "Refund policy assistant" in result.stdout


@pytest.mark.parametrize(
    ("files", "fail_on", "code"),
    [
        ([READY], "conditional", 0),
        ([CONDITIONAL], "conditional", 3),
        ([NOT_READY], "conditional", 3),
        ([CONDITIONAL], "not_ready", 0),
        ([NOT_READY], "not_ready", 3),
        ([READY, CONDITIONAL], "conditional", 3),
        ([READY, CONDITIONAL], "not_ready", 0),
    ],
)
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_fail_on_exits_3_when_any_verdict_is_at_or_below_it(
    cli: Any, files: list[Path], fail_on: str, code: int, fmt: str
) -> None:
    result = cli("score", *files, "--fail-on", fail_on, "--format", fmt)
    assert result.exit_code == code
    assert result.stdout  # the scores are printed either way


def test_invalid_input_exits_2_even_with_fail_on(cli: Any, tmp_path: Path) -> None:
    bad = write_assessment(tmp_path / "bad.yaml", answers_for(error_cost="hgh"))
    assert cli("score", bad, "--fail-on", "conditional").exit_code == 2


TEAM_RUBRIC = """\
id: team-rubric
version: "2"
title: Team rubric
questions:
  - id: error_cost
    label: Cost of an error
    prompt: What does an error cost?
    type: choice
    required: true
    changeable: false
    options: [{value: low, label: Low}, {value: high, label: High}]
  - id: human_review
    label: Human review
    prompt: Does a person review each output?
    type: boolean
    required: true
dimensions:
  - id: error_cost
    title: Cost of an error
    question: error_cost
    scores: {low: 100, high: 20}
rules:
  - id: unreviewed-high-cost
    kind: blocker
    title: Costly outputs nobody reviews
    when: {all: [{answer: error_cost, is: high}, {answer: human_review, is: false}]}
    reason: Nobody reviews outputs whose errors cost {error_cost}.
    guide: Review what is costly.
    fix: Have a person review each output.
patterns:
  - id: evaluation
    title: Evaluation
    reason: Always measure.
policy:
  max_error_rate: {low: 0.1, high: 0.01}
  review_sample_rate: {low: 0.01, high: 0.05}
  cost_per_error: {low: 1, high: 100}
"""


def test_score_with_a_rubric_of_your_own(cli: Any, tmp_path: Path) -> None:
    rubric = tmp_path / "team.yaml"
    rubric.write_text(TEAM_RUBRIC, encoding="utf-8")
    case = write_assessment(tmp_path / "case.yaml", {"error_cost": "high", "human_review": False})
    result = cli("score", case, "--rubric", rubric, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["rubric"] == {"id": "team-rubric", "version": "2"}
    assert data["verdict"] == "not_ready"
    assert data["blockers"][0]["reason"] == "Nobody reviews outputs whose errors cost high."
    assert data["to_improve"][0]["summary"] == "Human review: yes"
    # The same rubric named by the file itself, relative to the file.
    named = write_assessment(
        tmp_path / "named.yaml", {"error_cost": "low", "human_review": False}, rubric="team.yaml"
    )
    assert json.loads(cli("score", named, "--format", "json").stdout)["verdict"] == "ready"


def test_an_answer_the_chosen_rubric_lacks_names_the_rubric(cli: Any, tmp_path: Path) -> None:
    rubric = tmp_path / "team.yaml"
    rubric.write_text(TEAM_RUBRIC, encoding="utf-8")
    case = write_assessment(tmp_path / "case.yaml", answers_for())
    result = cli("score", case, "--rubric", rubric)
    assert result.exit_code == 2
    assert "rubric 'team-rubric' has no question 'task_type'" in result.stderr


# --- rubric list | show | validate -------------------------------------------------------------


def test_rubric_list(cli: Any) -> None:
    result = cli("rubric", "list")
    assert result.exit_code == 0
    assert result.stdout.startswith("production-readiness\tv1\tProduction readiness")


def test_rubric_show_prints_brackets_literally(cli: Any) -> None:
    result = cli("rubric", "show", "production-readiness")
    assert result.exit_code == 0
    assert "task_type (required): What does the model do in this use case?" in result.stdout
    assert "[text_generation | summarization |" in result.stdout
    assert "blocker   autonomous-consequential:" in result.stdout
    assert "human_fallback: Fallback to a human" in result.stdout


def test_rubric_show_of_an_unknown_id_suggests_one(cli: Any) -> None:
    result = cli("rubric", "show", "production-readyness")
    assert result.exit_code == 2
    assert "did you mean 'production-readiness'?" in result.stderr


def test_rubric_validate_accepts_the_bundled_and_a_custom_rubric(cli: Any, tmp_path: Path) -> None:
    bundled = REPO / "rubrics" / "production-readiness.yaml"
    result = cli("rubric", "validate", bundled)
    assert result.exit_code == 0
    assert "valid rubric 'production-readiness' version 1: 20 questions, 15 rules" in result.stdout
    custom = tmp_path / "team.yaml"
    custom.write_text(TEAM_RUBRIC, encoding="utf-8")
    assert cli("rubric", "validate", custom).exit_code == 0


@pytest.mark.parametrize(
    ("change", "line", "column", "where", "message"),
    [
        (
            ("{answer: human_review, is: false}", "{answer: human_reviw, is: false}"),
            26,
            51,
            "rules[0].when.all[1].answer",
            "unknown question 'human_reviw' (did you mean 'human_review'?)",
        ),
        (
            ("{answer: error_cost, is: high}", "{answer: error_cost, is: huge}"),
            26,
            39,
            "rules[0].when.all[0].is",
            "'huge' is not an option of 'error_cost' (options: high, low)",
        ),
        (
            ("    prompt: What does an error cost?", "    promt: What does an error cost?"),
            7,
            5,
            "questions[0].promt",
            "unknown key 'promt' (did you mean 'prompt'?)",
        ),
        (
            ("    kind: blocker", "    kind: blocking"),
            24,
            5,
            "rules[0].kind",
            "must be 'blocker' or 'condition'",
        ),
        (
            ("    scores: {low: 100, high: 20}", "    scores: {low: 100, high: 200}"),
            21,
            5,
            "dimensions[0].scores",
            "score of 'high' must be 0..100",
        ),
    ],
)
def test_rubric_validate_locates_every_problem(
    cli: Any,
    tmp_path: Path,
    change: tuple[str, str],
    line: int,
    column: int,
    where: str,
    message: str,
) -> None:
    path = tmp_path / "team.yaml"
    assert change[0] in TEAM_RUBRIC
    path.write_text(TEAM_RUBRIC.replace(change[0], change[1]), encoding="utf-8")
    result = cli("rubric", "validate", path)
    assert result.exit_code == 2
    assert f"{path}:{line}:{column}: {where}: " in result.stderr, result.stderr
    assert message in result.stderr
    # Scoring against it reports the rubric's own problem at its own lines.
    case = write_assessment(tmp_path / "case.yaml", {"error_cost": "low", "human_review": True})
    scored = cli("score", case, "--rubric", path)
    assert scored.exit_code == 2
    assert f"{path}:{line}:{column}: {where}: " in scored.stderr


# --- schema ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["assessment", "rubric"])
def test_committed_schemas_are_what_the_models_generate(cli: Any, kind: str) -> None:
    result = cli("schema", kind)
    assert result.exit_code == 0
    committed = (REPO / "rubrics" / f"{kind}.schema.json").read_text(encoding="utf-8")
    assert result.stdout == committed, f"regenerate: assessor schema {kind} > rubrics/..."


def test_assessment_schema_of_a_rubric_of_your_own(cli: Any, tmp_path: Path) -> None:
    rubric = tmp_path / "team.yaml"
    rubric.write_text(TEAM_RUBRIC, encoding="utf-8")
    result = cli("schema", "assessment", "--rubric", rubric)
    assert result.exit_code == 0
    answers = json.loads(result.stdout)["properties"]["answers"]
    assert sorted(answers["properties"]) == ["error_cost", "human_review"]
    assert answers["additionalProperties"] is False


def test_examples_and_the_bundled_rubric_validate_against_the_schemas() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    assessment = json.loads((REPO / "rubrics" / "assessment.schema.json").read_text())
    rubric = json.loads((REPO / "rubrics" / "rubric.schema.json").read_text())
    validator = jsonschema.Draft202012Validator
    for example in sorted(EXAMPLES.glob("*.yaml")):
        validator(assessment).validate(yaml.safe_load(example.read_text()))
    bundled = yaml.safe_load((REPO / "rubrics" / "production-readiness.yaml").read_text())
    validator(rubric).validate(bundled)
    bad = yaml.safe_load(READY.read_text())
    bad["answers"]["error_cost"] = "hgh"
    assert list(validator(assessment).iter_errors(bad))


# --- init --------------------------------------------------------------------------------------


def test_init_writes_a_commented_template_that_scores_once_filled(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "assessment.yaml"
    result = cli("init", path)
    assert result.exit_code == 0
    assert "fill it in, then run: assessor score" in result.stderr
    text = path.read_text(encoding="utf-8")
    assert "# What happens to an output before it takes effect?" in text
    assert "#   human_on_exceptions  Only exceptions reach a person" in text
    assert "  retrieval_tuned:     # required for rag" in text
    # As written, it names every required answer that is still missing.
    unfilled = cli("score", path)
    assert unfilled.exit_code == 2
    assert ": use_case.name: missing required field" in unfilled.stderr
    assert ": answers.task_type: missing required answer" in unfilled.stderr
    # Filled in for a RAG use case; the other task types' questions stay empty.
    filled = text.replace("  name:  ", "  name: Docs assistant  ", 1)
    for key, value in answers_for(
        "rag", error_cost="medium", customer_facing=True, realtime=True
    ).items():
        filled = filled.replace(f"\n  {key + ':':<20} #", f"\n  {key}: {str(value).lower()}  #")
    path.write_text(filled, encoding="utf-8")
    scored = cli("score", path, "--format", "json")
    assert scored.exit_code == 0, scored.output
    data = json.loads(scored.stdout)
    assert (data["use_case"], data["verdict"]) == ("Docs assistant", "ready")


def test_init_refuses_to_overwrite_without_force(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "assessment.yaml"
    path.write_text("mine\n", encoding="utf-8")
    result = cli("init", path)
    assert result.exit_code == 2
    assert "exists; pass --force" in result.stderr
    assert path.read_text() == "mine\n"
    assert cli("init", path, "--force").exit_code == 0
    assert path.read_text().startswith("# Assessment for the rubric")


# --- version, python -m, --debug ----------------------------------------------------------


def test_version(cli: Any) -> None:
    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout == f"assessor, version {assessor.__version__}\n"


def test_python_dash_m_assessor(tmp_path: Path) -> None:
    helped = run_assessor("--help", cwd=tmp_path)
    assert helped.stdout.startswith("Usage: assessor [OPTIONS] [COMMAND]")
    done = run_assessor("--version", cwd=tmp_path)
    assert done.returncode == 0
    assert done.stdout.strip() == f"assessor, version {assessor.__version__}"
    done = run_assessor("score", READY, "--format", "json", cwd=tmp_path)
    assert done.returncode == 0 and json.loads(done.stdout)["verdict"] == "ready"


def test_debug_shows_the_traceback_that_is_otherwise_hidden(tmp_path: Path) -> None:
    bad = write_assessment(tmp_path / "bad.yaml", answers_for(error_cost="hgh"))
    plain = run_assessor("score", bad)
    assert plain.returncode == 2 and "Traceback" not in plain.stderr
    debug = run_assessor("--debug", "score", bad)
    assert "Traceback" in debug.stderr and "InputError" in debug.stderr
