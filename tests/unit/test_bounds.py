"""The bounds of an incomplete assessment (``assessor score --partial``) over every way its
open questions could be answered: always containing, and exactly reaching, the verdicts and
scores of the completions (hypothesis, every rubric in rubrics/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessor.domain import scoring
from assessor.domain.assessment import UseCase
from assessor.domain.bounds import _candidates, bounds
from assessor.domain.load import load_rubric
from assessor.domain.rubric import VERDICTS, Question, Rubric

REPO = Path(__file__).resolve().parents[2]
RUBRIC_FILES = sorted(str(p) for p in (REPO / "rubrics").glob("*.yaml"))
CASE = UseCase(name="Bounds")
RANK = {v: i for i, v in enumerate(VERDICTS)}


def value_of(rubric: Rubric, question: Question) -> st.SearchStrategy[Any]:
    if question.type in ("choice", "boolean"):
        values = [o.value for o in question.options] if question.options else [False, True]
        return st.sampled_from(values + ([None] if question.nullable else []))
    if question.type == "fraction":
        known = st.one_of(
            st.sampled_from([0.0, 0.001, 0.005, 0.01, 0.0100001, 0.02, 0.05, 1.0]),
            st.floats(0, 1, allow_nan=False),
        )
        return st.one_of(st.none(), known) if question.nullable else known
    if question.type == "number":
        low = question.min if question.min is not None else -1e6
        high = question.max if question.max is not None else 1e6
        return st.floats(low, min(high, 1e9), allow_nan=False)
    return st.sampled_from(_candidates(rubric, question))


@st.composite
def completed(draw: st.DrawFn, rubric: Rubric) -> dict[str, Any]:
    """A complete assessment: every required question that applies, optional ones often."""
    answers: dict[str, Any] = {}
    for question in rubric.questions:
        if rubric.applies(question, answers) is not True:
            continue
        if question.required or draw(st.booleans()):
            answers[question.id] = draw(value_of(rubric, question))
    return answers


def verdict_and_score(rubric: Rubric, answers: dict[str, Any]) -> tuple[int, int]:
    result = scoring.score(rubric, CASE, answers, improvements=False)
    return RANK[result.verdict], result.score


def completions(rubric: Rubric, answers: dict[str, Any]) -> list[dict[str, Any]]:
    """Every completion of the open required questions, with every option of a choice or
    yes/no question (numbers: one value per interval the rubric distinguishes)."""
    result = scoring.score(rubric, CASE, answers, improvements=False)
    applies = {q.id: rubric.applies(q, answers) for q in rubric.questions}
    todo = [
        q for q in rubric.questions
        if q.required and q.id not in answers and q.id in result.open_questions
        and applies[q.id] is True
    ]  # fmt: skip
    if not todo:
        return [answers]
    q = todo[0]
    values = [o.value for o in q.options] if q.type == "choice" else _candidates(rubric, q)
    out = []
    for value in values:
        out.extend(completions(rubric, {**answers, q.id: value}))
    return out


@pytest.mark.parametrize("path", RUBRIC_FILES, ids=lambda p: Path(p).stem)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_bounds_contain_every_completion(path: str, data: st.DataObject) -> None:
    """Leaving out any required answers of a complete assessment: the bounds of what is
    left contain its verdict and score (optional answers stay, else they take defaults)."""
    rubric = load_rubric(Path(path))
    full = data.draw(completed(rubric))
    required = sorted(k for k in full if rubric.by_id[k].required)
    drop = data.draw(st.sets(st.sampled_from(required))) if required else set()
    partial = {k: v for k, v in full.items() if k not in drop}
    found = bounds(rubric, partial)
    rank, score = verdict_and_score(rubric, full)
    assert RANK[found.worst] <= rank <= RANK[found.best]
    assert found.score_min <= score <= found.score_max


@pytest.mark.parametrize("path", RUBRIC_FILES, ids=lambda p: Path(p).stem)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_bounds_are_exact(path: str, data: st.DataObject) -> None:
    """The bounds are reached: some completion has the worst verdict, some the best, some
    the lowest score and some the highest (all completions enumerated)."""
    rubric = load_rubric(Path(path))
    full = data.draw(completed(rubric))
    required = sorted(k for k in full if rubric.by_id[k].required)
    drop = data.draw(st.sets(st.sampled_from(required), max_size=4)) if required else set()
    partial = {k: v for k, v in full.items() if k not in drop}
    found = bounds(rubric, partial)
    outcomes = [verdict_and_score(rubric, c) for c in completions(rubric, partial)]
    assert RANK[found.worst] == min(o[0] for o in outcomes)
    assert RANK[found.best] == max(o[0] for o in outcomes)
    assert found.score_min == min(o[1] for o in outcomes)
    assert found.score_max == max(o[1] for o in outcomes)
    assert found.complete == (not drop & set(found.open)) and found.complete == (not found.open)


def test_nothing_answered_is_open_between_the_extremes() -> None:
    rubric = load_rubric("production-readiness")
    found = bounds(rubric, {})
    assert (found.worst, found.best) == ("not_ready", "ready")
    assert found.determined is None and "task_type" in found.open


def test_a_blocker_already_decided_determines_the_verdict() -> None:
    """Regulated, expert review left out (it defaults to no): not ready whatever comes next."""
    rubric = load_rubric("production-readiness")
    found = bounds(rubric, {"task_type": "summarization", "regulation": "regulated"})
    assert found.determined == "not_ready"
    assert found.score_max < 40
