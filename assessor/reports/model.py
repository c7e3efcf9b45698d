"""The report document: what every format renders, and the JSON report's published shape.

``rubrics/report.schema.json`` is generated from :class:`Report` (``assessor schema report``);
a test keeps the committed copy in step with these models. Change them only additively.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from assessor.domain.rubric import Verdict
from assessor.domain.scoring import Result

FORMAT_VERSION: Literal[1] = 1


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)


class Meta(_Model):
    """What the cover shows."""

    title: str
    client: str = ""
    """``--client``: who the report is prepared for."""
    author: str = ""
    """``--author``: who prepared it."""
    date: str
    """Date of the report, ISO 8601 (``SOURCE_DATE_EPOCH`` fixes it for reproducible builds)."""
    generator: str
    """The assessor version that wrote the report."""


class KeyPoint(_Model):
    """One of the one or two things that matter most for a use case."""

    kind: Literal["blocker", "condition", "ready", "open", "cost"]
    title: str
    detail: str


class Summary(_Model):
    """The executive summary of one use case."""

    headline: str
    key_points: list[KeyPoint]
    next_steps: list[str]
    """What to do next, most important first."""


class AnswerRow(_Model):
    """One answer as given, in the rubric's order, with the free-text note on it."""

    question: str
    """Question id (the key under ``answers``)."""
    prompt: str
    section: str
    given: bool
    """False when the question was not answered (``answer`` then says which default applied)."""
    value: Any = None
    """The answer as given (``null`` when not given or given as unknown)."""
    answer: str
    """The answer in words."""
    note: str = ""


class HistoryPoint(_Model):
    """The verdict and score of the assessment file at one commit."""

    commit: str | None
    """Full commit hash; ``null`` for uncommitted changes in the working copy."""
    date: str
    author: str = ""
    subject: str = ""
    """First line of the commit message."""
    verdict: Verdict | None = None
    score: int | None = None
    blockers: int | None = None
    conditions: int | None = None
    error: str = ""
    """Why this version could not be scored (invalid at that commit), else empty."""


class UseCaseReport(_Model):
    """Everything the report says about one use case."""

    anchor: str
    """Stable id of the use case's section (``uc-1``, ``uc-2``, ... in input order)."""
    file: str
    """The assessment file, as given on the command line."""
    result: Result
    """The score JSON contract (``assessor score --format json``) for this file."""
    summary: Summary
    answers: list[AnswerRow]
    cost_note: str = ""
    """How the cost model's inputs were obtained (defaults used, assumed error rate)."""
    history: list[HistoryPoint] | None = None
    """Oldest first; present with ``--history``."""


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
    first_step: str
    """What to do first for this use case."""


class Portfolio(_Model):
    counts: VerdictCounts
    mean_score: float
    ranking_rule: str
    """The build order's rule, in words (also printed in the report)."""
    ranking: list[RankEntry]
    score_histogram: list[int]
    """Use cases per score decile: 0-9, 10-19, ..., 90-100."""


class Report(_Model):
    """An assessor report: one use case, or a portfolio of several."""

    format: Literal["assessor-report"] = "assessor-report"
    format_version: Literal[1] = FORMAT_VERSION
    kind: Literal["use_case", "portfolio"]
    meta: Meta
    portfolio: Portfolio | None = None
    """Present for a portfolio (more than one file)."""
    use_cases: list[UseCaseReport]


def report_schema() -> dict[str, Any]:
    """The JSON Schema of the JSON report (committed as ``rubrics/report.schema.json``)."""
    schema = Report.model_json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "assessor report",
        **{k: v for k, v in schema.items() if k != "title"},
    }
