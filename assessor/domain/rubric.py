"""The rubric: questions, dimensions, rules and patterns, all loaded from data.

A rubric file is the whole of the readiness policy. Adding a question, a rule or a pattern is a
YAML edit; this module only defines the shapes and checks that the pieces refer to each other
correctly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from assessor.domain.conditions import Compiled, Condition

Verdict = Literal["ready", "conditional", "not_ready"]
VERDICTS: tuple[Verdict, ...] = ("not_ready", "conditional", "ready")
"""Worst first: the index is the verdict's rank."""

QuestionType = Literal["choice", "boolean", "number", "fraction", "text"]
IDENT = r"^[a-z][a-z0-9_]*$"
RULE_ID = r"^[a-z][a-z0-9_-]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


class Option(_Strict):
    """One allowed value of a choice question."""

    value: str
    label: str
    help: str = ""


class DefaultRule(_Strict):
    when: Condition
    value: Any


class Question(_Strict):
    """A question of the assessment; its id is the key under ``answers``."""

    id: str = Field(pattern=IDENT)
    prompt: str
    """What the interactive assessment asks."""
    label: str = ""
    """A short name for summaries and tables ("Human oversight"); the prompt when empty."""
    help: str = ""
    """One or two sentences that help a team answer truthfully."""
    guide: str = ""
    """The guide sentence this question exists for."""
    section: str = "Use case"
    type: QuestionType
    options: list[Option] = []
    required: bool = False
    """A complete assessment must answer it (where it applies)."""
    nullable: bool = False
    """``null`` is a valid answer meaning "unknown" (error rate)."""
    default: Any = None
    """Used for scoring when the question is not answered and not required."""
    default_when: list[DefaultRule] = []
    """Defaults that depend on other answers; the first that holds wins over ``default``."""
    applies_when: Condition | None = None
    """Asked only where this holds; otherwise skipped and ignored."""
    min: float | None = None
    max: float | None = None
    unit: str = ""
    changeable: bool = True
    """The team can change this answer by design work; only those appear in ``to_improve``."""
    try_values: list[Any] = []
    """For number and fraction questions: the values ``to_improve`` tries."""

    @model_validator(mode="after")
    def _check(self) -> Question:
        if self.type == "choice" and not self.options:
            raise ValueError("a choice question needs options")
        if self.type != "choice" and self.options:
            raise ValueError("only choice questions have options")
        values = [o.value for o in self.options]
        if len(set(values)) != len(values):
            raise ValueError("option values must be unique")
        return self

    @property
    def short(self) -> str:
        """The label, or the prompt without its question mark."""
        return self.label or self.prompt.rstrip("?")

    @property
    def values(self) -> list[Any]:
        """The candidate answers for counterfactuals (all options, booleans, try_values)."""
        if self.type == "choice":
            return [o.value for o in self.options]
        if self.type == "boolean":
            return [False, True]
        return list(self.try_values)

    def label_of(self, value: Any) -> str:
        for o in self.options:
            if o.value == value:
                return o.label
        if value is None:
            return "unknown"
        if isinstance(value, bool):
            return "yes" if value else "no"
        if self.type == "fraction" and isinstance(value, int | float):
            return f"{value * 100:g}%"
        return str(value)


class Band(_Strict):
    """A numeric range of an answer mapped to a score: the first band with ``value <= max``."""

    max: float
    score: int = Field(ge=0, le=100)
    level: str


class Case(_Strict):
    when: Condition
    score: int = Field(ge=0, le=100)
    level: str


class Unknown(_Strict):
    score: int = Field(ge=0, le=100)
    level: str = "unknown"


class Dimension(_Strict):
    """A scored axis of readiness, such as the cost of an error or evaluation maturity."""

    id: str = Field(pattern=IDENT)
    title: str
    help: str = ""
    weight: float = Field(default=1.0, ge=0)
    question: str | None = None
    """The answer this dimension reads (with ``scores`` or ``bands``)."""
    scores: dict[str, int] = {}
    """Score by answer value (booleans as ``"true"``/``"false"``)."""
    bands: list[Band] = []
    cases: list[Case] = []
    """Checked first, in order: the first that holds gives the score and level."""
    unknown: Unknown | None = None
    """Score when the answer is null (unknown); without it, an unknown answer is 'open'."""

    @field_validator("scores")
    @classmethod
    def _scores(cls, value: dict[str, int]) -> dict[str, int]:
        for name, score in value.items():
            if not 0 <= score <= 100:
                raise ValueError(f"score of {name!r} must be 0..100")
        return value

    @model_validator(mode="after")
    def _check(self) -> Dimension:
        if not (self.question or self.cases):
            raise ValueError("a dimension needs a question or cases")
        if self.question and not (self.scores or self.bands or self.cases):
            raise ValueError("a dimension with a question needs scores, bands or cases")
        return self


class Rule(_Strict):
    """A blocker or condition, with the guide sentence it cites and how to fix it."""

    id: str = Field(pattern=RULE_ID)
    kind: Literal["blocker", "condition"]
    title: str
    when: Condition
    reason: str
    """Why this matters for this use case; ``{answer_id}`` placeholders are filled in."""
    guide: str
    """The guide sentence the rule encodes, quoted."""
    fix: str
    """What to change to clear the finding."""


class ParamIf(_Strict):
    if_: Condition = Field(alias="if")
    then: Any
    else_: Any = Field(default=None, alias="else")


class ParamBy(_Strict):
    """A parameter looked up by the answer to one question."""

    by: str
    values: dict[str, Any]
    default: Any = None


class Pattern(_Strict):
    """An architecture pattern the scaffold can wire in, and when the rubric recommends it."""

    id: str = Field(pattern=IDENT)
    title: str
    when: Condition | None = None
    """Recommended when this holds; always when omitted."""
    reason: str
    guide: str = ""
    params: dict[str, Any] = {}
    """Literals, ``${name}`` references to computed values, ``{if, then, else}`` or
    ``{by, values, default}``. Computed names: confidence_threshold, review_sample_rate,
    max_error_rate, cache_ttl_seconds."""

    @field_validator("params")
    @classmethod
    def _params(cls, value: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, v in value.items():
            if isinstance(v, dict) and "if" in v:
                out[key] = ParamIf.model_validate(v)
            elif isinstance(v, dict) and "by" in v:
                out[key] = ParamBy.model_validate(v)
            else:
                out[key] = v
        return out


class ByLevel(_Strict):
    """Policy values looked up by the answer to one question (``error_cost`` by default)."""

    key: str = "error_cost"
    max_error_rate: dict[str, float]
    """Highest acceptable error rate of outputs that take effect, for monitoring."""
    review_sample_rate: dict[str, float]
    """Share of confident outputs sampled for review, for an unbiased error estimate."""
    cost_per_error: dict[str, float]
    """Default currency units lost per wrong output, when the assessment gives none."""
    cache_ttl_seconds: dict[str, int] = {}


class CostDefaults(_Strict):
    cost_per_review: float = Field(default=2.0, ge=0)
    volume_per_day: float = Field(default=1000, ge=0)
    assumed_error_rate: float = Field(default=0.05, gt=0, lt=1)
    """Error rate the cost model assumes when the assessment says it is unknown."""
    confidence_concentration: float = Field(default=8.0, gt=0)
    """How spread per-output error probabilities are (Beta concentration); see costmodel."""
    min_threshold: float = Field(default=0.5, ge=0, le=1)
    max_threshold: float = Field(default=0.99, ge=0, le=1)


class Scoring(_Strict):
    bands: dict[Verdict, tuple[int, int]] = {
        "not_ready": (0, 39),
        "conditional": (40, 69),
        "ready": (70, 100),
    }
    """Score range of each verdict; the ranges must not overlap and must keep the order."""
    finding_penalty: float = Field(default=0.9, gt=0, le=1)
    """Each blocker (or condition, for a conditional verdict) multiplies the base by this."""

    @model_validator(mode="after")
    def _ordered(self) -> Scoring:
        if set(self.bands) != set(VERDICTS):
            raise ValueError("bands must name not_ready, conditional and ready")
        last = -1
        for verdict in VERDICTS:
            lo, hi = self.bands[verdict]
            if not (0 <= lo <= hi <= 100) or lo <= last:
                raise ValueError("bands must be within 0..100, ordered and not overlap")
            last = hi
        return self


class Rubric(_Strict):
    """A complete readiness rubric."""

    id: str = Field(pattern=RULE_ID)
    version: str
    title: str
    description: str = ""
    guide_title: str = ""
    """Where the cited guide sentences come from."""
    questions: list[Question]
    dimensions: list[Dimension]
    rules: list[Rule]
    patterns: list[Pattern]
    policy: ByLevel
    costs: CostDefaults = CostDefaults()
    scoring: Scoring = Scoring()

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, value: Any) -> Any:
        return (
            str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value
        )

    @model_validator(mode="after")
    def _references(self) -> Rubric:
        problems: list[str] = []
        by_id: dict[str, Question] = {}
        for i, q in enumerate(self.questions):
            if q.id in by_id:
                problems.append(f"questions[{i}]: duplicate question id {q.id!r}")
            by_id[q.id] = q

        def check(cond: Condition | None, where: str) -> None:
            if cond is not None:
                _check_condition(cond, by_id, where, problems)

        for i, q in enumerate(self.questions):
            check(q.applies_when, f"questions[{i}].applies_when")
            for j, rule in enumerate(q.default_when):
                check(rule.when, f"questions[{i}].default_when[{j}].when")
        for i, d in enumerate(self.dimensions):
            if d.question and d.question not in by_id:
                problems.append(f"dimensions[{i}].question: unknown question {d.question!r}")
            for j, c in enumerate(d.cases):
                check(c.when, f"dimensions[{i}].cases[{j}].when")
        seen: set[str] = set()
        for i, r in enumerate(self.rules):
            if r.id in seen:
                problems.append(f"rules[{i}].id: duplicate rule id {r.id!r}")
            seen.add(r.id)
            check(r.when, f"rules[{i}].when")
        seen = set()
        for i, p in enumerate(self.patterns):
            if p.id in seen:
                problems.append(f"patterns[{i}].id: duplicate pattern id {p.id!r}")
            seen.add(p.id)
            check(p.when, f"patterns[{i}].when")
            for key, v in p.params.items():
                if isinstance(v, ParamIf):
                    check(v.if_, f"patterns[{i}].params.{key}.if")
                if isinstance(v, ParamBy) and v.by not in by_id:
                    problems.append(f"patterns[{i}].params.{key}.by: unknown question {v.by!r}")
        if self.policy.key not in by_id:
            problems.append(f"policy.key: unknown question {self.policy.key!r}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @cached_property
    def by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}

    @cached_property
    def compiled(self) -> CompiledRubric:
        return CompiledRubric(self)

    def applies(self, question: Question, answers: Mapping[str, Any]) -> bool | None:
        """Whether ``question`` applies given ``answers``: None while that depends on an
        unanswered question."""
        test = self.compiled.applies[question.id]
        return True if test is None else test(answers)

    def applicable(self, answers: dict[str, Any]) -> list[Question]:
        """The questions that apply given the answers so far (unknown applicability counts)."""
        out = []
        for q in self.questions:
            test = self.compiled.applies[q.id]
            if test is None or test(answers) is not False:
                out.append(q)
        return out


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
        by_id = {q.id: q for q in rubric.questions}
        self.dimensions: list[tuple[Dimension, DimensionEvaluator]] = [
            (d, _compile_dimension(d, by_id.get(d.question) if d.question else None))
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


def _compile_dimension(d: Dimension, question: Question | None) -> DimensionEvaluator:
    """A dimension as a function of the answers: (score, level); (None, "open") when open."""
    cases = [(c.score, c.level, c.when.compile()) for c in d.cases]
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


def _check_condition(
    cond: Condition, by_id: dict[str, Question], where: str, problems: list[str]
) -> None:
    """Each answer test must name a question, and test a choice question against one of its
    options; problems are located at the test itself (``rules[2].when.all[1].answer``)."""
    if cond.answer is not None:
        q = by_id.get(cond.answer)
        if q is None:
            problems.append(
                f"{where}.answer: unknown question {cond.answer!r}"
                f"{_suggest(cond.answer, list(by_id))}"
            )
        elif q.type == "choice":
            allowed = {o.value for o in q.options}
            for name, values in (
                ("is", [cond.is_] if "is_" in cond.model_fields_set else []),
                ("in", cond.in_ or []),
                ("not_in", cond.not_in or []),
            ):
                for v in values:
                    if v not in allowed:
                        problems.append(
                            f"{where}.{name}: {v!r} is not an option of {q.id!r} "
                            f"(options: {', '.join(sorted(allowed))})"
                        )
    for group, children in (("all", cond.all), ("any", cond.any)):
        for i, child in enumerate(children or []):
            _check_condition(child, by_id, f"{where}.{group}[{i}]", problems)
    if cond.not_ is not None:
        _check_condition(cond.not_, by_id, f"{where}.not", problems)


def _suggest(name: str, choices: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
