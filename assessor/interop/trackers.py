"""Findings as work items: GitHub issue bodies (JSON Lines) and CSV rows (spreadsheets, Jira).

Each blocker and condition of each scored use case is one item. Its key is a hash of the use
case, the rubric and the finding id, so exporting again gives the same key: a sync script
finds the issue it made before (the key is in the body's last line and in the CSV's first
column) instead of opening a duplicate.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from typing import Any

from assessor.app.batch import score_loaded
from assessor.domain.load import Loaded
from assessor.domain.scoring import Finding, Result
from assessor.reports.safety import md_block, md_code, md_inline

MARKER = "assessor-finding"
CSV_COLUMNS = (
    "key",
    "use_case",
    "rubric",
    "rubric_version",
    "verdict",
    "kind",
    "finding",
    "title",
    "reason",
    "fix",
    "guide",
    "answers",
    "dimensions",
    "file",
)
_VERDICT_WORDS = {"not_ready": "not ready", "conditional": "conditional", "ready": "ready"}


def finding_key(use_case: str, rubric_id: str, finding_id: str) -> str:
    """The stable id of one finding of one use case under one rubric."""
    text = "\x1f".join((use_case.strip(), rubric_id, finding_id))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _items(loaded: list[Loaded]) -> Iterator[tuple[Loaded, Result, Finding, list[str]]]:
    for item in loaded:
        result = score_loaded(item)
        compiled = item.rubric.compiled
        index = {rule.id: i for i, (rule, _) in enumerate(compiled.rules)}
        for finding in result.blockers + result.conditions:
            reads = compiled.rule_reads[index[finding.id]]
            dims = [
                d.id
                for (d, _), dim_reads in zip(
                    compiled.dimensions, compiled.dimension_reads, strict=True
                )
                if dim_reads & reads
            ]
            yield item, result, finding, dims


def _answers_in_words(item: Loaded, finding: Finding) -> list[tuple[str, str]]:
    out = []
    for qid, value in finding.answers.items():
        q = item.rubric.by_id.get(qid)
        out.append((q.short if q else qid, q.label_of(value) if q else str(value)))
    return out


def github_issues(loaded: list[Loaded]) -> str:
    """JSON Lines: one GitHub create-issue body (title, body, labels) per finding."""
    lines = []
    for item, result, finding, dims in _items(loaded):
        key = finding_key(result.use_case, result.rubric.id, finding.id)
        kind = "Blocker" if finding.kind == "blocker" else "Condition"
        rows = "\n".join(
            f"| {md_inline(q)} | {md_inline(a)} |" for q, a in _answers_in_words(item, finding)
        )
        body = "\n".join(
            [
                f"**{kind}** {md_code(finding.id)} of **{md_inline(result.use_case)}**: "
                f"verdict **{_VERDICT_WORDS[result.verdict]}** under the rubric "
                f"{md_code(result.rubric.id)} version {md_inline(result.rubric.version)}.",
                "",
                "### Why",
                md_block(finding.reason),
                "",
                "### Fix",
                md_block(finding.fix),
                "",
                "### Guide",
                f"> {md_inline(finding.guide)}",
                "",
                "### Answers",
                "| Question | Answer |",
                "|---|---|",
                rows,
                "",
                f"<!-- {MARKER}: {key} -->",
                f"Finding key: `{key}`",
            ]
        )
        labels = [
            f"verdict: {result.verdict}",
            f"kind: {finding.kind}",
            *(f"dimension: {d}" for d in dims),
        ]
        issue = {
            "title": f"{result.use_case}: {finding.title}"[:256],
            "body": body,
            "labels": [label[:50] for label in labels],
        }
        lines.append(json.dumps(issue, ensure_ascii=False))
    return "".join(line + "\n" for line in lines)


def _cell(value: Any) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    text = " ".join(str(value).split())
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def findings_csv(loaded: list[Loaded]) -> str:
    """One CSV row per finding (RFC 4180, header first)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for item, result, finding, dims in _items(loaded):
        answers = "; ".join(f"{q}: {a}" for q, a in _answers_in_words(item, finding))
        row = {
            "key": finding_key(result.use_case, result.rubric.id, finding.id),
            "use_case": result.use_case,
            "rubric": result.rubric.id,
            "rubric_version": result.rubric.version,
            "verdict": result.verdict,
            "kind": finding.kind,
            "finding": finding.id,
            "title": finding.title,
            "reason": finding.reason,
            "fix": finding.fix,
            "guide": finding.guide,
            "answers": answers,
            "dimensions": " ".join(dims),
            "file": str(item.path),
        }
        writer.writerow([_cell(row[c]) for c in CSV_COLUMNS])
    return buffer.getvalue()
