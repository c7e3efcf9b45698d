"""The live panel beside the questions: verdict, score per dimension, blockers, conditions.

It shows what the answers given so far imply. Unanswered questions are open: a dimension
that reads one says "open", a rule that depends on one does not fire, and the verdict is
marked provisional while required questions are open.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.widgets import Static

from assessor.tui.render import render_panel

if TYPE_CHECKING:
    from assessor.domain.scoring import Result


class VerdictPanel(Static):
    """Shows a result; :meth:`show` repaints it.

    Every line of the panel is one line on screen (long titles are cut with an ellipsis), so
    its height is known without rendering: a repaint that keeps the height skips the layout
    pass and only redraws the panel (this is the keypress-to-verdict path).
    """

    DEFAULT_CLASSES = "panel"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.result: Result | None = None
        self._lines = -1

    def show(self, result: Result, open_count: int) -> None:
        self.result = result
        lines = 14 + max(1, len(result.blockers)) + max(1, len(result.conditions))
        lines += len(result.dimensions)
        self.update(render_panel(result, open_count), layout=lines != self._lines)
        self._lines = lines
