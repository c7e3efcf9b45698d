"""Properties of scoring that hold for every assessment (hypothesis).

* the score is bounded and sits in its verdict's band;
* verdict order matches score order: ready > conditional > not_ready, always;
* making any one answer safer never worsens the verdict;
* ``to_improve`` is exactly what an exhaustive search of single and paired changes finds
  (leaving out changes contrary to the use case and changes that contradict each other),
  listed least effort first, then smallest;
* the generated condition functions agree with the reference closures;
* the plain-data score (JSON output) equals the ``Result`` model's JSON.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessor.domain import counterfactuals, scoring
from assessor.domain.assessment import UseCase, effective_answers
from assessor.domain.conditions import Condition
from assessor.domain.load import DEFAULT_RUBRIC, load_rubric
from assessor.domain.rubric import VERDICTS, Question

RUBRIC = load_rubric(DEFAULT_RUBRIC)
CASE = UseCase(name="Property")
RANK = {v: i for i, v in enumerate(VERDICTS)}
PROPERTY_SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def value_of(question: Question) -> st.SearchStrategy[Any]:
    if question.type == "choice":
        return st.sampled_from([o.value for o in question.options])
    if question.type == "boolean":
        return st.booleans()
    if question.type == "fraction":
        rates = st.sampled_from([0.0, 0.001, 0.005, 0.01, 0.0100001, 0.02, 0.05, 0.3, 1.0])
        known = st.one_of(rates, st.floats(0, 1, allow_nan=False))
        return st.one_of(st.none(), known) if question.nullable else known
    if question.type == "number":
        return st.one_of(st.integers(0, 10_000), st.floats(0, 1e6, allow_nan=False))
    return st.text(max_size=20)


@st.composite
def assessments(draw: st.DrawFn) -> dict[str, Any]:
    """Valid, complete answers: required questions that apply always, optional ones often."""
    answers: dict[str, Any] = {}
    for question in RUBRIC.questions:
        if RUBRIC.applies(question, answers) is not True:
            continue
        if question.required or draw(st.booleans()):
            answers[question.id] = draw(value_of(question))
    return answers


def verdict_and_score(answers: dict[str, Any]) -> tuple[str, int]:
    result = scoring.score(RUBRIC, CASE, answers, improvements=False)
    return result.verdict, result.score


@PROPERTY_SETTINGS
@given(assessments())
def test_score_is_bounded_and_in_its_verdicts_band(answers: dict[str, Any]) -> None:
    verdict, score = verdict_and_score(answers)
    assert 0 <= score <= 100
    low, high = RUBRIC.scoring.bands[verdict]  # type: ignore[index]
    assert low <= score <= high


@PROPERTY_SETTINGS
@given(assessments(), assessments())
def test_verdict_order_matches_score_order(a: dict[str, Any], b: dict[str, Any]) -> None:
    (va, sa), (vb, sb) = verdict_and_score(a), verdict_and_score(b)
    if RANK[va] > RANK[vb]:
        assert sa > sb
    elif RANK[va] < RANK[vb]:
        assert sa < sb


# Values from least to most safe. A move to the right is "safer".
SAFER: dict[str, list[Any]] = {
    "error_cost": ["critical", "high", "medium", "low"],
    "autonomy": ["autonomous", "human_on_exceptions", "human_approves", "suggest"],
    "evaluation": ["none", "criteria_defined", "offline", "continuous"],
    "expert_review": [False, True],
    "input_quality": ["messy", "mixed", "clean"],
    "document_quality": ["low", "mixed", "high"],
    "retrieval_tuned": [False, True],
    "targets_defined": [False, True],
    "task_defined": [False, True],
    "code_deployment": ["unsupervised", "supervised"],
    "error_rate_source": ["unknown", "estimated", "measured"],
    "regulation": ["regulated", "none"],
    "realtime": [True, False],
    "customer_facing": [True, False],
}


@st.composite
def safer_moves(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """An assessment and the same with one answer made safer."""
    answers = draw(assessments())
    current = effective_answers(RUBRIC, answers)
    movable = [q for q in SAFER if q in current and current[q] in SAFER[q][:-1]]
    lower_rate = isinstance(current.get("error_rate"), float | int) and current["error_rate"] > 0
    choices = movable + (["error_rate"] if lower_rate else [])
    if not choices:
        return answers, dict(answers)
    question = draw(st.sampled_from(choices))
    if question == "error_rate":
        value: Any = draw(st.floats(0, current["error_rate"], allow_nan=False))
    else:
        order = SAFER[question]
        value = draw(st.sampled_from(order[order.index(current[question]) + 1 :]))
    return answers, {**answers, question: value}


@PROPERTY_SETTINGS
@given(safer_moves())
def test_a_safer_answer_never_worsens_the_verdict(
    move: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    before, after = move
    assert RANK[verdict_and_score(after)[0]] >= RANK[verdict_and_score(before)[0]]


def test_the_safer_orders_cover_the_issue_list() -> None:
    """Lower error cost, more human review, lower error rate (tested numerically), better
    evaluation, expert review on, better input/document quality, retrieval tuned."""
    for question in (
        "error_cost",
        "autonomy",
        "evaluation",
        "expert_review",
        "input_quality",
        "document_quality",
        "retrieval_tuned",
    ):
        options = RUBRIC.by_id[question].values
        assert sorted(map(str, SAFER[question])) == sorted(map(str, options)), question


# --- Counterfactuals equal an exhaustive search --------------------------------------------------


def exhaustive_improvements(given: dict[str, Any]) -> set[tuple[tuple[str, str], ...]]:
    """Every single change raising the verdict, and every pair raising it beyond both of its
    changes alone: the definition of ``to_improve``, by brute force. Changes the rubric marks
    contrary to the use case are not tried; changes raising a contradiction between changed
    answers only are not listed."""

    def scored(changes: dict[str, Any]) -> dict[str, Any]:
        return scoring.score_data(RUBRIC, CASE, {**given, **changes}, improvements=False)

    def rank_of(changes: dict[str, Any]) -> int:
        return RANK[scored(changes)["verdict"]]

    base = effective_answers(RUBRIC, given)
    rank = rank_of({})
    before = {w["id"] for w in scored({})["warnings"]}
    reads = {w.id: set(w.when.questions()) for w in RUBRIC.consistency.warnings}

    def contradictory(changes: dict[str, Any]) -> bool:
        raised = {w["id"] for w in scored(changes)["warnings"]} - before
        return any(reads[w] <= changes.keys() for w in raised)

    def contrary(qid: str, value: Any) -> bool:
        return any(
            x.answer == qid and value in x.to and x.when.compile()(base) is True
            for x in RUBRIC.consistency.contrary
        )

    changes = [
        (q.id, v)
        for q in RUBRIC.questions
        if q.changeable and q.id in base
        for v in q.values
        if not (type(v) is type(base[q.id]) and v == base[q.id]) and not contrary(q.id, v)
    ]
    alone = {(q, repr(v)): rank_of({q: v}) for q, v in changes}
    found = {
        ((q, repr(v)),)
        for q, v in changes
        if alone[(q, repr(v))] > rank and not contradictory({q: v})
    }
    for (q1, v1), (q2, v2) in combinations(changes, 2):
        if q1 == q2:
            continue
        new = rank_of({q1: v1, q2: v2})
        beyond = new > rank and new > max(alone[(q1, repr(v1))], alone[(q2, repr(v2))])
        if beyond and not contradictory({q1: v1, q2: v2}):
            found.add(tuple(sorted([(q1, repr(v1)), (q2, repr(v2))])))
    return found


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers=assessments())
def test_to_improve_is_what_an_exhaustive_search_finds(
    answers: dict[str, Any], monkeypatch_module: Any
) -> None:
    result = scoring.score(RUBRIC, CASE, answers)
    listed = {tuple(sorted((k, repr(v)) for k, v in i.changes.items())) for i in result.to_improve}
    assert listed == exhaustive_improvements(answers)
    for item in result.to_improve:  # each listed change does what it says
        verdict, score = verdict_and_score({**answers, **item.changes})
        assert (verdict, score) == (item.verdict, item.score)
        assert RANK[item.verdict] > RANK[result.verdict]


@pytest.fixture(scope="module")
def monkeypatch_module() -> Any:
    """List every improvement (no cap) while comparing with the exhaustive search."""
    mp = pytest.MonkeyPatch()
    mp.setattr(counterfactuals, "MAX_IMPROVEMENTS", 10_000)
    yield mp
    mp.undo()


def test_improvements_are_ordered_by_effort_then_size_then_verdict_and_score() -> None:
    answers = {
        "task_type": "rag",
        "error_cost": "high",
        "autonomy": "autonomous",
        "regulation": "none",
        "customer_facing": True,
        "realtime": True,
        "repeat_queries": "frequent",
        "evaluation": "none",
        "error_rate": 0.03,
        "retrieval_tuned": False,
        "document_quality": "mixed",
    }
    result = scoring.score(RUBRIC, CASE, answers)
    efforts = ["low", "medium", "high"]
    keys = [
        (efforts.index(i.effort or "medium"), len(i.changes), -RANK[i.verdict], -i.score)
        for i in result.to_improve
    ]
    assert len(keys) > 2
    assert keys == sorted(keys)


# --- Generated conditions agree with the reference closures ---------------------------------------

KEYS = ["a", "b", "c"]
VALUES = st.sampled_from(["x", "y", "z", True, False, None, 0, 1, 0.5, 0.01, 2.5])


def conditions(depth: int = 3) -> st.SearchStrategy[dict[str, Any]]:
    leaf = st.one_of(
        st.builds(lambda k, v: {"answer": k, "is": v}, st.sampled_from(KEYS), VALUES),
        st.builds(
            lambda k, vs: {"answer": k, "in": vs},
            st.sampled_from(KEYS),
            st.lists(VALUES, min_size=1, max_size=3),
        ),
        st.builds(
            lambda k, vs: {"answer": k, "not_in": vs},
            st.sampled_from(KEYS),
            st.lists(VALUES, min_size=1, max_size=3),
        ),
        st.builds(
            lambda k, op, n: {"answer": k, op: n},
            st.sampled_from(KEYS),
            st.sampled_from(["gt", "gte", "lt", "lte"]),
            st.sampled_from([0, 0.01, 1]),
        ),
        st.builds(lambda k, b: {"answer": k, "known": b}, st.sampled_from(KEYS), st.booleans()),
    )
    if depth == 0:
        return leaf
    inner = conditions(depth - 1)
    return st.one_of(
        leaf,
        st.builds(lambda cs: {"all": cs}, st.lists(inner, min_size=1, max_size=4)),
        st.builds(lambda cs: {"any": cs}, st.lists(inner, min_size=1, max_size=4)),
        st.builds(lambda c: {"not": c}, inner),
    )


@settings(max_examples=400, deadline=None)
@given(
    conditions(),
    st.dictionaries(st.sampled_from(KEYS), VALUES),
    st.dictionaries(st.sampled_from(KEYS), VALUES),
)
def test_conditions_follow_three_valued_logic(
    data: dict[str, Any], answers: dict[str, Any], more: dict[str, Any]
) -> None:
    """A determined condition stays determined when open answers are filled in; ``not`` and
    one-element ``all``/``any`` behave as in Kleene's logic."""
    condition = Condition.model_validate(data)
    value = condition.compile()(answers)
    completed = {**more, **answers}  # the given answers stay, open ones get values
    if value is not None:
        assert condition.compile()(completed) is value
    negated = Condition.model_validate({"not": data}).compile()(answers)
    assert negated is (None if value is None else not value)
    assert Condition.model_validate({"all": [data]}).compile()(answers) is value
    assert Condition.model_validate({"any": [data]}).compile()(answers) is value
    either = Condition.model_validate({"any": [data, {"not": data}]}).compile()(answers)
    assert either is (None if value is None else True)


def test_very_deep_conditions_evaluate() -> None:
    data: dict[str, Any] = {"answer": "a", "is": "x"}
    for _ in range(40):
        data = {"all": [data, {"not": {"answer": "b", "is": "y"}}]}
    condition = Condition.model_validate(data)
    compiled = condition.compile()
    assert compiled({"a": "x", "b": "z"}) is True
    assert compiled({"a": "x", "b": "y"}) is False
    assert compiled({"b": "z"}) is None


# --- The JSON output equals the model's JSON -------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(assessments())
def test_plain_data_score_serialises_like_the_result_model(answers: dict[str, Any]) -> None:
    from pydantic_core import to_json

    data = scoring.score_data(RUBRIC, CASE, answers, notes={"autonomy": "ok"})
    model = scoring.Result.model_validate(data)
    assert to_json(data, indent=2) == model.model_dump_json(indent=2).encode()
    assert model.model_dump(mode="json") == data


# --- Partial assessments -------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(assessments(), st.data())
def test_partial_scores_never_fire_a_rule_on_an_unanswered_question(
    answers: dict[str, Any], data: st.DataObject
) -> None:
    keep = data.draw(st.sets(st.sampled_from(sorted(answers))))
    partial = {k: v for k, v in answers.items() if k in keep}
    result = scoring.score(RUBRIC, CASE, partial)
    for finding in result.blockers + result.conditions:
        rule = next(r for r in RUBRIC.rules if r.id == finding.id)
        effective = effective_answers(RUBRIC, partial)
        assert set(rule.when.questions()) & set(effective) or not list(rule.when.questions())
    open_required = [q for q in result.open_questions if RUBRIC.by_id[q].required]
    assert result.provisional == bool(open_required)
