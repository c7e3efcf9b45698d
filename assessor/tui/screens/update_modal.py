"""Update the generated project the assessment sits in: the plan first, then the update."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Footer, Static

from assessor.errors import AssessorError
from assessor.tui.screens.modals import _Dialog
from assessor.views.answers import not_ready_reason

if TYPE_CHECKING:
    from assessor.app.session import Session

RECORD = Path(".assessor") / "project.yaml"
_ONE_AT_A_TIME = threading.Lock()
"""A dialog closed while its plan was being made leaves that worker running; the next one
waits for it instead of meeting the project's update lock."""


def generated_project(session: Session) -> Path | None:
    """The generated project the assessment file sits in (its record beside it), or None."""
    folder = session.path.parent
    return folder if (folder / RECORD).is_file() else None


class UpdateModal(_Dialog):
    """Shows what ``assessor update`` would change (a dry run), then updates on Ctrl+S."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="cancel"),
        Binding("ctrl+s", "confirm", "Update", id="confirm", priority=True),
    ]
    DEFAULT_CSS = """
    #update-plan {
        height: auto;
        max-height: 16;
    }
    """

    def __init__(self, session: Session, project: Path) -> None:
        super().__init__(id="update-modal")
        self.session = session
        self.project = project
        self.busy = True
        self.ready = False
        self.applying = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(f"Update the project in {self.project}", classes="title")
            with VerticalScroll(id="update-plan"):
                yield Static("", id="plan")
            yield Static("", id="dialog-status")
            with Horizontal(classes="buttons"):
                yield Button("Update", id="confirm", variant="primary")
                yield Button("Cancel", id="cancel")
        yield Footer(compact=True)  # the dialog's keys

    def on_mount(self) -> None:
        problem = not_ready_reason(self.session)
        if problem:
            self.show_error(problem)
            return
        self.show_info("Checking what would change…")
        self._run(dry_run=True)

    def action_confirm(self) -> None:
        if self.busy or not self.ready:
            return
        self.busy = self.applying = True
        self.show_info("Updating…")
        self._run(dry_run=False)

    def action_cancel(self) -> None:
        if self.applying:  # the update finishes (or rolls back) on its own; then this closes
            self.show_info("Updating… the dialog closes when it is done.")
            return
        self.dismiss(None)

    @work(thread=True, exclusive=True)
    def _run(self, *, dry_run: bool) -> None:
        from assessor.scaffold import update_project
        from assessor.scaffold.update import describe

        try:
            with _ONE_AT_A_TIME:
                report = update_project(
                    self.project,
                    assessment=self.session.path,
                    dry_run=dry_run,
                    progress=lambda step: self.app.call_from_thread(self._progress, step),
                )
        except AssessorError as exc:
            self.app.call_from_thread(self._failed, exc.message)
            return
        except OSError as exc:
            self.app.call_from_thread(self._failed, f"{self.project}: {exc.strerror or exc}")
            return
        lines = describe(report, str(self.project))
        if dry_run:
            self.app.call_from_thread(self._planned, lines, bool(report.changes))
        else:
            self.app.call_from_thread(self.dismiss, "\n".join(lines))

    def _progress(self, step: str) -> None:
        if self.is_mounted:
            self.show_info(step)

    def _planned(self, lines: list[str], changes: bool) -> None:
        if not self.is_mounted:  # closed while the plan was being made
            return
        self.query_one("#plan", Static).update(Text("\n".join(lines)))
        self.busy = False
        self.ready = changes
        if changes:
            self.show_info("Ctrl+S updates the project; Escape leaves it as it is.")
        else:
            self.show_info("Nothing to update.")

    def _failed(self, message: str) -> None:
        if not self.is_mounted:
            return
        self.busy = self.applying = False
        self.show_error(message)
