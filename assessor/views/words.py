"""Words, labels, styles and symbols every Rich surface uses (terminal, app, wizard).

The verdict words themselves come from :mod:`assessor.domain.words`, which the reports use too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assessor.domain.words import VERDICT_WORDS as VERDICT_WORDS  # the one source
from assessor.domain.words import WARNINGS_HEADING as WARNINGS_HEADING

VERDICT_STYLE: dict[str, str] = {
    "ready": "bold green",
    "conditional": "bold yellow",
    "not_ready": "bold red",
}
KIND_STYLE = {"blocker": "red", "condition": "yellow", "warning": "magenta"}

POLICY_LABEL = {
    "no_review": "no review",
    "review_all": "review everything",
    "threshold": "review below the threshold",
}
"""The cost model's three review policies, in words."""


@dataclass(frozen=True)
class Symbols:
    bullet: str
    arrow: str
    open_quote: str
    close_quote: str
    dash: str
    ellipsis: str


UNICODE = Symbols("•", "→", "“", "”", "—", "…")
ASCII = Symbols("-", "->", '"', '"', "-", "...")


def symbols_for(encoding: str | None) -> Symbols:
    """Unicode symbols where the output encoding has them, ASCII otherwise."""
    try:
        "".join(vars(UNICODE).values()).encode(encoding or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return ASCII
    return UNICODE


def param(value: Any, marks: Symbols = UNICODE) -> str:
    """A pattern parameter in words."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return marks.dash
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


def money(value: float) -> str:
    """Currency units: two decimals for small amounts, whole units from 100."""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"
