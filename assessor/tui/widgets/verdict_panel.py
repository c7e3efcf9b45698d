"""The live panel beside the questions: verdict, score per dimension, blockers, conditions.

It shows what the answers given so far imply. Unanswered questions are open: a dimension
that reads one says "open", a rule that depends on one does not fire, and the verdict is
marked provisional while required questions are open.
"""

from __future__ import annotations

from textual.widgets import Static

from assessor.domain.scoring import Result
from assessor.tui.render import render_panel


class VerdictPanel(Static):
    """Shows a result; :meth:`show` repaints it."""

    DEFAULT_CLASSES = "panel"

    def show(self, result: Result, open_count: int) -> None:
        self.result = result
        self.update(render_panel(result, open_count))
        self.set_class(result.verdict == "ready", "-ready")
        self.set_class(result.verdict == "conditional", "-conditional")
        self.set_class(result.verdict == "not_ready", "-not-ready")
