"""An assessment as the Well-Architected Tool's answers: one ``update-answer`` input per lens
question (QuestionId, SelectedChoices, Notes), with the question and choice ids of the lens
that ``rubric export`` writes for the same rubric (an imported lens keeps its own ids)."""

from __future__ import annotations

from typing import Any

from assessor.domain.load import Loaded
from assessor.interop.lens_export import answer_key, plan_lens

MAX_NOTES = 2084
"""The API's limit on an answer's notes."""


def wa_answers(
    item: Loaded, *, workload_id: str | None = None, lens_alias: str | None = None
) -> list[dict[str, Any]]:
    rubric = item.rubric
    answers = item.answers
    notes = item.assessment.notes
    out: list[dict[str, Any]] = []
    for _, _, carried in plan_lens(rubric).pillars:
        for c in carried:
            q = c.question
            entry: dict[str, Any] = {}
            if workload_id:
                entry["WorkloadId"] = workload_id
            if lens_alias:
                entry["LensAlias"] = lens_alias
            entry["QuestionId"] = c.lens_id
            value = answers.get(q.id)
            values = value if isinstance(value, list) else [] if value is None else [value]
            entry["SelectedChoices"] = [c.choices[answer_key(v)] for v in values]
            note = notes.get(q.id, "")
            entry["Notes"] = note if len(note) <= MAX_NOTES else note[: MAX_NOTES - 1] + "…"
            if rubric.applies(q, answers) is False:
                entry["IsApplicable"] = False
                entry["SelectedChoices"] = []
            out.append(entry)
    return out
