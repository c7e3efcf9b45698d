"""Markdown reports and score summaries, written for GitHub's renderer.

Only Markdown syntax: headings, paragraphs, lists, tables, block quotes and code spans; no raw
HTML. Every piece of user or rubric text passes through :func:`md_inline` (one line, all syntax
escaped, table-safe) or :func:`md_block` (paragraphs with hard line breaks), so a name with
``|``, backticks, ``<script>`` or newlines renders as that text and leaves tables intact.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from assessor.domain.rubric import Rubric
from assessor.domain.scoring import AnswerWarning, Finding, Result
from assessor.domain.words import EFFORT_LABEL, WARNINGS_HEADING
from assessor.reports.build import cost_sentence
from assessor.reports.model import DimensionRisk, Report, UseCaseReport
from assessor.reports.safety import md_block, md_code, md_inline
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
    answer_words,
    capitalized,
    change_words,
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

ICON = {"ready": "🟢", "conditional": "🟡", "not_ready": "🔴"}
KIND_ICON = {"blocker": "🔴", "condition": "🟡", "warning": "🟣"}
BAR_CELLS = 20
MATRIX_NAMES = 6
"""The value x readiness matrix names this many use cases per cell, then counts the rest."""


def verdict_words(verdict: str) -> str:
    return f"{ICON[verdict]} {VERDICT_LABEL[verdict]}"


def text_bar(value: float, cells: int = BAR_CELLS) -> str:
    """A 0-100 value as a bar of block characters, in a code span so it stays monospaced."""
    filled = round(max(0.0, min(value, 100.0)) * cells / 100)
    return "`" + "█" * filled + "░" * (cells - filled) + "`"


def table(header: list[str], rows: Iterable[list[str]], align: str = "") -> list[str]:
    """A GFM table; cells must already be escaped. ``align`` has one of l/r per column."""
    marks = [("--:" if (align[i : i + 1] == "r") else ":--") for i in range(len(header))]
    out = ["| " + " | ".join(header) + " |", "| " + " | ".join(marks) + " |"]
    out.extend("| " + " | ".join(cell or " " for cell in row) + " |" for row in rows)
    return out


def heading(level: int, text: str) -> str:
    return "#" * min(level, 6) + " " + text


# ---------------------------------------------------------------------------------------------
# Report


def render_markdown(report: Report, rubrics: list[Rubric], *, logo: str | None = None) -> str:
    meta = report.meta
    lines = [heading(1, md_inline(meta.title)), ""]
    if logo and _plain_path(logo):
        lines += [f"![Logo]({logo})", ""]
    kind = (
        "Portfolio readiness assessment" if report.portfolio else "Production-readiness assessment"
    )
    facts = [f"**{kind}**"]
    if meta.client:
        facts.append(f"Prepared for **{md_inline(meta.client)}**")
    if meta.author:
        facts.append(f"Prepared by **{md_inline(meta.author)}**")
    facts.append(md_inline(meta.date))
    if meta.doc_version:
        facts.append(f"Version {md_inline(meta.doc_version)}")
    if meta.status:
        facts.append(f"**{meta.status.capitalize()}**")
    refs = dict.fromkeys(f"{r.title} (version {r.version})" for r in rubrics)
    facts.append("Rubric: " + ", ".join(md_inline(ref) for ref in refs))
    lines += [" · ".join(facts), ""]
    if meta.confidential:
        client = f": prepared for {md_inline(meta.client)} only" if meta.client else ""
        lines += [f"> **Confidential**{client}. Do not distribute.", ""]

    if report.portfolio is None:
        uc = report.use_cases[0]
        r = uc.result
        sub = []
        if r.use_case != meta.title:
            sub.append(f"**Use case:** {md_inline(r.use_case)}")
        if r.owner:
            sub.append(f"**Owner:** {md_inline(r.owner)}")
        if sub:
            lines += [" · ".join(sub), ""]
        lines += _use_case(uc, rubrics[0], level=2, currency=meta.currency)
        lines += _methodology(report)
        lines += _signoff(report)
        if report.appendix:
            lines += _appendix(uc, rubrics[0], level=2)
    else:
        lines += _portfolio(report, rubrics)
        lines += _methodology(report)
        lines += _signoff(report)
    lines += _about(report, rubrics)
    return "\n".join(lines).rstrip() + "\n"


def _plain_path(path: str) -> bool:
    return all(ch.isalnum() or ch in "._-/" for ch in path) and not path.startswith("/")


def _portfolio(report: Report, rubrics: list[Rubric]) -> list[str]:
    p = report.portfolio
    assert p is not None
    n = len(report.use_cases)
    c = p.counts
    lines = [heading(2, "Executive summary"), ""]
    lines += [
        f"{c.ready} of {n} use cases {'is' if c.ready == 1 else 'are'} ready for production as "
        f"answered, {c.conditional} can be once conditions are met, and {c.not_ready} "
        f"{'is' if c.not_ready == 1 else 'are'} not ready.",
        "",
    ]
    lines += table(
        [
            verdict_words("ready"),
            verdict_words("conditional"),
            verdict_words("not_ready"),
            "Mean score",
        ],
        [[str(c.ready), str(c.conditional), str(c.not_ready), f"{p.mean_score:.0f}"]],
        "rrrr",
    )
    lines += ["", heading(3, "Readiness chart"), ""]
    top = max(p.score_histogram) or 1
    rows = []
    for i in reversed(range(10)):
        count = p.score_histogram[i]
        band = f"{i * 10}–{i * 10 + 9 if i < 9 else 100}"
        rows.append([band, str(count), text_bar(100 * count / top) if count else ""])
    lines += table(["Score", "Use cases", ""], rows, "lrl")
    lines += ["", *_risks(p.risks, 3)]
    lines += [heading(2, "Value and readiness"), ""]
    names = {uc.anchor: uc.result.use_case for uc in report.use_cases}
    rows = []
    for value in ("high", "medium", "low", "unrated"):
        cells = {c.verdict: c for c in p.matrix if c.value == value}
        if not cells and value == "unrated":
            continue
        row = [f"**{VALUE_LABEL[value]}**"]
        for verdict in ("ready", "conditional", "not_ready"):
            cell = cells.get(verdict)
            if cell is None:
                row.append("–")
                continue
            shown = [md_inline(shorten(names[a], 60)) for a in cell.anchors[:MATRIX_NAMES]]
            if len(cell.anchors) > MATRIX_NAMES:
                shown.append(f"and {len(cell.anchors) - MATRIX_NAMES} more")
            row.append(f"**{len(cell.anchors)}**: " + "; ".join(shown))
        rows.append(row)
    lines += table(
        ["Business value", *(verdict_words(v) for v in ("ready", "conditional", "not_ready"))],
        rows,
        "llll",
    )
    lines += ["", heading(2, "What to build first"), "", f"> {md_inline(p.ranking_rule)}", ""]
    lines += table(
        ["#", "Use case", "Value", "Verdict", "Score", "First step"],
        (
            [str(e.rank), md_inline(e.use_case), VALUE_LABEL[e.business_value or "unrated"],
             verdict_words(e.verdict), str(e.score), md_inline(e.first_step)]
            for e in p.ranking
        ),
        "rlllrl",
    )  # fmt: skip
    lines.append("")
    if report.summary_only:
        return lines
    lines += [heading(2, "All use cases"), ""]
    lines += table(
        ["Use case", "Owner", "Verdict", "Score", "Blockers", "Conditions"],
        (
            [md_inline(uc.result.use_case), md_inline(uc.result.owner),
             verdict_words(uc.result.verdict), str(uc.result.score),
             str(len(uc.result.blockers)), str(len(uc.result.conditions))]
            for uc in report.use_cases
        ),
        "lllrrr",
    )  # fmt: skip
    lines.append("")
    # Each use case's section, in build order.
    index = {uc.anchor: i for i, uc in enumerate(report.use_cases)}
    for e in p.ranking:
        i = index[e.anchor]
        uc = report.use_cases[i]
        lines += ["---", "", heading(2, f"{e.rank}. {md_inline(uc.result.use_case)}"), ""]
        if uc.result.owner:
            lines += [f"**Owner:** {md_inline(uc.result.owner)}", ""]
        lines += _use_case(uc, rubrics[i], level=3, currency=report.meta.currency)
        if report.appendix:
            lines += _appendix(uc, rubrics[i], level=3)
    return lines


def _risks(risks: list[DimensionRisk], level: int) -> list[str]:
    blockers = sum(d.blockers for d in risks)
    conditions = sum(d.conditions for d in risks)
    lines = [
        heading(level, "Risks by dimension"),
        "",
        f"{plural(blockers, 'blocker')} (high risk) · {plural(conditions, 'condition')} "
        "(medium risk)",
        "",
    ]
    found = [d for d in risks if d.blockers or d.conditions]
    if found:
        lines += table(
            ["Dimension", "Blockers", "Conditions"],
            (
                [md_inline(d.title) + (" *(context)*" if d.context else ""),
                 str(d.blockers) if d.blockers else "–",
                 str(d.conditions) if d.conditions else "–"]
                for d in found
            ),
            "lrr",
        )  # fmt: skip
        lines.append("")
    clear = [md_inline(d.title) for d in risks if not (d.blockers or d.conditions)]
    if clear:
        lines += [f"No blocker or condition: {', '.join(clear)}.", ""]
    return lines


def _use_case(uc: UseCaseReport, rubric: Rubric, *, level: int, currency: str = "") -> list[str]:
    r = uc.result
    s = uc.summary
    h = level
    lines = [heading(h, "Executive summary"), ""]
    provisional = " (provisional)" if r.provisional else ""
    lines += [
        f"> **{verdict_words(r.verdict)}**{provisional} · readiness score **{r.score}**/100",
        "",
    ]
    lines += [f"**{md_inline(s.headline)}**", ""]
    if r.description:
        lines += [md_inline(shorten(r.description, 320)), ""]
    lines += ["**What matters most**", ""]
    for point in s.key_points:
        lines.append(
            f"- **{POINT_LABEL[point.kind]}: {md_inline(point.title)}.** {md_inline(point.detail)}"
        )
    lines += ["", "**What to do next**", ""]
    lines += [f"{i}. {md_inline(step)}" for i, step in enumerate(s.next_steps, 1)]
    lines.append("")
    if r.warnings:
        titles = "; ".join(md_inline(w.title) for w in r.warnings)
        lines += [f"**{KIND_ICON['warning']} {WARNINGS_HEADING}:** {titles} (see below).", ""]
    cost_point = any(point.kind == "cost" for point in s.key_points)
    if r.cost_model is not None and r.cost_model.source != "defaults" and not cost_point:
        lines += [f"**Cost:** {md_inline(cost_sentence(r, currency))}", ""]
    lines += _risks(uc.risks, h + 1)

    lines += [heading(h, "Readiness by dimension"), ""]
    context = {d.id for d in uc.risks if d.context}
    lines += [
        "Each dimension scores 0–100 from the answers. Dimensions marked *(context)* are facts "
        "of the use case, not failures: they set how much safeguarding it needs.",
        "",
    ]
    m = uc.score_method
    if m is not None:
        kind = "blocker" if r.verdict == "not_ready" else "condition"
        penalty = (
            f"; × {m.finding_penalty:g}^{m.findings} for {plural(m.findings, kind)} = "
            f"**{m.adjusted:.1f}**"
            if m.findings
            else ""
        )
        lines += [
            f"**Score:** weighted mean of {plural(m.dimensions_scored, 'dimension')}: "
            f"**{m.mean:.1f}**{penalty}; placed in the {VERDICT_LABEL[r.verdict].lower()} band "
            f"{m.band[0]}–{m.band[1]}: {m.band[0]} + {m.band[1] - m.band[0]} × "
            f"{m.adjusted:.1f}% = **{m.score}**.",
            "",
        ]
    lines += table(
        ["Dimension", "Level", "Weight", "Score", ""],
        (
            [md_inline(d.title) + (" *(context)*" if d.id in context else ""),
             md_inline(_level(rubric, r, d.id, d.level)), f"{d.weight:g}",
             str(d.score) if d.score is not None else "open",
             text_bar(d.score) if d.score is not None else ""]
            for d in r.dimensions
        ),
        "llrrl",
    )  # fmt: skip
    lines.append("")

    if r.warnings:
        lines += [heading(h, WARNINGS_HEADING), ""]
        lines += [
            "These answers cannot all hold as given. The verdict is scored on them as they "
            "are: check them with the team before relying on it.",
            "",
        ]
        for w in r.warnings:
            lines += _warning(w, rubric, h + 1)

    lines += [heading(h, "Findings"), ""]
    if not r.blockers and not r.conditions:
        lines += ["No blocker and no condition applies: the answers already include the "
                  "safeguards the guide asks for.", ""]  # fmt: skip
    for kind, findings in (("blocker", r.blockers), ("condition", r.conditions)):
        if findings:
            lines += [heading(h + 1, plural(len(findings), KIND_LABEL[kind])), ""]
            for f in findings:
                lines += _finding(f, rubric, r, h + 2)

    if r.to_improve:
        lines += [heading(h, "What would raise the verdict"), ""]
        lines += [
            "Least work first (the effort the rubric declares for each change), then the "
            "smallest change.",
            "",
        ]
        lines += table(
            ["Change", "Effort", "Verdict", "Score"],
            (
                [md_inline(change_words(rubric, r.answers, imp.changes)),
                 EFFORT_LABEL[imp.effort], verdict_words(imp.verdict),
                 f"{r.score} → {imp.score}"]
                for imp in r.to_improve[:IMPROVEMENTS_SHOWN]
            ),
            "lllr",
        )  # fmt: skip
        lines.append("")
        if len(r.to_improve) > IMPROVEMENTS_SHOWN:
            lines += [
                f"*The {IMPROVEMENTS_SHOWN} smallest of {len(r.to_improve)} changes found; "
                "the JSON report lists them all.*",
                "",
            ]

    if uc.plan:
        done = sum(1 for p in uc.plan if p.status == "done")
        lines += [heading(h, "Improvement plan"), ""]
        lines += [f"{plural(len(uc.plan), 'action')}, {done} done.", ""]
        lines += table(
            ["Finding", "Action", "Owner", "Due", "Status"],
            (
                [f"{KIND_ICON[p.kind]} {md_inline(p.title)}"
                 + ("" if p.applies else " *(no longer applies)*"),
                 md_inline(p.action), md_inline(p.owner) or "—", p.due or "—",
                 STATUS_LABEL[p.status]]
                for p in uc.plan
            ),
            "lllll",
        )  # fmt: skip
        lines.append("")

    lines += [heading(h, "Cost of errors and reviews"), ""]
    c = r.cost_model
    if c is not None and c.source != "defaults":
        threshold = param_words("confidence_threshold", c.confidence_threshold)
        policies = [
            ("no_review", "Deliver everything, no review", c.daily_cost_no_review),
            ("review_all", "A person reviews every output", c.daily_cost_review_all),
            ("threshold", f"Review below confidence {threshold}", c.daily_cost_with_threshold),
        ]
        chosen = " (**required**)" if c.required_by else " (**cheapest**)"
        lines += table(
            ["Review policy", "Cost per day"],
            (
                [md_inline(label) + (chosen if key == c.best_policy else ""),
                 money(cost, currency)]
                for key, label, cost in policies
            ),
            "lr",
        )  # fmt: skip
        lines.append("")
        if c.required_by:
            lines += [f"**Why every output is reviewed:** {md_inline(c.policy_reason)}", ""]
        lines += table(
            ["Input", "Value"],
            [
                ["Cost of one error that reaches the outcome", money(c.cost_per_error, currency)],
                ["Cost of one human review", money(c.cost_per_review, currency)],
                ["Outputs per day", number(c.volume_per_day)],
                [
                    "Error rate" + (" (assumed)" if c.error_rate_assumed else ""),
                    f"{percent(c.error_rate)} ({one_in(c.error_rate)})",
                ],
                ["Outputs sent to review by the threshold", percent(c.deferral_rate)],
                ["Wrong outputs still delivered", percent(c.residual_error_rate)],
            ],
            "lr",
        )
        lines.append("")
        if uc.cost_note:
            lines += [f"*{md_inline(uc.cost_note)}*", ""]
    elif uc.cost_note:
        lines += [md_inline(uc.cost_note), ""]
    else:
        lines += [
            "No costs were given, so no cost model is shown. Add the cost of an error, the cost "
            "of a review and the outputs per day to the assessment to see the daily cost of "
            "each review policy.",
            "",
        ]

    lines += [heading(h, "Recommended architecture"), ""]
    for p in r.patterns:
        lines += [
            heading(h + 1, md_inline(p.title)),
            "",
            md_inline(p.reason),
            "",
        ]
        if p.params:
            params = [[md_inline(param_label(k)), md_inline(param_words(k, v))]
                      for k, v in p.params.items()]  # fmt: skip
            lines += table(["Parameter", "Value"], params, "ll")
            lines.append("")
        if p.guide:
            lines += [f"> “{md_inline(p.guide)}”", ""]

    if r.evidence:
        lines += [heading(h, "Measured evidence"), ""]
        lines += [md_inline(evidence_summary(r.evidence)), ""]
        rows = [evidence_source_row(s) for s in r.evidence.get("sources", [])]
        lines += table(
            ["Source", "Cases", "Error rate", "95% interval", "Measured", "Run or dataset"],
            (
                [md_inline(x["source"]), md_inline(x["cases"]), x["rate"], x["interval"],
                 md_inline(x["date"]), md_inline(x["id"])]
                for x in rows
            ),
            "llrrll",
        )  # fmt: skip
        lines.append("")

    if uc.history is not None:
        lines += [heading(h, "History"), ""]
        lines += table(
            ["Date", "Commit", "Change", "Verdict", "Score"],
            (
                [md_inline(p.date[:10]), md_code(p.commit[:10]) if p.commit else "working copy",
                 md_inline(p.subject + (f" — {p.author}" if p.author else "")),
                 verdict_words(p.verdict) if p.verdict else md_inline(p.error),
                 str(p.score) if p.score is not None else "—"]
                for p in reversed(uc.history)
            ),
            "lllll",
        )  # fmt: skip
        lines.append("")
    return lines


def _appendix(uc: UseCaseReport, rubric: Rubric, *, level: int) -> list[str]:
    r = uc.result
    h = level
    lines = [heading(h, "Appendix: answers as given"), ""]
    owner = f" · owned by {md_inline(r.owner)}" if r.owner else ""
    lines += [f"**Use case:** {md_inline(r.use_case)}{owner}", ""]
    if r.description:
        lines += [md_block(r.description), ""]
    lines += table(
        ["Section", "Question", "Answer", "Note"],
        (
            [md_inline(row.section), md_inline(row.prompt),
             f"**{md_inline(row.answer)}**" if row.given else f"*{md_inline(row.answer)}*",
             md_inline(row.note) if len(row.note) <= NOTE_IN_TABLE
             else md_inline(shorten(row.note, NOTE_SHORT)) + " (full note below)"]
            for row in uc.answers
        ),
        "llll",
    )  # fmt: skip
    lines.append("")
    long_notes = [row for row in uc.answers if len(row.note) > NOTE_IN_TABLE]
    if long_notes:
        lines += [heading(h + 1, "Notes in full"), ""]
        for row in long_notes:
            lines += [
                f"**{md_inline(row.prompt)}**",
                "",
                md_block(row.note),
                "",
            ]
    if r.open_questions:
        labels = [md_inline(question_label(rubric, q)) for q in r.open_questions]
        lines += ["Open questions: " + ", ".join(labels) + ".", ""]

    return lines


def _level(rubric: Rubric, r: Result, dim_id: str, level: str) -> str:
    dim = next((d for d in rubric.dimensions if d.id == dim_id), None)
    q = rubric.by_id.get(dim.question or "") if dim else None
    if q is not None and q.type == "choice" and str(r.answers.get(q.id)) == level:
        return q.label_of(r.answers.get(q.id))
    return capitalized(level)


def _finding(f: Finding, rubric: Rubric, r: Result, level: int) -> list[str]:
    icon = KIND_ICON.get(f.kind, "")
    parts = [("Why", f.reason), ("Fix", f.fix)]
    return _explained(rubric, level, icon, f.title, parts, f.answers, f.guide)


def _warning(w: AnswerWarning, rubric: Rubric, level: int) -> list[str]:
    icon = KIND_ICON["warning"]
    return _explained(rubric, level, icon, w.title, [("Check", w.message)], w.answers, w.guide)


def _explained(
    rubric: Rubric,
    level: int,
    icon: str,
    title: str,
    parts: list[tuple[str, str]],
    answers: dict[str, Any],
    guide: str,
) -> list[str]:
    """A finding or warning: its title, what it says, the answers it read, the guide quote."""
    based_on = "; ".join(
        f"{question_label(rubric, q)}: {answer_words(rubric.by_id.get(q), v)}"
        for q, v in answers.items()
    )
    lines = [heading(level, f"{icon} {md_inline(title)}"), ""]
    lines += [f"- **{label}:** {md_inline(text)}" for label, text in parts]
    if based_on:
        lines.append(f"- **Based on:** {md_inline(based_on)}")
    lines.append("")
    if guide:
        guide_title = f" — *{md_inline(rubric.guide_title)}*" if rubric.guide_title else ""
        lines += [f"> “{md_inline(guide)}”{guide_title}", ""]
    return lines


def _about(report: Report, rubrics: list[Rubric]) -> list[str]:
    seen: dict[str, Rubric] = {}
    for rubric in rubrics:
        seen.setdefault(f"{rubric.id} v{rubric.version}", rubric)
    names = ", ".join(
        f"{md_inline(rb.title)} (version {md_inline(rb.version)})" for rb in seen.values()
    )
    guide = rubrics[0].guide_title
    encodes = f", which encodes “{md_inline(guide)}”" if guide else ""
    return [
        "---",
        "",
        f"*Scored with the rubric {names}{encodes}. "
        f"{md_inline(report.meta.generator)} · {md_inline(report.meta.date)}*",
    ]


def _methodology(report: Report) -> list[str]:
    cur = report.meta.currency
    lines = ["---", "", heading(2, "Methodology"), ""]
    single = report.use_cases[0] if report.portfolio is None else None
    for m in report.methodology:
        if len(report.methodology) > 1:
            lines += [f"*Rubric {md_inline(m.rubric)}*", ""]
        b = m.bands
        weights = ", ".join(f"{md_inline(w.title.lower())} {w.weight:g}" for w in m.weights)
        lines += [
            heading(3, "Verdict"),
            "",
            "Every blocker and condition is a rule of the rubric that cites the guide sentence "
            "it encodes. The verdict is the worst that applies: any blocker makes it **not "
            "ready**; otherwise any condition makes it **conditional**; otherwise it is "
            "**ready**.",
            "",
            heading(3, "Readiness score"),
            "",
            f"Each dimension scores 0–100 from the answers. The score is their weighted mean "
            f"(weights: {weights}), multiplied by {m.finding_penalty:g} once per finding of the "
            f"verdict’s kind, then placed in the verdict’s band: not ready "
            f"{b['not_ready'][0]}–{b['not_ready'][1]}, conditional "
            f"{b['conditional'][0]}–{b['conditional'][1]}, ready "
            f"{b['ready'][0]}–{b['ready'][1]}:",
            "",
            f"`score = band low + round((band high − band low) × weighted mean × "
            f"{m.finding_penalty:g}^findings / 100)`",
            "",
        ]
        if single is not None and single.score_method is not None:
            sm = single.score_method
            penalty = (
                f", × {sm.finding_penalty:g}^{sm.findings} = {sm.adjusted:.1f}"
                if sm.findings
                else ""
            )
            lines += [
                f"For this use case: weighted mean {sm.mean:.1f}{penalty}, in the band "
                f"{sm.band[0]}–{sm.band[1]}: {sm.band[0]} + round({sm.band[1] - sm.band[0]} × "
                f"{sm.adjusted:.1f} / 100) = {sm.score}.",
                "",
            ]
        levels = ", ".join(f"{k} {money(v, cur)}" for k, v in m.cost_per_error_by_level.items())
        unit = (
            f"Amounts are in {md_inline(cur)}."
            if cur
            else ("Amounts are in the currency units of the assessment.")
        )
        lines += [
            heading(3, "Cost model"),
            "",
            "Each output is wrong with some probability; across outputs these probabilities "
            f"follow a Beta distribution whose mean is the error rate (assumed "
            f"{percent(m.assumed_error_rate)} where it is unknown) and whose concentration is "
            f"{m.confidence_concentration:g}. A calibrated confidence score is one minus that "
            "probability. Delivering an output costs its probability of error times the cost of "
            "an error; sending it to a person costs one review, which is assumed to catch the "
            "error. Review therefore pays off when the probability of error exceeds cost of "
            "review ÷ cost of error, so the recommended confidence threshold is 1 − cost of "
            f"review ÷ cost of error, kept between {m.min_threshold:g} and "
            f"{m.max_threshold:g}.",
            "",
            "Daily costs: no review = outputs per day × error rate × cost of an error; review "
            "everything = outputs per day × cost of review; threshold = outputs per day × "
            "(share reviewed × cost of review + share wrong and delivered × cost of an error). "
            + REVIEW_ALL_METHOD,
            "",
            "Defaults where the assessment gives no figure: "
            + (
                f"cost of one error by {md_inline(m.policy_question.lower())}, by level "
                f"({levels}); "
                if levels
                else ""
            )
            + "cost of a review "
            f"{money(m.cost_per_review, cur)}; {number(m.volume_per_day)} outputs per day. {unit}",
            "",
        ]
        notes = [uc for uc in report.use_cases if uc.cost_note]
        if notes and not report.portfolio:
            lines += [
                f"Defaults and assumptions used in this report: {md_inline(notes[0].cost_note)}",
                "",
            ]
        elif notes:
            n = len(report.use_cases)
            rely = "relies" if len(notes) == 1 else "rely"
            say = "its section says" if len(notes) == 1 else "their sections say"
            lines += [
                f"{plural(len(notes), 'use case')} of {n} {rely} on these defaults or on the "
                f"assumed error rate for some inputs; {say} which.",
                "",
            ]
    return lines


def _signoff(report: Report) -> list[str]:
    meta = report.meta
    client = f" ({md_inline(meta.client)})" if meta.client else ""
    lines = [heading(2, "Sign-off"), ""]
    lines += table(
        ["Role", "Name", "Signature", "Date"],
        [
            ["Prepared by", md_inline(meta.author), "", ""],
            ["Reviewed by", "", "", ""],
            [f"Accepted by{client}", "", "", ""],
        ],
        "llll",
    )
    version = f", version {md_inline(meta.doc_version)}" if meta.doc_version else ""
    status = f", {meta.status}" if meta.status else ""
    lines += ["", f"*Document {md_inline(meta.title)}{version}{status}, {meta.date}.*", ""]
    return lines


# ---------------------------------------------------------------------------------------------
# assessor score --format md


def score_summary(results: list[Result]) -> str:
    """A compact Markdown summary of scores (for pull-request comments and CI job summaries)."""
    lines: list[str] = []
    if len(results) > 1:
        lines += [heading(2, f"Production readiness: {plural(len(results), 'use case')}"), ""]
        lines += table(
            ["Use case", "Verdict", "Score", "Blockers", "Conditions"],
            (
                [md_inline(r.use_case), verdict_words(r.verdict), str(r.score),
                 str(len(r.blockers)), str(len(r.conditions))]
                for r in results
            ),
            "llrrr",
        )  # fmt: skip
        lines.append("")
    level = 3 if len(results) > 1 else 2
    for r in results:
        provisional = " (provisional)" if r.provisional else ""
        lines += [
            heading(level, f"{ICON[r.verdict]} {md_inline(r.use_case)}"),
            "",
            f"**{VERDICT_LABEL[r.verdict]}**{provisional} · score **{r.score}**/100 · rubric "
            f"{md_code(r.rubric.id)} v{md_inline(r.rubric.version)}",
            "",
        ]
        for f in r.blockers + r.conditions:
            lines.append(
                f"- {KIND_ICON.get(f.kind, '')} **{md_inline(f.title)}** ({md_code(f.id)}): "
                f"{md_inline(f.reason)} *Fix:* {md_inline(f.fix)}"
            )
        if not (r.blockers or r.conditions):
            lines.append("- No blocker and no condition applies.")
        for w in r.warnings:
            lines.append(
                f"- {KIND_ICON['warning']} **{md_inline(w.title)}** ({md_code(w.id)}): "
                f"{md_inline(w.message)}"
            )
        lines.append("")
        if r.to_improve:
            best = r.to_improve[0]
            effort = f", effort {best.effort}" if best.effort else ""
            lines += [
                f"To raise the verdict: {md_inline(best.summary)} "
                f"(→ {VERDICT_LABEL[best.verdict].lower()}, score {best.score}{effort}).",
                "",
            ]
        lines += [
            "Patterns: "
            + ", ".join(f"{md_inline(p.title)} ({md_code(p.id)})" for p in r.patterns)
            + ".",
            "",
        ]
    return "\n".join(lines).rstrip() + "\n"
