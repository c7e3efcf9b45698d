"""Messages the assessment's widgets send up to their screen and the app."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class AnswerChanged(Message):
    """An answer (or the use case) changed in the session; the live panel must follow."""

    question_id: str | None
    """The question answered, or None for a use-case field."""
    immediate: bool = True
    """Save now (a pick); False for typing, which is saved after a short pause."""


@dataclass
class Advance(Message):
    """The user picked an answer with Enter: move on to the next question."""
