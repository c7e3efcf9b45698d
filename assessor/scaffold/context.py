"""From a scored assessment to the template context: which patterns, which parameters, names.

Pure data in, data out: no files, no terminal, no template engine. ``plan()`` decides; the
renderer turns a :class:`Plan` into cookiecutter's ``extra_context``.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from assessor.domain.rubric import Rubric
from assessor.domain.scoring import Result
from assessor.errors import UsageError
from assessor.scaffold import names

ALWAYS_ON = "evaluation"
"""Every generated project evaluates itself; this pattern cannot be left out."""
OPTIONAL_PATTERNS = ("human_fallback", "async_pipeline", "response_cache")
"""Patterns the template can switch on and off (``--with`` / ``--without``)."""
SUPPORTED = (*OPTIONAL_PATTERNS, ALWAYS_ON)

TITLES = {
    "human_fallback": "Fallback to a human",
    "async_pipeline": "Async pipeline",
    "response_cache": "Response cache",
    "evaluation": "Evaluation and production monitoring",
}

# Used when the assessment gives no value (a pattern forced on with --with, a rubric without
# a policy level for the answer). They match the template's own defaults.
DEFAULTS: dict[str, Any] = {
    "confidence_threshold": 0.9,
    "review_sample_rate": 0.05,
    "review_all": False,
    "max_error_rate": 0.01,
    "cache_ttl_seconds": 3600,
    "max_attempts": 3,
    "backoff_seconds": 0.5,
    "eval_criteria": ["accuracy", "error_rate", "deferral_rate", "latency_p95_ms"],
}

_CRITERION = re.compile(r"[a-z][a-z0-9_]{0,63}")
"""A criterion name as the generated project's settings and reports carry it."""

MAX_ATTEMPTS_LIMIT = 10
"""The template's upper bound of ``APP_LLM_MAX_ATTEMPTS``."""


@dataclass(frozen=True)
class PatternChoice:
    """One pattern of the generated project: on or off, and why."""

    id: str
    title: str
    on: bool
    why: str
    """``recommended: <the rubric's reason>``, ``added with --with``, ``left out with
    --without``, ``not recommended by the assessment`` or ``always on: ...``."""


@dataclass(frozen=True)
class Plan:
    """Everything the template needs, decided; the renderer only formats it."""

    project_name: str
    """Display name (the use case's name, free text; never a path)."""
    project_slug: str
    package_name: str
    task_type: str
    patterns: tuple[PatternChoice, ...]
    params: dict[str, Any]
    use_case: dict[str, str]
    ignored: tuple[str, ...] = field(default=())
    """Patterns the rubric recommends that the template does not implement."""

    def is_on(self, pattern: str) -> bool:
        return any(p.id == pattern and p.on for p in self.patterns)

    def extra_context(self) -> dict[str, Any]:
        """The cookiecutter context (keys of templates/ai-service/cookiecutter.json).

        The evaluation criteria travel in the private ``_evaluation`` mapping: cookiecutter
        takes a top-level list for a choice variable.
        """
        params = {key: value for key, value in self.params.items() if key != "eval_criteria"}
        return {
            "project_name": self.project_name,
            "project_slug": self.project_slug,
            "package_name": self.package_name,
            "task_type": self.task_type,
            "human_fallback": self.is_on("human_fallback"),
            "async_pipeline": self.is_on("async_pipeline"),
            "response_cache": self.is_on("response_cache"),
            **params,
            "_use_case": dict(self.use_case),
            "_evaluation": {"criteria": list(self.params["eval_criteria"])},
        }


def check_pattern_options(with_patterns: Iterable[str], without_patterns: Iterable[str]) -> None:
    """Refuse unknown patterns, removing evaluation, and a pattern both added and removed."""
    with_set, without_set = list(with_patterns), list(without_patterns)
    for option, values in (("--with", with_set), ("--without", without_set)):
        for value in values:
            if value not in SUPPORTED:
                close = difflib.get_close_matches(value, SUPPORTED, n=1, cutoff=0.5)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise UsageError(
                    f"{option} {names.shown(value)}: unknown pattern{hint}; "
                    f"patterns: {', '.join(SUPPORTED)}"
                )
    if ALWAYS_ON in without_set:
        raise UsageError(
            "--without evaluation: evaluation is always on and cannot be removed; every "
            "generated project measures its criteria before release and monitors its error "
            "rate in production (what separates production from demo)"
        )
    both = sorted(set(with_set) & set(without_set))
    if both:
        raise UsageError(f"{', '.join(both)}: given both with --with and --without")


def plan(
    result: Result,
    *,
    rubric: Rubric | None = None,
    task_types: Iterable[str] = (),
    project_name: str | None = None,
    project_slug: str | None = None,
    package_name: str | None = None,
    with_patterns: Iterable[str] = (),
    without_patterns: Iterable[str] = (),
) -> Plan:
    """Decide the generated project from a scored assessment and the user's overrides.

    ``task_types`` are the task types the template knows (others become ``other``).
    Explicit names are validated (:mod:`assessor.scaffold.names`), derived ones follow its rule.
    Raises :class:`UsageError` for bad overrides or names.
    """
    with_set, without_set = set(with_patterns), set(without_patterns)
    check_pattern_options(with_set, without_set)

    display = result.use_case if project_name is None else project_name
    if project_name is not None and not project_name.strip():
        raise UsageError("project display name is empty")
    try:
        slug = (
            names.validate_slug(project_slug)
            if project_slug is not None
            else names.derive_slug(display)
        )
        package = (
            names.validate_package(package_name)
            if package_name is not None
            else names.derive_package(slug)
        )
    except names.NameError_ as exc:
        raise UsageError(str(exc)) from None

    recommended = {p.id: p for p in result.patterns}
    choices = []
    for pattern_id in OPTIONAL_PATTERNS:
        title = recommended[pattern_id].title if pattern_id in recommended else TITLES[pattern_id]
        if pattern_id in without_set:
            choice = PatternChoice(pattern_id, title, False, "left out with --without")
        elif pattern_id in recommended:
            reason = " ".join(recommended[pattern_id].reason.split())
            choice = PatternChoice(pattern_id, title, True, f"recommended: {reason}")
        elif pattern_id in with_set:
            choice = PatternChoice(pattern_id, title, True, "added with --with")
        else:
            choice = PatternChoice(pattern_id, title, False, "not recommended by the assessment")
        choices.append(choice)
    evaluation = recommended.get(ALWAYS_ON)
    choices.append(
        PatternChoice(
            ALWAYS_ON,
            evaluation.title if evaluation else TITLES[ALWAYS_ON],
            True,
            "always on: measurable criteria checked before release and monitored in production",
        )
    )

    params = _params(result, rubric, {c.id for c in choices if c.on})
    known_types = list(task_types)
    task_type = str(result.answers.get("task_type", "other"))
    if known_types and task_type not in known_types:
        task_type = "other" if "other" in known_types else known_types[0]

    return Plan(
        project_name=display,
        project_slug=slug,
        package_name=package,
        task_type=task_type,
        patterns=tuple(choices),
        params=params,
        use_case={
            "name": result.use_case,
            "description": result.description,
            "owner": result.owner,
        },
        ignored=tuple(sorted(set(recommended) - set(SUPPORTED))),
    )


def _params(result: Result, rubric: Rubric | None, on: set[str]) -> dict[str, Any]:
    """Template parameters from the patterns' params, else the rubric's policy, else defaults."""
    given: dict[str, Any] = {}
    for pattern in result.patterns:
        params = pattern.params
        if pattern.id == "human_fallback":
            for key in ("confidence_threshold", "review_sample_rate", "review_all"):
                if key in params:
                    given[key] = params[key]
        elif pattern.id == "async_pipeline":
            for key in ("max_attempts", "backoff_seconds"):
                if key in params:
                    given[key] = params[key]
        elif pattern.id == "response_cache" and "ttl_seconds" in params:
            given["cache_ttl_seconds"] = params["ttl_seconds"]
        elif pattern.id == "evaluation":
            if "max_error_rate" in params:
                given["max_error_rate"] = params["max_error_rate"]
            if "criteria" in params:
                given["eval_criteria"] = params["criteria"]

    fallback = dict(DEFAULTS)
    if result.cost_model is not None:
        fallback["confidence_threshold"] = result.cost_model.confidence_threshold
    if rubric is not None and rubric.policy is not None:
        level = str(result.answers.get(rubric.policy.key))
        policy = rubric.policy
        for key, table in (
            ("review_sample_rate", policy.review_sample_rate),
            ("max_error_rate", policy.max_error_rate),
            ("cache_ttl_seconds", policy.cache_ttl_seconds),
        ):
            if level in table:
                fallback[key] = table[level]

    out: dict[str, Any] = {}
    for key, default in fallback.items():
        value = given.get(key)
        out[key] = default if value is None else value
    if "human_fallback" not in on:
        out["review_all"] = False
    if "async_pipeline" not in on:
        # without jobs the provider call keeps the template's own retry defaults
        out["max_attempts"] = DEFAULTS["max_attempts"]
        out["backoff_seconds"] = DEFAULTS["backoff_seconds"]

    for key in ("confidence_threshold", "review_sample_rate", "max_error_rate"):
        out[key] = _fraction(key, out[key])
    out["cache_ttl_seconds"] = _seconds(out["cache_ttl_seconds"])
    out["max_attempts"] = _attempts(out["max_attempts"])
    out["backoff_seconds"] = _delay(out["backoff_seconds"])
    out["eval_criteria"] = _criteria(out["eval_criteria"])
    if not isinstance(out["review_all"], bool):
        raise UsageError(f"pattern parameter review_all {out['review_all']!r}: true or false")
    return out


def _number(value: Any) -> bool:
    """A finite int or float (booleans are not numbers here)."""
    return not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value)


def _fraction(key: str, value: Any) -> float:
    if not _number(value) or not 0 <= value <= 1:
        raise UsageError(f"pattern parameter {key} {value!r}: a number between 0 and 1")
    return float(value)


def _seconds(value: Any) -> int:
    if not _number(value) or value < 1 or value != int(value):
        raise UsageError(f"pattern parameter cache_ttl_seconds {value!r}: whole seconds >= 1")
    return int(value)


def _attempts(value: Any) -> int:
    if not _number(value) or value != int(value) or not 1 <= value <= MAX_ATTEMPTS_LIMIT:
        raise UsageError(
            f"pattern parameter max_attempts {value!r}: a whole number from 1 to "
            f"{MAX_ATTEMPTS_LIMIT}"
        )
    return int(value)


def _delay(value: Any) -> float:
    if not _number(value) or value < 0:
        raise UsageError(f"pattern parameter backoff_seconds {value!r}: seconds >= 0")
    return float(value)


def _criteria(value: Any) -> list[str]:
    if (
        not isinstance(value, list | tuple)
        or not value
        or not all(isinstance(name, str) and _CRITERION.fullmatch(name) for name in value)
    ):
        raise UsageError(
            f"pattern parameter criteria {value!r}: a list of criterion names "
            "(letters, digits, underscores)"
        )
    return list(dict.fromkeys(value))
