"""The questions, one at a time, with the live verdict panel beside them."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Input, RadioSet, Static

from assessor.fileio import terminal_safe
from assessor.tui.messages import Advance
from assessor.tui.widgets.answer import AnswerInput, ChoiceSet
from assessor.tui.widgets.multi import MultiChoiceList
from assessor.tui.widgets.save_status import SaveStatus
from assessor.tui.widgets.title_bar import TitleBar
from assessor.tui.widgets.verdict_panel import VerdictPanel
from assessor.views.answers import progress_text

if TYPE_CHECKING:
    from assessor.app.session import Session
    from assessor.domain.rubric import Question


_UNANSWERED = object()


class QuestionScreen(Screen[None]):
    """Asks the questions that apply, in rubric order; the panel follows every answer."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "next", "Next", id="next", priority=True,
                tooltip="Next question (Enter on a choice picks it and moves on)"),
        Binding("ctrl+o", "back", "Back", id="back", priority=True, tooltip="Previous question"),
        Binding("ctrl+r", "results", "Results", id="results", priority=True,
                tooltip="The verdict with reasons, fixes and what would raise it"),
        Binding("ctrl+t", "note", "Note", id="note", priority=True,
                tooltip="Add a note to this question (kept in the file, shown in reports)"),
        # Delete clears a pick (in a typed answer it deletes a character, as anywhere);
        # Ctrl+Z takes back the last change of an answer, a clear included.
        Binding("delete", "clear", "Clear", id="clear", show=False,
                tooltip="Clear this question's answer (Ctrl+Z undoes it)"),
        Binding("ctrl+z", "undo", "Undo", id="undo", priority=True,
                tooltip="Undo the last change of an answer (a pick or a clear)"),
        Binding("ctrl+f", "toggle_panel", "Panel", id="panel", priority=True,
                tooltip="Show or hide the live verdict panel (one line when hidden)"),
        # Out of the footer (80 columns): Ctrl+O on the first question gets there too.
        Binding("ctrl+g", "use_case", "Use case", id="use_case", priority=True, show=False,
                tooltip="Edit the use case and the rubric"),
        Binding("pagedown", "next", "Next", show=False, priority=True),
        Binding("pageup", "back", "Back", show=False, priority=True),
    ]  # fmt: skip

    def __init__(self, session: Session) -> None:
        super().__init__(id="question-screen")
        self.session = session
        self.current: str | None = None
        """Id of the question on screen."""
        self._progress = ""
        self._undo: list[tuple[str, object]] = []
        """(question id, answer before) of each pick or clear, the last one last."""
        self.panel_shown: bool | None = None
        """The user's choice of the panel (Ctrl+F); None: shown beside the question."""

    def compose(self) -> ComposeResult:
        yield TitleBar(id="title-bar")
        with Horizontal(id="main"):
            with Vertical(id="question-column"):
                # Outside the scrolling part: the progress, the verdict in one line (when the
                # panel is hidden) and the question stay visible on a small terminal.
                yield Static(id="progress")
                yield Static(id="panel-line")
                yield Static(id="prompt")
                with VerticalScroll(id="question"):
                    yield Static(id="help")
                    yield Static(id="guide")
                    yield Static(id="evidence", classes="warning")
                    yield Vertical(id="answer")
                    yield Static(id="answer-error", classes="error")
                    yield Static(id="note")
            yield VerdictPanel(id="panel")
        yield SaveStatus(id="status")
        yield Footer(compact=True)

    # ---- which question ----------------------------------------------------------------------

    def first_open(self) -> str:
        """The first required question not answered yet (else the first question)."""
        missing = self.session.open_questions()
        return missing[0].id if missing else self.session.questions()[0].id

    def on_mount(self) -> None:
        self._place_panel()
        self.refresh_panel()

    def on_resize(self) -> None:
        self._place_panel()

    def _place_panel(self) -> None:
        """The panel beside the question (narrower under 100 columns), or one line above
        it when the user hid it."""
        shown = self.panel_shown is not False
        panel = self.query_one("#panel", VerdictPanel)
        panel.display = shown
        panel.set_class(self.size.width < 100, "-narrow")
        self.query_one("#panel-line", Static).display = not shown

    def action_toggle_panel(self) -> None:
        self.panel_shown = self.panel_shown is False
        self._place_panel()
        self.refresh_panel()

    def on_screen_resume(self) -> None:
        # Back from the use case (the rubric may have changed) or from the results.
        self.reload()

    def reload(self) -> None:
        """Show the session's answers again (they may have changed under the screen)."""
        ids = [q.id for q in self.session.questions()]
        target = self.current if self.current in ids else self.first_open()
        self.current = None
        self.run_worker(self.show_question(target), exclusive=True, group="show")
        self.refresh_panel()

    def question(self) -> Question:
        assert self.current is not None
        return self.session.rubric.by_id[self.current]

    async def show_question(self, question_id: str) -> None:
        """Put a question on screen with its help, its guide sentence and its answer."""
        if question_id == self.current:
            return
        self.current = question_id
        q = self.session.rubric.by_id[question_id]
        s = self.session
        where = progress_text(s, q)
        self._progress = where
        self.query_one("#progress", Static).update(where)
        self.query_one("#prompt", Static).update(Text(q.prompt, style="bold"))
        self.query_one("#help", Static).update(Text(" ".join(q.help.split())))
        self.query_one("#help").display = bool(q.help)
        guide = self.query_one("#guide", Static)
        guide.update(Text(f"Guide: “{' '.join(q.guide.split())}”") if q.guide else "")
        guide.display = bool(q.guide)
        self._show_evidence(q)
        self.query_one("#answer-error", Static).update("")
        self._show_note()
        box = self.query_one("#answer", Vertical)
        await box.remove_children()
        widget: ChoiceSet | AnswerInput | MultiChoiceList
        if q.type in ("choice", "boolean"):
            widget = ChoiceSet(q, s.answers.get(q.id), on_pick=self.pick, id="answer-widget")
        elif q.type == "multi":
            widget = MultiChoiceList(q, s.answers.get(q.id), on_pick=self.pick, id="answer-widget")
        else:
            widget = AnswerInput(
                q, s.answers.get(q.id), answered=q.id in s.answers, id="answer-widget"
            )
        await box.mount(widget)
        widget.focus()
        self.query_one("#question", VerticalScroll).scroll_home(animate=False)

    def _show_evidence(self, q: Question) -> None:
        """Under the measured question: the measurement on record, so nobody types over it
        unawares."""
        from assessor.views.answers import measured_rate

        widget = self.query_one("#evidence", Static)
        measured = (
            measured_rate(self.session) if q.id == self.session.rubric.evidence.question else None
        )
        widget.update(Text(terminal_safe(measured[1])) if measured else "")
        widget.display = measured is not None

    def _show_note(self) -> None:
        note = self.session.notes.get(self.current or "", "")
        widget = self.query_one("#note", Static)
        widget.update(Text(f"Note: {terminal_safe(note)}", style="italic") if note else "")
        widget.display = bool(note)

    # ---- answers ---------------------------------------------------------------------------

    def pick(self, question: Question, value: object) -> None:
        """A choice was picked (keyboard: in the key's own handler; mouse: via Changed)."""
        before = self.session.answers.get(question.id, _UNANSWERED)
        if self.session.set_answer(question.id, value):
            self._undo.append((question.id, before))
            self.refresh_panel()
            self.app.changed(immediate=True)  # type: ignore[attr-defined]

    @on(RadioSet.Changed, "#answer-widget")
    def _picked(self, event: RadioSet.Changed) -> None:
        widget = event.radio_set
        assert isinstance(widget, ChoiceSet)
        self.pick(widget.question, widget.value_at(event.index))

    @on(Advance)
    async def _advance(self) -> None:
        await self.action_next()

    @on(Input.Changed, "#answer-widget")
    def _typed(self, event: Input.Changed) -> None:
        widget = event.input
        assert isinstance(widget, AnswerInput)
        q = widget.question
        error = self.query_one("#answer-error", Static)
        value, problem = (None, None)
        if event.value.strip():
            value, problem = self.session.parse_answer(q, event.value)
        widget.set_class(problem is not None, "-invalid")
        widget.problem = problem
        error.update(Text(f"{problem}; not counted until it is valid") if problem else "")
        if problem or not event.value.strip():
            # What is saved is what the field shows: an invalid answer leaves it open.
            self.session.clear_answer(q.id)
        else:
            self.session.set_answer(q.id, value)
            self._guard_measurement(q, value)
        self.refresh_panel()
        self.app.changed(immediate=False)  # type: ignore[attr-defined]

    def _guard_measurement(self, q: Question, value: object) -> None:
        """Typing over a measured error rate: say so, and the rate's source becomes
        estimated (the evidence stays on record but no longer counts); typing the measured
        value back makes it measured again."""
        from assessor.views.answers import measured_rate, overrides_measurement

        s = self.session
        source = s.rubric.evidence.source_question
        if overrides_measurement(s, q, value):
            s.set_answer(source, "estimated")
            measured = measured_rate(s)
            assert measured is not None
            from assessor.domain.evidence import percent_text

            self.query_one("#answer-error", Static).update(
                Text(
                    f"This replaces the measured {percent_text(measured[0])}: the error rate "
                    "now counts as estimated, and the evidence no longer counts for scoring."
                )
            )
        elif q.id == s.rubric.evidence.question and measured_rate(s) is not None:
            s.set_answer(source, "measured")

    @on(Input.Submitted, "#answer-widget")
    async def _submitted(self, event: Input.Submitted) -> None:
        await self.action_next()  # stays, text and focus kept, when the answer is invalid

    def refresh_panel(self) -> None:
        """Score the answers given so far and repaint the panel (and the progress line)."""
        s = self.session
        result, bounds = s.live_result(), s.bounds()
        panel = self.query_one("#panel", VerdictPanel)
        if panel.display:
            panel.show(result, bounds)
        else:
            panel.result, panel.bounds = result, bounds  # painted when shown again
            self.query_one("#panel-line", Static).update(panel.one_line(), layout=False)
        if self.current is not None:
            ids = [x.id for x in s.questions()]
            if self.current in ids:
                q = self.question()
                where = progress_text(s, q)
                progress = self.query_one("#progress", Static)
                if where != self._progress:
                    self._progress = where
                    progress.update(where, layout=False)  # one line

    # ---- actions ---------------------------------------------------------------------------

    def _step(self, delta: int) -> str | None:
        ids = [q.id for q in self.session.questions()]
        if self.current not in ids:
            return ids[0] if ids else None
        index = ids.index(self.current) + delta
        return ids[index] if 0 <= index < len(ids) else None

    def _keeps_invalid_text(self) -> bool:
        """Whether the typed answer on screen is invalid: then the screen stays, with the
        text and the focus where they are and the problem shown (nothing typed is lost)."""
        found = self.query("#answer-widget")
        widget = found.first() if found else None
        if isinstance(widget, AnswerInput) and widget.value.strip():
            # Read the text again: the last keystrokes' Changed messages may still be queued.
            widget.problem = self.session.parse_answer(widget.question, widget.value)[1]
        if isinstance(widget, AnswerInput) and widget.problem is not None:
            # (Input's own validation on Enter resets its -invalid class: set it again.)
            widget.set_class(True, "-invalid")
            widget.focus()
            self.app.bell()
            problem = widget.problem or "not a valid answer"
            self.notify(
                f"{widget.question.short}: {problem}. Correct the answer, "
                "or clear it (Ctrl+L) to leave it open.",
                title="Not a valid answer yet",
                severity="warning",
            )
            return True
        return False

    async def action_next(self) -> None:
        if self._keeps_invalid_text():
            return
        self.app.flush_pending()  # type: ignore[attr-defined]
        target = self._step(+1)
        if target is None:
            self.action_results()
        else:
            await self.show_question(target)

    async def action_back(self) -> None:
        if self._keeps_invalid_text():
            return
        self.app.flush_pending()  # type: ignore[attr-defined]
        target = self._step(-1)
        if target is None:
            self.action_use_case()
        else:
            await self.show_question(target)

    async def go_to(self, question_id: str) -> None:
        if self._keeps_invalid_text():
            return
        await self.show_question(question_id)

    def action_results(self) -> None:
        if self._keeps_invalid_text():
            return
        self.app.show_results()  # type: ignore[attr-defined]

    def action_use_case(self) -> None:
        if self._keeps_invalid_text():
            return
        self.app.flush_pending()  # type: ignore[attr-defined]
        self.app.pop_screen()

    def action_note(self) -> None:
        from assessor.tui.screens.modals import NoteModal

        q = self.question()

        def done(text: str | None) -> None:
            if text is None:
                return
            self.session.set_note(q.id, text)
            self._show_note()
            self.app.changed(immediate=True)  # type: ignore[attr-defined]

        self.app.push_screen(NoteModal(q, self.session.notes.get(q.id, "")), done)

    async def action_clear(self) -> None:
        q = self.question()
        before = self.session.answers.get(q.id, _UNANSWERED)
        if not self.session.clear_answer(q.id):
            return
        self._undo.append((q.id, before))
        self.current = None
        await self.show_question(q.id)
        self.refresh_panel()
        self.app.changed(immediate=True)  # type: ignore[attr-defined]
        self.notify("Answer cleared. Ctrl+Z brings it back.", timeout=5)

    async def action_undo(self) -> None:
        """Take back the last pick or clear: the answer before it returns, on screen."""
        from assessor.views.answers import format_answer

        if not self._undo:
            self.notify("Nothing to undo.", timeout=3)
            return
        qid, before = self._undo.pop()
        if before is _UNANSWERED:
            self.session.clear_answer(qid)
        else:
            self.session.set_answer(qid, before)
        q = self.session.rubric.by_id[qid]
        self.current = None
        await self.show_question(qid)
        self.refresh_panel()
        self.app.changed(immediate=True)  # type: ignore[attr-defined]
        shown = "unanswered" if before is _UNANSWERED else format_answer(q, before)
        self.notify(f"Undone: “{q.short}” is {shown} again.", timeout=5)
