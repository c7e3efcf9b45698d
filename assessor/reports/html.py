"""The HTML report: one self-contained file (inline CSS and SVG, no script, nothing fetched).

Rendered by Jinja2 with autoescaping on for every value; the only ``Markup`` the template gets
is the package's own stylesheet, the logo's validated ``data:`` URI and :func:`linkify`'s
output, which escapes every piece of user text itself. The PDF is rendered from this HTML.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from assessor.app.parallel import map_in_chunks
from assessor.domain.rubric import Rubric
from assessor.domain.scoring import Result
from assessor.domain.words import EFFORT_LABEL, WARNINGS_HEADING
from assessor.reports import charts
from assessor.reports.build import cost_sentence
from assessor.reports.model import AnswerRow, Report, UseCaseReport
from assessor.reports.safety import linkify
from assessor.reports.words import (
    IMPROVEMENTS_SHOWN,
    KIND_LABEL,
    NOTE_IN_TABLE,
    NOTE_SHORT,
    POINT_LABEL,
    REVIEW_ALL_METHOD,
    STATUS_LABEL,
    VALUE_LABEL,
    VERDICT_LABEL,
    VERDICT_MEANING,
    answer_words,
    capitalized,
    clean,
    evidence_source_row,
    evidence_summary,
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
from assessor.reports.words import (
    UNSAFE as _UNSAFE,
)

TEMPLATES = Path(__file__).resolve().parent / "templates"
MATRIX_NAMES = 6
"""The value x readiness matrix names this many use cases per cell, then counts the rest."""
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
    effort: str | None = None


@dataclass
class CostRow:
    key: str
    label: str
    cost: float
    width: float
    best: bool


@dataclass(frozen=True)
class DimensionRow:
    title: str
    level: str
    score_text: str
    width: int
    tone: str
    color: str
    weight: str
    aria: str
    """The bar's accessible label."""


@dataclass
class UseCaseView:
    """One use case, prepared for the template (all text still unescaped user data)."""

    uc: UseCaseReport
    rubric: Rubric
    index: int
    sections: list[tuple[str, list[AnswerRow]]]
    dims: list[DimensionRow]
    based_on: dict[str, list[tuple[str, str]]]
    improvements: list[ImprovementView]
    cost_rows: list[CostRow] = field(default_factory=list)
    cost_inputs: list[tuple[str, str]] = field(default_factory=list)
    currency: str = ""
    appendix: bool = True

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
    def evidence_summary(self) -> str:
        return evidence_summary(self.r.evidence)

    @property
    def evidence_rows(self) -> list[dict[str, str]]:
        sources = self.r.evidence.get("sources", []) if self.r.evidence else []
        return [evidence_source_row(s) for s in sources]

    @property
    def show_cost(self) -> bool:
        return self.r.cost_model is not None and self.r.cost_model.source != "defaults"


def use_case_view(
    uc: UseCaseReport, rubric: Rubric, index: int, *, currency: str = "", appendix: bool = True
) -> UseCaseView:
    r = uc.result
    context = {d.id for d in uc.risks if d.context}
    grouped: dict[str, list[AnswerRow]] = {}
    for row in uc.answers:  # by section, in the order sections first appear
        grouped.setdefault(row.section, []).append(row)
    sections = list(grouped.items())
    dims = []
    reads = {d.id: d.question or "" for d in rubric.dimensions}
    for d in r.dimensions:
        q = rubric.by_id.get(reads.get(d.id, ""))
        given = r.answers.get(reads.get(d.id, ""))
        if q is not None and d.level == str(given) and q.type == "choice":
            level = q.label_of(given)  # a choice's label reads better than its value ("rag")
        else:
            level = capitalized(d.level)
        # A fact of the use case (such as a high cost of error) is context, not a failure.
        tone = "context" if d.id in context and d.score is not None else charts.tone(d.score)
        dims.append(
            DimensionRow(
                title=d.title + (" (context)" if d.id in context else ""),
                level=level,
                score_text="open" if d.score is None else str(d.score),
                width=d.score or 0,
                tone=tone,
                color=charts.COLORS[tone],
                weight=f"{d.weight:g}",
                aria="open" if d.score is None else f"{d.score} out of 100",
            )
        )
    based_on = {
        f.id: [
            (question_label(rubric, q), answer_words(rubric.by_id.get(q), v))
            for q, v in f.answers.items()
        ]
        for f in [*r.blockers, *r.conditions]
    }
    based_on.update(
        {
            w.id: [
                (question_label(rubric, q), answer_words(rubric.by_id.get(q), v))
                for q, v in w.answers.items()
            ]
            for w in r.warnings
        }
    )
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
            effort=imp.effort,
        )
        for imp in r.to_improve[:IMPROVEMENTS_SHOWN]
    ]
    view = UseCaseView(
        uc=uc,
        rubric=rubric,
        index=index,
        sections=sections,
        dims=dims,
        based_on=based_on,
        improvements=improvements,
        currency=currency,
        appendix=appendix,
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
            ("Cost of one error that reaches the outcome", money(c.cost_per_error, currency)),
            ("Cost of one human review", money(c.cost_per_review, currency)),
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

    def finalize(value: Any) -> Any:
        # Control characters have no place in a report (and some break XML-based viewers).
        # Runs for every {{ value }}: the common case must cost one type check and a search.
        if value.__class__ is str and _UNSAFE.search(value):
            return clean(value)
        return value

    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        bytecode_cache=_bytecode_cache(),
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
        EFFORT_LABEL=EFFORT_LABEL,
        REVIEW_ALL_METHOD=REVIEW_ALL_METHOD,
        WARNINGS_HEADING=WARNINGS_HEADING,
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
        VALUE_LABEL=VALUE_LABEL,
        STATUS_LABEL=STATUS_LABEL,
        MATRIX_NAMES=MATRIX_NAMES,
        question_label=question_label,
    )
    return env


def _bytecode_cache() -> Any:
    """Jinja's cache of compiled templates, or None where it cannot be used.

    Compiling the report template takes about 80 ms, a tenth of a 200-use-case report. Jinja
    keeps the compiled code in a private folder of the user (created 0700 in the temporary
    folder, owner checked), keyed on the template's checksum, so an edited template is never
    served stale. A cache that cannot be read or written is skipped, never an error.
    """
    from jinja2 import FileSystemBytecodeCache

    class QuietCache(FileSystemBytecodeCache):
        def load_bytecode(self, bucket: Any) -> None:
            with contextlib.suppress(OSError, ValueError, EOFError):
                super().load_bytecode(bucket)

        def dump_bytecode(self, bucket: Any) -> None:
            with contextlib.suppress(OSError):
                super().dump_bytecode(bucket)

    try:
        return QuietCache()
    except (OSError, RuntimeError):
        return None


@lru_cache(maxsize=1)
def stylesheet() -> str:
    return (TEMPLATES / "report.css").read_text(encoding="utf-8")


@dataclass(frozen=True)
class RubricInfo:
    """What the report says about a rubric it used (cover and "About this assessment")."""

    id: str
    version: str
    title: str
    guide_title: str
    bands: dict[str, tuple[int, int]]


def rubric_info(rubric: Rubric) -> RubricInfo:
    return RubricInfo(
        id=rubric.id,
        version=rubric.version,
        title=rubric.title,
        guide_title=rubric.guide_title,
        bands={str(k): v for k, v in rubric.scoring.bands.items()},
    )


def rubric_infos(infos: Sequence[RubricInfo]) -> list[RubricInfo]:
    """Each rubric once, in order of first use."""
    return list({(i.id, i.version): i for i in reversed(infos)}.values())[::-1]


def render_html(
    report: Report, rubrics: list[Rubric], *, logo_uri: str | None = None, for_pdf: bool = False
) -> str:
    """The report as one HTML document (``for_pdf``: prepared for WeasyPrint's layout)."""
    views = [
        use_case_view(uc, rubrics[i], i, currency=report.meta.currency, appendix=report.appendix)
        for i, uc in enumerate(report.use_cases)
    ]
    bodies = {}
    if report.portfolio and not report.summary_only:
        rendered = map_in_chunks(render_bodies, views)
        bodies = {v.uc.anchor: html for v, html in zip(views, rendered, strict=True)}
    return render_document(
        report,
        [rubric_info(r) for r in rubrics],
        single=None if report.portfolio else views[0],
        bodies=bodies,
        logo_uri=logo_uri,
        for_pdf=for_pdf,
    )


def render_bodies(views: Sequence[UseCaseView]) -> list[str]:
    """Each use case's summary and details as HTML text, for a portfolio's sections.

    Safe to run in a forked worker: the macros autoescape, and only finished text travels.
    """
    macros = _environment().get_template("use_case.html.j2").module
    return [str(macros.body(v)) for v in views]


def render_document(
    report: Report,
    rubrics: Sequence[RubricInfo],
    *,
    single: UseCaseView | None = None,
    bodies: dict[str, str] | None = None,
    logo_uri: str | None = None,
    for_pdf: bool = False,
) -> str:
    """The HTML document around a use case's view, or around a portfolio's rendered bodies."""
    from markupsafe import Markup  # jinja2's own dependency

    histogram = (
        charts.histogram([(uc.result.score, uc.result.verdict) for uc in report.use_cases])
        if report.portfolio
        else []
    )
    html = (
        _environment()
        .get_template("report.html.j2")
        .render(
            report=report,
            meta=report.meta,
            use_cases={uc.anchor: uc for uc in report.use_cases},
            single=single,
            # Finished HTML of autoescaped macros (not user text), so it goes in as Markup.
            bodies={k: Markup(v) for k, v in (bodies or {}).items()},
            rubrics=rubric_infos(rubrics),
            portfolio=report.portfolio,
            histogram=histogram,
            css=Markup(stylesheet()),
            # A data: URI built from a validated, sanitised image (autoescaped like the rest).
            logo=logo_uri,
        )
    )
    return break_long_words(html) if for_pdf else html


LONG_WORD = 30
"""Runs of text without a space longer than this get a break opportunity every 20 characters."""


_CANDIDATE = re.compile(rf"[^\s<>]{{{LONG_WORD + 1},}}")
_UNIT = re.compile(r"&[#\w]+;|[^&]")


def break_long_words(html: str) -> str:
    """Put ``<wbr>`` into long unbroken runs of text (pasted tokens, URLs, hashes).

    Browsers wrap those anyway (``overflow-wrap: anywhere``), but in WeasyPrint, "anywhere"
    in a table cell makes the table's minimum width quadratic to compute (a 4,000-character
    note took minutes), so print CSS uses ``break-word`` in cells and the PDF's HTML gets these
    break opportunities instead. Costs a regex scan of the document: PDF only.
    Only text between tags in the body changes (never attribute values, the title or the
    stylesheet), and entities are never split. (The SVG charts hold no such runs.)
    """
    start = html.find("<body")
    out: list[str] = []
    pos = 0
    for match in _CANDIDATE.finditer(html, max(start, 0)):
        begin = match.start()
        if html.rfind("<", 0, begin) > html.rfind(">", 0, begin):
            continue  # inside a tag: an attribute value
        out.append(html[pos:begin])
        out.append(_with_breaks(match))
        pos = match.end()
    out.append(html[pos:])
    return "".join(out)


def _with_breaks(match: re.Match[str]) -> str:
    units = _UNIT.findall(match.group(0))
    return "<wbr>".join("".join(units[i : i + 20]) for i in range(0, len(units), 20))
