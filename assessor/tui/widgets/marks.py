"""Radio buttons and checkboxes whose state shows without colour.

Textual draws every toggle as the same ``▐●▌`` glyph and tells on from off by colour alone,
which disappears under ``NO_COLOR`` (and for anyone who cannot tell the colours apart). These
draw ``(•)`` / ``( )`` for a pick and ``[x]`` / ``[ ]`` for a tick, and put ``›`` before the
option the cursor is on while its list has the focus. Labels wrap instead of being cut. The
checkbox list of a multi question draws its marks the same way (``widgets/multi.py``).
"""

from __future__ import annotations

from typing import Any

from textual.content import Content, ContentText
from textual.geometry import Size
from textual.style import Style
from textual.widgets import Checkbox, RadioButton

CURSOR = "›"
"""Before the option under the cursor (the highlight is also a colour; this is not)."""


class _Marks:
    """Mixed into a toggle button (a plain mixin: Textual's CSS follows the first widget
    base, so ``RadioSet > RadioButton`` rules still match)."""

    ON = "(•)"
    OFF = "( )"

    def _make_label(self, label: ContentText) -> Content:
        # Every line is kept: the label wraps to the width it gets instead of being cut.
        return Content.from_text(label).rstrip()

    def _under_cursor(self) -> bool:
        return False

    @property
    def _button(self: Any) -> Content:
        marker = CURSOR if self._under_cursor() else " "
        mark = self.ON if self.value else self.OFF
        style = self.get_visual_style("toggle--button")
        # The mark in the button's colour, never on its own background block: the glyph
        # itself says on or off.
        mark_style = Style(foreground=style.foreground, bold=self.value)
        return Content.assemble((marker, Style(bold=True)), (mark, mark_style))

    def watch_value(self: Any) -> None:
        # The mark is drawn from ``value``, so it changes in the very next frame. The ``-on``
        # class only colours it, and restyling a button costs a few milliseconds of CSS
        # matching: it follows one frame later, after the pick and the verdict panel have
        # been painted (this is the keypress-to-verdict path).
        self.refresh()
        self.call_after_refresh(self._colour_mark)
        self.post_message(self.Changed(self, self.value))

    def _colour_mark(self: Any) -> None:
        self.set_class(self.value, "-on")

    def _lines(self: Any, width: int) -> Content:
        """The mark, then the label wrapped to ``width`` with its later lines indented under
        the label's first letter (not under the mark)."""
        button = self._button
        label = self._label.stylize_before(self.get_visual_style("toggle--label"))
        indent = button.cell_length + 1
        if width - indent < 12:  # too narrow to indent: let the widget wrap it
            return Content.assemble(button, " ", label)
        lines = label.wrap(width - indent - 1) or [Content("")]
        first = Content.assemble(button, " ", lines[0])
        rest = [Content.assemble(" " * indent, line) for line in lines[1:]]
        return Content("\n").join([first, *rest])

    def render(self: Any) -> Content:
        return self._lines(self.content_region.width)

    def get_content_height(self: Any, container: Size, viewport: Size, width: int) -> int:
        return max(1, len(self._lines(width).split("\n")))


class MarkedRadioButton(_Marks, RadioButton):
    """A radio button drawn ``(•)`` when picked and ``( )`` when not."""

    DEFAULT_CSS = """
    MarkedRadioButton {
        height: auto;
        text-wrap: wrap;
    }
    """

    def _under_cursor(self) -> bool:
        parent = self.parent
        return self.has_class("-selected") and bool(getattr(parent, "has_focus", False))


class MarkedCheckbox(_Marks, Checkbox):
    """A checkbox drawn ``[x]`` when ticked and ``[ ]`` when not; ``›`` while focused."""

    DEFAULT_CSS = """
    MarkedCheckbox {
        height: auto;
        text-wrap: wrap;
    }
    """

    ON = "[x]"
    OFF = "[ ]"

    def _under_cursor(self) -> bool:
        return self.has_focus
