"""Counterfactuals: the smallest answer changes that would raise the verdict (``to_improve``).

Every single answer change that raises the verdict, then every minimal pair, found by
re-evaluating only the rules and dimensions a change can affect (:class:`_WhatIf` over the
compiled rubric's read-sets). Changes the rubric marks as contrary to the use case
(``consistency.contrary``) are never tried; changes that contradict each other (a
``consistency.warnings`` check reading only changed answers) are not listed; the rest are
listed least work first (the effort the rubric declares per question or option), then
smallest first.
"""

from __future__ import annotations

from typing import Any

from assessor.domain.assessment import effective_answers
from assessor.domain.rubric import EFFORTS, VERDICTS, Effort, Rubric, Verdict
from assessor.domain.scoring import dimension_data, place_in_band

MAX_IMPROVEMENTS = 12
"""At most this many improvements are listed."""


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
        base: tuple[dict[str, Any], list[int], list[dict[str, Any]]] | None = None,
    ) -> None:
        self.rubric = rubric
        self.compiled = rubric.compiled
        self.given = given
        if base is None:
            answers = effective_answers(rubric, given)
            fired = [i for i, (_, test) in enumerate(self.compiled.rules) if test(answers) is True]
            base = (answers, fired, dimension_data(rubric, answers))
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
            answers = effective_answers(self.rubric, {**self.given, **changes})
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
        return place_in_band(self.rubric, list(zip(self.weights, dims, strict=True)), verdict, n)


def improvement_data(
    rubric: Rubric,
    given: dict[str, Any],
    verdict: Verdict,
    *,
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
    whatif = _WhatIf(rubric, given, base)
    current = whatif.base
    movers = rubric.compiled.rule_movers
    holding = whatif.worst(whatif.fired)
    # Any pair that works clears every holding rule, so one of its two changes moves the
    # holding rule with the fewest movers: only those changes need trying first.
    first_movers = min((movers[i] for i in holding), key=len)

    options: dict[str, list[Any]] = {}
    contrary = rubric.compiled.contrary

    def options_of(qid: str) -> list[Any]:
        found = options.get(qid)
        if found is None:
            value = current[qid]
            ruled_out = [
                v for values, test in contrary.get(qid, ()) if test(current) is True for v in values
            ]
            found = options[qid] = [
                v
                for v in rubric.compiled.changeable[qid]
                if not _same(v, value) and not any(_same(v, x) for x in ruled_out)
            ]
        return found

    # Changes that contradict each other (a consistency warning that reads only changed
    # answers, and that the current answers do not raise) are not offered: they would fix
    # the verdict on paper only.
    warnings = rubric.compiled.warnings
    raised = {i for i, (_, test, _) in enumerate(warnings) if test(current) is True}

    def contradicts(changed: dict[str, Any], answers: dict[str, Any]) -> bool:
        return any(
            i not in raised and set(reads) <= changed.keys() and test(answers) is True
            for i, (_, test, reads) in enumerate(warnings)
        )

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
            if new_rank > rank and not contradicts({qid: value}, answers):
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
                if new_rank > rank and new_rank > alone and not contradicts(changes, answers):
                    ordered = {q: changes[q] for q in rubric.compiled.changeable if q in changes}
                    score_ = whatif.score(new_rank, fired, answers, dims)
                    pairs.append((ordered, new_rank, score_))

    def order(item: Found) -> tuple[int, int, int, int]:
        return (_effort_rank(effort_of(rubric, item[0])), len(item[0]), -item[1], -item[2])

    out: list[dict[str, Any]] = []
    for changes, new_rank, new_score in sorted(singles + pairs, key=order):
        summary = "; ".join(
            f"{rubric.by_id[k].short}: {rubric.by_id[k].label_of(x)}" for k, x in changes.items()
        )
        out.append(
            {
                "changes": changes,
                "verdict": VERDICTS[new_rank],
                "score": new_score,
                "summary": summary,
                "effort": effort_of(rubric, changes),
            }
        )
        if len(out) >= MAX_IMPROVEMENTS:
            break
    return out


def effort_of(rubric: Rubric, changes: dict[str, Any]) -> Effort | None:
    """The most work any of the changes takes (undeclared counts as medium); None when the
    rubric declares no effort for any of them."""
    declared = [rubric.by_id[q].effort_of(v) for q, v in changes.items()]
    if all(e is None for e in declared):
        return None
    return EFFORTS[max(_effort_rank(e) for e in declared)]


def _effort_rank(effort: Effort | None) -> int:
    return EFFORTS.index(effort or "medium")


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b
