"""JSON Schemas of assessment and rubric files, generated from the models.

The committed copies under ``rubrics/`` let editors validate and autocomplete files; a test
checks they match what this module generates.
"""

from __future__ import annotations

from typing import Any

from assessor.domain.assessment import Assessment
from assessor.domain.rubric import Question, Rubric


def rubric_schema() -> dict[str, Any]:
    schema = Rubric.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "assessor rubric"
    return schema


def _answer_schema(q: Question) -> dict[str, Any]:
    """One answer's schema; ``null`` (an empty answer) always validates: it means "not
    answered" (or "unknown" for nullable questions such as the error rate)."""
    about = q.prompt + (f" {' '.join(q.help.split())}" if q.help else "")
    if q.applies_when is not None:
        on = ", ".join(dict.fromkeys(q.applies_when.questions()))
        about += f" (Only where it applies, which depends on {on}.)"
    out: dict[str, Any] = {"description": about}
    if q.type == "choice":
        out["enum"] = [*(o.value for o in q.options), None]
        out["markdownEnumDescriptions"] = [o.label for o in q.options] + ["not answered"]
    elif q.type == "multi":
        out["type"] = ["array", "null"]
        out["items"] = {
            "enum": [o.value for o in q.options],
            "markdownEnumDescriptions": [o.label for o in q.options],
        }
        out["uniqueItems"] = True
    elif q.type == "boolean":
        out["type"] = ["boolean", "null"]
    elif q.type == "text":
        out["type"] = ["string", "null"]
    else:
        number: dict[str, Any] = {"type": "number"}
        low = q.min if q.min is not None else (0 if q.type == "fraction" else None)
        high = q.max if q.max is not None else (1 if q.type == "fraction" else None)
        if low is not None:
            number["minimum"] = low
        if high is not None:
            number["maximum"] = high
        variants: list[dict[str, Any]] = [number]
        if q.type == "fraction":
            variants.append({"type": "string", "pattern": r"^\s*\d+(\.\d+)?\s*%\s*$"})
        variants.append({"type": "null"})
        out["anyOf"] = variants
    return out


def assessment_schema(rubric: Rubric | None = None) -> dict[str, Any]:
    """The assessment file schema, with the answers of ``rubric`` (the default one) spelled out."""
    if rubric is None:
        from assessor.domain.load import DEFAULT_RUBRIC, load_rubric

        rubric = load_rubric(DEFAULT_RUBRIC)
    schema = Assessment.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "assessor assessment"
    schema["properties"]["answers"] = {
        "type": "object",
        "description": f"Answers to the questions of the rubric {rubric.id!r}.",
        "properties": {q.id: _answer_schema(q) for q in rubric.questions},
        "additionalProperties": False,
    }
    schema["properties"]["notes"] = {
        "type": "object",
        "description": "Free-text notes by question id.",
        "propertyNames": {"enum": [q.id for q in rubric.questions]},
        "additionalProperties": {"type": "string"},
    }
    for key in ("description", "owner"):  # empty in a fresh `assessor init` file
        field = schema["$defs"]["UseCase"]["properties"][key]
        field["anyOf"] = [{"type": "string", "maxLength": field.pop("maxLength")}, {"type": "null"}]
        field.pop("type", None)
    finding = schema["$defs"]["PlanItem"]["properties"]["finding"]
    finding["enum"] = [r.id for r in rubric.rules]
    schema["required"] = ["use_case"]
    return schema
