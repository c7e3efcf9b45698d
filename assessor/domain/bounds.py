"""What an incomplete assessment can still become: the worst and best verdict and the lowest
and highest score over every way its open questions could be answered.

Exact, not sampled, and cheap: the search branches only on open questions that can still
change a rule or a dimension, splits the open questions into groups that share no rule or
dimension (their outcomes combine freely, so each group is searched on its own), and keeps,
per (blockers, conditions, weight of known dimensions), only the lowest and highest weighted
sum of dimension scores (the final score rises with that sum). A rule whose value the
answers so far already decide (three-valued logic) stops the search below it.

For the default rubric with nothing answered this visits a few hundred partial answer sets;
tests/unit/test_bounds.py checks the bounds against an exhaustive search of completions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

from assessor.domain.rubric import VERDICTS, Question, Rubric, Verdict
from assessor.domain.scoring import band_score

Key = tuple[int, int, int]
"""(blockers that fire, conditions that fire, total weight of dimensions with a score)."""
Table = dict[Key, tuple[int, int]]
"""Per key, the lowest and highest weighted sum of dimension scores.

Weights and weighted scores are floats, kept here as exact integers (multiples of
``1 / _Solver.scale``): sums in any order are then exact, and the final float division gives
what :func:`assessor.domain.scoring.place_in_band` computes with ``math.fsum``."""


@dataclass(frozen=True)
class Bounds:
    """The range of verdicts and scores over every completion of the open questions."""

    worst: Verdict
    best: Verdict
    score_min: int
    score_max: int
    open: list[str] = field(default_factory=list)
    """Required questions that apply and are not answered, in rubric order."""

    @property
    def complete(self) -> bool:
        return not self.open

    @property
    def determined(self) -> Verdict | None:
        """The verdict when every completion has the same one, else None."""
        return self.worst if self.worst == self.best else None

    def capped(self, rubric: Rubric, ceiling: int) -> Bounds:
        """These bounds where findings outside the answers (about measured evidence) already
        hold the verdict at or below ``VERDICTS[ceiling]``. Where a verdict is lowered, its
        score can be anywhere in the lower verdict's band, so that band is the bound."""

        def cap(verdict: Verdict) -> Verdict:
            return VERDICTS[min(VERDICTS.index(verdict), ceiling)]

        worst, best = cap(self.worst), cap(self.best)
        low = self.score_min if worst == self.worst else rubric.scoring.bands[worst][0]
        high = self.score_max if best == self.best else rubric.scoring.bands[best][1]
        return replace(self, worst=worst, best=best, score_min=min(low, high), score_max=high)

    def as_json(self) -> dict[str, Any]:
        return {
            "worst": self.worst,
            "best": self.best,
            "score_min": self.score_min,
            "score_max": self.score_max,
        }


def bounds(rubric: Rubric, answers: dict[str, Any]) -> Bounds:
    """Bounds of validated (possibly incomplete) answers; optional questions left out take
    their defaults, as in :func:`assessor.domain.scoring.score`."""
    solver = _solver(rubric)
    try:
        key: Any = tuple(sorted(answers.items()))
        hash(key)
    except TypeError:
        key = None
    found = solver.cache.get(key) if key is not None else None
    if found is not None:
        return found
    _, open_now = solver.effective(answers)
    table = solver.solve(
        dict(answers), tuple(range(len(solver.rules))), tuple(range(len(solver.dims)))
    )
    outcomes = []
    scale = solver.scale
    for (nb, nc, total_int), (low_int, high_int) in table.items():
        total = total_int / scale
        low, high = low_int / scale, high_int / scale
        rank = 0 if nb else 1 if nc else 2
        n = nb if nb else nc
        verdict = VERDICTS[rank]
        outcomes.append(
            (
                rank,
                band_score(rubric, low, total, verdict, n),
                band_score(rubric, high, total, verdict, n),
            )
        )
    result = Bounds(
        worst=VERDICTS[min(o[0] for o in outcomes)],
        best=VERDICTS[max(o[0] for o in outcomes)],
        score_min=min(o[1] for o in outcomes),
        score_max=max(o[2] for o in outcomes),
        open=open_now,
    )
    if key is not None:
        if len(solver.cache) > 256:
            solver.cache.clear()
        solver.cache[key] = result
    return result


_SOLVERS: dict[int, tuple[Rubric, _Solver]] = {}


def _solver(rubric: Rubric) -> _Solver:
    found = _SOLVERS.get(id(rubric))
    if found is None or found[0] is not rubric:
        found = _SOLVERS[id(rubric)] = (rubric, _Solver(rubric))
    return found[1]


class _Solver:
    def __init__(self, rubric: Rubric) -> None:
        c = rubric.compiled
        self.rubric = rubric
        self.compiled = c
        self.rules = c.rules
        self.blocker = c.rule_blocker
        self.rule_reads = c.rule_reads
        self.rule_movers = c.rule_movers
        self.dims = c.dimensions
        self.dim_movers = [
            frozenset(q for q, hit in c.affects.items() if hit & reads)
            for reads in c.dimension_reads
        ]
        self.derived = {q: hit - {q} for q, hit in c.affects.items()}
        self.order = {q.id: i for i, q in enumerate(rubric.questions)}
        self._candidates: dict[str, list[Any]] = {}
        self.cache: dict[Any, Bounds] = {}
        # The exact integer scale of every weight and weighted score (dyadic floats).
        denominators = [1]
        for d, _ in self.dims:
            scores = [*d.scores.values(), *(b.score for b in d.bands)]
            scores += [c.score for c in d.cases] + ([d.unknown.score] if d.unknown else [])
            for value in [d.weight, *(d.weight * x for x in scores)]:
                denominators.append(float(value).as_integer_ratio()[1])
        self.scale = math.lcm(*denominators)
        self.questions = [(q, c.applies[q.id]) for q in rubric.questions]

    def effective(self, given: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """Effective answers (as scoring computes them) and the open questions that apply."""
        out = dict(given)
        default_of = self.compiled.default_of
        for q, _ in self.questions:
            if q.id not in out and not q.required:
                out[q.id] = default_of(q.id, out)
        eff: dict[str, Any] = {}
        open_now: list[str] = []
        for q, test in self.questions:
            hit = True if test is None else test(out)
            if hit is False:
                continue
            if q.id in out:
                eff[q.id] = out[q.id]
            elif q.required and hit is True:
                open_now.append(q.id)
        return eff, open_now

    def solve(
        self, given: dict[str, Any], rule_ids: tuple[int, ...], dim_ids: tuple[int, ...]
    ) -> Table:
        eff, open_now = self.effective(given)
        open_set = frozenset(open_now)
        nb = nc = 0
        unsettled: list[int] = []
        for i in rule_ids:
            movers = self.rule_movers[i] & open_set
            value = self.rules[i][1](eff)
            if movers and (
                value is None or any(self.derived[q] & self.rule_reads[i] for q in movers)
            ):
                unsettled.append(i)
            elif value is True:
                if self.blocker[i]:
                    nb += 1
                else:
                    nc += 1
        wsum = wtotal = 0
        variable: list[int] = []
        for j in dim_ids:
            if self.dim_movers[j] & open_set:
                variable.append(j)
                continue
            w = self.dims[j][0].weight
            s = self.dims[j][1](eff)[0]
            if s is not None and w > 0:
                wsum += self.exact(w * s)
                wtotal += self.exact(w)
        table: Table = {(nb, nc, wtotal): (wsum, wsum)}
        if not unsettled and not variable:
            return table
        # Group the open questions that matter: those sharing a rule or a dimension.
        parent: dict[str, str] = {}

        def find(q: str) -> str:
            while parent[q] != q:
                parent[q] = parent[parent[q]]
                q = parent[q]
            return q

        groups: list[frozenset[str]] = [self.rule_movers[i] & open_set for i in unsettled]
        groups += [self.dim_movers[j] & open_set for j in variable]
        for g in groups:
            members = sorted(g)
            for q in members:
                parent.setdefault(q, q)
            for q in members[1:]:
                parent[find(q)] = find(members[0])
        components: dict[str, tuple[list[int], list[int]]] = {}
        for i in unsettled:
            root = find(next(iter(self.rule_movers[i] & open_set)))
            components.setdefault(root, ([], []))[0].append(i)
        for j in variable:
            root = find(next(iter(self.dim_movers[j] & open_set)))
            components.setdefault(root, ([], []))[1].append(j)
        for root, (rules, dims) in components.items():
            members = [q for q in parent if find(q) == root]
            branch = self._pick(members, rules)
            part: Table = {}
            for value in self.candidates(self.rubric.by_id[branch]):
                sub = self.solve({**given, branch: value}, tuple(rules), tuple(dims))
                for key, (low, high) in sub.items():
                    seen = part.get(key)
                    part[key] = (
                        (low, high) if seen is None else (min(seen[0], low), max(seen[1], high))
                    )
            table = _combine(table, part)
        return table

    def exact(self, value: float) -> int:
        n, d = float(value).as_integer_ratio()
        return n * (self.scale // d)

    def _pick(self, members: list[str], rules: list[int]) -> str:
        """Branch first on the open question that most undecided rules can move."""

        def weight(q: str) -> tuple[int, int]:
            return (-sum(1 for i in rules if q in self.rule_movers[i]), self.order[q])

        return min(members, key=weight)

    def candidates(self, q: Question) -> list[Any]:
        """Answers that cover every distinction the rubric makes about ``q``."""
        found = self._candidates.get(q.id)
        if found is None:
            found = self._candidates[q.id] = _candidates(self.rubric, q)
        return found


def _combine(a: Table, b: Table) -> Table:
    out: Table = {}
    for (nb1, nc1, t1), (lo1, hi1) in a.items():
        for (nb2, nc2, t2), (lo2, hi2) in b.items():
            key = (nb1 + nb2, nc1 + nc2, t1 + t2)
            low, high = lo1 + lo2, hi1 + hi2
            seen = out.get(key)
            out[key] = (low, high) if seen is None else (min(seen[0], low), max(seen[1], high))
    return out


def _candidates(rubric: Rubric, q: Question) -> list[Any]:
    if q.type == "choice":
        values: list[Any] = [o.value for o in q.options]
    elif q.type == "multi":
        values = _selections(rubric, q)
    elif q.type == "boolean":
        values = [False, True]
    elif q.type in ("number", "fraction"):
        values = _numbers(rubric, q)
    else:
        tested = {v for cond in _conditions_reading(rubric, q.id) for v in cond.tested_values()}
        values = sorted(str(v) for v in tested if isinstance(v, str))
        other = "(other)"
        while other in values:
            other += "_"
        values.append(other)
    if q.nullable:
        values.append(None)
    return values


def _selections(rubric: Rubric, q: Question) -> list[Any]:
    """Answers of a multi question that cover every distinction its tests make: each subset
    of the options a condition names (alone, and with every other option added), and the
    exclusive option alone. Options no condition names only count through the others."""
    import itertools

    named: set[str] = set()
    for cond in _conditions_reading(rubric, q.id):
        named.update(x for x in [cond.contains] if x)
        named.update(cond.contains_any or [])
        named.update(cond.contains_all or [])
    plain = [o.value for o in q.options if not o.exclusive]
    tested = [v for v in plain if v in named]
    others = [v for v in plain if v not in named]
    out: list[Any] = []
    for size in range(len(tested) + 1):
        for subset in itertools.combinations(tested, size):
            out.append(list(subset))
            if others:
                out.append(list(subset) + others)
    out.extend([o.value] for o in q.options if o.exclusive)
    return out


def _numbers(rubric: Rubric, q: Question) -> list[Any]:
    """One value in each interval the rubric's comparisons and bands cut the range into."""
    low = q.min if q.min is not None else (0.0 if q.type == "fraction" else None)
    high = q.max if q.max is not None else (1.0 if q.type == "fraction" else None)
    cuts: set[float] = set()
    for cond in _conditions_reading(rubric, q.id):
        for name in ("gt", "gte", "lt", "lte"):
            v = getattr(cond, name)
            if v is not None and name in cond.model_fields_set:
                cuts.add(float(v))
        for v in cond.tested_values():
            if isinstance(v, int | float) and not isinstance(v, bool):
                cuts.add(float(v))
    for d in rubric.dimensions:
        if d.question == q.id:
            cuts.update(float(b.max) for b in d.bands)
    points: set[float] = set()
    for c in cuts:
        points.update((c, math.nextafter(c, math.inf), math.nextafter(c, -math.inf)))
    if low is not None:
        points.add(float(low))
    if high is not None:
        points.add(float(high))
    if not points:
        points.add(0.0)
    return sorted(p for p in points if (low is None or p >= low) and (high is None or p <= high))


def _conditions_reading(rubric: Rubric, qid: str) -> list[Any]:
    """Every answer test on ``qid`` anywhere in the rubric."""
    out: list[Any] = []

    def walk(cond: Any) -> None:
        if cond is None:
            return
        if cond.answer == qid:
            out.append(cond)
        for child in (cond.all or []) + (cond.any or []):
            walk(child)
        walk(cond.not_)

    for r in rubric.rules:
        walk(r.when)
    for q in rubric.questions:
        walk(q.applies_when)
        for d in q.default_when:
            walk(d.when)
    for dim in rubric.dimensions:
        for case in dim.cases:
            walk(case.when)
    return out
