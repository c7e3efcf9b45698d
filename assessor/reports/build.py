"""From loaded and scored assessments to the report document every format renders.

The judgement calls a consultant would make by hand live here, in one place: which one or two
things matter most, what to do next, and in which order a portfolio should be built.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from assessor import __version__
from assessor.domain.assessment import effective_answers
from assessor.domain.load import Loaded
from assessor.domain.rubric import VERDICTS, Rubric
from assessor.domain.scoring import Result, score_steps
from assessor.reports.jsonreport import finite
from assessor.reports.model import (
    AnswerRow,
    DimensionRisk,
    DimensionWeight,
    HistoryPoint,
    KeyPoint,
    MatrixCell,
    Meta,
    Methodology,
    PlanRow,
    Portfolio,
    RankEntry,
    Report,
    ScoreMethod,
    Summary,
    UseCaseReport,
    VerdictCounts,
)
from assessor.reports.words import (
    VERDICT_LABEL,
    answer_words,
    capitalized,
    change_words,
    clean,
    number,
    one_line,
    param_words,
    percent,
    plural,
    question_label,
)
from assessor.reports.words import (
    money as money_in,
)

MAX_NEXT_STEPS = 4

RANKING_RULE = (
    "Build order: ready use cases first, then conditional ones, then those not ready. Within a "
    "verdict, higher business value comes first (a use case without one counts as medium), then "
    "the fewest findings to clear (blockers count before conditions), then the higher readiness "
    "score, then the name."
)
VALUE_RANK = {"high": 0, "medium": 1, None: 1, "low": 2}
VALUES = ("high", "medium", "low", "unrated")

COST_INPUTS = {
    "cost_per_error": "cost per error",
    "cost_per_review": "cost per review",
    "volume_per_day": "outputs per day",
}


OVERFLOW_NOTE = (
    "The cost model is left out: the costs and volume given are too large to compute with "
    "(the daily figures overflow)."
)


def report_date() -> str:
    """Today, or the date of ``SOURCE_DATE_EPOCH`` when set (reproducible reports)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), _dt.UTC).date().isoformat()
    return _dt.date.today().isoformat()


@dataclass(frozen=True)
class DocFields:
    """What the command line says about the document itself (not about the use cases)."""

    doc_version: str = ""
    status: Literal["draft", "final"] | None = None
    confidential: bool = False
    currency: str | None = None
    """``--currency``; None: the rubric's."""
    summary: bool = False
    appendix: bool = True


def build_report(
    items: Sequence[Loaded],
    results: Sequence[Result],
    *,
    files: Sequence[str],
    title: str | None = None,
    client: str | None = None,
    author: str | None = None,
    histories: Sequence[list[HistoryPoint] | None] | None = None,
    doc: DocFields | None = None,
) -> Report:
    """The report of one use case (one item) or a portfolio (several)."""
    doc = doc or DocFields()
    currency = report_currency(doc, [item.rubric for item in items])
    use_cases = [
        use_case_report(
            item,
            result,
            anchor=anchor_of(i),
            file=files[i],
            history=histories[i] if histories else None,
            currency=currency,
        )
        for i, (item, result) in enumerate(zip(items, results, strict=True))
    ]
    return assemble_report(
        use_cases,
        title=title,
        client=client,
        author=author,
        doc=doc,
        rubrics=[item.rubric for item in items],
    )


def report_currency(doc: DocFields, rubrics: Sequence[Rubric]) -> str:
    """``--currency``, else the first rubric's currency, else none (plain units)."""
    return currency_of(doc, [r.costs.currency for r in rubrics])


def currency_of(doc: DocFields, currencies: Sequence[str]) -> str:
    """:func:`report_currency` from the currencies of the use cases' rubrics, in order."""
    if doc.currency is not None:
        return one_line(doc.currency)
    return next((c for c in currencies if c), "")


def overview_only(uc: UseCaseReport) -> UseCaseReport:
    """The use case without what only its own section shows (answers, dimensions, patterns,
    counterfactuals, cost model): what a portfolio's overview and build order read.

    Lets workers that render the sections send back a tenth of the data. Not for output
    formats that serialise the use cases (JSON, Markdown).
    """
    result = uc.result.model_copy(
        update={
            "description": "",
            "dimensions": [],
            "patterns": [],
            "to_improve": [],
            "cost_model": None,
            "open_questions": [],
            "answers": {},
            "notes": {},
        }
    )
    return uc.model_copy(
        update={"result": result, "answers": [], "history": None, "plan": [], "score_method": None}
    )


def anchor_of(index: int) -> str:
    """The section id of the use case at ``index`` (input order)."""
    return f"uc-{index + 1}"


def assemble_report(
    use_cases: list[UseCaseReport],
    *,
    title: str | None = None,
    client: str | None = None,
    author: str | None = None,
    doc: DocFields | None = None,
    rubrics: Sequence[Rubric] = (),
) -> Report:
    """The report around its use cases: cover and, for several, the portfolio summary."""
    doc = doc or DocFields()
    portfolio = len(use_cases) > 1
    default_title = (
        "AI use-case portfolio: production readiness" if portfolio else use_cases[0].result.use_case
    )
    meta = Meta(
        title=one_line(title) or one_line(default_title),
        client=one_line(client),
        author=one_line(author),
        date=report_date(),
        generator=f"assessor {__version__}",
        doc_version=one_line(doc.doc_version),
        status=doc.status,
        confidential=doc.confidential,
        currency=report_currency(doc, rubrics),
    )
    seen: dict[tuple[str, str], Rubric] = {}
    for rubric in rubrics:
        seen.setdefault((rubric.id, rubric.version), rubric)
    return Report(
        kind="portfolio" if portfolio else "use_case",
        meta=meta,
        portfolio=portfolio_summary(use_cases) if portfolio else None,
        use_cases=use_cases,
        methodology=[methodology(r) for r in seen.values()],
        summary_only=doc.summary and portfolio,
        appendix=doc.appendix,
    )


def methodology(rubric: Rubric) -> Methodology:
    costs = rubric.costs
    return Methodology(
        rubric=f"{rubric.id} v{rubric.version}",
        weights=[DimensionWeight(title=d.title, weight=d.weight) for d in rubric.dimensions],
        finding_penalty=rubric.scoring.finding_penalty,
        bands={str(k): list(v) for k, v in rubric.scoring.bands.items()},
        cost_per_error_by_level=(
            {k: float(v) for k, v in rubric.policy.cost_per_error.items()} if rubric.policy else {}
        ),
        policy_question=question_label(rubric, rubric.policy.key) if rubric.policy else "",
        cost_per_review=costs.cost_per_review,
        volume_per_day=costs.volume_per_day,
        assumed_error_rate=costs.assumed_error_rate,
        confidence_concentration=costs.confidence_concentration,
        min_threshold=costs.min_threshold,
        max_threshold=costs.max_threshold,
    )


def use_case_report(
    item: Loaded,
    result: Result,
    *,
    anchor: str,
    file: str,
    history: list[HistoryPoint] | None = None,
    currency: str = "",
) -> UseCaseReport:
    note = ""
    if result.cost_model is not None and not finite(result.cost_model.model_dump()):
        # Absurdly large costs or volumes overflow to infinity; no format may show that.
        result = result.model_copy(update={"cost_model": None})
        note = OVERFLOW_NOTE
    return UseCaseReport(
        anchor=anchor,
        file=file,
        result=result,
        summary=summarize(result, item.rubric, currency=currency),
        answers=answer_rows(item.rubric, item.answers, result.notes),
        cost_note=note or cost_note(result, currency),
        history=history,
        business_value=item.assessment.use_case.business_value,
        risks=dimension_risks(item.rubric, result),
        score_method=score_method(item.rubric, result),
        plan=plan_rows(item, result),
    )


def dimension_risks(rubric: Rubric, result: Result) -> list[DimensionRisk]:
    """Blockers and conditions per dimension, each finding counted once.

    A finding counts against the dimension, among those reading an answer the rule read,
    that a team can change by design work and that scores lowest (rubric order breaks ties);
    against a fact of the use case only when no other applies, and against "Other" when no
    dimension reads its answers.
    """
    compiled = rubric.compiled
    reads = [compiled.dimension_reads[i] for i in range(len(rubric.dimensions))]
    facts = [not any(rubric.by_id[q].changeable for q in r if q in rubric.by_id) for r in reads]
    scores = {d.id: d.score for d in result.dimensions}
    counts = {d.id: [0, 0] for d in rubric.dimensions}
    other = [0, 0]
    for f in result.blockers + result.conditions:
        rule = next((i for i, (r, _) in enumerate(compiled.rules) if r.id == f.id), None)
        read = compiled.rule_reads[rule] if rule is not None else frozenset(f.answers)
        hits = [i for i, r in enumerate(reads) if r & read]
        if hits:
            best = min(
                hits,
                key=lambda i: (facts[i], scores.get(rubric.dimensions[i].id) or 0, i),
            )
            slot = counts[rubric.dimensions[best].id]
        else:
            slot = other
        slot[0 if f.kind == "blocker" else 1] += 1
    out = [
        DimensionRisk(
            id=d.id,
            title=d.title,
            blockers=counts[d.id][0],
            conditions=counts[d.id][1],
            context=facts[i],
        )
        for i, d in enumerate(rubric.dimensions)
    ]
    if any(other):
        out.append(DimensionRisk(id="other", title="Other", blockers=other[0], conditions=other[1]))
    return out


def score_method(rubric: Rubric, result: Result) -> ScoreMethod:
    findings = len(result.blockers) if result.verdict == "not_ready" else len(result.conditions)
    steps = score_steps(
        rubric, [(d.weight, d.score) for d in result.dimensions], result.verdict, findings
    )
    return ScoreMethod(
        dimensions_scored=sum(1 for d in result.dimensions if d.score is not None and d.weight > 0),
        weight_total=steps.weight_total,
        mean=round(steps.mean, 2),
        finding_penalty=rubric.scoring.finding_penalty,
        findings=steps.findings,
        adjusted=round(steps.adjusted, 2),
        band=list(steps.band),
        score=steps.final,
    )


def plan_rows(item: Loaded, result: Result) -> list[PlanRow]:
    rules = {r.id: r for r in item.rubric.rules}
    applying = {f.id for f in result.blockers + result.conditions}
    rows = []
    for p in item.assessment.plan:
        rule = rules[p.finding]  # the loader checked the id
        rows.append(
            PlanRow(
                finding=p.finding,
                title=rule.title,
                kind="blocker" if rule.kind == "blocker" else "condition",
                applies=p.finding in applying,
                action=clean(p.action),
                owner=one_line(p.owner),
                due=p.due.isoformat() if p.due else "",
                status=p.status,
            )
        )
    return rows


# ---------------------------------------------------------------------------------------------
# Executive summary


def headline(result: Result) -> str:
    b, c = len(result.blockers), len(result.conditions)
    if result.verdict == "not_ready":
        extra = f", and {plural(c, 'condition')} to meet after that" if c else ""
        are = "applies" if b == 1 else "apply"
        return f"Not ready for production: {plural(b, 'blocker')} from the guide {are}{extra}."
    if result.verdict == "conditional":
        return (
            f"Can go to production once {plural(c, 'condition')} {'is' if c == 1 else 'are'} met."
        )
    return "Ready for production as answered: the answers already include the safeguards."


def summarize(result: Result, rubric: Rubric, *, currency: str = "") -> Summary:
    """Headline, the one or two things that matter most, and what to do next."""
    points: list[KeyPoint] = []
    steps: list[str] = []
    if result.provisional:
        points.append(
            KeyPoint(
                kind="open",
                title="Provisional verdict",
                detail=(
                    f"{plural(len(result.open_questions), 'question')} still open; "
                    "the answers may change the verdict."
                ),
            )
        )
        labels = [question_label(rubric, q) for q in result.open_questions]
        steps.append(f"Answer the open questions: {', '.join(labels)}.")
    findings = result.blockers + result.conditions
    for f in findings[: 2 - len(points)]:
        points.append(KeyPoint(kind=f.kind, title=f.title, detail=f.reason))  # type: ignore[arg-type]

    if result.verdict == "not_ready":
        steps.extend(f.fix for f in result.blockers)
        best = next((i for i in result.to_improve if i.verdict != "not_ready"), None)
        if best is not None:
            changes = change_words(rubric, result.answers, best.changes)
            steps.append(
                f"Quickest route to a better verdict: {changes} "
                f"(→ {VERDICT_LABEL[best.verdict].lower()}, score {best.score})."
            )
        if result.conditions:
            steps.append(
                f"Then meet the {plural(len(result.conditions), 'condition')} listed below."
            )
    elif result.verdict == "conditional":
        steps.extend(f.fix for f in result.conditions)
    else:
        if not points:
            points.append(
                KeyPoint(
                    kind="ready",
                    title="No blocker or condition applies",
                    detail="The answers include the human oversight and evaluation the guide "
                    "asks for at this cost of error.",
                )
            )
        patterns = [p.title for p in result.patterns]
        steps.append(f"Build it with the recommended patterns: {', '.join(patterns)}.")
        fallback = next((p for p in result.patterns if p.id == "human_fallback"), None)
        if fallback is not None and fallback.params.get("review_all"):
            steps.append(
                "Keep a person reviewing every output before it takes effect: the verdict "
                "depends on it."
            )
        elif fallback is not None and fallback.params.get("confidence_threshold") is not None:
            threshold = param_words("confidence_threshold", fallback.params["confidence_threshold"])
            steps.append(f"Route outputs with a confidence below {threshold} to a person.")
        steps.append(
            "Generate the starter project with these patterns wired in (assessor scaffold)."
        )
    if result.cost_model is not None and result.cost_model.source != "defaults" and len(points) < 2:
        points.append(
            KeyPoint(kind="cost", title="Cost of errors", detail=cost_sentence(result, currency))
        )
    if len(steps) > MAX_NEXT_STEPS:
        rest = len(steps) - (MAX_NEXT_STEPS - 1)
        steps = [*steps[: MAX_NEXT_STEPS - 1], f"And {plural(rest, 'more step')}: see below."]
    return Summary(headline=headline(result), key_points=points, next_steps=steps)


def cost_sentence(result: Result, currency: str = "") -> str:
    """The cost model's conclusion in one sentence."""
    c = result.cost_model
    if c is None:
        return ""

    def money(value: float) -> str:
        return money_in(value, currency)

    threshold = param_words("confidence_threshold", c.confidence_threshold)
    leads = {
        "no_review": "Delivering every output without review",
        "review_all": "Having a person review every output",
        "threshold": (
            f"Reviewing the outputs with a confidence below {threshold} "
            f"({percent(c.deferral_rate)} of them)"
        ),
    }
    others = {
        "no_review": f"{money(c.daily_cost_no_review)} with no review",
        "review_all": f"{money(c.daily_cost_review_all)} reviewing everything",
        "threshold": (
            f"{money(c.daily_cost_with_threshold)} reviewing below a confidence of {threshold}"
        ),
    }
    costs = {
        "no_review": c.daily_cost_no_review,
        "review_all": c.daily_cost_review_all,
        "threshold": c.daily_cost_with_threshold,
    }
    rest = " and ".join(v for k, v in others.items() if k != c.best_policy)
    if c.required_by:
        return (
            f"{leads[c.best_policy]} is required, at about {money(costs[c.best_policy])} a "
            f"day, against {rest}. {c.policy_reason}"
        )
    return (
        f"{leads[c.best_policy]} is the cheapest policy, at about "
        f"{money(costs[c.best_policy])} a day, against {rest}."
    )


def cost_note(result: Result, currency: str = "") -> str:
    """Where the cost model's inputs came from, when not all from the assessment."""
    c = result.cost_model
    if c is None:
        return ""
    parts = []
    if c.defaults_used:
        values = {
            "cost_per_error": c.cost_per_error,
            "cost_per_review": c.cost_per_review,
            "volume_per_day": c.volume_per_day,
        }
        used = [
            f"{COST_INPUTS.get(k, k)} "
            + (number(values[k]) if k == "volume_per_day" else money_in(values[k], currency))
            for k in c.defaults_used
            if k in values
        ]
        parts.append(
            f"Not given in the assessment, so the rubric's defaults were used: {', '.join(used)}."
        )
    if c.error_rate_assumed:
        parts.append(f"The error rate is unknown; the model assumes {percent(c.error_rate)}.")
    return " ".join(parts)


# ---------------------------------------------------------------------------------------------
# Answers


def answer_rows(rubric: Rubric, given: dict[str, Any], notes: dict[str, str]) -> list[AnswerRow]:
    """Every answer as given, in the rubric's order; unanswered questions that apply say so."""
    effective = effective_answers(rubric, given)
    rows = []
    for q in rubric.questions:
        if q.id in given:
            rows.append(
                AnswerRow(
                    question=q.id,
                    prompt=q.prompt,
                    section=q.section,
                    given=True,
                    value=given[q.id],
                    answer=capitalized(answer_words(q, given[q.id])),
                    note=notes.get(q.id, ""),
                )
            )
        elif q.id in effective or q.id in notes:
            default = effective.get(q.id)
            words = (
                f"not answered (default used: {answer_words(q, default)})"
                if q.id in effective and default is not None
                else "not answered"
            )
            rows.append(
                AnswerRow(
                    question=q.id,
                    prompt=q.prompt,
                    section=q.section,
                    given=False,
                    answer=words,
                    note=notes.get(q.id, ""),
                )
            )
    return rows


# ---------------------------------------------------------------------------------------------
# Portfolio


def rank_key(uc: UseCaseReport) -> tuple[int, int, int, int, int, str]:
    r = uc.result
    return (
        -VERDICTS.index(r.verdict),
        VALUE_RANK[uc.business_value],
        len(r.blockers),
        len(r.conditions),
        -r.score,
        one_line(r.use_case).casefold(),
    )


def first_step(result: Result) -> str:
    findings = result.blockers + result.conditions
    if not findings:
        return "Build it with the recommended patterns."
    more = f" (and {len(findings) - 1} more)" if len(findings) > 1 else ""
    return f"Clear “{findings[0].title}”{more}."


def portfolio_summary(use_cases: list[UseCaseReport]) -> Portfolio:
    counts = {v: 0 for v in VERDICTS}
    histogram = [0] * 10
    for uc in use_cases:
        counts[uc.result.verdict] += 1
        histogram[min(uc.result.score // 10, 9)] += 1
    ranking = [
        RankEntry(
            rank=i + 1,
            anchor=uc.anchor,
            use_case=uc.result.use_case,
            verdict=uc.result.verdict,
            score=uc.result.score,
            blockers=len(uc.result.blockers),
            conditions=len(uc.result.conditions),
            first_step=first_step(uc.result),
            business_value=uc.business_value,
            file=uc.file,
        )
        for i, uc in enumerate(sorted(use_cases, key=rank_key))
    ]
    mean = sum(uc.result.score for uc in use_cases) / len(use_cases)
    cells: dict[tuple[str, str], list[str]] = {}
    for e in ranking:
        cells.setdefault((e.business_value or "unrated", e.verdict), []).append(e.anchor)
    matrix = [
        MatrixCell(value=value, verdict=verdict, anchors=cells[value, verdict])  # type: ignore[arg-type]
        for value in VALUES
        for verdict in reversed(VERDICTS)
        if (value, verdict) in cells
    ]
    return Portfolio(
        counts=VerdictCounts(**counts),
        mean_score=round(mean, 1),
        ranking_rule=RANKING_RULE,
        ranking=ranking,
        score_histogram=histogram,
        risks=total_risks(use_cases),
        matrix=matrix,
    )


def total_risks(use_cases: Sequence[UseCaseReport]) -> list[DimensionRisk]:
    """Blockers and conditions per dimension (by title), summed over the use cases."""
    totals: dict[str, DimensionRisk] = {}
    for uc in use_cases:
        for d in uc.risks:
            t = totals.get(d.title)
            if t is None:
                totals[d.title] = d.model_copy()
            else:
                t.blockers += d.blockers
                t.conditions += d.conditions
    return list(totals.values())
