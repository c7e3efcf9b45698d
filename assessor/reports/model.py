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


class Report(_Model):
    """An assessor report: one use case, or a portfolio of several."""

    format: Literal["assessor-report"] = "assessor-report"
    format_version: Literal[1] = FORMAT_VERSION
    kind: Literal["use_case", "portfolio"]
    meta: Meta
    portfolio: Portfolio | None = Field(
        default=None, description="Present for a portfolio (more than one file)."
    )
    use_cases: list[UseCaseReport]


def report_schema() -> dict[str, Any]:
    """The JSON Schema of the JSON report (committed as ``rubrics/report.schema.json``)."""
    schema = Report.model_json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "assessor report",
        **{k: v for k, v in schema.items() if k != "title"},
    }
