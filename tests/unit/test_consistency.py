"""The rubric's consistency section: review of every output where a rule or the answers require
it (patterns, cost model and fix agree on every surface), warnings for answers that contradict
each other, and improvements that say how much work they take and never defeat the use case."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from engine_support import EXAMPLES, REPO, write_assessment

RUBRIC_FILE = REPO / "rubrics" / "production-readiness.yaml"


def score_json(cli: Any, path: Path) -> dict[str, Any]:
    result = cli("score", path, "--format", "json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def fallback(data: dict[str, Any]) -> dict[str, Any]:
    params: dict[str, Any] = next(p for p in data["patterns"] if p["id"] == "human_fallback")[
        "params"
    ]
    return params


def report(cli: Any, tmp_path: Path, path: Path, fmt: str) -> str:
    out = tmp_path / f"{path.stem}.{fmt}"
    result = cli("report", path, "--format", fmt, "-o", out, "--force")
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


# --- Review of every output --------------------------------------------------------------------

# A regulated case where a physician approves every letter (expert review left unanswered),
# and an agent deciding loans alone in a regulated domain: the blocker's fix is review of every
# output, so the recommended architecture and the cost model must say so too.
REVIEW_ALL_EXAMPLES = ["discharge-letters.yaml", "loan-agent.yaml"]


@pytest.mark.parametrize("name", REVIEW_ALL_EXAMPLES)
def test_score_json_agrees_on_review_of_every_output(cli: Any, name: str) -> None:
    data = score_json(cli, EXAMPLES / name)
    blocker = next(b for b in data["blockers"] if b["id"] == "regulated-without-expert")
    assert "review every output" in blocker["fix"]
    assert fallback(data)["review_all"] is True
    cost = data["cost_model"]
    assert cost["best_policy"] == "review_all"
    assert "regulated-without-expert" in cost["required_by"]
    assert "rule regulated-without-expert" in cost["policy_reason"]


def test_review_of_every_output_wins_over_a_cheaper_threshold(cli: Any) -> None:
    data = score_json(cli, EXAMPLES / "discharge-letters.yaml")
    cost = data["cost_model"]
    # Reviewing only low-confidence letters would be cheaper, and the model still says so...
    assert cost["cheapest_policy"] == "threshold"
    assert cost["daily_cost_with_threshold"] < cost["daily_cost_review_all"]
    # ...but every letter is reviewed: the domain is regulated and a physician approves each.
    assert cost["best_policy"] == "review_all"
    assert cost["required_by"] == ["regulated-without-expert", "person-approves-each"]
    assert "A person approves every output" in cost["policy_reason"]


@pytest.mark.parametrize("name", REVIEW_ALL_EXAMPLES)
def test_text_output_agrees_on_review_of_every_output(cli: Any, name: str) -> None:
    result = cli("score", EXAMPLES / name)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    review_all = next(line for line in lines if line.strip().startswith("review everything:"))
    assert review_all.endswith("<- required")
    assert not any(line.endswith("<- lowest") for line in lines)
    flat = " ".join(result.stdout.split())
    assert "review_all=yes" in flat
    assert "why: The domain is regulated" in flat and "rule regulated-without-expert" in flat


@pytest.mark.parametrize("name", REVIEW_ALL_EXAMPLES)
def test_reports_agree_on_review_of_every_output(cli: Any, tmp_path: Path, name: str) -> None:
    md = report(cli, tmp_path, EXAMPLES / name, "md")
    assert "| Review every output | yes |" in md
    assert "Review every output | no" not in md
    assert "is the cheapest policy" not in md and "(**cheapest**)" not in md
    html = report(cli, tmp_path, EXAMPLES / name, "html")
    assert '<th scope="row">Review every output</th><td>yes</td>' in html.replace("\n", "")
    assert ">Cheapest</span>" not in html and "is the cheapest policy" not in html
    summary = cli("score", EXAMPLES / name, "--format", "md")
    assert "review every output" in summary.stdout
    if name == "discharge-letters.yaml":  # costs given: the reports show the cost model
        assert "| A person reviews every output (**required**) | 2,400 |" in md
        assert "**Why every output is reviewed:** The domain is regulated" in md
        assert "Having a person review every output is required" in md
        assert ">Required</span>" in html
        assert "Why every output is reviewed:</strong> The domain is regulated" in html
        data = json.loads(report(cli, tmp_path, EXAMPLES / name, "json"))
        assert data["use_cases"][0]["result"]["cost_model"]["best_policy"] == "review_all"


def test_without_a_requirement_the_cheapest_policy_is_chosen(cli: Any) -> None:
    data = score_json(cli, EXAMPLES / "refund-assistant.yaml")
    cost = data["cost_model"]
    assert cost["best_policy"] == cost["cheapest_policy"] == "threshold"
    assert cost["required_by"] == []
    assert cost["policy_reason"] == "The cheapest of the three review policies."
    assert fallback(data)["review_all"] is False


@pytest.mark.parametrize(
    ("answers", "required_by"),
    [
        ({"regulation": "regulated", "expert_review": True}, ["regulated-without-expert"]),
        ({"regulation": "regulated", "expert_review": False}, ["regulated-without-expert"]),
        ({"autonomy": "human_approves"}, ["person-approves-each"]),
        ({"autonomy": "human_on_exceptions"}, []),
    ],
)
def test_each_review_all_requirement(
    assess: Any, answers: dict[str, Any], required_by: Any
) -> None:
    data = assess("summarization", error_cost="high", error_rate=0.001, **answers)
    assert data["cost_model"]["required_by"] == required_by
    assert fallback(data)["review_all"] is bool(required_by)
    cost = data["cost_model"]
    chosen = "review_all" if required_by else cost["cheapest_policy"]
    assert cost["best_policy"] == chosen


# --- Answers that contradict each other --------------------------------------------------------

CONTRADICTIONS = [
    (
        "expert-review-without-approval",
        {"expert_review": True, "autonomy": "autonomous", "error_rate": 0.001,
         "error_rate_source": "measured"},
    ),
    (
        "expert-review-without-approval",
        {"expert_review": True, "autonomy": "human_on_exceptions", "error_rate": 0.001,
         "error_rate_source": "measured"},
    ),
    ("error-rate-source-unknown", {"error_rate": 0.02, "error_rate_source": "unknown"}),
    ("continuous-evaluation-without-error-rate", {"evaluation": "continuous", "error_rate": None}),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "answers"), CONTRADICTIONS)
def test_each_contradiction_is_a_warning(assess: Any, rule: str, answers: dict[str, Any]) -> None:
    data = assess("summarization", **answers)
    assert [w["id"] for w in data["warnings"]] == [rule]
    warning = data["warnings"][0]
    assert warning["title"] and warning["message"]
    assert set(warning["answers"]) <= set(answers) | {"autonomy", "evaluation", "expert_review"}


@pytest.mark.parametrize(
    "answers",
    [
        {"expert_review": True, "autonomy": "human_approves", "error_rate": 0.01},
        {"expert_review": False, "autonomy": "autonomous", "error_rate": 0.01},
        {"error_rate": 0.02, "error_rate_source": "estimated"},
        {"error_rate": 0.02},  # the source defaults to estimated
        {"evaluation": "continuous", "error_rate": 0.01, "error_rate_source": "measured"},
        {"evaluation": "offline", "error_rate": None},
    ],
)
def test_consistent_answers_raise_no_warning(assess: Any, answers: dict[str, Any]) -> None:
    assert assess("summarization", **answers)["warnings"] == []


def test_a_warning_does_not_change_the_verdict(assess: Any) -> None:
    plain = assess("summarization", error_rate=0.02, error_rate_source="estimated")
    flagged = assess("summarization", error_rate=0.02, error_rate_source="unknown")
    assert flagged["warnings"] and not plain["warnings"]
    assert (flagged["verdict"], flagged["score"]) == (plain["verdict"], plain["score"])


def test_a_warning_fills_in_the_answers(assess: Any) -> None:
    data = assess("summarization", expert_review=True, autonomy="autonomous", error_rate=0.001)
    message = data["warnings"][0]["message"]
    assert 'human oversight is "fully autonomous"' in message
    assert "human expert review" in data["warnings"][0]["guide"]


def _contradictory_case(tmp_path: Path) -> Path:
    answers = {
        "task_type": "summarization", "error_cost": "high", "autonomy": "human_on_exceptions",
        "regulation": "regulated", "expert_review": True, "customer_facing": False,
        "error_rate": 0.004, "error_rate_source": "unknown", "realtime": False,
        "repeat_queries": "rare", "evaluation": "continuous", "task_defined": True,
    }  # fmt: skip
    return write_assessment(tmp_path / "contradictory.yaml", answers, name="Claims letters")


def test_warnings_on_every_surface(cli: Any, tmp_path: Path) -> None:
    path = _contradictory_case(tmp_path)
    titles = [
        "Expert review, yet outputs take effect unreviewed",
        "Error rate given, but its source is unknown",
    ]
    data = score_json(cli, path)
    assert [w["title"] for w in data["warnings"]] == titles
    text = cli("score", path).stdout
    assert "Answers that contradict each other" in text
    assert all(t in text for t in titles)
    assert "Check: Expert review is answered yes" in " ".join(text.split())
    summary = cli("score", path, "--format", "md").stdout
    assert all(f"**{t}**" in summary for t in titles)
    md = report(cli, tmp_path, path, "md")
    assert "## Answers that contradict each other" in md
    assert all(f"### 🟣 {t}" in md for t in titles)
    assert "- **Check:** Expert review is answered yes" in md
    html = report(cli, tmp_path, path, "html")
    assert 'id="uc-1-warnings"' in html and 'href="#uc-1-warnings"' in html
    assert all(f'<h3 class="finding-title">{t}</h3>' in html for t in titles)
    data = json.loads(report(cli, tmp_path, path, "json"))
    assert [w["id"] for w in data["use_cases"][0]["result"]["warnings"]] == [
        "expert-review-without-approval",
        "error-rate-source-unknown",
    ]


def test_views_show_warnings_in_the_live_panel_and_the_results(tmp_path: Path) -> None:
    """The app's panel and results screen, and the plain wizard, render these views."""
    from rich.console import Console

    from assessor.domain.load import load_assessment
    from assessor.domain.scoring import score
    from assessor.views.panels import render_panel
    from assessor.views.results import print_sections, render_results

    loaded = load_assessment(_contradictory_case(tmp_path))
    result = score(loaded.rubric, loaded.assessment.use_case, loaded.assessment.answers)
    panel = render_panel(result, width=40, height=30).plain
    assert "Contradictions (2)" in panel
    assert "! Expert review, yet outputs take" in panel
    console = Console(width=100, record=True, file=open(tmp_path / "out.txt", "w"))  # noqa: SIM115
    print_sections(console, render_results(result, loaded.rubric))
    shown = console.export_text()
    assert "Answers that contradict each other" in shown
    assert "Error rate given, but its source is unknown [error-rate-source-unknown]" in shown


# --- Changes contrary to the use case; effort --------------------------------------------------


def test_refund_bot_is_never_told_to_make_answers_suggestions(cli: Any, tmp_path: Path) -> None:
    path = EXAMPLES / "refund-assistant.yaml"
    data = score_json(cli, path)
    assert data["to_improve"]
    assert all(i["changes"].get("autonomy") != "suggest" for i in data["to_improve"])
    assert "Suggestion only" not in cli("score", path).stdout
    assert "Suggestion only" not in cli("score", path, "--format", "md").stdout
    for fmt in ("md", "html"):
        shown = report(cli, tmp_path, path, fmt)
        assert "→ Suggestion only" not in shown
        assert "<strong>Suggestion only</strong>" not in shown


def test_instant_loan_decisions_are_never_made_suggestions(cli: Any) -> None:
    data = score_json(cli, EXAMPLES / "loan-agent.yaml")
    assert data["to_improve"]
    assert all(i["changes"].get("autonomy") != "suggest" for i in data["to_improve"])


def test_suggestion_only_is_offered_where_it_fits_the_use_case(cli: Any, tmp_path: Path) -> None:
    document = yaml.safe_load((EXAMPLES / "refund-assistant.yaml").read_text(encoding="utf-8"))
    document["answers"]["realtime"] = False  # answers can wait: a person may take or leave them
    path = tmp_path / "queued.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    changes = [i["changes"] for i in score_json(cli, path)["to_improve"]]
    assert {"autonomy": "suggest"} in changes


def test_no_improvement_contradicts_itself(cli: Any) -> None:
    """Loan agent: "only exceptions reach a person" with "expert review: yes" would clear
    both blockers on paper, but outputs taking effect unreviewed are not expert-reviewed."""
    changes = [i["changes"] for i in score_json(cli, EXAMPLES / "loan-agent.yaml")["to_improve"]]
    assert {"autonomy": "human_on_exceptions", "expert_review": True} not in changes
    assert {"autonomy": "human_approves", "expert_review": True} in changes


def test_every_improvement_says_its_effort_on_every_surface(cli: Any, tmp_path: Path) -> None:
    path = EXAMPLES / "refund-assistant.yaml"
    data = score_json(cli, path)
    assert [i["effort"] for i in data["to_improve"]] == ["high", "high", "high"]
    text = cli("score", path).stdout
    assert "Human oversight: A person approves each one → CONDITIONAL (52)  effort: high" in text
    assert "effort high)." in cli("score", path, "--format", "md").stdout
    md = report(cli, tmp_path, path, "md")
    assert "| Change | Effort | Verdict | Score |" in md
    assert "→ A person approves each one | High | 🟡 Conditional | 14 → 52 |" in md
    html = report(cli, tmp_path, path, "html")
    assert '<th scope="col">Effort</th>' in html and "<td>High</td>" in html


EFFORT_RUBRIC = """\
id: effort-team
version: "1"
title: Effort ranking
questions:
  - id: risk
    prompt: Risk?
    type: choice
    required: true
    changeable: false
    options: [{value: high, label: High}, {value: low, label: Low}]
  - id: oversight
    prompt: Oversight?
    type: choice
    required: true
    options:
      - {value: none, label: None}
      - {value: reviewed, label: Reviewed, effort: high}
  - id: tests
    prompt: Tests?
    type: boolean
    effort: low
  - id: monitoring
    prompt: Monitoring?
    type: boolean
    effort: low
dimensions:
  - {id: risk, title: Risk, question: risk, scores: {high: 20, low: 100}}
rules:
  - id: unguarded
    kind: blocker
    title: Unguarded
    when:
      all:
        - {answer: risk, is: high}
        - {answer: oversight, is: none}
        - any: [{answer: tests, is: false}, {answer: monitoring, is: false}]
    reason: r
    guide: g
    fix: f
patterns: []
"""


def _effort_case(tmp_path: Path, rubric_text: str) -> dict[str, Any]:
    rubric = tmp_path / "team.yaml"
    rubric.write_text(rubric_text, encoding="utf-8")
    case = write_assessment(
        tmp_path / "case.yaml",
        {"risk": "high", "oversight": "none", "tests": False, "monitoring": False},
        rubric="team.yaml",
    )
    return {"rubric": rubric, "case": case}


def test_least_work_first_then_the_smallest_change(cli: Any, tmp_path: Path) -> None:
    files = _effort_case(tmp_path, EFFORT_RUBRIC)
    improvements = score_json(cli, files["case"])["to_improve"]
    # Two low-effort changes come before one high-effort change.
    assert [(i["changes"], i["effort"]) for i in improvements] == [
        ({"tests": True, "monitoring": True}, "low"),
        ({"oversight": "reviewed"}, "high"),
    ]


def test_without_declared_effort_the_smallest_change_comes_first(cli: Any, tmp_path: Path) -> None:
    plain = EFFORT_RUBRIC.replace(", effort: high", "").replace("    effort: low\n", "")
    files = _effort_case(tmp_path, plain)
    improvements = score_json(cli, files["case"])["to_improve"]
    assert [(i["changes"], i["effort"]) for i in improvements] == [
        ({"oversight": "reviewed"}, None),
        ({"tests": True, "monitoring": True}, None),
    ]
    assert "effort:" not in cli("score", files["case"]).stdout


# --- rubric validate ---------------------------------------------------------------------------

BAD_REFERENCES = [
    ("      rule: regulated-without-expert\n", "      rule: regulated-without-expret\n",
     "rule: regulated-without-expret", "consistency.review_all[0].rule",
     "unknown rule 'regulated-without-expret' (did you mean 'regulated-without-expert'?)"),
    ("          - {answer: error_rate_source, is: unknown}\n",
     "          - {answer: error_rate_sorce, is: unknown}\n",
     "answer: error_rate_sorce", "consistency.warnings[1].when.all[1].answer",
     "unknown question 'error_rate_sorce'"),
    ("          - {answer: evaluation, is: continuous}\n",
     "          - {answer: evaluation, is: always}\n",
     "is: always", "consistency.warnings[2].when.all[0].is",
     "'always' is not an option of 'evaluation'"),
    ("      answer: autonomy\n      to: [suggest]\n",
     "      answer: autonomie\n      to: [suggest]\n", "answer: autonomie",
     "consistency.contrary[0].answer", "unknown question 'autonomie'"),
    ("      to: [suggest]\n", "      to: [suggestion]\n", "suggestion]",
     "consistency.contrary[0].to[0]", "'suggestion' is not an option of 'autonomy'"),
    ("    - id: error-rate-source-unknown\n", "    - id: expert-review-without-approval\n",
     "id: expert-review-without-approval\n      title: Error rate",
     "consistency.warnings[1].id", "duplicate id 'expert-review-without-approval'"),
    ("      review_all: ${review_all}\n", "      review_all: ${review_every}\n",
     "review_all: ${review_every}", "patterns[0].params.review_all",
     "unknown computed value '${review_every}'"),
    ("    try_values: [0.01, 0.001]\n    effort: high\n",
     "    try_values: [0.01, 0.001]\n    effort: huge\n", "effort: huge",
     "questions[6].effort", "must be 'low', 'medium' or 'high'"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "at", "where", "message"), BAD_REFERENCES)
def test_rubric_validate_names_bad_consistency_references(
    cli: Any, tmp_path: Path, old: str, new: str, at: str, where: str, message: str
) -> None:
    text = RUBRIC_FILE.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    changed = text.replace(old, new)
    path = tmp_path / "team.yaml"
    path.write_text(changed, encoding="utf-8")
    offset = changed.index(at)
    line = changed.count("\n", 0, offset) + 1
    result = cli("rubric", "validate", path)
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    located = [x for x in result.stderr.splitlines() if f": {where}: " in x]
    assert located, result.stderr
    assert located[0].startswith(f"{path}:{line}:"), result.stderr
    assert message in located[0]


def test_the_bundled_rubric_and_one_without_consistency_validate(cli: Any, tmp_path: Path) -> None:
    assert cli("rubric", "validate", RUBRIC_FILE).exit_code == 0
    files = _effort_case(tmp_path, EFFORT_RUBRIC)
    assert cli("rubric", "validate", files["rubric"]).exit_code == 0
    data = score_json(cli, files["case"])
    assert data["warnings"] == [] and data["cost_model"] is None


def test_rubric_show_lists_the_consistency_section(cli: Any) -> None:
    shown = " ".join(cli("rubric", "show", "production-readiness").stdout.split())
    assert "review_all regulated-expert-review (rule regulated-without-expert)" in shown
    assert "warning continuous-evaluation-without-error-rate" in shown
    assert "contrary live-customer-answers: autonomy -> suggest" in shown
