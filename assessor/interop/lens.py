"""AWS Well-Architected custom lenses (schemaVersion 2021-11-01) as rubrics.

A lens has pillars, each with questions; a question has choices (best practices, one of them
perhaps a "None of these" choice, id ending in ``_no``) and risk rules: the first rule whose
condition holds gives the question's risk (``HIGH_RISK``, ``MEDIUM_RISK``, ``NO_RISK``), and a
``default`` rule must close the list. Import makes pillars dimensions, questions multi
questions, choices options (helpful resource as help, improvement plan as fix) and each
question's HIGH and MEDIUM risk into a blocker and a condition, so that scoring follows the
WA Tool: any high risk -> not_ready, else any medium risk -> conditional, else ready.

The format is AWS's "Lens format specification" of the Well-Architected Tool user guide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from assessor.domain import source as src
from assessor.errors import InputError, Problem
from assessor.interop import riskrules

SCHEMA_VERSION = "2021-11-01"
LENS_ID = re.compile(r"^[A-Za-z0-9_]{3,128}$")
RISKS = ("HIGH_RISK", "MEDIUM_RISK", "NO_RISK")
NONE_SUFFIX = "_no"
"""A choice id ending in this is the question's "None of these" choice."""

MAX_PILLARS = 10
MAX_QUESTIONS = 20
"""Per pillar."""
MAX_CHOICES = 15
MAX_RULES = 3
"""Per question: one for each level of risk."""
MAX_NAME = 128
MAX_DESCRIPTION = 2048
MAX_TITLE = 128
"""Question titles (and, in the user guide, choice titles)."""
MAX_SHORT_ID = 64
"""What export uses for pillar and choice ids (the API's limit for choice ids)."""

_TOP = ("schemaVersion", "name", "description", "pillars")
_KNOWN = {
    "pillar": {"id", "name", "questions"},
    "question": {"id", "title", "description", "helpfulResource", "choices", "riskRules"},
    "choice": {"id", "title", "helpfulResource", "improvementPlan", "additionalResources"},
    "rule": {"condition", "risk"},
}
_LEVEL = {"HIGH_RISK": ("high", "blocker"), "MEDIUM_RISK": ("medium", "condition")}


@dataclass
class Imported:
    """A rubric document made from a lens, and what the user should know about it."""

    rubric: dict[str, Any]
    notes: list[str] = field(default_factory=list)


class _Checker:
    """Collects located problems and notes while reading a lens."""

    def __init__(self, source: src.Source) -> None:
        self.source = source
        self.problems: list[Problem] = []
        self.notes: list[str] = []

    def problem(self, path: src.Path_, message: str) -> None:
        self.problems.append(self.source.problem(path, message))

    def note(self, path: src.Path_, message: str) -> None:
        line, column = self.source.where(path)
        where = f"{self.source.name}:{line}:{column}" if line else self.source.name
        self.notes.append(f"{where}: {src.dotted(path)}: {message}")

    def mapping(self, value: Any, path: src.Path_, what: str) -> dict[str, Any]:
        if isinstance(value, dict):
            unknown = sorted(set(value) - _KNOWN[what])
            for key in unknown:
                self.note((*path, key), f"unknown key {key!r} ignored")
            return value
        self.problem(path, f"a {what} must be an object")
        return {}

    def items(self, value: Any, path: src.Path_, limit: int, what: str) -> list[Any]:
        if not isinstance(value, list) or not value:
            self.problem(path, f"must be a non-empty list of {what}")
            return []
        if len(value) > limit:
            self.problem(path, f"{len(value)} {what}; a lens allows at most {limit}")
        return value

    def text(
        self, obj: dict[str, Any], key: str, path: src.Path_, limit: int, required: bool = True
    ) -> str:
        value = obj.get(key)
        if value is None:
            if required:
                self.problem((*path, key) if key in obj else path, f"missing {key!r}")
            return ""
        if not isinstance(value, str):
            self.problem((*path, key), "must be text")
            return ""
        if required and not value.strip():
            self.problem((*path, key), "must not be empty")
        if len(value) > limit:
            self.problem((*path, key), f"{len(value)} characters; a lens allows at most {limit}")
        return value

    def ident(self, obj: dict[str, Any], path: src.Path_, seen: set[str]) -> str:
        value = obj.get("id")
        if not isinstance(value, str) or not LENS_ID.match(value):
            self.problem(
                (*path, "id") if "id" in obj else path,
                f"id {value!r} must be 3 to 128 letters, digits or underscores"
                if value is not None
                else "missing 'id'",
            )
            return str(value or "")
        if value in seen:
            self.problem((*path, "id"), f"duplicate id {value!r}")
        seen.add(value)
        return value

    def resource(self, obj: dict[str, Any], key: str, path: src.Path_) -> str:
        """A helpfulResource / improvementPlan as one line of text (display text and url)."""
        return self.resource_value(obj.get(key), (*path, key))

    def resource_value(self, value: Any, path: src.Path_) -> str:
        if value is None:
            return ""
        if not isinstance(value, dict):
            self.problem(path, "must be an object with displayText (and url)")
            return ""
        text = self.text(value, "displayText", path, MAX_DESCRIPTION, required=False)
        url = value.get("url")
        if url is not None and not (
            isinstance(url, str) and url.startswith(("http://", "https://"))
        ):
            self.problem((*path, "url"), "must start with http:// or https://")
            url = None
        if url and not text:
            self.problem(path, "displayText is required when url is given")
        return " ".join(x for x in (text.strip(), f"<{url}>" if url else "") if x)


def rubric_id_of(name: str) -> str:
    """A rubric id from a lens name: lower case, words joined by '-'."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60].strip("-")
    if not slug or not slug[0].isalpha():
        slug = "lens-" + slug if slug else "lens"
    return slug


def question_id_of(lens_id: str, taken: set[str]) -> str:
    """A rubric question id (``[a-z][a-z0-9_]*``) for a lens id, unique among ``taken``."""
    base = re.sub(r"[^a-z0-9_]", "_", lens_id.lower())
    if not base or not base[0].isalpha():
        base = "q_" + base
    out, n = base, 2
    while out in taken:
        out, n = f"{base}_{n}", n + 1
    taken.add(out)
    return out


def import_lens(source: src.Source) -> Imported:
    """A lens (parsed JSON with positions) as a rubric document; raises :class:`InputError`
    listing every place the lens breaks the specification."""
    check = _Checker(source)
    data = source.data
    if not isinstance(data, dict):
        raise InputError(source.problem((), "a lens is a JSON object"))
    for key in data:
        if key not in _TOP:
            check.note((key,), f"unknown top-level key {key!r} ignored")
    version = data.get("schemaVersion")
    if version != SCHEMA_VERSION:
        check.problem(
            ("schemaVersion",) if "schemaVersion" in data else (),
            f"schemaVersion must be {SCHEMA_VERSION!r}, got {version!r}",
        )
    name = check.text(data, "name", (), MAX_NAME)
    description = check.text(data, "description", (), MAX_DESCRIPTION, required=False)
    pillars = check.items(data.get("pillars"), ("pillars",), MAX_PILLARS, "pillars")
    rubric: dict[str, Any] = {
        "id": rubric_id_of(name),
        "version": "1",
        "title": name or "Imported lens",
        "description": description,
        "guide_title": f"Well-Architected lens: {name}",
        "questions": [],
        "dimensions": [],
        "rules": [],
        "patterns": [],
    }
    pillar_ids: set[str] = set()
    question_lens_ids: set[str] = set()
    taken: set[str] = set()
    for p_index, pillar_raw in enumerate(pillars):
        at: src.Path_ = ("pillars", p_index)
        pillar = check.mapping(pillar_raw, at, "pillar")
        pillar_id = check.ident(pillar, at, pillar_ids)
        pillar_name = check.text(pillar, "name", at, MAX_NAME)
        questions = check.items(
            pillar.get("questions"), (*at, "questions"), MAX_QUESTIONS, "questions"
        )
        risks: dict[str, list[dict[str, Any]]] = {"HIGH_RISK": [], "MEDIUM_RISK": []}
        answered: list[dict[str, Any]] = []
        for q_index, question_raw in enumerate(questions):
            q_at: src.Path_ = (*at, "questions", q_index)
            made = lens_question(
                check, question_raw, q_at, pillar_name, name, question_lens_ids, taken
            )
            if made is None:
                continue
            question, rules, by_risk = made
            rubric["questions"].append(question)
            rubric["rules"].extend(rules)
            for risk, cond in by_risk.items():
                risks[risk].append(cond)
            answered.append({"answer": question["id"], "known": True})
        cases = [
            {"when": _any(conds), "score": score, "level": level}
            for conds, score, level in (
                (risks["HIGH_RISK"], 0, "high_risk"),
                (risks["MEDIUM_RISK"], 50, "medium_risk"),
            )
            if conds
        ]
        if answered:
            cases.append({"when": _all(answered), "score": 100, "level": "no_risk"})
        if cases and pillar_id:
            rubric["dimensions"].append(
                {
                    "id": question_id_of(pillar_id, taken),
                    "title": pillar_name or pillar_id,
                    "external_id": pillar_id,
                    "cases": cases,
                }
            )
    if check.problems:
        raise InputError(check.problems)
    return Imported(rubric, check.notes)


def lens_question(
    check: _Checker,
    raw: Any,
    at: src.Path_,
    pillar_name: str,
    lens_name: str,
    lens_ids: set[str],
    taken: set[str],
) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, dict[str, Any]]] | None:
    """One lens question as (rubric question, its rules, its risk conditions by risk)."""
    q = check.mapping(raw, at, "question")
    lens_id = check.ident(q, at, lens_ids)
    title = check.text(q, "title", at, MAX_TITLE)
    description = check.text(q, "description", at, MAX_DESCRIPTION, required=False)
    helpful = check.resource(q, "helpfulResource", at)
    qid = question_id_of(lens_id, taken) if lens_id else ""
    options: list[dict[str, Any]] = []
    choice_ids: set[str] = set()
    plans: list[str] = []
    for c_index, choice_raw in enumerate(
        check.items(q.get("choices"), (*at, "choices"), MAX_CHOICES, "choices")
    ):
        c_at: src.Path_ = (*at, "choices", c_index)
        choice = check.mapping(choice_raw, c_at, "choice")
        choice_id = check.ident(choice, c_at, choice_ids)
        choice_title = check.text(choice, "title", c_at, 1024)
        exclusive = choice_id.endswith(NONE_SUFFIX)
        help_text = check.resource(choice, "helpfulResource", c_at)
        plan = check.resource(choice, "improvementPlan", c_at)
        if not plan and not exclusive and "improvementPlan" not in choice:
            check.note(c_at, "no improvementPlan (the specification requires one)")
        extra_help, extra_plan = _additional(check, choice, c_at)
        help_text = " ".join(x for x in (help_text, *extra_help) if x)
        plan = " ".join(x for x in (plan, *extra_plan) if x)
        option: dict[str, Any] = {"value": choice_id, "label": choice_title or choice_id}
        if help_text:
            option["help"] = help_text
        if plan:
            option["fix"] = plan
            plans.append(f"{choice_title or choice_id}: {plan}")
        if exclusive:
            option["exclusive"] = True
        options.append(option)
    question: dict[str, Any] = {"id": qid, "prompt": title or lens_id}
    help_parts = [x for x in (" ".join(description.split()), helpful) if x]
    if help_parts:
        question["help"] = " ".join(help_parts)
    question.update(
        section=pillar_name or "Lens",
        type="multi",
        required=True,
        external_id=lens_id,
        options=options,
    )
    rules_at: src.Path_ = (*at, "riskRules")
    raw_rules = check.items(q.get("riskRules"), rules_at, MAX_RULES, "risk rules")
    earlier: list[dict[str, Any]] = []
    seen_risks: set[str] = set()
    has_default = False
    out_rules: list[dict[str, Any]] = []
    by_risk: dict[str, dict[str, Any]] = {}
    for r_index, rule_raw in enumerate(raw_rules):
        r_at: src.Path_ = (*rules_at, r_index)
        rule = check.mapping(rule_raw, r_at, "rule")
        risk = rule.get("risk")
        if risk not in RISKS:
            check.problem(
                (*r_at, "risk") if "risk" in rule else r_at,
                f"risk must be one of {', '.join(RISKS)}, got {risk!r}",
            )
            continue
        if risk in seen_risks:
            check.problem((*r_at, "risk"), f"a second {risk} rule (one rule per level of risk)")
        seen_risks.add(risk)
        text = rule.get("condition")
        if not isinstance(text, str) or not text.strip():
            check.problem(
                (*r_at, "condition") if "condition" in rule else r_at,
                "condition must be a choice expression or 'default'",
            )
            continue
        if has_default:
            check.problem((*r_at, "condition"), "a rule after the default rule never applies")
        try:
            parsed = riskrules.parse(text, qid, choice_ids)
        except riskrules.RuleSyntaxError as exc:
            check.problem((*r_at, "condition"), f"{exc}: {text}")
            continue
        if parsed is None:
            has_default = True
            holds = {"not": _any(earlier)} if earlier else {"answer": qid, "known": True}
        else:
            holds = _all([parsed, {"not": _any(earlier)}]) if earlier else parsed
            earlier.append(parsed)
        if risk in _LEVEL:
            level, kind = _LEVEL[risk]
            by_risk[risk] = holds
            out_rules.append(
                {
                    "id": f"{qid}-{level}-risk".replace("_", "-"),
                    "kind": kind,
                    "title": f"{title or lens_id} ({risk})",
                    "when": holds,
                    "reason": (
                        f"{pillar_name}: the lens rates question {lens_id} "
                        f"{risk} as answered (selected: {{{qid}}})."
                    ),
                    "guide": (
                        f"{lens_name}, question {lens_id}, risk rule: {text.strip()} -> {risk}"
                    ),
                    "fix": (
                        "Improvement plan: " + " ".join(plans)
                        if plans
                        else "Follow the best practices this question lists."
                    ),
                }
            )
    if raw_rules and not has_default:
        check.problem(rules_at, "no 'default' risk rule (each question needs one)")
    if not qid:
        return None
    return question, out_rules, by_risk


def _additional(
    check: _Checker, choice: dict[str, Any], at: src.Path_
) -> tuple[list[str], list[str]]:
    helpful: list[str] = []
    plans: list[str] = []
    extra = choice.get("additionalResources")
    if extra is None:
        return helpful, plans
    if not isinstance(extra, list):
        check.problem((*at, "additionalResources"), "must be a list")
        return helpful, plans
    for i, item in enumerate(extra):
        i_at: src.Path_ = (*at, "additionalResources", i)
        if not isinstance(item, dict) or item.get("type") not in (
            "HELPFUL_RESOURCE",
            "IMPROVEMENT_PLAN",
        ):
            check.problem(i_at, "needs type HELPFUL_RESOURCE or IMPROVEMENT_PLAN and content")
            continue
        target = helpful if item["type"] == "HELPFUL_RESOURCE" else plans
        content = item.get("content")
        if not isinstance(content, list) or len(content) > 5:
            check.problem((*i_at, "content"), "must be a list of at most 5 resources")
            continue
        for j, res in enumerate(content):
            text = check.resource_value(res, (*i_at, "content", j))
            if text:
                target.append(text)
    return helpful, plans


def _any(conds: list[dict[str, Any]]) -> dict[str, Any]:
    return conds[0] if len(conds) == 1 else {"any": list(conds)}


def _all(conds: list[dict[str, Any]]) -> dict[str, Any]:
    return conds[0] if len(conds) == 1 else {"all": list(conds)}
