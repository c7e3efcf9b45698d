"""The HTML report: one self-contained file (inline CSS and SVG, no script, nothing fetched).

Rendered by Jinja2 with autoescaping on for every value; the only ``Markup`` the template gets
is the package's own stylesheet, the logo's validated ``data:`` URI and :func:`linkify`'s
output, which escapes every piece of user text itself. The PDF is rendered from this HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from assessor.domain.rubric import Rubric
from assessor.domain.scoring import Result
from assessor.reports import charts
from assessor.reports.build import cost_sentence
from assessor.reports.model import AnswerRow, Report, UseCaseReport
from assessor.reports.safety import linkify
from assessor.reports.words import (
    KIND_LABEL,
    NOTE_IN_TABLE,
    NOTE_SHORT,
    POINT_LABEL,
    VERDICT_LABEL,
    VERDICT_MEANING,
    answer_words,
    capitalized,
    clean,
    money,
    number,
    one_in,
    param_label,
    param_words,
    percent,
    plural,
    question_label,
    shorten,
)

TEMPLATES = Path(__file__).resolve().parent / "templates"
SUMMARY_DESCRIPTION_CHARS = 320
"""The executive summary quotes at most this much of the description (it must fit page 1)."""


@dataclass
class Change:
    question: str
    before: str
    after: str


@dataclass
class ImprovementView:
    changes: list[Change]
    verdict: str
    score: int


@dataclass
class CostRow:
    key: str
    label: str
    cost: float
    width: float
    best: bool


@dataclass
class UseCaseView:
    """One use case, prepared for the template (all text still unescaped user data)."""

    uc: UseCaseReport
    rubric: Rubric
    index: int
    sections: list[tuple[str, list[AnswerRow]]]
    levels: dict[str, str]
    """Dimension id -> its level in words."""
    based_on: dict[str, list[tuple[str, str]]]
    improvements: list[ImprovementView]
    cost_rows: list[CostRow] = field(default_factory=list)
    cost_inputs: list[tuple[str, str]] = field(default_factory=list)

    @property
    def r(self) -> Result:
        return self.uc.result

    @property
    def short_description(self) -> str:
        return shorten(self.r.description, SUMMARY_DESCRIPTION_CHARS)

    @property
    def description_cut(self) -> bool:
        return len(self.short_description) < len(" ".join(self.r.description.split()))

    @property
    def show_cost(self) -> bool:
        return self.r.cost_model is not None and self.r.cost_model.source != "defaults"


def use_case_view(uc: UseCaseReport, rubric: Rubric, index: int) -> UseCaseView:
    r = uc.result
    grouped: dict[str, list[AnswerRow]] = {}
    for row in uc.answers:  # by section, in the order sections first appear
        grouped.setdefault(row.section, []).append(row)
    sections = list(grouped.items())
    levels = {}
    reads = {d.id: d.question or "" for d in rubric.dimensions}
    for d in r.dimensions:  # a choice's label reads better than its value ("rag")
        q = rubric.by_id.get(reads.get(d.id, ""))
        given = r.answers.get(reads.get(d.id, ""))
        if q is not None and d.level == str(given) and q.type == "choice":
            levels[d.id] = q.label_of(given)
        else:
            levels[d.id] = capitalized(d.level)
    based_on = {
        f.id: [
            (question_label(rubric, q), answer_words(rubric.by_id.get(q), v))
            for q, v in f.answers.items()
        ]
        for f in r.blockers + r.conditions
    }
    effective = dict(r.answers)
    improvements = [
        ImprovementView(
            changes=[
                Change(
                    question=question_label(rubric, q),
                    before=answer_words(rubric.by_id.get(q), effective.get(q))
                    if q in effective
                    else "not answered",
                    after=answer_words(rubric.by_id.get(q), v),
                )
                for q, v in imp.changes.items()
            ],
            verdict=imp.verdict,
            score=imp.score,
        )
        for imp in r.to_improve
    ]
    view = UseCaseView(
        uc=uc,
        rubric=rubric,
        index=index,
        sections=sections,
        levels=levels,
        based_on=based_on,
        improvements=improvements,
    )
    c = r.cost_model
    if c is not None:
        threshold = param_words("confidence_threshold", c.confidence_threshold)
        costs = [
            ("no_review", "Deliver everything, no review", c.daily_cost_no_review),
            ("review_all", "A person reviews every output", c.daily_cost_review_all),
            ("threshold", f"Review below confidence {threshold}", c.daily_cost_with_threshold),
        ]
        top = max(cost for *_, cost in costs) or 1.0
        view.cost_rows = [
            CostRow(key, label, cost, round(100 * cost / top, 2), key == c.best_policy)
            for key, label, cost in costs
        ]
        view.cost_inputs = [
            ("Cost of one error that reaches the outcome", money(c.cost_per_error)),
            ("Cost of one human review", money(c.cost_per_review)),
            ("Outputs per day", number(c.volume_per_day)),
            (
                "Error rate" + (" (assumed)" if c.error_rate_assumed else ""),
                f"{percent(c.error_rate)} ({one_in(c.error_rate)})",
            ),
            (
                "Outputs sent to review by the threshold",
                percent(c.deferral_rate),
            ),
            ("Wrong outputs still delivered", f"{percent(c.residual_error_rate)}"),
        ]
    return view


@lru_cache(maxsize=1)
def _environment() -> Any:
    # jinja2 costs ~30 ms to import: only report commands pay for it.
    from jinja2 import Environment, FileSystemLoader, StrictUndefined
    from markupsafe import Markup

    def finalize(value: Any) -> Any:
        # Control characters have no place in a report (and some break XML-based viewers).
        if isinstance(value, Markup) or not isinstance(value, str):
            return value
        return clean(value)

    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=finalize,
    )
    env.filters.update(
        linkify=linkify,
        money=money,
        percent=percent,
        number=number,
        one_in=one_in,
        param_label=param_label,
        shorten=shorten,
    )
    env.globals.update(
        VERDICT_LABEL=VERDICT_LABEL,
        VERDICT_MEANING=VERDICT_MEANING,
        KIND_LABEL=KIND_LABEL,
        POINT_LABEL=POINT_LABEL,
        COLORS=charts.COLORS,
        SOFT=charts.SOFT,
        TRACK=charts.TRACK,
        charts=charts,
        tone=charts.tone,
        param_words=param_words,
        plural=plural,
        cost_sentence=cost_sentence,
        NOTE_IN_TABLE=NOTE_IN_TABLE,
        NOTE_SHORT=NOTE_SHORT,
    )
    return env


@lru_cache(maxsize=1)
def stylesheet() -> str:
    return (TEMPLATES / "report.css").read_text(encoding="utf-8")


def render_html(report: Report, rubrics: list[Rubric], *, logo_uri: str | None = None) -> str:
    """The report as one HTML document."""
    from markupsafe import Markup

    env = _environment()
    views = [use_case_view(uc, rubrics[i], i) for i, uc in enumerate(report.use_cases)]
    histogram = (
        charts.histogram([(uc.result.score, uc.result.verdict) for uc in report.use_cases])
        if report.portfolio
        else []
    )
    by_anchor = {v.uc.anchor: v for v in views}
    ranked_views = (
        [by_anchor[e.anchor] for e in report.portfolio.ranking] if report.portfolio else views
    )
    template = env.get_template("report.html.j2")
    html = template.render(
        report=report,
        meta=report.meta,
        views=views,
        ranked_views=ranked_views,
        portfolio=report.portfolio,
        histogram=histogram,
        css=Markup(stylesheet()),
        # A data: URI built from a validated, sanitised image (autoescaped like the rest).
        logo=logo_uri,
    )
    return break_long_words(html)


_SEGMENTS = re.compile(r"(<[^>]*>)")
_LONG_RUN = re.compile(r"(?:&[#\w]+;|[^\s<&])+")
_UNIT = re.compile(r"&[#\w]+;|[^&]")
LONG_WORD = 30
"""Runs of text without a space longer than this get a break opportunity every 20 characters."""


def break_long_words(html: str) -> str:
    """Put ``<wbr>`` into long unbroken runs of text (pasted tokens, URLs, hashes).

    Browsers wrap those anyway (``overflow-wrap: anywhere``), but WeasyPrint's search for a
    break inside a long word is quadratic: a 4,000-character token takes minutes to lay out.
    Only text between tags changes (never attribute values), and not inside ``<title>``,
    ``<style>`` or inline SVG; entities are never split.
    """
    parts = _SEGMENTS.split(html)
    skip: str | None = None
    for i, part in enumerate(parts):
        if i % 2:  # a tag
            name = part[1:].split(maxsplit=1)[0].rstrip(">/").lower() if len(part) > 2 else ""
            if skip is None and name in ("title", "style", "svg"):
                skip = name
            elif skip is not None and name == "/" + skip:
                skip = None
        elif skip is None and len(part) > LONG_WORD:
            parts[i] = _LONG_RUN.sub(_with_breaks, part)
    return "".join(parts)


def _with_breaks(match: re.Match[str]) -> str:
    run = match.group(0)
    if len(run) <= LONG_WORD:
        return run
    units = _UNIT.findall(run)
    if len(units) <= LONG_WORD:
        return run
    return "<wbr>".join("".join(units[i : i + 20]) for i in range(0, len(units), 20))
