"""Score an assessment against a rubric: verdict, findings, patterns and what would help.

``score(rubric, use_case, answers)`` is pure: it reads no file and prints nothing. The CLI,
the interactive assessment and the reports are all views of the :class:`Result` it returns.

How the numbers are made (also in the README):

* Each dimension scores 0-100 from the answers (the rubric's tables).
* The base score is the weighted mean of the dimensions that have a value.
* The verdict is the worst that applies: any blocker -> ``not_ready``; else any condition ->
  ``conditional``; else ``ready``.
* The final score places the base inside the verdict's band (by default 0-39, 40-69,
  70-100), after multiplying it by ``finding_penalty`` once per blocker (for ``not_ready``) or
  condition (for ``conditional``). So ``ready`` always scores above ``conditional``, which
  always scores above ``not_ready``, and more findings rank lower within a band.
"""

from __future__ import annotations

import re
from itertools import combinations
from typing import Any

from pydantic import BaseModel

from assessor.domain import costmodel
from assessor.domain.assessment import UseCase, effective_answers
from assessor.domain.rubric import VERDICTS, ParamBy, ParamIf, Rubric, Verdict

MAX_IMPROVEMENTS = 12


class RubricRef(BaseModel):
    id: str
    version: str


class DimensionScore(BaseModel):
    id: str
    title: str
    score: int | None
    """None while the dimension's question is open (not answered yet)."""
    level: str
    weight: float


class Finding(BaseModel):
    """A blocker or condition that applies, explained."""

    id: str
    kind: str
    title: str
    reason: str
    guide: str
    fix: str
    answers: dict[str, Any]
    """The answers the rule read, as given."""


class PatternRecommendation(BaseModel):
    id: str
    title: str
    reason: str
    guide: str
    params: dict[str, Any]


class Improvement(BaseModel):
    """A smallest set of answer changes that raises the verdict."""

    changes: dict[str, Any]
    verdict: Verdict
    score: int
    summary: str
    """The changes in words, e.g. "Human oversight: A person approves each one"."""


class Result(BaseModel):
    """Everything the rubric says about one assessment (the score JSON contract)."""

    use_case: str
    description: str = ""
    owner: str = ""
    rubric: RubricRef
    verdict: Verdict
    score: int
    provisional: bool = False
    """Scored on a partial assessment: open questions may still change the verdict."""
    dimensions: list[DimensionScore]
    blockers: list[Finding]
    conditions: list[Finding]
    patterns: list[PatternRecommendation]
    to_improve: list[Improvement]
    cost_model: costmodel.CostModel | None = None
    open_questions: list[str] = []
    answers: dict[str, Any] = {}
    notes: dict[str, str] = {}


_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")


def _words(rubric: Rubric, text: str, answers: dict[str, Any]) -> str:
    """Fill ``{question_id}`` placeholders with the answer's label (plain substitution only)."""

    def sub(match: re.Match[str]) -> str:
        q = rubric.by_id.get(match.group(1))
        if q is None:
            return match.group(0)
        value = answers.get(q.id)
        return q.label_of(value).lower() if q.type == "choice" else q.label_of(value)

    return _PLACEHOLDER.sub(sub, " ".join(text.split()))


def _dimensions(rubric: Rubric, answers: dict[str, Any]) -> list[DimensionScore]:
    out = []
    cases = rubric.compiled.cases
    for d in rubric.dimensions:
        score: int | None = None
        level = "open"
        for case, test in cases[d.id]:
            if test(answers):
                score, level = case.score, case.level
                break
        else:
            if d.question is not None and d.question in answers:
                value = answers[d.question]
                q = rubric.by_id[d.question]
                if value is None:
                    if d.unknown is not None:
                        score, level = d.unknown.score, d.unknown.level
                elif d.bands and isinstance(value, int | float) and not isinstance(value, bool):
                    for band in d.bands:
                        if value <= band.max:
                            score, level = band.score, band.level
                            break
                else:
                    key = str(value).lower() if isinstance(value, bool) else str(value)
                    if key in d.scores:
                        score, level = d.scores[key], q.label_of(value)
                        if q.type == "choice":
                            level = str(value)
        out.append(
            DimensionScore(id=d.id, title=d.title, score=score, level=level, weight=d.weight)
        )
    return out


def _findings(rubric: Rubric, answers: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    blockers, conditions = [], []
    for rule, test in rubric.compiled.rules:
        if test(answers) is True:
            (blockers if rule.kind == "blocker" else conditions).append(rule)
    return blockers, conditions


def _verdict(blockers: list[Any], conditions: list[Any]) -> Verdict:
    if blockers:
        return "not_ready"
    if conditions:
        return "conditional"
    return "ready"


def _final_score(
    rubric: Rubric, dims: list[DimensionScore], verdict: Verdict, findings: int
) -> int:
    known = [(d.weight, d.score) for d in dims if d.score is not None and d.weight > 0]
    total = sum(w for w, _ in known)
    base = sum(w * s for w, s in known) / total if total else 50.0
    base *= rubric.scoring.finding_penalty**findings
    lo, hi = rubric.scoring.bands[verdict]
    return int(lo + round((hi - lo) * base / 100.0))


def quick(rubric: Rubric, answers: dict[str, Any]) -> tuple[Verdict, int]:
    """Verdict and score only: what counterfactuals and portfolio sorting need."""
    blockers, conditions = _findings(rubric, answers)
    verdict = _verdict(blockers, conditions)
    n = len(blockers) if blockers else len(conditions)
    return verdict, _final_score(rubric, _dimensions(rubric, answers), verdict, n)


def score(
    rubric: Rubric,
    use_case: UseCase,
    answers: dict[str, Any],
    *,
    partial: bool = False,
    notes: dict[str, str] | None = None,
    improvements: bool = True,
) -> Result:
    """Score validated answers.

    With ``partial``, unanswered questions stay open: rules that depend on them do not fire,
    dimensions that read them have no score, and the verdict is marked provisional.
    """
    given = dict(answers)
    answers = effective_answers(rubric, given, partial=partial)
    dims = _dimensions(rubric, answers)
    blocker_rules, condition_rules = _findings(rubric, answers)
    verdict = _verdict(blocker_rules, condition_rules)
    n = len(blocker_rules) if blocker_rules else len(condition_rules)
    final = _final_score(rubric, dims, verdict, n)

    def finding(rule: Any) -> Finding:
        read = sorted(set(rule.when.questions()))
        return Finding(
            id=rule.id,
            kind=rule.kind,
            title=rule.title,
            reason=_words(rubric, rule.reason, answers),
            guide=" ".join(rule.guide.split()),
            fix=" ".join(rule.fix.split()),
            answers={q: answers.get(q) for q in read if q in answers},
        )

    cost = None
    if rubric.policy.key in answers:
        cost = costmodel.compute(rubric, answers)
    open_questions = [
        q.id for q in rubric.applicable(answers) if q.id not in answers and q.id not in given
    ]
    return Result(
        use_case=use_case.name,
        description=use_case.description,
        owner=use_case.owner,
        rubric=RubricRef(id=rubric.id, version=rubric.version),
        verdict=verdict,
        score=final,
        provisional=partial and bool([q for q in open_questions if rubric.by_id[q].required]),
        dimensions=dims,
        blockers=[finding(r) for r in blocker_rules],
        conditions=[finding(r) for r in condition_rules],
        patterns=_patterns(rubric, answers, cost),
        to_improve=_improvements(rubric, answers, verdict) if improvements else [],
        cost_model=cost,
        open_questions=open_questions,
        answers=given,
        notes=dict(notes or {}),
    )


def _patterns(
    rubric: Rubric, answers: dict[str, Any], cost: costmodel.CostModel | None
) -> list[PatternRecommendation]:
    level = str(answers.get(rubric.policy.key))
    policy = rubric.policy
    computed: dict[str, Any] = {
        "max_error_rate": policy.max_error_rate.get(level),
        "review_sample_rate": policy.review_sample_rate.get(level),
        "cache_ttl_seconds": policy.cache_ttl_seconds.get(level),
        "confidence_threshold": cost.confidence_threshold if cost else None,
    }
    out = []
    for pattern, test in rubric.compiled.patterns:
        if test is not None and test(answers) is not True:
            continue
        params: dict[str, Any] = {}
        for key, value in pattern.params.items():
            if isinstance(value, ParamIf):
                hit = rubric.compiled.param_ifs[(pattern.id, key)](answers)
                params[key] = value.then if hit else value.else_
            elif isinstance(value, ParamBy):
                params[key] = value.values.get(str(answers.get(value.by)), value.default)
            elif isinstance(value, str) and value.startswith("${") and value.endswith("}"):
                params[key] = computed.get(value[2:-1])
            else:
                params[key] = value
        out.append(
            PatternRecommendation(
                id=pattern.id,
                title=pattern.title,
                reason=_words(rubric, pattern.reason, answers),
                guide=" ".join(pattern.guide.split()),
                params=params,
            )
        )
    return out


def _improvements(rubric: Rubric, answers: dict[str, Any], verdict: Verdict) -> list[Improvement]:
    """The smallest answer changes (one answer, then pairs) that raise the verdict."""
    rank = VERDICTS.index(verdict)
    if rank == len(VERDICTS) - 1:
        return []
    blockers, conditions = _findings(rubric, answers)
    worst = blockers or conditions
    involved = {q for rule in worst for q in rule.when.questions()}

    singles: list[tuple[dict[str, Any], Verdict, int]] = []
    helpful: list[tuple[str, Any]] = []
    for question in rubric.applicable(answers):
        if not question.changeable or question.id not in answers:
            continue
        current = answers[question.id]
        for value in question.values:
            if _same(value, current):
                continue
            changed = effective_answers(rubric, {**answers, question.id: value})
            new_verdict, new_score = quick(rubric, changed)
            if VERDICTS.index(new_verdict) > rank:
                singles.append(({question.id: value}, new_verdict, new_score))
            elif question.id in involved:
                helpful.append((question.id, value))

    # A pair is listed when it raises the verdict higher than either of its changes alone.
    candidates = helpful + [(k, v) for changes, _, _ in singles for k, v in changes.items()]
    pairs: list[tuple[dict[str, Any], Verdict, int]] = []
    single_rank = {
        (k, _key(v)): VERDICTS.index(verdict_) for c, verdict_, _ in singles for k, v in c.items()
    }
    for (q1, v1), (q2, v2) in combinations(candidates, 2):
        if q1 == q2:
            continue
        changed = effective_answers(rubric, {**answers, q1: v1, q2: v2})
        new_verdict, new_score = quick(rubric, changed)
        new_rank = VERDICTS.index(new_verdict)
        alone = max(single_rank.get((q1, _key(v1)), rank), single_rank.get((q2, _key(v2)), rank))
        if new_rank > rank and new_rank > alone:
            pairs.append(({q1: v1, q2: v2}, new_verdict, new_score))

    def order(item: tuple[dict[str, Any], Verdict, int]) -> tuple[int, int, int]:
        changes, v, s = item
        return (len(changes), -VERDICTS.index(v), -s)

    seen: set[tuple[tuple[str, str], ...]] = set()
    out: list[Improvement] = []
    for changes, v, s in sorted(singles, key=order) + sorted(pairs, key=order):
        key = tuple(sorted((k, _key(x)) for k, x in changes.items()))
        if key in seen:
            continue
        seen.add(key)
        summary = "; ".join(
            f"{rubric.by_id[k].prompt.rstrip('?')}: {rubric.by_id[k].label_of(x)}"
            for k, x in changes.items()
        )
        out.append(Improvement(changes=changes, verdict=v, score=s, summary=summary))
        if len(out) >= MAX_IMPROVEMENTS:
            break
    return out


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _key(value: Any) -> str:
    return f"{type(value).__name__}:{value!r}"
