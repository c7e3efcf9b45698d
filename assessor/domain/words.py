"""Verdicts in words: every surface (terminal, app, wizard, reports) takes them from here."""

from __future__ import annotations

from assessor.domain.rubric import Verdict

VERDICT_WORDS: dict[Verdict, str] = {
    "ready": "READY",
    "conditional": "CONDITIONAL",
    "not_ready": "NOT READY",
}
"""As the terminal, the app and the wizard show a verdict."""
VERDICT_LABEL: dict[Verdict, str] = {
    "ready": "Ready",
    "conditional": "Conditional",
    "not_ready": "Not ready",
}
"""As reports write a verdict in running text and tables."""
VERDICT_MEANING: dict[Verdict, str] = {
    "ready": "Ready for production as answered: the answers already include the safeguards.",
    "conditional": "Can be production-ready once the listed conditions are met.",
    "not_ready": "Not ready for production: a blocker from the guide applies as answered.",
}


def between(worst: Verdict, best: Verdict, words: dict[Verdict, str] = VERDICT_WORDS) -> str:
    """An undetermined verdict in words: "open: between NOT READY and READY"."""
    return f"open: between {words[worst]} and {words[best]}"
