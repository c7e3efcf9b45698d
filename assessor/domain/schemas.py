"""JSON Schemas of assessment and rubric files, generated from the models.

The committed copies under ``rubrics/`` let editors validate and autocomplete files; a test
checks they match what this module generates.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from assessor.domain.assessment import Assessment
from assessor.domain.rubric import Question, Rubric


def rubric_schema() -> dict[str, Any]:
    schema = Rubric.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "assessor rubric"
    _describe(schema, Rubric)
    for name, definition in schema.get("$defs", {}).items():
        model = _models().get(name)
        if model is not None:
            _describe(definition, model)
    return schema


def _models() -> dict[str, type[BaseModel]]:
    from assessor.domain import conditions, rubric

    found: dict[str, type[BaseModel]] = {}
    for module in (rubric, conditions):
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, BaseModel):
                found[value.__name__] = value
    return found


def _describe(definition: dict[str, Any], model: type[BaseModel]) -> None:
    """Give each property the docstring written under its field (editors show it)."""
    docs = _attribute_docs(model)
    for name, field in model.model_fields.items():
        key = field.alias or name
        prop = definition.get("properties", {}).get(key)
        if prop is not None and "description" not in prop and name in docs:
            prop["description"] = docs[name]


def _attribute_docs(model: type[BaseModel]) -> dict[str, str]:
    """``field: type`` followed by a string literal, in the class body (and its bases)."""
    import ast
    import inspect
    import itertools
    import textwrap

    docs: dict[str, str] = {}
    for cls in reversed(model.__mro__):
        if not (isinstance(cls, type) and issubclass(cls, BaseModel)) or cls is BaseModel:
            continue
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
        except (OSError, TypeError, SyntaxError):
            continue
        body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
        for stmt, nxt in itertools.pairwise(body):
            if (
                isinstance(stmt, ast.AnnAssign)
                and isinstance(stmt.target, ast.Name)
                and isinstance(nxt, ast.Expr)
                and isinstance(nxt.value, ast.Constant)
                and isinstance(nxt.value.value, str)
            ):
                docs[stmt.target.id] = " ".join(nxt.value.value.split())
    return docs


def _answer_schema(q: Question) -> dict[str, Any]:
    """One answer's schema; ``null`` (an empty answer) always validates: it means "not
    answered" (or "unknown" for nullable questions such as the error rate)."""
    about = q.prompt + (f" {' '.join(q.help.split())}" if q.help else "")
    if q.applies_when is not None:
        about += " (Only where it applies to the task type.)"
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
    schema["required"] = ["use_case"]
    return schema
