"""``assessor diff OLD NEW``: what changed between two versions of an assessment.

Compares the use case, the answers (in the rubric's order, in words), the notes, the verdict
and score, and the findings and patterns that appeared or went away. Text output is safe for a
terminal (user text stripped of escape sequences); Markdown output escapes user text like the
reports do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assessor.app.batch import load_all, score_loaded
from assessor.domain.load import Loaded
from assessor.domain.rubric import Rubric
from assessor.domain.scoring import AnswerWarning, Finding, Result
from assessor.errors import UsageError
from assessor.fileio import terminal_safe
from assessor.reports.safety import md_code, md_inline
from assessor.reports.words import (
    VERDICT_LABEL,
    answer_words,
    evidence_source_row,
    evidence_summary,
    one_line,
    question_label,
    shorten,
)

NOTE_CHARS = 160
_MISSING: Any = object()


@dataclass
class AnswerChange:
    question: str
    label: str
    before: str
    after: str


@dataclass
class Diff:
    """Everything that differs between two assessments and their scores."""

    old_file: str
    new_file: str
    old: Result
    new: Result
    use_case: list[tuple[str, str, str]] = field(default_factory=list)
    """(field, before, after) for name, description and owner."""
    rubric: tuple[str, str] | None = None
    answers: list[AnswerChange] = field(default_factory=list)
    notes: list[AnswerChange] = field(default_factory=list)
    added: list[Finding] = field(default_factory=list)
    removed: list[Finding] = field(default_factory=list)
    patterns_added: list[str] = field(default_factory=list)
    patterns_removed: list[str] = field(default_factory=list)
    warnings_added: list[AnswerWarning] = field(default_factory=list)
    """Answers that contradict each other in NEW and did not in OLD."""
    warnings_removed: list[AnswerWarning] = field(default_factory=list)
    evidence_added: list[dict[str, str]] = field(default_factory=list)
    """Measurements recorded since OLD, in words (source, cases, rate, interval, date)."""

    @property
    def evidence_changed(self) -> bool:
        return bool(self.evidence_added) or (
            evidence_summary(self.old.evidence) != evidence_summary(self.new.evidence)
        )

    @property
    def verdict_changed(self) -> bool:
        return self.old.verdict != self.new.verdict

    @property
    def score_delta(self) -> int:
        return self.new.score - self.old.score

    @property
    def unchanged(self) -> bool:
        return not (
            self.use_case
            or self.rubric
            or self.answers
            or self.notes
            or self.added
            or self.removed
            or self.patterns_added
            or self.patterns_removed
            or self.warnings_added
            or self.warnings_removed
            or self.evidence_changed
            or self.verdict_changed
            or self.score_delta
        )


def compare(old: Loaded, new: Loaded, old_file: str, new_file: str) -> Diff:
    before, after = score_loaded(old), score_loaded(new)
    d = Diff(old_file=old_file, new_file=new_file, old=before, new=after)
    ou, nu = old.assessment.use_case, new.assessment.use_case
    for name in ("name", "description", "owner"):
        a, b = getattr(ou, name), getattr(nu, name)
        if a != b:
            d.use_case.append((name, a, b))
    if (before.rubric.id, before.rubric.version) != (after.rubric.id, after.rubric.version):
        d.rubric = (
            f"{before.rubric.id} v{before.rubric.version}",
            f"{after.rubric.id} v{after.rubric.version}",
        )
    d.answers = _answer_changes(old.rubric, new.rubric, old.answers, new.answers)
    d.notes = _note_changes(new.rubric, old.assessment.notes, new.assessment.notes)
    old_ids = {f.id for f in before.blockers + before.conditions}
    new_ids = {f.id for f in after.blockers + after.conditions}
    d.added = [f for f in after.blockers + after.conditions if f.id not in old_ids]
    d.removed = [f for f in before.blockers + before.conditions if f.id not in new_ids]
    old_p = {p.id: p.title for p in before.patterns}
    new_p = {p.id: p.title for p in after.patterns}
    d.patterns_added = [title for pid, title in new_p.items() if pid not in old_p]
    d.patterns_removed = [title for pid, title in old_p.items() if pid not in new_p]
    old_w, new_w = {w.id for w in before.warnings}, {w.id for w in after.warnings}
    d.warnings_added = [w for w in after.warnings if w.id not in old_w]
    d.warnings_removed = [w for w in before.warnings if w.id not in new_w]
    seen = {(e.sha256, e.recorded_at) for e in old.assessment.evidence}
    d.evidence_added = [
        evidence_source_row(e.model_dump(exclude_none=True))
        for e in new.assessment.evidence
        if (e.sha256, e.recorded_at) not in seen
    ]
    return d


def _answer_changes(
    old_rubric: Rubric, new_rubric: Rubric, old: dict[str, Any], new: dict[str, Any]
) -> list[AnswerChange]:
    order = [q.id for q in new_rubric.questions]
    order += [q.id for q in old_rubric.questions if q.id not in order]
    changes = []
    for qid in order:
        if qid not in old and qid not in new:
            continue
        a, b = old.get(qid, _MISSING), new.get(qid, _MISSING)
        if a is not _MISSING and b is not _MISSING and type(a) is type(b) and a == b:
            continue
        q = new_rubric.by_id.get(qid) or old_rubric.by_id.get(qid)
        rubric = new_rubric if qid in new_rubric.by_id else old_rubric
        changes.append(
            AnswerChange(
                question=qid,
                label=question_label(rubric, qid),
                before="not answered" if a is _MISSING else answer_words(q, a),
                after="not answered" if b is _MISSING else answer_words(q, b),
            )
        )
    return changes


def _note_changes(rubric: Rubric, old: dict[str, str], new: dict[str, str]) -> list[AnswerChange]:
    out = []
    for key in list(dict.fromkeys([*old, *new])):
        a, b = old.get(key, ""), new.get(key, "")
        if a != b:
            out.append(
                AnswerChange(
                    question=key,
                    label=question_label(rubric, key),
                    before=shorten(a, NOTE_CHARS) or "no note",
                    after=shorten(b, NOTE_CHARS) or "no note",
                )
            )
    return out


def diff_files(old: Path, new: Path, *, fmt: str = "text") -> str:
    """Load, score and compare two assessment files; the comparison as text or Markdown."""
    if fmt not in ("text", "md"):
        raise UsageError(f"unknown diff format {fmt!r} (choose text or md)")
    before, after = load_all([old, new])
    d = compare(before, after, str(old), str(new))
    return render_markdown(d) if fmt == "md" else render_text(d)


# ---------------------------------------------------------------------------------------------
# Text


def _score_line(d: Diff) -> str:
    delta = d.score_delta
    sign = f" ({delta:+d})" if delta else " (unchanged)"
    return f"{d.old.score} -> {d.new.score}{sign}"


def render_text(d: Diff) -> str:
    t = terminal_safe
    name = one_line(d.new.use_case)
    lines = [t(f"{name}: {d.old_file} -> {d.new_file}")]
    if d.unchanged:
        lines.append("No changes: the answers, verdict, score and findings are the same.")
        return "\n".join(lines)
    verdict = (
        f"{VERDICT_LABEL[d.old.verdict]} -> {VERDICT_LABEL[d.new.verdict]}"
        if d.verdict_changed
        else f"{VERDICT_LABEL[d.new.verdict]} (unchanged)"
    )
    lines += [f"  verdict: {verdict}", f"  score:   {_score_line(d)}"]
    if d.rubric:
        lines.append(t(f"  rubric:  {d.rubric[0]} -> {d.rubric[1]}"))
    for title, items in (("Use case", d.use_case),):
        if items:
            lines += ["", f"{title} changed:"]
            for fieldname, a, b in items:
                a, b = shorten(a, 80) or "(empty)", shorten(b, 80) or "(empty)"
                lines.append(t(f"  {fieldname}: {a} -> {b}"))
    for title, changes in (("Answers changed", d.answers), ("Notes changed", d.notes)):
        if changes:
            lines += ["", f"{title} ({len(changes)}):"]
            for c in changes:
                lines.append(t(f"  {c.label} [{c.question}]: {c.before} -> {c.after}"))
    for title, findings, mark in (
        ("Findings added", d.added, "+"),
        ("Findings removed", d.removed, "-"),
    ):
        if findings:
            lines += ["", f"{title} ({len(findings)}):"]
            for f in findings:
                lines.append(t(f"  {mark} {f.kind:<9} {f.title} [{f.id}]"))
    for title, warnings, mark in (
        ("Answers that now contradict each other", d.warnings_added, "+"),
        ("Contradictions resolved", d.warnings_removed, "-"),
    ):
        if warnings:
            lines += ["", f"{title} ({len(warnings)}):"]
            lines += [t(f"  {mark} {w.title} [{w.id}]") for w in warnings]
    if d.patterns_added or d.patterns_removed:
        lines += ["", "Recommended patterns:"]
        lines += [t(f"  + {p}") for p in d.patterns_added]
        lines += [t(f"  - {p}") for p in d.patterns_removed]
    if d.evidence_changed:
        lines += ["", "Measured evidence:"]
        for row in d.evidence_added:
            lines.append(
                t(
                    f"  + {row['source']}: {row['cases']}, {row['rate']} "
                    f"(95% interval {row['interval']}), measured {row['date']}"
                )
            )
        lines.append(t(f"  before: {evidence_summary(d.old.evidence) or 'none'}"))
        lines.append(t(f"  after:  {evidence_summary(d.new.evidence) or 'none'}"))
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Markdown


def render_markdown(d: Diff) -> str:
    lines = [
        f"## {md_inline(d.new.use_case)}",
        "",
        f"Changes from {md_code(d.old_file)} to {md_code(d.new_file)}.",
        "",
    ]
    if d.unchanged:
        lines.append("No changes: the answers, verdict, score and findings are the same.")
        return "\n".join(lines) + "\n"
    rows = [
        ["Verdict", VERDICT_LABEL[d.old.verdict], VERDICT_LABEL[d.new.verdict]],
        ["Score", str(d.old.score), f"{d.new.score} ({d.score_delta:+d})"],
    ]
    if d.rubric:
        rows.append(["Rubric", md_inline(d.rubric[0]), md_inline(d.rubric[1])])
    for fieldname, a, b in d.use_case:
        rows.append(
            [f"Use case {fieldname}", md_inline(shorten(a, 120)), md_inline(shorten(b, 120))]
        )
    lines += _table(["", "Before", "After"], rows)
    for title, changes in (("Answers changed", d.answers), ("Notes changed", d.notes)):
        if changes:
            lines += ["", f"### {title}", ""]
            lines += _table(
                ["Question", "Before", "After"],
                [
                    [f"{md_inline(c.label)} {md_code(c.question)}", md_inline(c.before),
                     md_inline(c.after)]
                    for c in changes
                ],
            )  # fmt: skip
    for title, findings in (("Findings added", d.added), ("Findings removed", d.removed)):
        if findings:
            lines += ["", f"### {title}", ""]
            lines += [
                f"- **{md_inline(f.kind)}** {md_inline(f.title)} ({md_code(f.id)})"
                for f in findings
            ]
    for title, warnings in (
        ("Answers that now contradict each other", d.warnings_added),
        ("Contradictions resolved", d.warnings_removed),
    ):
        if warnings:
            lines += ["", f"### {title}", ""]
            lines += [f"- {md_inline(w.title)} ({md_code(w.id)})" for w in warnings]
    if d.patterns_added or d.patterns_removed:
        lines += ["", "### Recommended patterns", ""]
        lines += [f"- added: {md_inline(p)}" for p in d.patterns_added]
        lines += [f"- removed: {md_inline(p)}" for p in d.patterns_removed]
    if d.evidence_changed:
        lines += ["", "### Measured evidence", ""]
        if d.evidence_added:
            lines += _table(
                ["Source", "Cases", "Error rate", "95% interval", "Measured"],
                [
                    [md_inline(r["source"]), md_inline(r["cases"]), r["rate"], r["interval"],
                     md_inline(r["date"])]
                    for r in d.evidence_added
                ],
            )  # fmt: skip
            lines.append("")
        lines += [
            f"- before: {md_inline(evidence_summary(d.old.evidence) or 'none')}",
            f"- after: {md_inline(evidence_summary(d.new.evidence) or 'none')}",
        ]
    return "\n".join(lines) + "\n"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + " :-- |" * len(header)]
    out += ["| " + " | ".join(cell or " " for cell in row) + " |" for row in rows]
    return out
