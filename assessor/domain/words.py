"""Verdicts in words: every surface (terminal, app, wizard, reports) takes them from here."""

from __future__ import annotations

VERDICT_WORDS: dict[str, str] = {
    "ready": "READY",
    "conditional": "CONDITIONAL",
    "not_ready": "NOT READY",
}
"""As the terminal, the app and the wizard show a verdict."""
VERDICT_LABEL: dict[str, str] = {
    "ready": "Ready",
    "conditional": "Conditional",
    "not_ready": "Not ready",
}
"""As reports write a verdict in running text and tables."""
VERDICT_MEANING: dict[str, str] = {
    "ready": "Ready for production as answered: the answers already include the safeguards.",
    "conditional": "Can be production-ready once the listed conditions are met.",
    "not_ready": "Not ready for production: a blocker from the guide applies as answered.",
}
WARNINGS_HEADING = "Answers that contradict each other"
"""The heading of the rubric's consistency warnings, on every surface."""
EFFORT_LABEL: dict[str | None, str] = {"low": "Low", "medium": "Medium", "high": "High", None: "—"}
"""The effort of an improvement, as reports write it (None: the rubric declares none)."""
