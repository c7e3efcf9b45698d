"""The first screen: what is being assessed, and against which rubric."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, RadioButton, RadioSet, Static, TextArea

from assessor.errors import InputError
from assessor.tui.widgets.marks import MarkedRadioButton
from assessor.tui.widgets.save_status import SaveStatus
from assessor.tui.widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from assessor.app.session import Session

RUBRIC_FILE = "__file__"
DEFAULT_RUBRIC = "production-readiness"
"""Same as :data:`assessor.domain.load.DEFAULT_RUBRIC` (not imported: that loads pydantic)."""


def bundled_rubric_ids() -> list[str]:
    """Ids of the bundled rubrics, without loading them (the first screen shows at once)."""
    from assessor.resources import rubrics_dir

    return [p.stem for p in sorted(rubrics_dir().glob("*.yaml"))]


class UseCaseScreen(Screen[None]):
    """Name (focused), description, owner, and the rubric (bundled or a file)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "next", "Questions", id="next", priority=True,
                tooltip="Go on to the rubric's questions"),
    ]  # fmt: skip

    def __init__(self, session: Session) -> None:
        super().__init__(id="use-case-screen")
        self.session = session

    def compose(self) -> ComposeResult:
        s = self.session
        yield TitleBar(id="title-bar")
        with VerticalScroll(id="use-case"):
            yield Static("What is being assessed?", classes="title")
            name = Input(s.name, placeholder="e.g. Refund policy assistant", id="name",
                         max_length=200)  # fmt: skip
            name.border_title = "Name of the use case (required)"
            yield name
            yield Static("", id="name-error", classes="error")
            # Several lines: a pasted description keeps every line (Tab moves on).
            description = TextArea(
                s.description,
                id="description",
                soft_wrap=True,
                tab_behavior="focus",
                placeholder="What the AI does, for whom",
            )
            description.border_title = "Description (several lines)"
            yield description
            owner = Input(s.owner, placeholder="Team or person responsible", id="owner",
                          max_length=200)  # fmt: skip
            owner.border_title = "Owner"
            yield owner
            current = s.rubric_ref or ""
            bundled = bundled_rubric_ids()
            using_file = bool(current) and current not in bundled
            buttons = []
            for rubric_id in bundled:
                picked = not using_file and rubric_id == (current or DEFAULT_RUBRIC)
                buttons.append(
                    MarkedRadioButton(self._rubric_label(rubric_id), value=picked, name=rubric_id)
                )
            buttons.append(MarkedRadioButton("A rubric file…", value=using_file, name=RUBRIC_FILE))
            choice = RadioSet(*buttons, id="rubric-choice")
            choice.border_title = "Rubric"
            yield choice
            path = Input(current if using_file else "", placeholder="path/to/rubric.yaml",
                         id="rubric-path")  # fmt: skip
            path.border_title = "Rubric file"
            path.display = using_file
            yield path
            yield Static("", id="rubric-error", classes="error")
            label = "Start the questions ▸" if s.is_new else "Continue where you left off ▸"
            # A button: Tab reaches it and Enter (or Space, or a click) starts.
            yield Button(label, id="start", variant="primary", compact=True)
        yield SaveStatus(id="status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    def _rubric_label(self, rubric_id: str) -> Text:
        """The rubric's title once the rubric is loaded; its id until then."""
        label = Text()
        if self.session.loaded:
            from assessor.domain.load import load_rubric

            label.append(load_rubric(rubric_id).title)
            label.append(f"  ({rubric_id})", style="dim")
        else:
            label.append(rubric_id)
        return label

    def rubrics_loaded(self) -> None:
        """The session finished loading in the background: show the rubrics' titles, and
        what the load found (a salvaged file can change the use case)."""
        for button in self.query("#rubric-choice RadioButton").results(RadioButton):
            if button.name and button.name != RUBRIC_FILE:
                button.label = self._rubric_label(button.name)
        for key in ("name", "owner"):
            field = self.query_one(f"#{key}", Input)
            value = getattr(self.session, key)
            if field.value != value:
                with field.prevent(Input.Changed):
                    field.value = value
        area = self.query_one("#description", TextArea)
        if area.text != self.session.description:
            with area.prevent(TextArea.Changed):
                area.load_text(self.session.description)

    # ---- typing is saved after a short pause ---------------------------------------------

    @on(TextArea.Changed, "#description")
    def _description_changed(self, event: TextArea.Changed) -> None:
        self.session.set_use_case(description=event.text_area.text)
        self.app.changed(immediate=False)  # type: ignore[attr-defined]

    @on(Input.Changed, "#name, #owner")
    def _use_case_changed(self, event: Input.Changed) -> None:
        assert event.input.id is not None
        self.session.set_use_case(**{event.input.id: event.value})
        if event.input.id == "name" and event.value.strip():
            self.query_one("#name-error", Static).update("")
        self.app.changed(immediate=False)  # type: ignore[attr-defined]

    @on(Input.Submitted, "#name, #owner")
    def _submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "owner":
            self.query_one("#rubric-choice", RadioSet).focus()
        else:
            self.focus_next()

    @on(Input.Submitted, "#rubric-path")
    def _path_submitted(self) -> None:
        self.action_next()

    # ---- rubric ------------------------------------------------------------------------------

    @on(RadioSet.Changed, "#rubric-choice")
    def _rubric_picked(self, event: RadioSet.Changed) -> None:
        name = event.pressed.name or ""
        if name != RUBRIC_FILE and name == (self.session.rubric_ref or DEFAULT_RUBRIC):
            return  # already in use
        path_input = self.query_one("#rubric-path", Input)
        path_input.display = name == RUBRIC_FILE
        if name == RUBRIC_FILE:
            path_input.focus()
            return
        self._use_rubric(name)

    def _use_rubric(self, ref: str) -> bool:
        error = self.query_one("#rubric-error", Static)
        try:
            dropped = self.session.set_rubric(ref)
        except InputError as exc:
            error.update(Text(f"Cannot use this rubric: {exc.message}"))
            return False
        error.update("")
        if dropped:
            self.app.notify(
                f"Answers the new rubric does not take were dropped: {', '.join(dropped)}",
                severity="warning",
            )
        self.app.changed(immediate=True)  # type: ignore[attr-defined]
        return True

    # ---- next ------------------------------------------------------------------------------

    @on(Button.Pressed, "#start")
    def _start(self) -> None:
        self.action_next()

    def action_next(self) -> None:
        if not self.session.name.strip():
            self.query_one("#name-error", Static).update("Give the use case a name first.")
            self.query_one("#name", Input).focus()
            return
        choice = self.query_one("#rubric-choice", RadioSet).pressed_button
        if choice is not None and choice.name == RUBRIC_FILE:
            path = self.query_one("#rubric-path", Input).value.strip()
            if not path:
                self.query_one("#rubric-error", Static).update("Type the rubric file's path.")
                return
            if not self._use_rubric(path):
                return
        self.app.continue_assessment()  # type: ignore[attr-defined]
