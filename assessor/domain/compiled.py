"""The rule engine: a rubric's conditions compiled once to plain functions.

The schema (:mod:`assessor.domain.rubric`) says what a rubric may contain; this module turns a
validated rubric into what scoring runs: condition tests, dimension evaluators, pattern
parameter plans, and the read-sets that let a counterfactual re-evaluate only what a changed
answer can affect.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from assessor.domain.conditions import Compiled
from assessor.domain.rubric import (
    AnswerCheck,
    Case,
    Dimension,
    ParamBy,
    ParamIf,
    Pattern,
    Question,
    ReviewAll,
    Rubric,
    Rule,
)


class CompiledRubric:
    """A rubric's conditions compiled once to plain functions, and what each part reads.

    Scoring runs the conditions many times (counterfactuals try dozens of answer changes per
    assessment), so they are compiled once per rubric. The read-sets let a counterfactual
    re-evaluate only the rules and dimensions that a changed answer can affect.
    """

    def __init__(self, rubric: Rubric) -> None:
        self.applies: dict[str, Compiled | None] = {
            q.id: q.applies_when.compile() if q.applies_when else None for q in rubric.questions
        }
        self.rules: list[tuple[Rule, Compiled]] = [(r, r.when.compile()) for r in rubric.rules]
        self.evidence_rules: list[Compiled | None] = [
            r.when.compile() if r.when else None for r in rubric.evidence.rules
        ]
        self.cases: dict[str, list[tuple[Case, Compiled]]] = {
            d.id: [(c, c.when.compile()) for c in d.cases] for d in rubric.dimensions
        }
        self.patterns: list[tuple[Pattern, Compiled | None]] = [
            (p, p.when.compile() if p.when else None) for p in rubric.patterns
        ]
        self.defaults: dict[str, tuple[Any, list[tuple[Any, Compiled]]]] = {
            q.id: (q.default, [(d.value, d.when.compile()) for d in q.default_when])
            for q in rubric.questions
        }
        self.pattern_params: dict[str, list[tuple[str, str, Any]]] = {
            p.id: [_param_plan(key, value) for key, value in p.params.items()]
            for p in rubric.patterns
        }
        """Each pattern's params as (key, kind, payload): kind is "if" (payload: compiled
        test, then, else), "by" (question, values, default), "ref" (computed name) or
        "value"."""
        self.param_ifs: dict[tuple[str, str], Compiled] = {
            (p.id, k): v.if_.compile()
            for p in rubric.patterns
            for k, v in p.params.items()
            if isinstance(v, ParamIf)
        }
        consistency = rubric.consistency
        self.review_all: list[tuple[ReviewAll, Compiled]] = [
            (r, r.when.compile()) for r in consistency.review_all
        ]
        """Where every output must be reviewed (``${review_all}``, the cost model's policy)."""
        self.warnings: list[tuple[AnswerCheck, Compiled, tuple[str, ...]]] = [
            (w, w.when.compile(), tuple(sorted(set(w.when.questions()))))
            for w in consistency.warnings
        ]
        """Contradictory answers, with the questions each check reads."""
        self.contrary: dict[str, list[tuple[list[Any], Compiled]]] = {}
        """Per question: (values, where changing to them is contrary to the use case)."""
        for x in consistency.contrary:
            self.contrary.setdefault(x.answer, []).append((list(x.to), x.when.compile()))
        by_id = {q.id: q for q in rubric.questions}
        self.dimensions: list[tuple[Dimension, DimensionEvaluator]] = [
            (
                d,
                _compile_dimension(
                    d, by_id.get(d.question) if d.question else None, self.cases[d.id]
                ),
            )
            for d in rubric.dimensions
        ]

        # What a changed answer can alter: itself, and (transitively) the questions whose
        # default or applicability reads it.
        readers: dict[str, set[str]] = {q.id: set() for q in rubric.questions}
        for q in rubric.questions:
            conds = [d.when for d in q.default_when]
            if q.applies_when is not None:
                conds.append(q.applies_when)
            for cond in conds:
                for read in cond.questions():
                    readers.setdefault(read, set()).add(q.id)
        self.affects: dict[str, frozenset[str]] = {}
        for qid in readers:
            seen, todo = {qid}, [qid]
            while todo:
                for nxt in readers.get(todo.pop(), ()):
                    if nxt not in seen:
                        seen.add(nxt)
                        todo.append(nxt)
            self.affects[qid] = frozenset(seen)
        self.rule_blocker: list[bool] = [r.kind == "blocker" for r in rubric.rules]
        self.rule_reads: list[frozenset[str]] = [
            frozenset(r.when.questions()) for r in rubric.rules
        ]
        self.rule_reads_ordered: list[tuple[str, ...]] = [tuple(sorted(r)) for r in self.rule_reads]
        self.dimension_reads: list[frozenset[str]] = [
            frozenset(
                ([d.question] if d.question else [])
                + [x for c in d.cases for x in c.when.questions()]
            )
            for d in rubric.dimensions
        ]
        self.changeable: dict[str, list[Any]] = {
            q.id: q.values for q in rubric.questions if q.changeable and q.values
        }
        """Questions a team can change, with the values counterfactuals try (rubric order)."""
        self._touched: dict[tuple[str, ...], Touch] = {}
        self.order: list[str] = [q.id for q in rubric.questions]
        self.applicability_inputs: frozenset[str] = frozenset(
            x for q in rubric.questions if q.applies_when for x in q.applies_when.questions()
        )
        self.rule_movers: list[frozenset[str]] = [
            frozenset(q for q, hit in self.affects.items() if hit & reads)
            for reads in self.rule_reads
        ]

    def default_of(self, question_id: str, answers: dict[str, Any]) -> Any:
        default, rules = self.defaults[question_id]
        for value, test in rules:
            if test(answers):
                return value
        return default

    def touched(self, changed: Iterable[str]) -> Touch:
        """What changing these questions can alter (cached per set of question ids)."""
        key = tuple(sorted(changed))
        found = self._touched.get(key)
        if found is None:
            hit: frozenset[str] = frozenset().union(*(self.affects.get(q, {q}) for q in key))
            found = self._touched[key] = Touch(
                rules=[i for i, reads in enumerate(self.rule_reads) if reads & hit],
                dimensions=[i for i, reads in enumerate(self.dimension_reads) if reads & hit],
                derived=[q for q in self.order if q in hit and q not in key],
                reshapes=bool(hit & self.applicability_inputs),
            )
        return found


@dataclass(frozen=True)
class Touch:
    """What a change to some answers can alter."""

    rules: list[int]
    """Indexes of the rules that read a changed or derived question."""
    dimensions: list[int]
    """Indexes of the dimensions that do."""
    derived: list[str]
    """Other questions whose default depends on a changed one, in rubric order."""
    reshapes: bool
    """Whether the change can alter which questions apply."""


def _param_plan(key: str, value: Any) -> tuple[str, str, Any]:
    if isinstance(value, ParamIf):
        return key, "if", (value.if_.compile(), value.then, value.else_)
    if isinstance(value, ParamBy):
        return key, "by", (value.by, value.values, value.default)
    if isinstance(value, str) and value.startswith("${") and value.endswith("}"):
        return key, "ref", value[2:-1]
    return key, "value", value


DimensionEvaluator = Callable[[Mapping[str, Any]], tuple[int | None, str]]


def _compile_dimension(
    d: Dimension, question: Question | None, compiled_cases: list[tuple[Case, Compiled]]
) -> DimensionEvaluator:
    """A dimension as a function of the answers: (score, level); (None, "open") when open."""
    cases = [(c.score, c.level, test) for c, test in compiled_cases]
    key = d.question
    bands = [(b.max, b.score, b.level) for b in d.bands]
    scores = dict(d.scores)
    unknown = (d.unknown.score, d.unknown.level) if d.unknown is not None else (None, "open")
    is_choice = question is not None and question.type == "choice"

    def evaluate(answers: Mapping[str, Any]) -> tuple[int | None, str]:
        for score, level, test in cases:
            if test(answers):
                return score, level
        if key is None or key not in answers:
            return None, "open"
        value = answers[key]
        if value is None:
            return unknown
        if bands and isinstance(value, int | float) and not isinstance(value, bool):
            for top, score, level in bands:
                if value <= top:
                    return score, level
            return None, "open"
        name = str(value).lower() if isinstance(value, bool) else str(value)
        if name in scores:
            assert question is not None
            return scores[name], str(value) if is_choice else question.label_of(value)
        return None, "open"

    return evaluate
