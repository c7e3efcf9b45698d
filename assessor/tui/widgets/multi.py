"""The answer widget of a multi question: a checkbox list over its options.

Space ticks or unticks the highlighted option; Enter moves on. A "none of these" option
(``exclusive``) clears the others when ticked, and is cleared when another is ticked, so the
answer is always one the file loader accepts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from rich.segment import Segment
from rich.style import Style as RichStyle
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import OptionList, SelectionList

from assessor.tui.messages import Advance
from assessor.tui.widgets.marks import CURSOR

if TYPE_CHECKING:
    from assessor.domain.rubric import Question


class MarkedSelectionList(SelectionList[str]):
    """A checkbox list drawn ``[x]`` / ``[ ]``, ``›`` on the highlighted option, whose labels
    wrap (the lines after the first are indented under the label)."""

    DEFAULT_CSS = """
    MarkedSelectionList {
        text-wrap: wrap;
        text-overflow: fold;
    }
    """
    GUTTER = 5
    """``›[x] `` before each label."""

    def _get_left_gutter_width(self) -> int:
        return self.GUTTER

    def scroll_to_highlight(self, top: bool = False) -> None:
        super().scroll_to_highlight(top)
        # The labels wrap, so the list can be taller than the question's scrolling area:
        # bring the highlighted option into view there too, not just in the list.
        self.call_after_refresh(self._reveal_highlight)

    def _reveal_highlight(self) -> None:
        rows = [n for n, (i, _) in enumerate(self._lines) if i == self.highlighted]
        scroller = self.parent
        while scroller is not None and not getattr(scroller, "allow_vertical_scroll", False):
            scroller = scroller.parent
        if not rows or not isinstance(scroller, Widget):
            return
        area = self.content_region
        top = area.y + rows[0] - self.scroll_offset.y
        outer = scroller.content_region
        scroller.scroll_to_region(
            Region(
                area.x - outer.x + scroller.scroll_offset.x,
                top - outer.y + scroller.scroll_offset.y,
                area.width,
                len(rows),
            ),
            animate=False,
        )

    def render_line(self, y: int) -> Strip:
        # OptionList's line, with the mark in front; the option is found through OptionList's
        # own line map, so a label that wraps keeps its mark on its first line only.
        line = OptionList.render_line(self, y)
        try:
            index, offset = self._lines[self.scroll_offset.y + y]
        except IndexError:
            return line
        base = next(iter(line)).style if line.cell_length else None
        base = base or RichStyle()
        meta = RichStyle(meta={"option": index})
        if offset:
            head = [Segment(" " * self.GUTTER, base + meta)]
        else:
            ticked = self.get_option_at_index(index).value in self._selected
            under = self.has_focus and self.highlighted == index
            head = [
                Segment(CURSOR if under else " ", base + RichStyle(bold=True) + meta),
                Segment("[x] " if ticked else "[ ] ", base + RichStyle(bold=ticked) + meta),
            ]
        return Strip([*head, *line])


class MultiChoiceList(MarkedSelectionList):
    """Checkboxes over a multi question's options; every change is handed to ``on_pick``."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "advance", "Go on", show=False),
    ]

    def __init__(
        self,
        question: Question,
        current: Any,
        *,
        on_pick: Callable[[Question, Any], None] | None = None,
        id: str | None = None,
    ) -> None:
        self.question = question
        self.on_pick = on_pick
        chosen = set(current) if isinstance(current, list) else set()
        self._exclusive = {o.value for o in question.options if o.exclusive}
        self._last: set[str] = set(chosen)
        items = []
        for o in question.options:
            text = Text(o.label)
            if o.help:
                text.append(f" — {' '.join(o.help.split())}", style="dim")
            items.append((text, o.value, o.value in chosen))
        super().__init__(*items, id=id)

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged[str]) -> None:
        event.stop()
        now = set(self.selected)
        added = now - self._last
        keep: set[str] | None = None
        if added & self._exclusive:
            keep = added & self._exclusive  # "none of these" clears the rest
        elif added and now & self._exclusive:
            keep = now - self._exclusive  # a practice clears "none of these"
        if keep is not None and keep != now:
            with self.prevent(SelectionList.SelectedChanged):
                for value in now - keep:
                    self.deselect(value)
            now = keep
        self._last = now
        if self.on_pick is not None:
            order = [o.value for o in self.question.options]
            self.on_pick(self.question, [v for v in order if v in now])

    def action_advance(self) -> None:
        self.post_message(Advance())
