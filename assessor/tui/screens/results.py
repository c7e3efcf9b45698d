"""The results: verdict, reasons with fixes and guide citations, what would raise the verdict,
the cost model, and the recommended patterns. Export and scaffold start from here, and so does
the update of the generated project the assessment sits in."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from assessor.tui.widgets.save_status import SaveStatus
from assessor.tui.widgets.title_bar import TitleBar
from assessor.views.results import render_results

if TYPE_CHECKING:
    from assessor.app.session import Session


class ResultsScreen(Screen[None]):
    """The verdict explained; export a report or generate the scaffold from here."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "export", "Export report", id="export",
                tooltip="Write a report (Markdown, JSON, ...)"),
        Binding("g", "scaffold", "Generate project", id="scaffold",
                tooltip="Generate the starter project with the recommended patterns"),
        Binding("u", "update_project", "Update project", id="update",
                tooltip="Merge the new render into the generated project this file sits in"),
        Binding("escape,ctrl+o", "back", "Back", id="back", tooltip="Back to the questions"),
    ]  # fmt: skip

    def __init__(self, session: Session) -> None:
        super().__init__(id="results-screen")
        self.session = session
        self.result = session.result()

    def compose(self) -> ComposeResult:
        yield TitleBar(id="title-bar")
        with VerticalScroll(id="results"):
            for i, section in enumerate(
                render_results(
                    self.result,
                    self.session.rubric,
                    bounds=self.session.bounds(),
                    name_missing=not self.session.name.strip(),
                )
            ):
                yield Static(section, classes="section", id=f"section-{i}")
        yield SaveStatus(id="status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#results", VerticalScroll).focus()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_export(self) -> None:
        from assessor.tui.screens.modals import ExportModal

        self.app.push_screen(ExportModal(self.session), self._done)

    def action_scaffold(self) -> None:
        from assessor.tui.screens.modals import ScaffoldModal

        self.app.push_screen(ScaffoldModal(self.session, self.result), self._done)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "update_project":
            from assessor.tui.screens.update_modal import generated_project

            return generated_project(self.session) is not None
        return True

    def action_update_project(self) -> None:
        from assessor.tui.screens.update_modal import UpdateModal, generated_project

        project = generated_project(self.session)
        if project is not None:
            self.app.push_screen(UpdateModal(self.session, project), self._done)

    def _done(self, message: str | None) -> None:
        if message:
            self.app.notify(message, title="Done", timeout=8)
