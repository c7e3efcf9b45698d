"""`assessor rubric import LENS.json -o RUBRIC.yaml`: a Well-Architected custom lens becomes a
rubric that `rubric validate` accepts and that scores like the WA Tool: a question's first
true risk rule gives its risk; any HIGH_RISK -> not_ready, else any MEDIUM_RISK ->
conditional, else ready."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from lens_support import LENS, small_lens, write_lens


def test_import_writes_a_rubric_that_validates(tmp_path: Path, cli: Callable[..., Any]) -> None:
    out = tmp_path / "rubric.yaml"
    result = cli("rubric", "import", LENS, "-o", out)
    assert result.exit_code == 0, result.output
    # the unknown top-level key of the fixture is ignored, with a note naming where it is
    assert "model-ops.json:5:3: _version: unknown top-level key '_version' ignored" in result.stderr
    assert "rubric 'model-operations-review' with 3 questions, 5 rules" in result.stderr
    check = cli("rubric", "validate", out)
    assert check.exit_code == 0, check.output
    doc = yaml.safe_load(out.read_text())
    assert [d["title"] for d in doc["dimensions"]] == ["Reliability", "Security"]
    rel01 = doc["questions"][0]
    assert rel01["type"] == "multi" and rel01["external_id"] == "REL01"
    assert rel01["section"] == "Reliability"
    canary = rel01["options"][0]
    assert canary["help"] == "Send a small share of traffic first."
    assert (
        canary["fix"].startswith("Route 5% of traffic")
        and "https://example.com/canary" in canary["fix"]
    )
    assert rel01["options"][3] == {
        "value": "REL01_no",
        "label": "None of these",
        "help": "Choose this if none of these practices apply.",
        "exclusive": True,
    }
    # an improvement plan from additionalResources joins the choice's own
    assert "Rehearse the rollback every quarter." in rel01["options"][1]["fix"]


def test_import_refuses_to_replace_a_file_without_force(
    tmp_path: Path, cli: Callable[..., Any]
) -> None:
    out = tmp_path / "rubric.yaml"
    out.write_text("keep me")
    result = cli("rubric", "import", LENS, "-o", out)
    assert result.exit_code == 2
    assert "exists; pass --force" in result.stderr
    assert out.read_text() == "keep me"
    assert cli("rubric", "import", LENS, "-o", out, "--force").exit_code == 0


REL01_CASES = [
    # REL01: NO_RISK if canary && rollback && tests; MEDIUM if (canary || tests) && rollback
    (["REL01_canary", "REL01_rollback", "REL01_tests"], None),
    (["REL01_canary", "REL01_rollback"], "medium"),
    (["REL01_tests", "REL01_rollback"], "medium"),
    (["REL01_rollback"], "high"),
    (["REL01_canary", "REL01_tests"], "high"),
    (["REL01_no"], "high"),
    ([], "high"),
]


@pytest.mark.parametrize(("selected", "risk"), REL01_CASES)
def test_first_true_rule_gives_the_question_risk(
    imported: Path,
    score_answers: Callable[..., dict[str, Any]],
    selected: list[str],
    risk: str | None,
) -> None:
    safe = {"rel02": ["REL02_monitor", "REL02_labels"], "sec01": ["SEC01_least", "SEC01_audit"]}
    data = score_answers(imported, {"rel01": selected, **safe})
    expected = {None: "ready", "medium": "conditional", "high": "not_ready"}[risk]
    assert data["verdict"] == expected
    found = [f["id"] for f in data["blockers"] + data["conditions"]]
    assert found == ([] if risk is None else [f"rel01-{risk}-risk"])
    reliability = data["dimensions"][0]
    assert (
        reliability["level"]
        == {None: "no_risk", "medium": "medium_risk", "high": "high_risk"}[risk]
    )


def test_findings_name_question_risk_and_improvement_plan(
    imported: Path, score_answers: Callable[..., dict[str, Any]]
) -> None:
    data = score_answers(
        imported,
        {"rel01": ["REL01_no"], "rel02": ["REL02_monitor"], "sec01": ["SEC01_least"]},
    )
    assert data["verdict"] == "not_ready"
    blocker = data["blockers"][0]
    assert blocker["title"] == "How do you roll out a new model version? (HIGH_RISK)"
    assert (
        "REL01 HIGH_RISK" in blocker["reason"] and "(selected: None of these)" in blocker["reason"]
    )
    assert "Keep the previous version deployable in one step." in blocker["fix"]
    assert blocker["guide"].endswith("risk rule: default -> HIGH_RISK")
    # rel02: "!REL02_no" is MEDIUM; sec01's default is MEDIUM
    assert [c["id"] for c in data["conditions"]] == ["rel02-medium-risk", "sec01-medium-risk"]


def test_text_summary_of_an_imported_lens(
    imported: Path, tmp_path: Path, cli: Callable[..., Any]
) -> None:
    case = tmp_path / "case.yaml"
    case.write_text(
        f"version: 1\nrubric: {imported}\nuse_case: {{name: X}}\nanswers:\n"
        "  rel01: [REL01_no]\n  rel02: [REL02_monitor, REL02_labels]\n"
        "  sec01: [SEC01_least, SEC01_audit]\n"
    )
    out = cli("score", case).stdout
    assert out.startswith("X  NOT READY")
    assert "Reliability  high_risk" in out and "Security     no_risk" in out
    assert "How do you roll out a new model version? (HIGH_RISK) [rel01-high-risk]" in out
    assert "Recommended patterns" not in out  # a lens has none


def test_every_question_is_required_in_a_complete_assessment(
    imported: Path, tmp_path: Path, cli: Callable[..., Any]
) -> None:
    path = tmp_path / "partial.yaml"
    path.write_text(
        f"version: 1\nrubric: {imported}\nuse_case: {{name: X}}\nanswers:\n  rel01: [REL01_no]\n"
    )
    result = cli("score", path)
    assert result.exit_code == 2
    assert "answers.rel02: missing required answer" in result.stderr
    assert "(a list of: REL02_monitor, REL02_labels, REL02_no)" in result.stderr


def test_none_of_these_with_other_choices_is_located(
    imported: Path, tmp_path: Path, cli: Callable[..., Any]
) -> None:
    path = tmp_path / "case.yaml"
    path.write_text(
        f"version: 1\nrubric: {imported}\nuse_case: {{name: X}}\nanswers:\n"
        "  rel01: [REL01_canary, REL01_no]\n"
        "  rel02:\n    - REL02_monitor\n    - REL02_monitor\n    - REL02_typo\n"
        "  sec01: SEC01_least\n"
    )
    result = cli("score", path)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert (
        f"{path}:5:25: answers.rel01[1]: 'REL01_no' (none of these) cannot be selected "
        "with other options" in lines
    )
    assert f"{path}:8:7: answers.rel02[1]: 'REL02_monitor' is selected twice" in lines
    assert any(
        line.startswith(f"{path}:9:7: answers.rel02[2]: 'REL02_typo' is not an option")
        for line in lines
    )
    assert any(
        line.startswith(f"{path}:10:3: answers.sec01: must be a list of option ids")
        for line in lines
    )


# --- the rule language at its edges -------------------------------------------------------------


def _risk_of(
    tmp_path: Path,
    cli: Callable[..., Any],
    score_answers: Callable[..., dict[str, Any]],
    condition: str,
    selected: list[str],
) -> str:
    lens = small_lens(
        riskRules=[
            {"condition": condition, "risk": "HIGH_RISK"},
            {"condition": "default", "risk": "NO_RISK"},
        ]
    )
    rubric = tmp_path / f"r{abs(hash(condition))}.yaml"
    if not rubric.exists():
        result = cli("rubric", "import", write_lens(tmp_path / "lens.json", lens), "-o", rubric)
        assert result.exit_code == 0, result.output
    data = score_answers(rubric, {"ops01": selected})
    return data["verdict"]


@pytest.mark.parametrize(
    ("condition", "selected", "holds"),
    [
        ("!ops01_a && ops01_b", ["ops01_b"], True),  # ! binds tighter than &&
        ("!ops01_a && ops01_b", ["ops01_a", "ops01_b"], False),
        ("!(ops01_a && ops01_b)", ["ops01_a"], True),
        ("ops01_a || ops01_b && ops01_c", ["ops01_a"], True),  # && binds tighter than ||
        ("(ops01_a || ops01_b) && ops01_c", ["ops01_a"], False),
        ("((ops01_a || (ops01_b))) && !(!ops01_c)", ["ops01_b", "ops01_c"], True),
        ("!!ops01_a", ["ops01_a"], True),
        ("ops01_no", ["ops01_no"], True),
        ("!ops01_no && !ops01_a", [], True),
    ],
)
def test_rule_precedence_and_parentheses(
    tmp_path: Path,
    cli: Callable[..., Any],
    score_answers: Callable[..., dict[str, Any]],
    condition: str,
    selected: list[str],
    holds: bool,
) -> None:
    verdict = _risk_of(tmp_path, cli, score_answers, condition, selected)
    assert verdict == ("not_ready" if holds else "ready")


# An independent oracle: the same expression in Python's own boolean syntax.
_NAMES = ["ops01_a", "ops01_b", "ops01_c"]


def _expressions() -> st.SearchStrategy[str]:
    leaf = st.sampled_from(_NAMES)
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            inner.map(lambda e: f"!{e}" if e[0] in "(o!" else f"!({e})"),
            st.tuples(inner, inner).map(lambda p: f"{p[0]} && {p[1]}"),
            st.tuples(inner, inner).map(lambda p: f"{p[0]} || {p[1]}"),
            inner.map(lambda e: f"({e})"),
        ),
        max_leaves=6,
    )


@settings(max_examples=150, deadline=None)
@given(expression=_expressions(), picked=st.sets(st.sampled_from(_NAMES)))
def test_parsed_rules_evaluate_like_python_booleans(expression: str, picked: set[str]) -> None:
    from assessor.domain.conditions import Condition
    from assessor.interop import riskrules

    parsed = riskrules.parse(expression, "ops01", set(_NAMES))
    assert parsed is not None
    python = expression.replace("&&", " and ").replace("||", " or ").replace("!", " not ")
    expected = eval(python, {}, {n: n in picked for n in _NAMES})
    got = Condition.model_validate(parsed).compile()({"ops01": sorted(picked)})
    assert got is bool(expected)
    # and an unanswered question leaves every rule undecided
    assert Condition.model_validate(parsed).compile()({}) is None


# --- lenses that break the specification ------------------------------------------------------


def _import_errors(tmp_path: Path, cli: Callable[..., Any], lens: dict[str, Any]) -> list[str]:
    path = write_lens(tmp_path / "bad.json", lens)
    out = tmp_path / "out.yaml"
    result = cli("rubric", "import", path, "-o", out)
    assert result.exit_code == 2, result.output
    assert not out.exists()
    assert "Traceback" not in result.output
    return result.stderr.splitlines()


def test_a_rule_naming_a_choice_of_another_question_is_refused(
    tmp_path: Path, cli: Callable[..., Any]
) -> None:
    lens = small_lens(
        riskRules=[
            {"condition": "ops01_a && REL02_monitor", "risk": "MEDIUM_RISK"},
            {"condition": "default", "risk": "HIGH_RISK"},
        ]
    )
    errors = _import_errors(tmp_path, cli, lens)
    assert len(errors) == 1
    assert errors[0].startswith(f"{tmp_path / 'bad.json'}:")
    assert (
        "pillars[0].questions[0].riskRules[0].condition: column 12: "
        "'REL02_monitor' is not a choice of this question" in errors[0]
    )


def test_a_question_without_default_rule_is_refused(
    tmp_path: Path, cli: Callable[..., Any]
) -> None:
    lens = small_lens(riskRules=[{"condition": "ops01_a", "risk": "NO_RISK"}])
    (error,) = _import_errors(tmp_path, cli, lens)
    assert "pillars[0].questions[0].riskRules: no 'default' risk rule" in error


def test_ids_out_of_pattern_are_refused_with_their_path(
    tmp_path: Path, cli: Callable[..., Any]
) -> None:
    lens = small_lens(id="q-1")
    lens["pillars"][0]["id"] = "ab"
    errors = _import_errors(tmp_path, cli, lens)
    text = "\n".join(errors)
    assert "pillars[0].id: id 'ab' must be 3 to 128 letters, digits or underscores" in text
    assert "pillars[0].questions[0].id: id 'q-1' must be 3 to 128" in text
    # every error carries the line and column of the JSON value
    assert all(e.split(":")[1].isdigit() and e.split(":")[2].isdigit() for e in errors)


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ("ops01_a &&", "column 11: expected a choice id or '(', found end of condition"),
        ("(ops01_a || ops01_b", "expected ')'"),
        ("ops01_a & ops01_b", "column 9: unexpected character '&' (use &&, || and !)"),
        ("ops01_a ops01_b", "column 9: unexpected 'ops01_b' (missing && or ||?)"),
        ("ops01_a || default", "'default' must be the whole condition"),
    ],
)
def test_malformed_rules_are_refused_at_their_column(
    tmp_path: Path, cli: Callable[..., Any], condition: str, message: str
) -> None:
    lens = small_lens(
        riskRules=[
            {"condition": condition, "risk": "HIGH_RISK"},
            {"condition": "default", "risk": "NO_RISK"},
        ]
    )
    (error,) = _import_errors(tmp_path, cli, lens)
    assert message in error


def test_more_rules_than_levels_and_bad_risks_are_refused(
    tmp_path: Path, cli: Callable[..., Any]
) -> None:
    lens = small_lens(
        riskRules=[
            {"condition": "ops01_a", "risk": "NO_RISK"},
            {"condition": "ops01_b", "risk": "NO_RISK"},
            {"condition": "ops01_c", "risk": "LOW_RISK"},
            {"condition": "default", "risk": "HIGH_RISK"},
        ]
    )
    text = "\n".join(_import_errors(tmp_path, cli, lens))
    assert "riskRules: 4 risk rules; a lens allows at most 3" in text
    assert "riskRules[1].risk: a second NO_RISK rule" in text
    assert (
        "riskRules[2].risk: risk must be one of HIGH_RISK, MEDIUM_RISK, NO_RISK, got 'LOW_RISK'"
        in text
    )


def test_not_a_lens_is_refused(tmp_path: Path, cli: Callable[..., Any]) -> None:
    text = "\n".join(_import_errors(tmp_path, cli, {"schemaVersion": "2019-01-01", "name": "x"}))
    assert "schemaVersion: schemaVersion must be '2021-11-01', got '2019-01-01'" in text
    assert "pillars: must be a non-empty list of pillars" in text
