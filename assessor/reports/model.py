"""The report document: what every format renders, and the JSON report's published shape.

``rubrics/report.schema.json`` is generated from :class:`Report` (``assessor schema report``);
a test keeps the committed copy in step with these models. Change them only additively.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from assessor.domain.rubric import Verdict
from assessor.domain.scoring import Result

FORMAT_VERSION: Literal[1] = 1


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Meta(_Model):
    """What the cover shows."""

    title: str
    client: str = Field(default="", description="``--client``: who the report is prepared for.")
    author: str = Field(default="", description="``--author``: who prepared it.")
    date: str = Field(
        description="Date of the report, ISO 8601 (fixed by ``SOURCE_DATE_EPOCH`` when set)."
    )
    generator: str = Field(description="The assessor version that wrote the report.")
    doc_version: str = Field(default="", description="``--doc-version``: the document's version.")
    status: Literal["draft", "final"] | None = Field(
        default=None, description="``--status``: draft or final (``null`` when not given)."
    )
    confidential: bool = Field(
        default=False, description="``--confidential``: marked confidential."
    )
    currency: str = Field(
        default="",
        description="Currency of every amount (``--currency``, else the rubric's); empty: units.",
    )


class KeyPoint(_Model):
    """One of the one or two things that matter most for a use case."""

    kind: Literal["blocker", "condition", "ready", "open", "cost"]
    title: str
    detail: str


class Summary(_Model):
    """The executive summary of one use case."""

    headline: str
    key_points: list[KeyPoint]
    next_steps: list[str] = Field(description="What to do next, most important first.")


class AnswerRow(_Model):
    """One answer as given, in the rubric's order, with the free-text note on it."""

    question: str = Field(description="Question id (the key under ``answers``).")
    prompt: str
    section: str
    given: bool = Field(
        description="False when not answered (``answer`` then says which default applied)."
    )
    value: Any = Field(
        default=None,
        description="The answer as given (``null`` when not given or given as unknown).",
    )
    answer: str = Field(description="The answer in words.")
    note: str = ""


class HistoryPoint(_Model):
    """The verdict and score of the assessment file at one commit."""

    commit: str | None = Field(
        description="Full commit hash; ``null`` for uncommitted changes in the working copy."
    )
    date: str
    author: str = ""
    subject: str = Field(default="", description="First line of the commit message.")
    verdict: Verdict | None = None
    score: int | None = None
    blockers: int | None = None
    conditions: int | None = None
    error: str = Field(
        default="",
        description="Why this version could not be scored (invalid at that commit), else empty.",
    )


class DimensionRisk(_Model):
    """How many blockers (high risk) and conditions (medium risk) a dimension accounts for."""

    id: str = Field(description="Dimension id; ``other`` for findings no dimension reads.")
    title: str
    blockers: int
    conditions: int
    context: bool = Field(
        default=False,
        description="A fact of the use case (no answer it reads can be changed by design work): "
        "shown as context, not as a failure.",
    )


class ScoreMethod(_Model):
    """How this use case's readiness score was calculated (see the methodology)."""

    dimensions_scored: int = Field(description="Dimensions with a score (weight above 0).")
    weight_total: float
    mean: float = Field(description="Weighted mean of the dimension scores.")
    finding_penalty: float = Field(description="The rubric's factor per finding.")
    findings: int = Field(description="Findings of the verdict's kind (blockers or conditions).")
    adjusted: float = Field(description="``mean * finding_penalty ** findings``.")
    band: list[int] = Field(description="The verdict's score band, [low, high].")
    score: int = Field(description="``band[0] + round((band[1] - band[0]) * adjusted / 100)``.")


class PlanRow(_Model):
    """One item of the improvement plan, with the finding it addresses in words."""

    finding: str = Field(description="The blocker or condition id, as in the assessment file.")
    title: str = Field(description="The finding's title in the rubric.")
    kind: Literal["blocker", "condition"]
    applies: bool = Field(description="Whether the finding applies to the answers as they are.")
    action: str
    owner: str = ""
    due: str = Field(default="", description="Due date, YYYY-MM-DD, or empty.")
    status: Literal["open", "in_progress", "done"]


class UseCaseReport(_Model):
    """Everything the report says about one use case."""

    anchor: str = Field(
        description="Stable id of the use case's section (``uc-1``, ``uc-2``, ... in input order)."
    )
    file: str = Field(description="The assessment file, as given on the command line.")
    result: Result = Field(
        description="The score JSON contract (``assessor score --format json``) for this file."
    )
    summary: Summary
    answers: list[AnswerRow]
    cost_note: str = Field(
        default="",
        description="Where the cost model's inputs came from (defaults used, assumed error rate).",
    )
    history: list[HistoryPoint] | None = Field(
        default=None, description="Oldest first; present with ``--history``."
    )
    business_value: Literal["low", "medium", "high"] | None = None
    risks: list[DimensionRisk] = Field(
        default_factory=list,
        description="Blockers and conditions per dimension; each finding counts once, against "
        "the weakest changeable dimension among those it reads.",
    )
    score_method: ScoreMethod | None = None
    plan: list[PlanRow] = Field(default_factory=list, description="The improvement plan.")


class VerdictCounts(_Model):
    ready: int
    conditional: int
    not_ready: int


class RankEntry(_Model):
    """A place in the portfolio's build order."""

    rank: int
    anchor: str
    use_case: str
    verdict: Verdict
    score: int
    blockers: int
    conditions: int
    first_step: str = Field(description="What to do first for this use case.")
    business_value: Literal["low", "medium", "high"] | None = None
    file: str = Field(default="", description="The assessment file, as given on the command line.")


class MatrixCell(_Model):
    """The use cases of one business value and one verdict (value x readiness matrix)."""

    value: Literal["high", "medium", "low", "unrated"]
    verdict: Verdict
    anchors: list[str] = Field(description="The use cases in this cell, in build order.")


class Portfolio(_Model):
    counts: VerdictCounts
    mean_score: float
    ranking_rule: str = Field(
        description="The build order's rule, in words (also printed in the report)."
    )
    ranking: list[RankEntry]
    score_histogram: list[int] = Field(
        description="Use cases per score decile: 0-9, 10-19, ..., 90-100."
    )
    risks: list[DimensionRisk] = Field(
        default_factory=list, description="Blockers and conditions per dimension, all use cases."
    )
    matrix: list[MatrixCell] = Field(
        default_factory=list, description="Value x readiness: non-empty cells only."
    )


class DimensionWeight(_Model):
    title: str
    weight: float


class Methodology(_Model):
    """How a rubric turns answers into verdicts, scores and costs (the methodology section)."""

    rubric: str = Field(description="Rubric id and version.")
    weights: list[DimensionWeight]
    finding_penalty: float
    bands: dict[str, list[int]]
    cost_per_error_by_level: dict[str, float] = Field(
        description="Default cost of an error by the policy answer's level."
    )
    policy_question: str = Field(description="The question whose level sets the defaults.")
    cost_per_review: float
    volume_per_day: float
    assumed_error_rate: float
    confidence_concentration: float
    min_threshold: float
    max_threshold: float


class Report(_Model):
    """An assessor report: one use case, or a portfolio of several."""

    format: Literal["assessor-report"] = "assessor-report"
    format_version: Literal[1] = FORMAT_VERSION
    kind: Literal["use_case", "portfolio"]
    meta: Meta
    portfolio: Portfolio | None = Field(
        default=None, description="Present for a portfolio (more than one file)."
    )
    use_cases: list[UseCaseReport] = Field(
        description="Every use case in full, in input order; empty in a summary "
        "(``summary_only``), where ``portfolio.ranking`` holds one line per use case."
    )
    methodology: list[Methodology] = Field(
        default_factory=list, description="One entry per rubric used."
    )
    summary_only: bool = Field(
        default=False,
        description="``--summary``: the portfolio without its use-case sections (the JSON "
        "report then lists the use cases only in ``portfolio.ranking``).",
    )
    appendix: bool = Field(default=True, description="The answers as given are included.")


def report_schema() -> dict[str, Any]:
    """The JSON Schema of the JSON report (committed as ``rubrics/report.schema.json``)."""
    schema = Report.model_json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "assessor report",
        **{k: v for k, v in schema.items() if k != "title"},
    }
