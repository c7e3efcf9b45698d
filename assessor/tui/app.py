"""The assessment app: a factory builds it from a :class:`~assessor.app.session.Session`.

Importing this module imports Textual (about 0.3 s); ``assessor --help`` never does.
Tests build the app with the same factory the command uses, and drive it with Pilot.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import threading
from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer

from assessor.app.session import Session
from assessor.tui.screens.use_case import UseCaseScreen

if TYPE_CHECKING:
    from assessor.tui.screens.questions import QuestionScreen

HANDLED_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)
SAVE_DELAY = 0.4
"""Seconds of quiet after typing before the text is saved (picks are saved at once)."""
OUTSIDE_CHECK_EVERY = 2.0
"""Seconds between looks at the file for an outside edit (one ``stat``; also on focus)."""
EXIT_GRACE = 3.0
"""After a signal: seconds the app gets to restore the terminal before the process ends."""


def default_theme() -> str:
    """The terminal's own colours: ANSI themes, light or dark as the terminal says."""
    chosen = os.environ.get("TEXTUAL_THEME")
    if chosen:
        return chosen
    # COLORFGBG is "fg;bg" (rxvt, Konsole, iTerm2...); bg 7 or 15 is a light background.
    background = os.environ.get("COLORFGBG", "").split(";")[-1]
    return "ansi-light" if background in ("7", "15") else "ansi-dark"


class AssessmentApp(App[int]):
    """Walks a team through a use case; every answer is saved as it is given."""

    CSS_PATH = "app.tcss"
    TITLE = "assessor"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True,
                tooltip="Save and quit (answers are already saved)"),
        # Autosave is always on, so "save now" stays out of the crowded footer (80 columns);
        # it is in the command palette and the keys panel.
        Binding("ctrl+s", "save", "Save now", id="save", show=False,
                tooltip="Save now (autosave is on; retries after a failed save)"),
    ]  # fmt: skip

    save_state = reactive(0, init=False)
    """Bumped after every change and save attempt; the status lines follow it."""

    def __init__(
        self,
        session: Session,
        *,
        handle_signals: bool = False,
        save_delay: float = SAVE_DELAY,
        locked_message: str | None = None,
        outside_check_every: float = OUTSIDE_CHECK_EVERY,
    ) -> None:
        super().__init__()
        self.session = session
        self.handle_signals = handle_signals
        self.save_delay = save_delay
        self.locked_message = locked_message
        self.outside_check_every = outside_check_every
        self.exit_signal: int | None = None
        self.failure: str | None = None
        """Why the app stopped on its own (the command prints it and exits 2)."""
        self._save_timer: Timer | None = None
        self._installed_signals: list[int] = []
        self.sub_title = session.path.name
        self.use_case_screen = UseCaseScreen(session)
        self._question_screen: QuestionScreen | None = None
        self._asking_outside = False
        self._outside_later = False
        """The user chose to decide later: not asked again until Ctrl+S."""

    # ---- start -----------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.theme_changed_signal.subscribe(self, self._fit_no_color)
        self.theme = default_theme()
        self._fit_no_color()
        if self.handle_signals:
            self._install_signal_handlers()
        # The first screen is always the use case (resuming: filled in, one key from where
        # the team left off). It needs no rubric, so it shows before the domain is loaded.
        self.push_screen(self.use_case_screen)
        if not self.session.loaded:
            self.set_timer(0.05, self._load_in_background)
        else:
            self.call_after_refresh(self._show_notices)
        self.set_interval(self.outside_check_every, self.check_outside, name="outside-edits")
        if self.locked_message:
            from assessor.tui.screens.modals import LockedModal

            self.push_screen(LockedModal(self.locked_message), self._locked_choice)

    def _fit_no_color(self, *_: object) -> None:
        """Under ``NO_COLOR``: drop colours the way the theme in use needs.

        Textual picks its no-colour filter once, for the theme the app starts with (a
        true-colour one: every colour becomes a grey). Our themes use the terminal's own
        ANSI colours, whose grey is black, so the whole screen would be black on black; for
        them the colours are dropped instead (the terminal's default foreground and
        background), as Textual does for an ANSI theme.
        """
        if not self.no_color:
            return
        from textual.filter import Monochrome, NoColor

        wanted = NoColor if self.native_ansi_color else Monochrome
        self._filters = [
            wanted() if isinstance(f, NoColor | Monochrome) else f for f in self._filters
        ]
        self.refresh()

    @work(thread=True, exit_on_error=False, group="load")
    def _load_in_background(self) -> None:
        from assessor.errors import AssessorError

        try:
            self.session.ensure_loaded()
        except AssessorError as exc:
            self.call_from_thread(self._load_failed, exc.message)
            return
        self.call_from_thread(self._loaded)

    def _loaded(self) -> None:
        self.use_case_screen.rubrics_loaded()
        self._show_notices()
        self.save_state += 1

    def _load_failed(self, message: str) -> None:
        self.failure = message
        self.exit(2, return_code=2)

    def _show_notices(self) -> None:
        for notice in self.session.notices:
            self.notify(notice.text, severity=notice.severity, timeout=15)  # type: ignore[arg-type]

    def _locked_choice(self, choice: str | None) -> None:
        if choice != "readonly":
            self.exit(2, return_code=2)

    @property
    def question_screen(self) -> QuestionScreen:
        """The questions (built on first use: the first screen does not wait for it)."""
        if self._question_screen is None:
            from assessor.tui.screens.questions import QuestionScreen

            self._question_screen = QuestionScreen(self.session)
            self.install_screen(self._question_screen, "questions")
        return self._question_screen

    def show_questions(self) -> None:
        self.flush_pending()
        if self.screen is not self.question_screen:
            self.push_screen("questions")

    def continue_assessment(self) -> None:
        """From the use case: to the first open question, or to the results when done."""
        self.show_questions()
        if self.session.complete:
            self.show_results()

    def show_results(self) -> None:
        from assessor.tui.screens.results import ResultsScreen

        self.flush_pending()
        self.push_screen(ResultsScreen(self.session))

    # ---- autosave --------------------------------------------------------------------------

    def changed(self, *, immediate: bool) -> None:
        """The session changed (the screen has repainted what shows it): save it, now or
        after the pause that follows typing."""
        self._cancel_timer()
        if immediate:
            # After the repaint, so the verdict shows before the disk is touched.
            self.call_after_refresh(self.save_now)
        elif self.save_delay <= 0:
            self.save_now()
        else:
            self._save_timer = self.set_timer(self.save_delay, self.save_now)
            self.save_state += 1  # "Saving…" until the pause is over

    def _cancel_timer(self) -> None:
        if self._save_timer is not None:
            self._save_timer.stop()
            self._save_timer = None

    def save_now(self) -> None:
        """Write pending changes; on failure the status line says NOT SAVED, once loudly."""
        self._cancel_timer()
        had_error = self.session.save_error
        if self.session.dirty and not self.session.readonly:
            self.session.save()
        if self.session.outside is not None:
            self.save_state += 1
            self.ask_outside()
            return
        if self.session.save_error and self.session.save_error != had_error:
            self.notify(
                f"Not saved: {self.session.save_error}. Your answers are kept in this session; "
                "saving is retried after each answer (Ctrl+S to retry now).",
                severity="error",
                timeout=10,
            )
        elif had_error and not self.session.save_error:
            self.notify(f"Saved to {self.session.path.name} again.")
        self.save_state += 1

    def flush_pending(self) -> None:
        """Save now if typing is waiting for its pause."""
        if self.session.dirty:
            self.save_now()

    def action_save(self) -> None:
        if self.session.readonly:
            self.notify("Read-only: another assessor has this file open.", severity="warning")
            return
        if self.session.outside is not None:
            self.ask_outside(again=True)
            return
        self.session.dirty = True
        self.save_now()
        if not self.session.save_error:
            self.notify(f"Saved to {self.session.path.name}.")

    # ---- outside edits: never saved over; the user chooses which version to keep ----------

    def on_app_focus(self, _: events.AppFocus) -> None:
        self.check_outside()

    def check_outside(self) -> None:
        """Look for an outside edit of the file (a ``stat``; the file is read only when that
        changed) and ask what to do when there is one."""
        if self.session.check_outside():  # never while loading or read-only
            self.save_state += 1
            self.ask_outside()

    def ask_outside(self, *, again: bool = False) -> None:
        """Ask which version to keep (``again``: even after "decide later")."""
        if self._asking_outside or self.session.outside is None:
            return
        if self._outside_later and not again:
            return
        from assessor.tui.screens.modals import OutsideEditModal

        self._asking_outside = True
        self.push_screen(OutsideEditModal(self.session), self._outside_choice)

    def _outside_choice(self, choice: str | None) -> None:
        self._asking_outside = False
        self._outside_later = choice not in ("reload", "keep")
        name = self.session.path.name
        if choice in ("reload", "keep"):
            notice = self.session.resolve_outside(choice)
            self.notify(notice.text, severity=notice.severity, timeout=15)  # type: ignore[arg-type]
            if choice == "reload" and self.session.outside is None:
                self._show_reloaded()
        else:
            self.notify(
                f"Saving is paused: {name} was changed by another program. Press Ctrl+S to "
                "choose which version to keep.",
                severity="warning", timeout=10,
            )  # fmt: skip
        self.save_state += 1

    def _show_reloaded(self) -> None:
        """Every screen shows the answers just reloaded."""
        from assessor.tui.screens.results import ResultsScreen

        self.use_case_screen.rubrics_loaded()
        # The question screen shows the session's answers again when it is back on top.
        if isinstance(self.screen, ResultsScreen):
            self.pop_screen()
            self.show_results()

    async def action_quit(self) -> None:
        self.flush_pending()
        self.exit(0)

    def on_unmount(self) -> None:
        self.flush_pending()
        self._remove_signal_handlers()

    # ---- signals: the last answer reaches the disk and the terminal is restored ------------

    def _install_signal_handlers(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in HANDLED_SIGNALS:
            with contextlib.suppress(ValueError, RuntimeError, NotImplementedError):
                loop.add_signal_handler(sig, self._on_signal, sig)
                self._installed_signals.append(sig)

    def _remove_signal_handlers(self) -> None:
        with contextlib.suppress(RuntimeError):
            loop = asyncio.get_running_loop()
            for sig in self._installed_signals:
                with contextlib.suppress(ValueError, RuntimeError):
                    loop.remove_signal_handler(sig)
        self._installed_signals = []

    def _on_signal(self, sig: int) -> None:
        # Runs in the event loop between callbacks, so no save is half done.
        self.session.flush()
        if self.exit_signal is not None:
            # A second signal: the clean exit is stuck; stop now, the answers are on disk.
            os._exit(128 + sig)
        self.exit_signal = sig
        watchdog = threading.Timer(EXIT_GRACE, partial(os._exit, 128 + sig))
        watchdog.daemon = True
        watchdog.start()
        self.exit(128 + sig, return_code=128 + sig)

    # ---- command palette: one entry per action, and one per question -----------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        seen: set[str] = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            if not binding.id or binding.id in seen or not active.enabled:
                continue
            seen.add(binding.id)
            node = active.node
            help_text = binding.tooltip or binding.description
            key = self.get_key_display(binding)
            yield SystemCommand(
                binding.description,
                f"{help_text} ({key})",
                partial(self.run_action, binding.action, node),
            )
        if self._question_screen is not None and screen is self._question_screen:
            for q in self.session.questions():
                answered = "answered" if q.id in self.session.answers else "open"
                yield SystemCommand(
                    f"Go to: {q.prompt}",
                    f"{q.section} · {answered}",
                    partial(self._go_to, q.id),
                    discover=False,
                )
        yield from super().get_system_commands(screen)

    async def _go_to(self, question_id: str) -> None:
        await self.question_screen.go_to(question_id)


def make_app(
    session: Session,
    *,
    handle_signals: bool = False,
    save_delay: float = SAVE_DELAY,
    locked_message: str | None = None,
    outside_check_every: float = OUTSIDE_CHECK_EVERY,
) -> AssessmentApp:
    """Build the assessment app for a session (the command and the tests use this).

    Args:
        session: The open assessment (see :meth:`assessor.app.session.Session.open`).
        handle_signals: Install SIGTERM/SIGHUP/SIGINT handlers that save and exit cleanly
            (the command does; in-process tests do not).
        save_delay: Seconds of quiet after typing before text is saved; 0 saves every change.
        locked_message: Another assessor holds the file: ask whether to quit or read only.
        outside_check_every: Seconds between looks for an outside edit of the file (it is
            also looked for before each save and when the terminal gets the focus back).
    """
    return AssessmentApp(
        session, handle_signals=handle_signals, save_delay=save_delay,
        locked_message=locked_message, outside_check_every=outside_check_every,
    )  # fmt: skip
