"""The answer widget of one question, chosen by its type in the rubric.

Choices and yes/no questions are radio sets (arrows move, Space picks, Enter picks and moves
on); numbers, fractions and text are inputs checked as you type with the same rules as the
file loader (``3%`` and ``0.03`` are the same error rate).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import Input, RadioButton, RadioSet

from assessor.tui.messages import Advance
from assessor.tui.widgets.marks import MarkedRadioButton
from assessor.views.answers import choices, format_answer

if TYPE_CHECKING:
    from assessor.domain.rubric import Question


class ChoiceSet(RadioSet):
    """A radio set over a question's options.

    A pick from the keyboard is handed to ``on_pick`` right away, inside the key's own
    handler, so the answer, the radio dots and the verdict panel change in the same frame
    (RadioSet's own ``Changed`` message arrives a few hops later; a click still uses it).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "pick_and_advance", "Pick and go on", show=False),
        Binding("space", "toggle_button", "Pick", show=False),
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
        self.values: list[Any] = []
        buttons = []
        for value, label, help_text in choices(question):
            self.values.append(value)
            text = Text(label)
            if help_text:
                text.append(f" — {help_text}", style="dim")
            picked = current is not None and type(current) is type(value) and current == value
            buttons.append(MarkedRadioButton(text, value=picked))
        super().__init__(*buttons, id=id)

    def on_mount(self) -> None:
        # RadioSet highlights the first option on mount; start on the answer instead, so
        # that Enter on a resumed question keeps it.
        self.call_later(self._highlight_answer)

    def _highlight_answer(self) -> None:
        if self.pressed_index >= 0:
            self._selected = self.pressed_index

    def _scroll_to_selected(self) -> None:
        # The options wrap, so the set can be taller than the question's scrolling area:
        # bring the option under the cursor into view there too, not just in the set.
        if self._selected is not None:
            button = self._nodes[self._selected]
            self.call_after_refresh(button.scroll_visible, animate=False)

    def value_at(self, index: int) -> Any:
        return self.values[index]

    def action_toggle_button(self) -> None:
        index = self._selected
        if index is None:
            return
        buttons = list(self.query(RadioButton))
        button = buttons[index]
        previous = self.pressed_button
        if not button.value:
            button.value = True  # RadioSet.Changed follows, as for a click
            if previous is not None and previous is not button:
                with self.prevent(RadioButton.Changed):
                    previous.value = False
        if self.on_pick is not None:
            self.on_pick(self.question, self.values[index])

    def action_pick_and_advance(self) -> None:
        self.action_toggle_button()
        self.post_message(Advance())


class AnswerInput(Input):
    """A typed answer: number, fraction (3% or 0.03) or text."""

    def __init__(
        self, question: Question, current: Any, *, answered: bool, id: str | None = None
    ) -> None:
        self.question = question
        placeholder = {
            "fraction": "a percentage or fraction, e.g. 3% or 0.03",
            "number": "a number" + (f" ({question.unit})" if question.unit else ""),
            "text": "your answer",
        }.get(question.type, "")
        if question.nullable:
            placeholder += "; or 'unknown'"
        self.problem: str | None = None
        """Why the text typed is not a valid answer (None while it is)."""
        shown = format_answer(question, current) if answered else ""
        super().__init__(value=shown, placeholder=placeholder, id=id, max_length=2000)
