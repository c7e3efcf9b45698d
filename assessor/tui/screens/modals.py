"""Modal dialogs: a note on a question, export a report, generate the scaffold, locked file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Footer, Input, Label, RadioSet, Static

from assessor.errors import AssessorError
from assessor.reports import FORMAT_LABELS, FORMATS
from assessor.tui.widgets.marks import MarkedCheckbox, MarkedRadioButton
from assessor.views.answers import not_ready_reason, slug

if TYPE_CHECKING:
    from assessor.app.session import Session
    from assessor.domain.rubric import Question
    from assessor.domain.scoring import Result


class _Dialog(ModalScreen[Any]):
    """Escape cancels; Ctrl+S confirms."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="cancel"),
        Binding("ctrl+s", "confirm", "OK", id="confirm", priority=True),
    ]

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_confirm(self) -> None:  # pragma: no cover - each dialog defines it
        raise NotImplementedError

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Button.Pressed, "#confirm")
    def _confirm_pressed(self) -> None:
        self.action_confirm()

    def show_error(self, message: str) -> None:
        status = self.query_one("#dialog-status", Static)
        status.update(Text(message))
        status.set_class(True, "error")

    def show_info(self, message: str) -> None:
        status = self.query_one("#dialog-status", Static)
        status.update(Text(message))
        status.set_class(False, "error")


class NoteModal(_Dialog):
    """A free-text note on one question (kept in the assessment file, shown in reports)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="cancel"),
        Binding("ctrl+s", "confirm", "Keep note", id="confirm", priority=True),
    ]

    def __init__(self, question: Question, text: str) -> None:
        super().__init__(id="note-modal")
        self.question = question
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Note", classes="title")
            yield Label(Text(self.question.prompt))
            yield Input(self.text, placeholder="Why this answer; who confirmed it; links",
                        id="note-text", max_length=2000)  # fmt: skip
            yield Static("Empty the note to remove it.", id="dialog-status", classes="hint")
            with Horizontal(classes="buttons"):
                yield Button("Keep note", id="confirm", variant="primary")
                yield Button("Cancel", id="cancel")
        yield Footer(compact=True)  # the dialog's keys

    def on_mount(self) -> None:
        self.query_one("#note-text", Input).focus()

    @on(Input.Submitted, "#note-text")
    def action_confirm(self) -> None:
        self.dismiss(self.query_one("#note-text", Input).value)


class _OutputDialog(_Dialog):
    """A dialog that writes something to a destination the user names, in a worker thread.

    The assessment must be complete; errors leave the dialog open with the message.
    """

    def __init__(self, session: Session, *, id: str) -> None:
        super().__init__(id=id)
        self.session = session
        self.busy = False

    def on_mount(self) -> None:
        self.query_one("#destination", Input).focus()
        problem = not_ready_reason(self.session)
        if problem:
            self.show_error(problem)

    def _destination(self, missing: str) -> Path | None:
        """The destination to write to, or None (with the reason shown) when not possible."""
        if self.busy:
            return None
        problem = not_ready_reason(self.session)
        if problem:
            self.show_error(problem)
            return None
        out = Path(self.query_one("#destination", Input).value.strip()).expanduser()
        if not str(out) or str(out) == ".":
            self.show_error(missing)
            return None
        return out

    def _produce(self, out: Path, write: Callable[[], None], done: str) -> None:
        """Run ``write`` (called from a worker thread); close with ``done`` or show the error."""
        try:
            write()
        except AssessorError as exc:
            self.app.call_from_thread(self._failed, exc.message)
        except OSError as exc:
            self.app.call_from_thread(self._failed, f"{out}: {exc.strerror or exc}")
        else:
            self.app.call_from_thread(self.dismiss, done)

    def _failed(self, message: str) -> None:
        self.busy = False
        self.show_error(message)


class ExportModal(_OutputDialog):
    """Write a report of this assessment; asks for the format and the destination."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="cancel"),
        Binding("ctrl+s", "confirm", "Export", id="confirm", priority=True),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__(session, id="export-modal")
        self.formats: list[str] = list(FORMATS)
        self.fmt = self.formats[0]
        self._default_out = self._out_for(self.fmt)

    def _out_for(self, fmt: str) -> str:
        path = self.session.path
        return str(path.with_name(f"{path.stem}-report.{fmt}"))

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Export a report", classes="title")
            yield Label("Format")
            yield RadioSet(
                *(MarkedRadioButton(FORMAT_LABELS.get(f, f.upper()), value=i == 0, name=f)
                  for i, f in enumerate(self.formats)),
                id="format",
            )  # fmt: skip
            yield Label("Write to")
            yield Input(self._default_out, id="destination")
            yield MarkedCheckbox("Replace the file if it exists", id="force")
            yield Static("", id="dialog-status")
            with Horizontal(classes="buttons"):
                yield Button("Export", id="confirm", variant="primary")
                yield Button("Cancel", id="cancel")
        yield Footer(compact=True)  # the dialog's keys

    @on(RadioSet.Changed, "#format")
    def _format(self, event: RadioSet.Changed) -> None:
        self.fmt = event.pressed.name or self.fmt
        destination = self.query_one("#destination", Input)
        if destination.value == self._default_out:
            self._default_out = self._out_for(self.fmt)
            destination.value = self._default_out

    @on(Input.Submitted, "#destination")
    def action_confirm(self) -> None:
        out = self._destination("Give the report's file name.")
        if out is None:
            return
        force = self.query_one("#force", Checkbox).value
        self.busy = True
        self.show_info(f"Writing {out}…")
        self._write(out, force)

    @work(thread=True, exclusive=True)
    def _write(self, out: Path, force: bool) -> None:
        from assessor.reports import write_report

        def write() -> None:
            write_report(
                [self.session.path], fmt=self.fmt, out=out, force=force, title=None,
                client=None, author=None, logo=None, history=False, rubric_path=None,
            )  # fmt: skip

        self._produce(out, write, f"Wrote the report to {out}")


class ScaffoldModal(_OutputDialog):
    """Generate the starter project; asks for the folder and which patterns to wire in."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="cancel"),
        Binding("ctrl+s", "confirm", "Generate", id="confirm", priority=True),
    ]

    def __init__(self, session: Session, result: Result) -> None:
        super().__init__(session, id="scaffold-modal")
        self.recommended = [p.id for p in result.patterns]

    def compose(self) -> ComposeResult:
        default = self.session.path.parent / slug(self.session.name)
        with Vertical(classes="dialog"):
            yield Static("Generate the starter project", classes="title")
            yield Label("Into the folder (must not exist, or be empty)")
            yield Input(str(default), id="destination")
            yield Label("Patterns (the recommended ones are ticked)")
            with VerticalScroll(id="patterns"):
                for p in self.session.rubric.patterns:
                    label = Text(p.title)
                    if p.id in self.recommended:
                        label.append("  recommended", style="dim")
                    yield MarkedCheckbox(label, value=p.id in self.recommended, name=p.id)
            yield MarkedCheckbox("Use the folder even if it is not empty (never deletes files)",
                           id="force")  # fmt: skip
            yield Static("", id="dialog-status")
            with Horizontal(classes="buttons"):
                yield Button("Generate", id="confirm", variant="primary")
                yield Button("Cancel", id="cancel")
        yield Footer(compact=True)  # the dialog's keys

    @on(Input.Submitted, "#destination")
    def action_confirm(self) -> None:
        out = self._destination("Give the project's folder.")
        if out is None:
            return
        ticked = {
            box.name for box in self.query("#patterns Checkbox").results(Checkbox) if box.value
        }
        with_patterns = sorted(p for p in ticked if p and p not in self.recommended)
        without = sorted(p for p in self.recommended if p not in ticked)
        force = self.query_one("#force", Checkbox).value
        self.busy = True
        self.show_info(f"Generating the project in {out}…")
        self._generate(out, with_patterns, without, force)

    @work(thread=True, exclusive=True)
    def _generate(
        self, out: Path, with_patterns: list[str], without: list[str], force: bool
    ) -> None:
        from assessor.scaffold import render_file

        def write() -> None:
            render_file(
                self.session.path, out, force=force, with_patterns=with_patterns,
                without_patterns=without,
                progress=lambda step: self.app.call_from_thread(self.show_info, step),
            )  # fmt: skip

        self._produce(out, write, f"Generated the project in {out}")


class LockedModal(ModalScreen[str]):
    """Another assessor holds the file: quit, or look at it read-only."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q,escape", "choose('quit')", "Quit", id="locked_quit"),
        Binding("r", "choose('readonly')", "Read-only", id="locked_readonly"),
    ]

    def __init__(self, message: str) -> None:
        super().__init__(id="locked-modal")
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("This assessment is locked", classes="title error")
            yield Static(Text(self.message))
            yield Static(
                "Quit, or look at it read-only (nothing you change is saved).", classes="hint"
            )
            with Horizontal(classes="buttons"):
                yield Button("Quit", id="quit", variant="error")
                yield Button("Read-only", id="readonly")
        yield Footer(compact=True)  # the dialog's keys

    def on_mount(self) -> None:
        self.query_one("#quit", Button).focus()

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id or "quit")


class OutsideEditModal(ModalScreen[str]):
    """The file changed on disk: take that version, or keep the answers here. Either way the
    other version is kept next to the file, and the message says where.

    It can open while someone is typing: no button has the focus, and the keys only work
    once it has been on screen for a moment, so typed letters never choose by accident.
    """

    AUTO_FOCUS = None
    ARM_AFTER = 0.6
    """Seconds before the keys and buttons work."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "choose('reload')", "Reload from disk", id="outside_reload"),
        Binding("k", "choose('keep')", "Keep mine", id="outside_keep"),
        Binding("escape", "choose('later')", "Decide later", id="outside_later"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__(id="outside-modal")
        self.session = session
        self.armed = False

    def compose(self) -> ComposeResult:
        name = self.session.path.name
        with Vertical(classes="dialog"):
            yield Static(f"{name} was changed outside this app", classes="title error")
            yield Static(
                Text(
                    "Another program (an editor, a command, a git checkout) wrote the file "
                    "after it was opened here. Nothing is saved over it until you choose."
                )
            )
            yield Static(
                Text(
                    f"Reload (r): the answers in {name} replace the ones here; the ones here "
                    f"are kept in {name}.mine-<time>."
                ),
                classes="section",
            )
            yield Static(
                Text(
                    f"Keep mine (k): the answers here are saved to {name}; the version on "
                    f"disk is kept in {name}.outside-<time>."
                ),
                classes="section",
            )
            with Horizontal(classes="buttons"):
                yield Button("Reload from disk", id="reload", variant="primary")
                yield Button("Keep mine", id="keep")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.set_timer(self.ARM_AFTER, self._arm)

    def _arm(self) -> None:
        self.armed = True

    def action_choose(self, choice: str) -> None:
        if self.armed:
            self.dismiss(choice)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if self.armed:
            self.dismiss(event.button.id or "later")
