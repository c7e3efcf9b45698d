"""From loaded and scored assessments to the report document every format renders.

The judgement calls a consultant would make by hand live here, in one place: which one or two
things matter most, what to do next, and in which order a portfolio should be built.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Sequence
from typing import Any

from assessor import __version__
from assessor.domain.assessment import effective_answers
from assessor.domain.load import Loaded
from assessor.domain.rubric import VERDICTS, Rubric
from assessor.domain.scoring import Result
from assessor.reports.jsonreport import finite
from assessor.reports.model import (
    AnswerRow,
    HistoryPoint,
    KeyPoint,
    Meta,
    Portfolio,
    RankEntry,
    Report,
    Summary,
    UseCaseReport,
    VerdictCounts,
)
from assessor.reports.words import (
    VERDICT_LABEL,
    answer_words,
    capitalized,
    change_words,
    money,
    number,
    one_line,
    param_words,
    percent,
    plural,
)

MAX_NEXT_STEPS = 4

RANKING_RULE = (
    "Build order: ready use cases first, then conditional ones, then those not ready. Within a "
    "verdict, the use case with the fewest findings to clear comes first (blockers count before "
    "conditions), then the one with the higher readiness score, then by name."
)

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


def build_report(
    items: Sequence[Loaded],
    results: Sequence[Result],
    *,
    files: Sequence[str],
    title: str | None = None,
    client: str | None = None,
    author: str | None = None,
    histories: Sequence[list[HistoryPoint] | None] | None = None,
) -> Report:
    """The report of one use case (one item) or a portfolio (several)."""
    use_cases = [
        use_case_report(
            item,
            result,
            anchor=anchor_of(i),
            file=files[i],
            history=histories[i] if histories else None,
        )
        for i, (item, result) in enumerate(zip(items, results, strict=True))
    ]
    return assemble_report(use_cases, title=title, client=client, author=author)


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
    return uc.model_copy(update={"result": result, "answers": [], "history": None})


def anchor_of(index: int) -> str:
    """The section id of the use case at ``index`` (input order)."""
    return f"uc-{index + 1}"


def assemble_report(
    use_cases: list[UseCaseReport],
    *,
    title: str | None = None,
    client: str | None = None,
    author: str | None = None,
) -> Report:
    """The report around its use cases: cover and, for several, the portfolio summary."""
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
    )
    return Report(
        kind="portfolio" if portfolio else "use_case",
        meta=meta,
        portfolio=portfolio_summary(use_cases) if portfolio else None,
        use_cases=use_cases,
    )


def use_case_report(
    item: Loaded,
    result: Result,
    *,
    anchor: str,
    file: str,
    history: list[HistoryPoint] | None = None,
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
        summary=summarize(result, item.rubric, file=file),
        answers=answer_rows(item.rubric, item.answers, result.notes),
        cost_note=note or cost_note(result),
        history=history,
    )


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


def summarize(result: Result, rubric: Rubric, *, file: str = "") -> Summary:
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
        steps.append(f"Answer the open questions: {', '.join(result.open_questions)}.")
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
            "Generate the starter project with these patterns wired in: "
            f"assessor scaffold {file or 'FILE'} -o <folder>."
        )
    if result.cost_model is not None and result.cost_model.source != "defaults" and len(points) < 2:
        points.append(KeyPoint(kind="cost", title="Cost of errors", detail=cost_sentence(result)))
    if len(steps) > MAX_NEXT_STEPS:
        rest = len(steps) - (MAX_NEXT_STEPS - 1)
        steps = [*steps[: MAX_NEXT_STEPS - 1], f"And {plural(rest, 'more step')}: see below."]
    return Summary(headline=headline(result), key_points=points, next_steps=steps)


def cost_sentence(result: Result) -> str:
    """The cost model's conclusion in one sentence."""
    c = result.cost_model
    if c is None:
        return ""
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
    return (
        f"{leads[c.best_policy]} is the cheapest policy, at about "
        f"{money(costs[c.best_policy])} a day, against {rest}."
    )


def cost_note(result: Result) -> str:
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
        used = [f"{COST_INPUTS.get(k, k)} {number(values.get(k, 0.0))}" for k in c.defaults_used]
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


def rank_key(uc: UseCaseReport) -> tuple[int, int, int, int, str]:
    r = uc.result
    return (
        -VERDICTS.index(r.verdict),
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
        )
        for i, uc in enumerate(sorted(use_cases, key=rank_key))
    ]
    mean = sum(uc.result.score for uc in use_cases) / len(use_cases)
    return Portfolio(
        counts=VerdictCounts(**counts),
        mean_score=round(mean, 1),
        ranking_rule=RANKING_RULE,
        ranking=ranking,
        score_histogram=histogram,
    )
