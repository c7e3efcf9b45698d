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
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict

from assessor.domain import costmodel
from assessor.domain.assessment import UseCase, effective_and_applicable, effective_answers
from assessor.domain.rubric import VERDICTS, Rubric, Rule, Verdict

MAX_IMPROVEMENTS = 12


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


def _dimensions(rubric: Rubric, answers: dict[str, Any]) -> list[DimensionScore]:
    return [DimensionScore(**d) for d in _dimension_data(rubric, answers)]


def _dimension_data(rubric: Rubric, answers: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for d, evaluate in rubric.compiled.dimensions:
        value, level = evaluate(answers)
        out.append(
            {"id": d.id, "title": d.title, "score": value, "level": level, "weight": d.weight}
        )
    return out


def _findings(rubric: Rubric, answers: dict[str, Any]) -> tuple[list[Rule], list[Rule]]:
    blockers: list[Rule] = []
    conditions: list[Rule] = []
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


def _place(
    rubric: Rubric, weighted: list[tuple[float, int | None]], verdict: Verdict, n: int
) -> int:
    """The final score: the weighted mean of known dimensions, lowered by ``finding_penalty``
    once per finding of the verdict's kind, placed inside the verdict's band."""
    known = [(w, s) for w, s in weighted if s is not None and w > 0]
    total = sum(w for w, _ in known)
    base = sum(w * s for w, s in known) / total if total else 50.0
    base *= rubric.scoring.finding_penalty**n
    lo, hi = rubric.scoring.bands[verdict]
    return int(lo + round((hi - lo) * base / 100.0))


def _final_score(
    rubric: Rubric, dims: list[DimensionScore], verdict: Verdict, findings: int
) -> int:
    return _place(rubric, [(d.weight, d.score) for d in dims], verdict, findings)


def _final_score_data(
    rubric: Rubric, dims: list[dict[str, Any]], verdict: Verdict, findings: int
) -> int:
    return _place(rubric, [(d["weight"], d["score"]) for d in dims], verdict, findings)


def quick(rubric: Rubric, answers: dict[str, Any]) -> tuple[Verdict, int]:
    """Verdict and score of effective answers only: what portfolio sorting needs."""
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
    data = score_data(
        rubric, use_case, answers, partial=partial, notes=notes, improvements=improvements
    )
    return Result.model_validate(data)


def score_data(
    rubric: Rubric,
    use_case: UseCase,
    answers: dict[str, Any],
    *,
    partial: bool = False,
    notes: dict[str, str] | None = None,
    improvements: bool = True,
) -> dict[str, Any]:
    """What :func:`score` returns, as plain data in the :class:`Result` JSON shape.

    ``score`` validates this into a ``Result``; ``assessor score --format json`` serialises
    it directly (building hundreds of models per file only to dump them again is most of
    the cost of scoring a portfolio). tests/unit/test_scoring_data.py checks that both give
    the same JSON.
    """
    given = dict(answers)
    answers, applicable = effective_and_applicable(rubric, given, partial=partial)
    compiled = rubric.compiled
    dims = _dimension_data(rubric, answers)
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

    cost = costmodel.compute_data(rubric, answers) if rubric.policy.key in answers else None
    open_questions = [q.id for q in applicable if q.id not in answers and q.id not in given]
    return {
        "use_case": use_case.name,
        "description": use_case.description,
        "owner": use_case.owner,
        "rubric": {"id": rubric.id, "version": rubric.version},
        "verdict": verdict,
        "score": final,
        "provisional": partial and any(rubric.by_id[q].required for q in open_questions),
        "dimensions": dims,
        "blockers": [finding(i) for i in blocker_ids],
        "conditions": [finding(i) for i in condition_ids],
        "patterns": _pattern_data(rubric, answers, cost),
        "to_improve": (
            _improvement_data(rubric, given, verdict, partial=partial, base=(answers, fired, dims))
            if improvements
            else []
        ),
        "cost_model": cost,
        "open_questions": open_questions,
        "answers": given,
        "notes": dict(notes or {}),
    }


def _pattern_data(
    rubric: Rubric, answers: dict[str, Any], cost: dict[str, Any] | None
) -> list[dict[str, Any]]:
    level = str(answers.get(rubric.policy.key))
    policy = rubric.policy
    computed: dict[str, Any] = {
        "max_error_rate": policy.max_error_rate.get(level),
        "review_sample_rate": policy.review_sample_rate.get(level),
        "cache_ttl_seconds": policy.cache_ttl_seconds.get(level),
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


class _WhatIf:
    """Verdicts and scores of changed answers, re-evaluating only what a change can affect.

    The base case is evaluated once. For a change, only the rules and dimensions that read a
    changed question (or a question whose default or applicability depends on it) are run
    again, and the effective answers are rebuilt only when such a dependency exists.
    """

    def __init__(
        self,
        rubric: Rubric,
        given: dict[str, Any],
        partial: bool,
        base: tuple[dict[str, Any], list[int], list[dict[str, Any]]] | None = None,
    ) -> None:
        self.rubric = rubric
        self.compiled = rubric.compiled
        self.given = given
        self.partial = partial
        if base is None:
            answers = effective_answers(rubric, given, partial=partial)
            fired = [i for i, (_, test) in enumerate(self.compiled.rules) if test(answers) is True]
            base = (answers, fired, _dimension_data(rubric, answers))
        self.base = base[0]
        self.fired = frozenset(base[1])
        self.dims = [d["score"] for d in base[2]]
        self.weights = [d.weight for d, _ in self.compiled.dimensions]

    def rank_of(self, fired: frozenset[int]) -> int:
        blocker = self.compiled.rule_blocker
        if any(blocker[i] for i in fired):
            return 0
        return 1 if fired else 2

    def worst(self, fired: frozenset[int]) -> list[int]:
        """The fired rules that hold the verdict where it is (blockers, else conditions)."""
        blocker = self.compiled.rule_blocker
        blockers = [i for i in fired if blocker[i]]
        return blockers or sorted(fired)

    def outcome(
        self, changes: dict[str, Any]
    ) -> tuple[int, frozenset[int], dict[str, Any], list[int]]:
        """(verdict rank, fired rule indexes, effective answers, touched dimensions)."""
        touch = self.compiled.touched(changes)
        if touch.reshapes or touch.derived:
            # Applicability or a default depends on a changed answer: rebuild exactly.
            answers = effective_answers(self.rubric, {**self.given, **changes}, self.partial)
        else:
            answers = {**self.base, **changes}
        rules = self.compiled.rules
        now = {i for i in touch.rules if rules[i][1](answers) is True}
        fired = (self.fired - set(touch.rules)) | now
        return self.rank_of(fired), frozenset(fired), answers, touch.dimensions

    def score(
        self, rank: int, fired: frozenset[int], answers: dict[str, Any], dim_ids: list[int]
    ) -> int:
        dims = list(self.dims)
        for i in dim_ids:
            dims[i] = self.compiled.dimensions[i][1](answers)[0]
        verdict = VERDICTS[rank]
        blocker = self.compiled.rule_blocker
        n = sum(1 for i in fired if blocker[i]) if rank == 0 else len(fired)
        return _place(self.rubric, list(zip(self.weights, dims, strict=True)), verdict, n)


def _improvement_data(
    rubric: Rubric,
    given: dict[str, Any],
    verdict: Verdict,
    *,
    partial: bool = False,
    base: tuple[dict[str, Any], list[int], list[dict[str, Any]]] | None = None,
) -> list[dict[str, Any]]:
    """The smallest answer changes that raise the verdict: single answers, then pairs.

    A change is a different value of an answered, applicable question the team can change
    (``changeable``). A pair is listed only when it raises the verdict higher than either of
    its changes does alone, so no listed pair contains a smaller change reaching as far.

    The search skips what cannot work instead of trying every combination. To raise the
    verdict, every rule that holds it (the blockers, or for a conditional verdict the
    conditions) must stop firing, and a rule can only change when a question it reads (or a
    question whose default or applicability that one depends on) changes. So a single change
    must move every holding rule; of a pair, one change moves the holding rule with the
    fewest movers, and after it the other must move every rule still holding the verdict.
    tests/unit/test_properties.py checks the result against an exhaustive search. ``base``
    passes in (effective answers, fired rule indexes, dimensions) when the caller has them.
    """
    rank = VERDICTS.index(verdict)
    top = len(VERDICTS) - 1
    if rank == top:
        return []
    whatif = _WhatIf(rubric, given, partial, base)
    current = whatif.base
    movers = rubric.compiled.rule_movers
    holding = whatif.worst(whatif.fired)
    # Any pair that works clears every holding rule, so one of its two changes moves the
    # holding rule with the fewest movers: only those changes need trying first.
    first_movers = min((movers[i] for i in holding), key=len)

    options: dict[str, list[Any]] = {}

    def options_of(qid: str) -> list[Any]:
        found = options.get(qid)
        if found is None:
            value = current[qid]
            found = options[qid] = [
                v for v in rubric.compiled.changeable[qid] if not _same(v, value)
            ]
        return found

    Found = tuple[dict[str, Any], int, int]  # changes, verdict rank, score
    singles: list[Found] = []
    single_rank: dict[tuple[str, int], int] = {}
    firsts: list[tuple[str, int, Any, frozenset[int]]] = []
    for qid in rubric.compiled.changeable:
        if qid not in first_movers or qid not in current:
            continue  # moves no rule holding the verdict: cannot help alone or first
        for n, value in enumerate(options_of(qid)):
            new_rank, fired, answers, dims = whatif.outcome({qid: value})
            single_rank[(qid, n)] = new_rank
            if new_rank > rank:
                score_ = whatif.score(new_rank, fired, answers, dims)
                singles.append(({qid: value}, new_rank, score_))
            if new_rank < top:  # a pair with a change that reaches the top alone is never
                firsts.append((qid, n, value, fired))  # smaller than it, so skip those

    pairs: list[Found] = []
    tried: set[frozenset[tuple[str, int]]] = set()
    for q1, n1, v1, fired1 in firsts:
        still = whatif.worst(fired1)
        if not still:
            continue
        seconds = frozenset.intersection(*(movers[i] for i in still))
        alone1 = single_rank[(q1, n1)]
        for q2 in rubric.compiled.changeable:
            if q2 == q1 or q2 not in seconds or q2 not in current:
                continue
            for n2, v2 in enumerate(options_of(q2)):
                pair = frozenset({(q1, n1), (q2, n2)})
                if pair in tried:
                    continue
                tried.add(pair)
                changes = {q1: v1, q2: v2}
                new_rank, fired, answers, dims = whatif.outcome(changes)
                alone = max(alone1, single_rank.get((q2, n2), rank))
                if new_rank > rank and new_rank > alone:
                    ordered = {q: changes[q] for q in rubric.compiled.changeable if q in changes}
                    score_ = whatif.score(new_rank, fired, answers, dims)
                    pairs.append((ordered, new_rank, score_))

    def order(item: Found) -> tuple[int, int]:
        return (-item[1], -item[2])

    out: list[dict[str, Any]] = []
    for changes, new_rank, new_score in sorted(singles, key=order) + sorted(pairs, key=order):
        summary = "; ".join(
            f"{rubric.by_id[k].short}: {rubric.by_id[k].label_of(x)}" for k, x in changes.items()
        )
        out.append(
            {
                "changes": changes,
                "verdict": VERDICTS[new_rank],
                "score": new_score,
                "summary": summary,
            }
        )
        if len(out) >= MAX_IMPROVEMENTS:
            break
    return out


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b
