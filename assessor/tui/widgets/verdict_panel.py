"""The live panel beside the questions: verdict, score per dimension, blockers, conditions.

It shows what the answers given so far imply, scored as every other surface scores them.
Unanswered questions are open: a dimension that reads one says "open", a rule that depends
on one does not fire yet, and while the open questions can still change the verdict the
panel shows the range they leave ("open: NOT READY to READY"), never one verdict.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.widgets import Static

from assessor.views.panels import render_panel

if TYPE_CHECKING:
    from assessor.domain.bounds import Bounds
    from assessor.domain.scoring import Result


class VerdictPanel(Static):
    """Shows a result; :meth:`show` repaints it.

    The panel fills its column and its content always fits it (long titles are cut, long
    lists of findings end with "+ N more"), so a repaint never needs a layout pass: only
    the panel is redrawn (this is the keypress-to-verdict path).
    """

    DEFAULT_CLASSES = "panel"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.result: Result | None = None
        self.bounds: Bounds | None = None

    def show(self, result: Result, bounds: Bounds) -> None:
        self.result = result
        self.bounds = bounds
        self._paint()

    def one_line(self) -> Text:
        """The verdict, the score and the findings counted, in one line (the panel hidden)."""
        if self.result is None:
            return Text()
        head = render_panel(self.result, self.bounds, width=200).split("\n")
        line = Text.assemble(head[0], "  ", head[1])
        blockers, conditions = len(self.result.blockers), len(self.result.conditions)
        line.append(f" · {blockers} blockers · {conditions} conditions", style="dim")
        return line

    def on_resize(self) -> None:
        self._paint()

    def _paint(self) -> None:
        if self.result is None:
            return
        size = self.content_size
        content = render_panel(self.result, self.bounds, width=size.width or 32, height=size.height)
        self.update(content, layout=False)
