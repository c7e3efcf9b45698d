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

import math
import re
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict

from assessor.domain import costmodel
from assessor.domain.assessment import UseCase, effective_and_applicable
from assessor.domain.rubric import Rubric, Verdict


class _Out(BaseModel):
    # Built on first use: `assessor score --format json` serialises plain data and never
    # needs these validators (building them is a tenth of its start-up).
    model_config = ConfigDict(defer_build=True)


class RubricRef(_Out):
    id: str
    version: str


class DimensionScore(_Out):
    id: str
    title: str
    score: int | None
    """None while the dimension's question is open (not answered yet)."""
    level: str
    weight: float


class Finding(_Out):
    """A blocker or condition that applies, explained."""

    id: str
    kind: str
    title: str
    reason: str
    guide: str
    fix: str
    answers: dict[str, Any]
    """The answers the rule read, as given."""


class PatternRecommendation(_Out):
    id: str
    title: str
    reason: str
    guide: str
    params: dict[str, Any]


class Improvement(_Out):
    """A smallest set of answer changes that raises the verdict."""

    changes: dict[str, Any]
    verdict: Verdict
    score: int
    summary: str
    """The changes in words, e.g. "Human oversight: A person approves each one"."""


class Result(_Out):
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

    flat = _flat(text)
    return _PLACEHOLDER.sub(sub, flat) if "{" in flat else flat


@lru_cache(maxsize=4096)
def _flat(text: str) -> str:
    """Text from YAML folded scalars on one line, single-spaced."""
    return " ".join(text.split())


def dimension_data(rubric: Rubric, answers: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for d, evaluate in rubric.compiled.dimensions:
        value, level = evaluate(answers)
        out.append(
            {"id": d.id, "title": d.title, "score": value, "level": level, "weight": d.weight}
        )
    return out


def _verdict(blockers: list[Any], conditions: list[Any]) -> Verdict:
    if blockers:
        return "not_ready"
    if conditions:
        return "conditional"
    return "ready"


def place_in_band(
    rubric: Rubric, weighted: list[tuple[float, int | None]], verdict: Verdict, n: int
) -> int:
    """The final score: the weighted mean of known dimensions, lowered by ``finding_penalty``
    once per finding of the verdict's kind, placed inside the verdict's band."""
    known = [(w, s) for w, s in weighted if s is not None and w > 0]
    # fsum is exact whatever the order, so the bounds of a partial assessment
    # (domain/bounds.py), which add the same products in another order, agree to the point.
    total = math.fsum(w for w, _ in known)
    return band_score(rubric, math.fsum(w * s for w, s in known), total, verdict, n)


def band_score(rubric: Rubric, weighted_sum: float, total: float, verdict: Verdict, n: int) -> int:
    """:func:`place_in_band` from the weighted sum of known dimension scores and their weight."""
    base = weighted_sum / total if total else 50.0
    base *= rubric.scoring.finding_penalty**n
    lo, hi = rubric.scoring.bands[verdict]
    return int(lo + round((hi - lo) * base / 100.0))


def _final_score_data(
    rubric: Rubric, dims: list[dict[str, Any]], verdict: Verdict, findings: int
) -> int:
    return place_in_band(rubric, [(d["weight"], d["score"]) for d in dims], verdict, findings)


def score(
    rubric: Rubric,
    use_case: UseCase,
    answers: dict[str, Any],
    *,
    notes: dict[str, str] | None = None,
    improvements: bool = True,
) -> Result:
    """Score validated answers: the one scoring function every surface uses (the app's
    panel and results, the plain wizard, ``assessor score`` and the reports).

    Optional questions left out take their defaults. Required questions not answered yet
    stay open: rules that depend on them do not fire, dimensions that read them have no
    score, and the result is marked provisional; :func:`assessor.domain.bounds.bounds` says
    what the open questions can still make of it.
    """
    data = score_data(rubric, use_case, answers, notes=notes, improvements=improvements)
    return Result.model_validate(data)


def score_data(
    rubric: Rubric,
    use_case: UseCase,
    answers: dict[str, Any],
    *,
    notes: dict[str, str] | None = None,
    improvements: bool = True,
    with_bounds: bool = False,
) -> dict[str, Any]:
    """What :func:`score` returns, as plain data in the :class:`Result` JSON shape.

    ``score`` validates this into a ``Result``; ``assessor score --format json`` serialises
    it directly (building hundreds of models per file only to dump them again is most of
    the cost of scoring a portfolio). tests/unit/test_scoring_data.py checks that both give
    the same JSON.

    ``with_bounds`` adds ``complete``, ``open`` and ``bounds`` (``assessor score --partial``),
    and leaves ``verdict`` null unless every completion of the open questions shares it.
    """
    given = dict(answers)
    answers, applicable = effective_and_applicable(rubric, given)
    compiled = rubric.compiled
    dims = dimension_data(rubric, answers)
    fired = [i for i, (_, test) in enumerate(compiled.rules) if test(answers) is True]
    blocker_ids = [i for i in fired if compiled.rule_blocker[i]]
    condition_ids = [i for i in fired if not compiled.rule_blocker[i]]
    verdict = _verdict(blocker_ids, condition_ids)
    final = _final_score_data(rubric, dims, verdict, len(blocker_ids or condition_ids))

    def finding(index: int) -> dict[str, Any]:
        rule = compiled.rules[index][0]
        return {
            "id": rule.id,
            "kind": rule.kind,
            "title": rule.title,
            "reason": _words(rubric, rule.reason, answers),
            "guide": _flat(rule.guide),
            "fix": _flat(rule.fix),
            "answers": {q: answers[q] for q in compiled.rule_reads_ordered[index] if q in answers},
        }

    from assessor.domain.counterfactuals import improvement_data

    cost = (
        costmodel.compute_data(rubric, answers)
        if rubric.policy is not None and rubric.policy.key in answers
        else None
    )
    open_questions = [q.id for q in applicable if q.id not in answers and q.id not in given]
    data = {
        "use_case": use_case.name,
        "description": use_case.description,
        "owner": use_case.owner,
        "rubric": {"id": rubric.id, "version": rubric.version},
        "verdict": verdict,
        "score": final,
        "provisional": any(rubric.by_id[q].required for q in open_questions),
        "dimensions": dims,
        "blockers": [finding(i) for i in blocker_ids],
        "conditions": [finding(i) for i in condition_ids],
        "patterns": _pattern_data(rubric, answers, cost),
        "to_improve": (
            improvement_data(rubric, given, verdict, base=(answers, fired, dims))
            if improvements
            else []
        ),
        "cost_model": cost,
        "open_questions": open_questions,
        "answers": given,
        "notes": dict(notes or {}),
    }
    if with_bounds:
        from assessor.domain.bounds import bounds

        found = bounds(rubric, given)
        data["verdict"] = found.determined
        data["complete"] = found.complete
        data["open"] = found.open
        data["bounds"] = found.as_json()
    return data


def _pattern_data(
    rubric: Rubric, answers: dict[str, Any], cost: dict[str, Any] | None
) -> list[dict[str, Any]]:
    policy = rubric.policy
    level = str(answers.get(policy.key)) if policy is not None else ""
    computed: dict[str, Any] = {
        "max_error_rate": policy.max_error_rate.get(level) if policy else None,
        "review_sample_rate": policy.review_sample_rate.get(level) if policy else None,
        "cache_ttl_seconds": policy.cache_ttl_seconds.get(level) if policy else None,
        "confidence_threshold": cost["confidence_threshold"] if cost else None,
    }
    out = []
    plans = rubric.compiled.pattern_params
    for pattern, test in rubric.compiled.patterns:
        if test is not None and test(answers) is not True:
            continue
        params: dict[str, Any] = {}
        for key, kind, payload in plans[pattern.id]:
            if kind == "value":
                params[key] = payload
            elif kind == "ref":
                params[key] = computed.get(payload)
            elif kind == "if":
                hit, then, otherwise = payload
                params[key] = then if hit(answers) else otherwise
            else:
                by, values, default = payload
                params[key] = values.get(str(answers.get(by)), default)
        out.append(
            {
                "id": pattern.id,
                "title": pattern.title,
                "reason": _words(rubric, pattern.reason, answers),
                "guide": _flat(pattern.guide),
                "params": params,
            }
        )
    return out
