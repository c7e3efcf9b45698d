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
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from pydantic import BaseModel, ConfigDict

from assessor.domain import costmodel
from assessor.domain.assessment import UseCase, effective_and_applicable
from assessor.domain.evidence import Evidence, Judgement, judge
from assessor.domain.rubric import VERDICTS, Effort, Rubric, Verdict

if TYPE_CHECKING:
    from assessor.domain.bounds import Bounds


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
    effort: Effort | None = None
    """The most work any of the changes takes, as the rubric declares it (None: undeclared)."""


class AnswerWarning(_Out):
    """Answers that contradict each other (the rubric's ``consistency.warnings``)."""

    id: str
    title: str
    message: str
    guide: str
    answers: dict[str, Any]
    """The answers the check read, as given."""


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
    evidence: dict[str, Any] | None = None
    """Measured evidence on record and how it was judged (None without evidence)."""
    warnings: list[AnswerWarning] = []
    """Answers that contradict each other; the verdict does not depend on them."""


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
    return score_steps(rubric, weighted, verdict, n).final


class ScoreSteps(NamedTuple):
    """How a final score was made from the dimension scores (the reports' methodology)."""

    weight_total: float
    """Sum of the weights of the dimensions that have a score."""
    mean: float
    """Their weighted mean (50 when none has a score)."""
    penalty: float
    """``finding_penalty`` raised to the number of findings of the verdict's kind."""
    findings: int
    adjusted: float
    """``mean * penalty``."""
    band: tuple[int, int]
    final: int
    """``band[0] + round((band[1] - band[0]) * adjusted / 100)``."""


def score_steps(
    rubric: Rubric, weighted: list[tuple[float, int | None]], verdict: Verdict, n: int
) -> ScoreSteps:
    """:func:`place_in_band` step by step."""
    known = [(w, s) for w, s in weighted if s is not None and w > 0]
    # fsum is exact whatever the order, so the bounds of a partial assessment
    # (domain/bounds.py), which add the same products in another order, agree to the point.
    total = math.fsum(w for w, _ in known)
    return _steps(rubric, math.fsum(w * s for w, s in known), total, verdict, n)


def band_score(rubric: Rubric, weighted_sum: float, total: float, verdict: Verdict, n: int) -> int:
    """:func:`place_in_band` from the weighted sum of known dimension scores and their weight."""
    return _steps(rubric, weighted_sum, total, verdict, n).final


def _steps(
    rubric: Rubric, weighted_sum: float, total: float, verdict: Verdict, n: int
) -> ScoreSteps:
    base = weighted_sum / total if total else 50.0
    penalty = rubric.scoring.finding_penalty**n
    adjusted = base * penalty
    lo, hi = rubric.scoring.bands[verdict]
    return ScoreSteps(
        weight_total=total,
        mean=base,
        penalty=penalty,
        findings=n,
        adjusted=adjusted,
        band=(lo, hi),
        final=int(lo + round((hi - lo) * adjusted / 100.0)),
    )


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
    evidence: Sequence[Evidence] = (),
    now: datetime | None = None,
) -> Result:
    """Score validated answers: the one scoring function every surface uses (the app's
    panel and results, the plain wizard, ``assessor score`` and the reports).

    Optional questions left out take their defaults. Required questions not answered yet
    stay open: rules that depend on them do not fire, dimensions that read them have no
    score, and the result is marked provisional; :func:`assessor.domain.bounds.bounds` says
    what the open questions can still make of it. ``evidence`` (the assessment's measured
    results) is judged as of ``now`` (default: the current time): see
    :mod:`assessor.domain.evidence`.
    """
    data = score_data(
        rubric,
        use_case,
        answers,
        notes=notes,
        improvements=improvements,
        evidence=evidence,
        now=now,
    )
    return Result.model_validate(data)


def score_data(
    rubric: Rubric,
    use_case: UseCase,
    answers: dict[str, Any],
    *,
    notes: dict[str, str] | None = None,
    improvements: bool = True,
    evidence: Sequence[Evidence] = (),
    now: datetime | None = None,
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
    # Measured evidence: rules and dimensions read the error rate's upper bound (one place).
    judgement = judge(rubric, answers, list(evidence), now)
    shown = answers
    if judgement.overrides:
        answers = {**answers, **judgement.overrides}
    compiled = rubric.compiled
    dims = dimension_data(rubric, answers)
    fired = [i for i, (_, test) in enumerate(compiled.rules) if test(answers) is True]
    blocker_ids = [i for i in fired if compiled.rule_blocker[i]]
    condition_ids = [i for i in fired if not compiled.rule_blocker[i]]
    extra_blockers = [f for f in judgement.findings if f["kind"] == "blocker"]
    extra_conditions = [f for f in judgement.findings if f["kind"] != "blocker"]
    verdict = _verdict(blocker_ids + extra_blockers, condition_ids + extra_conditions)
    held = (
        len(blocker_ids) + len(extra_blockers)
        if verdict == "not_ready"
        else len(condition_ids) + len(extra_conditions)
    )
    final = _final_score_data(rubric, dims, verdict, held)
    measured = rubric.evidence.question

    def finding(index: int) -> dict[str, Any]:
        rule = compiled.rules[index][0]
        reads = compiled.rule_reads_ordered[index]
        reason = _words(rubric, rule.reason, shown)
        if judgement.sentence and measured in reads:
            reason = f"{reason} {judgement.sentence}"
        return {
            "id": rule.id,
            "kind": rule.kind,
            "title": rule.title,
            "reason": reason,
            "guide": _flat(rule.guide),
            "fix": _flat(rule.fix),
            "answers": {q: shown[q] for q in reads if q in shown},
        }

    from assessor.domain.counterfactuals import improvement_data

    required = review_requirements(rubric, answers)
    cost = (
        costmodel.compute_data(rubric, answers, required)
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
        "blockers": [finding(i) for i in blocker_ids] + extra_blockers,
        "conditions": [finding(i) for i in condition_ids] + extra_conditions,
        "patterns": _pattern_data(rubric, answers, cost, bool(required)),
        "to_improve": (
            _capped(
                improvement_data(
                    rubric, given, _verdict(blocker_ids, condition_ids), base=(answers, fired, dims)
                ),
                verdict,
                judgement.findings,
            )
            if improvements
            else []
        ),
        "cost_model": cost,
        "open_questions": open_questions,
        "answers": given,
        "notes": dict(notes or {}),
        "evidence": judgement.summary,
        "warnings": warning_data(rubric, answers, shown),
    }
    if with_bounds:
        found = bounds_with_evidence(rubric, given, judgement)
        data["verdict"] = found.determined
        data["complete"] = found.complete
        data["open"] = found.open
        data["bounds"] = found.as_json()
    return data


def bounds_with_evidence(
    rubric: Rubric,
    given: dict[str, Any],
    judgement: Judgement | None = None,
    *,
    evidence: Sequence[Evidence] = (),
    now: datetime | None = None,
) -> Bounds:
    """The bounds of a (partial) assessment as its score sees it: the error rate judged on
    its measured upper bound, and findings about the evidence itself (too few cases, stale)
    holding whatever the open questions become. Every surface's bounds come from here."""
    from assessor.domain.bounds import bounds

    if judgement is None:
        effective, _ = effective_and_applicable(rubric, dict(given))
        judgement = judge(rubric, effective, list(evidence), now)
    found = bounds(rubric, {**given, **judgement.overrides})
    if judgement.findings:
        blocker = any(f["kind"] == "blocker" for f in judgement.findings)
        found = found.capped(rubric, 0 if blocker else 1)
    return found


def _capped(
    improvements: list[dict[str, Any]], verdict: Verdict, held: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Answer changes cannot clear findings about the evidence itself (too few cases, stale):
    with such findings, only improvements that still raise the verdict, and do not go past
    what those findings allow, are kept."""
    if not held:
        return improvements
    ceiling = 0 if any(f["kind"] == "blocker" for f in held) else 1
    now = VERDICTS.index(verdict)
    return [i for i in improvements if now < VERDICTS.index(i["verdict"]) <= ceiling]


def review_requirements(rubric: Rubric, answers: dict[str, Any]) -> list[tuple[str, str]]:
    """(id, reason) of each ``consistency.review_all`` entry that holds: every output must be
    reviewed. The id is the rule the entry names (else its own); the reason names the rule."""
    found = []
    titles = {r.id: r.title for r in rubric.rules}
    for entry, test in rubric.compiled.review_all:
        if test(answers) is not True:
            continue
        reason = _words(rubric, entry.reason, answers)
        if entry.rule:
            reason = f"{reason.rstrip('.')} (rule {entry.rule}: {titles[entry.rule]})."
        found.append((entry.rule or entry.id, reason))
    return found


def warning_data(
    rubric: Rubric, answers: dict[str, Any], shown: dict[str, Any]
) -> list[dict[str, Any]]:
    """The rubric's ``consistency.warnings`` that hold: answers that contradict each other."""
    out = []
    for check, test, reads in rubric.compiled.warnings:
        if test(answers) is True:
            out.append(
                {
                    "id": check.id,
                    "title": check.title,
                    "message": _words(rubric, check.message, shown),
                    "guide": _flat(check.guide),
                    "answers": {q: shown[q] for q in reads if q in shown},
                }
            )
    return out


def _pattern_data(
    rubric: Rubric, answers: dict[str, Any], cost: dict[str, Any] | None, review_all: bool
) -> list[dict[str, Any]]:
    policy = rubric.policy
    level = str(answers.get(policy.key)) if policy is not None else ""
    computed: dict[str, Any] = {
        "max_error_rate": policy.max_error_rate.get(level) if policy else None,
        "review_sample_rate": policy.review_sample_rate.get(level) if policy else None,
        "cache_ttl_seconds": policy.cache_ttl_seconds.get(level) if policy else None,
        "confidence_threshold": cost["confidence_threshold"] if cost else None,
        "review_all": review_all,
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
