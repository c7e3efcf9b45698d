"""The rubric: questions, dimensions, rules and patterns, all loaded from data.

A rubric file is the whole of the readiness policy. Adding a question, a rule or a pattern is a
YAML edit; this module only defines the shapes and checks that the pieces refer to each other
correctly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from assessor.domain.conditions import Condition
from assessor.domain.source import MAX_NUMBER

if TYPE_CHECKING:
    from assessor.domain.compiled import CompiledRubric

Verdict = Literal["ready", "conditional", "not_ready"]
VERDICTS: tuple[Verdict, ...] = ("not_ready", "conditional", "ready")
"""Worst first: the index is the verdict's rank."""

QuestionType = Literal["choice", "multi", "boolean", "number", "fraction", "text"]
IDENT = r"^[a-z][a-z0-9_]*$"
Effort = Literal["low", "medium", "high"]
EFFORTS: tuple[Effort, ...] = ("low", "medium", "high")
"""Least work first: ``to_improve`` lists easier changes first (undeclared counts as medium)."""
RULE_ID = r"^[a-z][a-z0-9_-]*$"


MAX_WEIGHT = 1000.0
"""Largest dimension weight: weights are relative, and bounding them keeps sums finite."""
Finite = Annotated[float, Field(allow_inf_nan=False, ge=-MAX_NUMBER, le=MAX_NUMBER)]
Amount = Annotated[float, Field(allow_inf_nan=False, ge=0, le=MAX_NUMBER)]
"""Money, volumes, seconds: finite, not negative, at most :data:`MAX_NUMBER`."""
Rate = Annotated[float, Field(allow_inf_nan=False, ge=0, le=1)]
Weight = Annotated[float, Field(allow_inf_nan=False, ge=0, le=MAX_WEIGHT)]


class _Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        defer_build=True,
        use_attribute_docstrings=True,
    )


class Option(_Strict):
    """One allowed value of a choice question, or one selectable item of a multi question."""

    value: str
    label: str
    help: str = ""
    fix: str = ""
    """What to do when this option is not chosen (a lens choice's improvement plan)."""
    exclusive: bool = False
    """Multi questions: a "none of these" option, which excludes every other option."""
    effort: Effort | None = None
    """How much work changing the answer to this option takes (wins over the question's)."""


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
    min: Finite | None = None
    max: Finite | None = None
    unit: str = ""
    external_id: str = ""
    """The question's id where it came from (the question id of an imported lens)."""
    changeable: bool = True
    """The team can change this answer by design work; only those appear in ``to_improve``."""
    try_values: list[Any] = []
    """For number and fraction questions: the values ``to_improve`` tries."""
    effort: Effort | None = None
    """How much work changing this answer takes: low, medium or high. ``to_improve`` lists
    the least work first and says how much each change takes."""

    @field_validator("default", "try_values")
    @classmethod
    def _bounded(cls, value: Any) -> Any:
        if not _finite(value):
            raise ValueError(f"numbers must be finite, at most {MAX_NUMBER:g} in magnitude")
        return value

    @model_validator(mode="after")
    def _check(self) -> Question:
        if self.type in ("choice", "multi") and not self.options:
            raise ValueError(f"a {self.type} question needs options")
        if self.type not in ("choice", "multi") and self.options:
            raise ValueError("only choice and multi questions have options")
        values = [o.value for o in self.options]
        if len(set(values)) != len(values):
            raise ValueError("option values must be unique")
        if self.type != "multi" and any(o.exclusive for o in self.options):
            raise ValueError("only options of multi questions can be exclusive")
        if sum(o.exclusive for o in self.options) > 1:
            raise ValueError("a multi question has at most one exclusive option")
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
        if self.type == "multi":
            # Selecting every practice the question lists (or the rubric's own try_values).
            every = [o.value for o in self.options if not o.exclusive]
            return list(self.try_values) or ([every] if every else [])
        if self.type == "boolean":
            return [False, True]
        return list(self.try_values)

    def effort_of(self, value: Any) -> Effort | None:
        """The declared effort of changing this answer to ``value`` (option, then question)."""
        for o in self.options:
            if o.value == value and o.effort is not None:
                return o.effort
        return self.effort

    def label_of(self, value: Any) -> str:
        if self.type == "multi" and isinstance(value, list | tuple):
            labels = {o.value: o.label for o in self.options}
            return ", ".join(labels.get(v, str(v)) for v in value) or "none selected"
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
    """May be ``.inf`` (every value up to infinity); never NaN."""
    score: int = Field(ge=0, le=100)
    level: str

    @field_validator("max")
    @classmethod
    def _not_nan(cls, value: float) -> float:
        if value != value:
            raise ValueError("must be a number, not NaN")
        return value


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
    external_id: str = ""
    """The dimension's id where it came from (the pillar id of an imported lens)."""
    weight: Weight = 1.0
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
    max_error_rate, cache_ttl_seconds, review_all (whether ``consistency.review_all``
    holds)."""

    @field_validator("params")
    @classmethod
    def _params(cls, value: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, v in value.items():
            if not _finite(v):
                raise ValueError(f"{key}: numbers must be finite, at most {MAX_NUMBER:g}")
            if isinstance(v, dict) and "if" in v:
                out[key] = ParamIf.model_validate(v)
            elif isinstance(v, dict) and "by" in v:
                out[key] = ParamBy.model_validate(v)
            else:
                out[key] = v
        return out


def _finite(value: Any) -> bool:
    """No NaN, no infinity and no number beyond :data:`MAX_NUMBER`, at any depth."""
    if isinstance(value, bool):
        return True
    if isinstance(value, int | float):
        return value == value and abs(value) <= MAX_NUMBER
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, list | tuple):
        return all(_finite(v) for v in value)
    return True


class ByLevel(_Strict):
    """Policy values looked up by the answer to one question (``error_cost`` by default)."""

    key: str = "error_cost"
    max_error_rate: dict[str, Rate]
    """Highest acceptable error rate of outputs that take effect, for monitoring."""
    review_sample_rate: dict[str, Rate]
    """Share of confident outputs sampled for review, for an unbiased error estimate."""
    cost_per_error: dict[str, Amount]
    """Default currency units lost per wrong output, when the assessment gives none."""
    cache_ttl_seconds: dict[str, Annotated[int, Field(ge=0, le=10**9)]] = {}


class CostDefaults(_Strict):
    cost_per_review: Amount = 2.0
    volume_per_day: Amount = 1000
    assumed_error_rate: float = Field(default=0.05, gt=0, lt=1, allow_inf_nan=False)
    """Error rate the cost model assumes when the assessment says it is unknown."""
    confidence_concentration: float = Field(default=8.0, gt=0, le=1e6, allow_inf_nan=False)
    """How spread per-output error probabilities are (Beta concentration); see costmodel."""
    min_threshold: Rate = 0.5
    max_threshold: Rate = 0.99
    currency: str = Field(default="", max_length=12)
    """Currency of the cost figures (such as EUR), shown in reports; ``--currency`` overrides."""


class EvidenceRule(_Strict):
    """A finding about the measured evidence itself (too few cases, too old).

    ``reason`` and ``fix`` may use ``{n}``, ``{errors}``, ``{rate}``, ``{upper}``,
    ``{age_days}``, ``{min_cases}`` and ``{max_age_days}``.
    """

    id: str = Field(pattern=RULE_ID)
    kind: Literal["blocker", "condition"] = "condition"
    test: Literal["too_few_cases", "stale"]
    """``too_few_cases``: fewer than ``min_cases`` cases; ``stale``: measured more than
    ``max_age_days`` days ago."""
    when: Condition | None = None
    """Checked only where this holds (always when omitted)."""
    title: str
    reason: str
    guide: str
    fix: str


class EvidencePolicy(_Strict):
    """How measured evidence (``assessor evidence add``) is recorded and judged."""

    question: str = "error_rate"
    """The answer a measurement sets (a fraction question)."""
    source_question: str = "error_rate_source"
    """The answer set to ``measured`` alongside it."""
    max_age_days: int = Field(default=90, ge=1)
    """Evidence measured longer ago than this is stale."""
    min_cases: int = Field(default=100, ge=1)
    """Fewer cases than this are too few for a measurement to count."""
    rules: list[EvidenceRule] = []


class ReviewAll(_Strict):
    """Where every output must be reviewed by a person before it takes effect.

    While one holds, the human-fallback pattern's ``review_all`` (``${review_all}``) is true
    and the cost model prices review of every output, whatever is cheaper, and says why."""

    id: str = Field(pattern=RULE_ID)
    when: Condition
    reason: str
    """Why every output is reviewed; ``{answer_id}`` placeholders are filled in."""
    rule: str = ""
    """The rule (id) whose guide or fix asks for it, named with the reason."""


class AnswerCheck(_Strict):
    """Answers that contradict each other: a warning on every surface, not a finding (the
    verdict does not change)."""

    id: str = Field(pattern=RULE_ID)
    title: str
    when: Condition
    message: str
    """What contradicts what, and what to answer; ``{answer_id}`` placeholders are filled in."""
    guide: str = ""
    """The guide sentence the answers are read against, if any."""


class Contrary(_Strict):
    """Answer changes ``to_improve`` never suggests where they would defeat the use case
    (a suggestion for a person to take or leave, where customers get the answer live)."""

    id: str = Field(pattern=RULE_ID)
    answer: str
    """The question whose answer would change."""
    to: list[Any] = Field(min_length=1)
    """The values it is not changed to."""
    when: Condition
    """Where the change is contrary to the use case (read on the answers as given)."""
    reason: str


class Consistency(_Strict):
    """What the answers imply beyond the rules: review of every output, contradictions,
    and changes contrary to the use case."""

    review_all: list[ReviewAll] = []
    warnings: list[AnswerCheck] = []
    contrary: list[Contrary] = []


class Scoring(_Strict):
    bands: dict[Verdict, tuple[int, int]] = {
        "not_ready": (0, 39),
        "conditional": (40, 69),
        "ready": (70, 100),
    }
    """Score range of each verdict; the ranges must not overlap and must keep the order."""
    finding_penalty: float = Field(default=0.9, gt=0, le=1, allow_inf_nan=False)
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
    policy: ByLevel | None = None
    """Policy values by level; without it, no cost model or level-based parameters (a
    rubric imported from a lens has none)."""
    costs: CostDefaults = CostDefaults()
    scoring: Scoring = Scoring()
    evidence: EvidencePolicy = EvidencePolicy()
    """How measured results are recorded and judged (``assessor evidence add``)."""
    consistency: Consistency = Consistency()
    """Review of every output, contradictory answers and changes contrary to the use case."""

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
            elif d.question and by_id[d.question].type == "multi" and (d.scores or d.bands):
                problems.append(
                    f"dimensions[{i}].question: {d.question!r} is a multi question: "
                    "score it with cases (contains, contains_any, contains_all)"
                )
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
                ref = v[2:-1] if isinstance(v, str) and v[:2] == "${" and v[-1:] == "}" else None
                if ref is not None and ref not in COMPUTED:
                    problems.append(
                        f"patterns[{i}].params.{key}: unknown computed value {v!r} "
                        f"(known: {', '.join(sorted(COMPUTED))})"
                    )
        if "evidence" in self.model_fields_set:
            for name in ("question", "source_question"):
                ref = getattr(self.evidence, name)
                if ref not in by_id:
                    problems.append(f"evidence.{name}: unknown question {ref!r}")
            rule_ids = {r.id for r in self.rules}
            for i, er in enumerate(self.evidence.rules):
                if er.id in rule_ids:
                    problems.append(f"evidence.rules[{i}].id: duplicate rule id {er.id!r}")
                rule_ids.add(er.id)
                check(er.when, f"evidence.rules[{i}].when")
        _check_consistency(self, by_id, check, problems)
        if self.policy is not None and self.policy.key not in by_id:
            problems.append(f"policy.key: unknown question {self.policy.key!r}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @cached_property
    def by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}

    @cached_property
    def compiled(self) -> CompiledRubric:
        from assessor.domain.compiled import CompiledRubric

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


COMPUTED = frozenset(
    {
        "confidence_threshold",
        "review_sample_rate",
        "max_error_rate",
        "cache_ttl_seconds",
        "review_all",
    }
)
"""The names a pattern parameter can reference as ``${name}``."""


def _check_consistency(
    rubric: Rubric,
    by_id: dict[str, Question],
    check: Callable[[Condition | None, str], None],
    problems: list[str],
) -> None:
    """The ``consistency`` section: ids unique, conditions and references resolved."""
    rules = {r.id for r in rubric.rules}
    c = rubric.consistency
    sections: list[tuple[str, Sequence[ReviewAll | AnswerCheck | Contrary]]] = [
        ("review_all", c.review_all),
        ("warnings", c.warnings),
        ("contrary", c.contrary),
    ]
    for name, entries in sections:
        seen: set[str] = set()
        for i, entry in enumerate(entries):
            where = f"consistency.{name}[{i}]"
            if entry.id in seen:
                problems.append(f"{where}.id: duplicate id {entry.id!r}")
            seen.add(entry.id)
            check(entry.when, f"{where}.when")
    for i, r in enumerate(c.review_all):
        if r.rule and r.rule not in rules:
            problems.append(
                f"consistency.review_all[{i}].rule: unknown rule {r.rule!r}"
                f"{_suggest(r.rule, sorted(rules))}"
            )
    for i, x in enumerate(c.contrary):
        q = by_id.get(x.answer)
        if q is None:
            problems.append(
                f"consistency.contrary[{i}].answer: unknown question {x.answer!r}"
                f"{_suggest(x.answer, list(by_id))}"
            )
            continue
        if q.type == "choice":
            allowed = {o.value for o in q.options}
            for j, v in enumerate(x.to):
                if v not in allowed:
                    problems.append(
                        f"consistency.contrary[{i}].to[{j}]: {v!r} is not an option of "
                        f"{q.id!r} (options: {', '.join(sorted(allowed))})"
                    )


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
            return
        uses_contains = (
            cond.contains is not None
            or cond.contains_any is not None
            or cond.contains_all is not None
        )
        if uses_contains and q.type != "multi":
            problems.append(
                f"{where}.answer: contains tests read multi questions, and {q.id!r} is a "
                f"{q.type} question"
            )
        elif q.type in ("choice", "multi"):
            allowed = {o.value for o in q.options}
            if q.type == "multi":
                for name in ("is_", "in_", "not_in", "gt", "gte", "lt", "lte"):
                    if name in cond.model_fields_set:
                        problems.append(
                            f"{where}.{name.rstrip('_')}: {q.id!r} is a multi question (a list "
                            "of options): test it with contains, contains_any or contains_all"
                        )
            for name, values in (
                ("is", [cond.is_] if "is_" in cond.model_fields_set else []),
                ("in", cond.in_ or []),
                ("not_in", cond.not_in or []),
                ("contains", [cond.contains] if cond.contains is not None else []),
                ("contains_any", cond.contains_any or []),
                ("contains_all", cond.contains_all or []),
            ):
                if q.type == "multi" and name in ("is", "in", "not_in"):
                    continue
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
