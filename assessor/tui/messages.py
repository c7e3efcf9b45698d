"""Messages the assessment's widgets send up to their screen."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class Advance(Message):
    """The user picked an answer with Enter: move on to the next question."""
