"""Any rubric as a Well-Architected custom lens, and the sidecar that carries the rest.

A lens can hold questions with choices and, per question, up to three risk rules over that
question's own choices. Choice, multi and yes/no questions become lens questions (grouped into
pillars by section, at most 20 a pillar and 10 pillars); a rule that reads one question and
only tests choices becomes that question's HIGH_RISK (blocker) or MEDIUM_RISK (condition)
rule. Everything else (numbers, text, applicability, cross-question rules, dimensions and
weights, patterns, policy) the lens cannot carry: the sidecar next to the lens keeps the
rubric document, minus the texts the lens carries verbatim, and ``rubric import`` puts the two
back together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from assessor.domain import source as src
from assessor.domain.conditions import Condition
from assessor.domain.rubric import Question, Rubric
from assessor.errors import InputError, Problem
from assessor.interop import riskrules
from assessor.interop.lens import (
    LENS_ID,
    MAX_CHOICES,
    MAX_DESCRIPTION,
    MAX_NAME,
    MAX_PILLARS,
    MAX_QUESTIONS,
    MAX_SHORT_ID,
    MAX_TITLE,
    NONE_SUFFIX,
    SCHEMA_VERSION,
    Imported,
    import_lens,
)

SIDECAR_SUFFIX = ".assessor.yaml"
SIDECAR_VERSION = 1
YES, NO = "yes", "answer_no"
"""The choice ids of a yes/no question (``answer_no`` is its "None of these")."""


@dataclass
class Carried:
    """One rubric question as a lens question."""

    question: Question
    lens_id: str
    choices: dict[str, str]
    """Choice id by answer value (``"true"``/``"false"`` for yes/no questions)."""


@dataclass
class Plan:
    """Where each rubric question goes in the lens; the same for export and answers."""

    pillars: list[tuple[str, str, list[Carried]]] = field(default_factory=list)
    left_out: list[tuple[str, str]] = field(default_factory=list)
    """(question id, why it is only in the sidecar)."""

    def by_question(self) -> dict[str, Carried]:
        return {c.question.id: c for _, _, carried in self.pillars for c in carried}


def answer_key(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _ident(text: str, limit: int, taken: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_")[:limit] or "item"
    if len(base) < 3:
        base = (base + "___")[:3]
    out, n = base, 2
    while out in taken:
        tail = f"_{n}"
        out, n = base[: limit - len(tail)] + tail, n + 1
    taken.add(out)
    return out


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def plan_lens(rubric: Rubric) -> Plan:
    plan = Plan()
    sections: dict[str, list[Question]] = {}
    for q in rubric.questions:
        if q.type not in ("choice", "multi", "boolean"):
            plan.left_out.append((q.id, f"a {q.type} answer has no lens choices"))
        elif len(q.options) > MAX_CHOICES:
            plan.left_out.append((q.id, f"{len(q.options)} options; a lens allows {MAX_CHOICES}"))
        else:
            sections.setdefault(q.section, []).append(q)
    pillar_of_section = {d.title: d.external_id for d in rubric.dimensions if d.external_id}
    pillar_ids: set[str] = set()
    question_ids: set[str] = set()
    for section, questions in sections.items():
        for n in range(0, len(questions), MAX_QUESTIONS):
            chunk = questions[n : n + MAX_QUESTIONS]
            if len(plan.pillars) == MAX_PILLARS:
                plan.left_out.extend((q.id, f"more than {MAX_PILLARS} pillars") for q in chunk)
                continue
            part = n // MAX_QUESTIONS + 1
            name = section if part == 1 else f"{section} ({part})"
            wanted = pillar_of_section.get(section, section) if part == 1 else f"{section}_{part}"
            pillar_id = _ident(wanted, MAX_SHORT_ID, pillar_ids)
            carried = [_carry(q, question_ids) for q in chunk]
            plan.pillars.append((pillar_id, _cut(name, MAX_NAME), carried))
    return plan


def _carry(q: Question, taken: set[str]) -> Carried:
    wanted = q.external_id if q.external_id and LENS_ID.match(q.external_id) else q.id
    lens_id = _ident(wanted, 128, taken)
    if q.type == "boolean":
        return Carried(q, lens_id, {"true": YES, "false": NO})
    ids: set[str] = set()
    choices: dict[str, str] = {}
    for o in q.options:
        value = o.value
        if o.exclusive and not value.endswith(NONE_SUFFIX):
            value = value[: MAX_SHORT_ID - len(NONE_SUFFIX)] + NONE_SUFFIX
        elif not o.exclusive and value.endswith(NONE_SUFFIX):
            value += "_choice"  # a choice ending in _no would be WA's "None of these"
        choice = _ident(value, MAX_SHORT_ID, ids)
        if o.exclusive and not choice.endswith(NONE_SUFFIX):  # shortened or renamed
            ids.discard(choice)
            choice = _ident(choice[: MAX_SHORT_ID - 6] + NONE_SUFFIX, MAX_SHORT_ID, ids)
        choices[o.value] = choice
    return Carried(q, lens_id, choices)


def _choice_test(carried: Carried, node: dict[str, Any]) -> str | None:
    """One answer test over a carried question as a risk-rule expression (or None)."""
    ids = carried.choices
    if "is" in node:
        choice = ids.get(answer_key(node["is"]))
        return choice
    if "in" in node or "not_in" in node:
        values = node.get("in", node.get("not_in")) or []
        names = [ids.get(answer_key(v)) for v in values]
        if not names or any(n is None for n in names):
            return None
        joined = " || ".join(n for n in names if n)
        if "in" in node:
            return joined
        return f"!({joined})" if len(names) > 1 else f"!{joined}"
    if "contains" in node:
        return ids.get(node["contains"])
    for key, op in (("contains_any", " || "), ("contains_all", " && ")):
        if key in node:
            names = [ids.get(v) for v in node[key]]
            if not names or any(n is None for n in names):
                return None
            return op.join(n for n in names if n)
    return None


def _risk_rules(rubric: Rubric, carried: Carried) -> tuple[list[dict[str, str]], list[str]]:
    """The question's risk rules from the rubric's rules that read only it."""
    high: list[str] = []
    medium: list[str] = []
    used: list[str] = []
    for rule in rubric.rules:
        if set(rule.when.questions()) != {carried.question.id}:
            continue
        data = rule.when.model_dump(by_alias=True, exclude_unset=True)
        text = riskrules.render(data, lambda node: _choice_test(carried, node))
        if text is None:
            continue
        (high if rule.kind == "blocker" else medium).append(text)
        used.append(rule.id)
    rules: list[dict[str, str]] = []
    for risk, texts in (("HIGH_RISK", high), ("MEDIUM_RISK", medium)):
        if texts:
            joined = " || ".join(f"({t})" if len(texts) > 1 and _compound(t) else t for t in texts)
            rules.append({"condition": joined, "risk": risk})
    rules.append({"condition": "default", "risk": "NO_RISK"})
    return rules, used


def _compound(text: str) -> bool:
    return "&&" in text or "||" in text


def _lens_question(rubric: Rubric, carried: Carried) -> tuple[dict[str, Any], list[str]]:
    q = carried.question
    out: dict[str, Any] = {
        "id": carried.lens_id,
        "title": _cut(q.prompt, MAX_TITLE),
        "description": _cut(q.help or q.prompt, MAX_DESCRIPTION),
    }
    if q.guide.strip():
        out["helpfulResource"] = {"displayText": _cut(" ".join(q.guide.split()), MAX_DESCRIPTION)}
    choices: list[dict[str, Any]] = []
    if q.type == "boolean":
        choices.append(
            {
                "id": YES,
                "title": "Yes",
                "improvementPlan": {"displayText": _cut(f"Make this true: {q.prompt}", 2048)},
            }
        )
        choices.append({"id": NO, "title": "No"})
    else:
        for o in q.options:
            choice: dict[str, Any] = {
                "id": carried.choices[o.value],
                "title": _cut(o.label, MAX_TITLE),
            }
            if o.help.strip():
                choice["helpfulResource"] = {"displayText": _cut(o.help, MAX_DESCRIPTION)}
            if not o.exclusive:
                plan = o.fix or o.help or f"Consider: {o.label}"
                choice["improvementPlan"] = {"displayText": _cut(plan, MAX_DESCRIPTION)}
            choices.append(choice)
    out["choices"] = choices
    out["riskRules"], used = _risk_rules(rubric, carried)
    return out, used


def export_lens(
    rubric: Rubric, document: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """(lens, sidecar, notes) for a rubric and its document (the rubric file as data)."""
    plan = plan_lens(rubric)
    notes = [f"question {qid} is only in the sidecar: {why}" for qid, why in plan.left_out]
    pillars = []
    in_lens_rules: set[str] = set()
    for pillar_id, name, carried in plan.pillars:
        questions = []
        for c in carried:
            question, used = _lens_question(rubric, c)
            questions.append(question)
            in_lens_rules.update(used)
        pillars.append({"id": pillar_id, "name": name, "questions": questions})
    lens = {
        "schemaVersion": SCHEMA_VERSION,
        "name": _cut(rubric.title, MAX_NAME),
        "description": _cut(rubric.description or rubric.title, MAX_DESCRIPTION),
        "pillars": pillars,
    }
    only_sidecar = [r.id for r in rubric.rules if r.id not in in_lens_rules]
    if only_sidecar:
        notes.append(
            f"{len(only_sidecar)} of {len(rubric.rules)} rules read several questions, numbers "
            "or applicability and are only in the sidecar: " + ", ".join(only_sidecar)
        )
    sidecar = {
        "assessor_sidecar": SIDECAR_VERSION,
        "carried": {
            c.question.id: {"question": c.lens_id, "choices": dict(c.choices)}
            for _, _, carried in plan.pillars
            for c in carried
        },
        "rubric": _strip(document, lens, plan),
    }
    return lens, sidecar, notes


def _strip(document: dict[str, Any], lens: dict[str, Any], plan: Plan) -> dict[str, Any]:
    """The rubric document without the texts the lens carries verbatim."""
    import copy

    doc = copy.deepcopy(document)
    lens_questions = {q["id"]: q for pillar in lens["pillars"] for q in pillar["questions"]}
    carried = plan.by_question()
    for entry in doc.get("questions", []):
        c = carried.get(entry.get("id"))
        if c is None:
            continue
        lq = lens_questions[c.lens_id]
        if entry.get("prompt") == lq["title"]:
            del entry["prompt"]
        if "help" in entry and entry["help"] == lq["description"]:
            del entry["help"]
        by_id = {choice["id"]: choice for choice in lq["choices"]}
        for option in entry.get("options", []):
            choice = by_id.get(c.choices.get(answer_key(option.get("value")), ""))
            if choice is None:
                continue
            if option.get("label") == choice["title"]:
                del option["label"]
            shown = choice.get("helpfulResource", {}).get("displayText")
            if "help" in option and option["help"] == shown:
                del option["help"]
    return doc


# --- import with a sidecar ---------------------------------------------------------------------


def merge_sidecar(lens_source: src.Source, sidecar: src.Source) -> Imported:
    """The rubric document of a lens exported by assessor, from the lens and its sidecar.

    The sidecar gives everything the lens cannot hold; the lens gives the texts (edits made in
    the WA Tool are kept). Lens questions the sidecar does not know are imported as lens
    questions with their risk rules."""
    plain = import_lens(lens_source)  # the lens must be a valid lens on its own
    data = sidecar.data
    if not isinstance(data, dict) or data.get("assessor_sidecar") != SIDECAR_VERSION:
        raise InputError(
            sidecar.problem(
                ("assessor_sidecar",), f"not an assessor sidecar (version {SIDECAR_VERSION})"
            )
        )
    doc = data.get("rubric")
    carried = data.get("carried")
    if not isinstance(doc, dict) or not isinstance(carried, dict):
        raise InputError(sidecar.problem((), "a sidecar needs 'rubric' and 'carried' mappings"))
    lens_questions: dict[str, dict[str, Any]] = {}
    for pillar in lens_source.data.get("pillars", []):
        for q in pillar.get("questions", []):
            lens_questions[q["id"]] = q
    problems: list[Problem] = []
    known_lens_ids = set()
    entries = {
        e.get("id"): (i, e) for i, e in enumerate(doc.get("questions", [])) if isinstance(e, dict)
    }
    for qid, info in carried.items():
        lens_id = info.get("question") if isinstance(info, dict) else None
        known_lens_ids.add(lens_id)
        lq = lens_questions.get(lens_id) if isinstance(lens_id, str) else None
        found = entries.get(qid)
        if lq is None or found is None:
            problems.append(
                sidecar.problem(
                    ("carried", qid),
                    f"the lens has no question {lens_id!r}; restore it, or delete the sidecar "
                    "to import the lens alone",
                )
                if lq is None
                else sidecar.problem(
                    ("carried", qid), f"the sidecar rubric has no question {qid!r}"
                )
            )
            continue
        _, entry = found
        entry.setdefault("prompt", lq.get("title", ""))
        if "help" not in entry and lq.get("description"):
            entry["help"] = lq["description"]
        choices = {c["id"]: c for c in lq.get("choices", []) if isinstance(c, dict)}
        choice_ids = info.get("choices", {})
        for option in entry.get("options", []):
            choice = choices.get(choice_ids.get(answer_key(option.get("value")), ""))
            if choice is None:
                if "label" not in option:
                    problems.append(
                        sidecar.problem(
                            ("carried", qid, "choices"),
                            f"the lens question {lens_id!r} lost the choice for "
                            f"{option.get('value')!r}",
                        )
                    )
                continue
            option.setdefault("label", choice.get("title", ""))
            shown = (choice.get("helpfulResource") or {}).get("displayText")
            if "help" not in option and shown:
                option["help"] = shown
    if problems:
        raise InputError(problems)
    notes = list(plain.notes)
    new = [q for q in plain.rubric["questions"] if q["external_id"] not in known_lens_ids]
    if new:
        ids = {e.get("id") for e in doc.get("questions", [])}
        for q in new:
            if q["id"] in ids:
                raise InputError(
                    lens_source.problem(
                        (),
                        f"new lens question {q['external_id']} clashes with rubric "
                        f"question {q['id']!r}",
                    )
                )
            doc.setdefault("questions", []).append(q)
            doc.setdefault("rules", []).extend(
                r
                for r in plain.rubric["rules"]
                if set(Condition.model_validate(r["when"]).questions()) == {q["id"]}
            )
            notes.append(
                f"question {q['external_id']} is new in the lens: imported with its risk rules"
            )
    return Imported(doc, notes)
