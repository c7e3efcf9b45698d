"""``assessor assess --plain``: the same questions as the app, as questionary prompts.

For terminals where a full-screen app does not fit (small panes, screen readers, slow links).
It shares :class:`assessor.app.session.Session` with the app: resume, lock, autosave after every
answer, and the same "not saved" warning when the disk refuses.

Importing this module imports questionary (about 0.2 s); the CLI imports it only for
``--plain``.
"""

from __future__ import annotations

import contextlib
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

import questionary
from questionary import Choice, Separator
from rich.console import Console
from rich.text import Text

from assessor.app.session import Session
from assessor.domain.rubric import Question
from assessor.errors import AssessorError, InputError
from assessor.fileio import terminal_safe

SKIP = "\x00skip"
NOTE = "\x00note"
BACK = "\x00back"
RESULTS = "\x00results"
RUBRIC_FILE = "\x00file"

HANDLED_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


class Stopped(BaseException):
    """A signal asked the wizard to stop; the answers are saved before it propagates."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextmanager
def _signals_stop(session: Session) -> Iterator[None]:
    """SIGTERM/SIGHUP stop the wizard at the next safe point (never mid-save).

    The handler raises :class:`Stopped` inside the running prompt, which lets prompt_toolkit
    restore the terminal on its way out. If a save is running, it is let finish first.
    """
    pending: list[int] = []

    def handler(signum: int, frame: FrameType | None) -> None:
        if session.saving:
            pending.append(signum)
            return
        raise Stopped(signum)

    previous = {}
    for sig in HANDLED_SIGNALS:
        with contextlib.suppress(ValueError, OSError):  # not the main thread: no handler
            previous[sig] = signal.signal(sig, handler)
    session.after_save = lambda: _raise_pending(pending)
    try:
        yield
    finally:
        session.after_save = None
        for sig, old in previous.items():
            signal.signal(sig, old)


def _raise_pending(pending: list[int]) -> None:
    if pending:
        raise Stopped(pending[0])


class Wizard:
    """The plain assessment; ``input``/``output`` go to prompt_toolkit (tests pass pipes)."""

    def __init__(
        self,
        session: Session,
        *,
        out: TextIO | None = None,
        input: Any = None,
        output: Any = None,
    ) -> None:
        self.session = session
        self.out = out or sys.stdout
        self.console = Console(file=self.out, highlight=False, soft_wrap=False)
        self.io: dict[str, Any] = {}
        if input is not None:
            self.io["input"] = input
        if output is not None:
            self.io["output"] = output

    # ---- output ----------------------------------------------------------------------------

    def say(self, text: str | Text = "", style: str = "") -> None:
        if isinstance(text, str):
            text = Text(terminal_safe(text), style=style)
        self.console.print(text)

    def ask(self, prompt: Any) -> Any:
        """Run one prompt; Ctrl+C raises KeyboardInterrupt (answers are already saved)."""
        return prompt.unsafe_ask()

    def saved(self) -> None:
        s = self.session
        s.save()
        if s.outside is not None:
            self.ask_outside()
        elif s.save_error:
            self.say(
                f"  ! NOT SAVED: {s.save_error}. Answers are kept in this session; "
                "saving is retried after the next answer.",
                style="bold red",
            )

    def ask_outside(self) -> None:
        """The file changed on disk: reload it, or keep these answers; the other version is
        kept next to the file either way."""
        s = self.session
        name = s.path.name
        self.say(f"  ! {name} was changed by another program since it was opened here.",
                 style="bold red")  # fmt: skip
        choice = self.ask(
            questionary.select(
                "Which version do you keep?",
                choices=[
                    Choice(
                        f"Reload {name} (these answers are kept in {name}.mine-<time>)",
                        value="reload",
                    ),
                    Choice(
                        f"Keep these answers (the file's version is kept in {name}.outside-<time>)",
                        value="keep",
                    ),
                ],
                **self.io,
            )
        )
        notice = s.resolve_outside(choice)
        self.say(f"  {notice.text}", style="bold red" if notice.severity == "error" else "")

    # ---- the flow --------------------------------------------------------------------------

    def run(self) -> int:
        s = self.session
        self.say(f"Assessment file: {s.path}", style="bold")
        for notice in s.notices:
            style = {"error": "bold red", "warning": "yellow"}.get(notice.severity, "")
            self.say(notice.text, style=style)
        if s.answers:
            self.say(f"Resuming: {len(s.answers)} answers in place; press Enter to keep one.")
        self.ask_use_case()
        self.ask_rubric()
        start = self.start_point()
        if start != RESULTS:
            self.ask_questions(start)
        return self.finish()

    def ask_use_case(self) -> None:
        s = self.session
        name = self.ask(
            questionary.text(
                "Name of the use case:",
                default=s.name,
                validate=lambda t: bool(t.strip()) or "Give the use case a name.",
                **self.io,
            )
        )
        s.set_use_case(name=name.strip())
        self.saved()
        description = self.ask(
            questionary.text("Description (optional):", default=s.description, **self.io)
        )
        owner = self.ask(questionary.text("Owner (optional):", default=s.owner, **self.io))
        s.set_use_case(description=description.strip(), owner=owner.strip())
        self.saved()

    def ask_rubric(self) -> None:
        from assessor.domain.load import bundled_rubrics, load_rubric

        s = self.session
        bundled = bundled_rubrics()
        current = s.rubric_ref or s.rubric.id
        choices = [Choice(f"{load_rubric(rid).title} ({rid})", value=rid) for rid in bundled] + [
            Choice("A rubric file…", value=RUBRIC_FILE)
        ]
        default = current if current in bundled else RUBRIC_FILE
        picked = self.ask(
            questionary.select(
                "Rubric:", choices=choices, default=_choice(choices, default), **self.io
            )
        )
        if picked == RUBRIC_FILE:
            while True:
                path = self.ask(
                    questionary.text(
                        "Rubric file:",
                        default=current if current not in bundled else "",
                        validate=lambda t: bool(t.strip()) or "Type the rubric file's path.",
                        **self.io,
                    )
                )
                if self._use_rubric(path.strip()):
                    break
        elif picked != s.rubric.id or s.rubric_ref not in (None, picked):
            self._use_rubric(picked)

    def _use_rubric(self, ref: str) -> bool:
        try:
            dropped = self.session.set_rubric(ref)
        except InputError as exc:
            self.say(f"Cannot use this rubric: {exc.message}", style="red")
            return False
        if dropped:
            self.say(f"Answers the new rubric does not take were dropped: {', '.join(dropped)}")
        self.saved()
        return True

    def start_point(self) -> str | None:
        """Where to start: the beginning, the first open question, or straight to results."""
        s = self.session
        if not s.answers:
            return None
        first_open = next((q.id for q in s.open_questions()), None)
        choices = []
        if first_open:
            prompt = s.rubric.by_id[first_open].prompt
            choices.append(Choice(f"The first open question ({prompt})", value=first_open))
        choices.append(Choice("The first question (review every answer)", value="\x00first"))
        choices.append(Choice("The results", value=RESULTS))
        picked = self.ask(questionary.select("Continue from:", choices=choices, **self.io))
        return None if picked == "\x00first" else picked

    def ask_questions(self, start: str | None) -> None:
        s = self.session
        current = start or s.questions()[0].id
        while True:
            ids = [q.id for q in s.questions()]
            if current not in ids:
                return
            q = s.rubric.by_id[current]
            outcome = self.ask_question(q)
            ids = [x.id for x in s.questions()]  # an answer can change what applies
            index = ids.index(q.id)
            if outcome == BACK:
                current = ids[max(index - 1, 0)]
            elif outcome == NOTE:
                self.ask_note(q)
            elif index + 1 < len(ids):
                current = ids[index + 1]
            else:
                return

    def ask_question(self, q: Question) -> str | None:
        """Ask one question; returns BACK, NOTE or None (answered or skipped)."""
        s = self.session
        self.say()
        from assessor.views.answers import progress_text

        self.say(progress_text(s, q), style="dim")
        if q.help:
            self.say(" ".join(q.help.split()))
        if q.guide:
            self.say(f"Guide: “{' '.join(q.guide.split())}”", style="dim italic")
        if s.notes.get(q.id):
            self.say(f"Note: {s.notes[q.id]}", style="italic")
        if q.type == "multi":
            value = self._ask_multi(q)
        elif q.type in ("choice", "boolean"):
            value = self._ask_choice(q)
        else:
            value = self._ask_typed(q)
        if value in (BACK, NOTE):
            return str(value)
        if value == SKIP:
            return None
        if value is _CLEAR:
            s.clear_answer(q.id)
        else:
            s.set_answer(q.id, value)
        self.saved()
        self.live_line()
        return None

    def _ask_choice(self, q: Question) -> Any:
        from assessor.views.answers import choices as option_list

        current = self.session.answers.get(q.id, _UNSET)
        choices: list[Any] = []
        for value, label, help_text in option_list(q):
            title = f"{label} — {help_text}" if help_text else label
            choices.append(Choice(title, value=_Boxed(value)))
        choices += [
            Separator(),
            Choice("(skip for now)" if current is _UNSET else "(keep the answer)", value=SKIP),
            Choice("(add a note)", value=NOTE),
            Choice("(back to the previous question)", value=BACK),
        ]
        default = None
        if current is not _UNSET:
            default = next(
                (c for c in choices if isinstance(c, Choice) and c.value == _Boxed(current)), None
            )
        picked = self.ask(questionary.select(q.prompt, choices=choices, default=default, **self.io))
        return picked.value if isinstance(picked, _Boxed) else picked

    def _ask_multi(self, q: Question) -> Any:
        """Checkboxes; a "none of these" option cannot be ticked with others. Ticking
        nothing skips the question (or clears its answer)."""
        from assessor.domain.assessment import multi_answer

        current = self.session.answers.get(q.id)
        ticked = set(current) if isinstance(current, list) else set()
        boxes = [
            Choice(
                f"{o.label} — {' '.join(o.help.split())}" if o.help else o.label,
                value=o.value,
                checked=o.value in ticked,
            )
            for o in q.options
        ]

        def validate(selected: list[str]) -> bool | str:
            _, problems = multi_answer(q, list(selected), {})
            return problems[0][1] if problems else True

        picked = self.ask(
            questionary.checkbox(
                q.prompt,
                choices=boxes,
                validate=validate,
                instruction="(space ticks, enter confirms; none ticked skips)",
                **self.io,
            )
        )
        if not picked:
            return _CLEAR if q.id in self.session.answers else SKIP
        return [o.value for o in q.options if o.value in picked]

    def _ask_typed(self, q: Question) -> Any:
        from assessor.views.answers import format_answer

        s = self.session
        answered = q.id in s.answers
        hint = {"fraction": "3% or 0.03", "number": "a number", "text": "text"}.get(q.type, "")
        if q.nullable:
            hint += "; 'unknown'"
        hint += "; empty to skip; :note, :back"

        def validate(text: str) -> bool | str:
            text = text.strip()
            if not text or text in (":note", ":back"):
                return True
            _, error = s.parse_answer(q, text)
            return error or True

        text = self.ask(
            questionary.text(
                q.prompt,
                default=format_answer(q, s.answers.get(q.id)) if answered else "",
                instruction=f"({hint})",
                validate=validate,
                **self.io,
            )
        ).strip()
        if text == ":note":
            return NOTE
        if text == ":back":
            return BACK
        if not text:
            return _CLEAR if answered else SKIP
        value, _ = s.parse_answer(q, text)
        return value

    def ask_note(self, q: Question) -> None:
        text = self.ask(
            questionary.text(
                f"Note on “{q.prompt}” (empty removes it):",
                default=self.session.notes.get(q.id, ""),
                **self.io,
            )
        )
        self.session.set_note(q.id, text)
        self.saved()

    def live_line(self) -> None:
        from assessor.views.results import score_words, verdict_words

        result = self.session.live_result()
        found = self.session.bounds()
        line = Text("  → so far: ")
        line.append_text(verdict_words(result, found))
        line.append(f" · {score_words(result, found)}")
        for label, items in (("blockers", result.blockers), ("conditions", result.conditions)):
            line.append(f" · {label}: ")
            line.append(terminal_safe(", ".join(f.title for f in items)) or "none")
        if result.warnings:
            line.append(" · contradictions: ", style="bold")
            line.append(terminal_safe(", ".join(w.title for w in result.warnings)))
        self.say(line)

    # ---- results, export, scaffold ---------------------------------------------------------

    def finish(self) -> int:
        from assessor.views.results import render_results
        from assessor.views.words import symbols_for

        s = self.session
        marks = symbols_for(self.console.encoding)
        while True:
            self.say()
            sections = render_results(
                s.result(),
                s.rubric,
                bounds=s.bounds(),
                marks=marks,
                name_missing=not s.name.strip(),
            )
            for section in sections:
                self.console.print(section)
                self.console.print()
            choices = [
                Choice("Export a report", value="export"),
                Choice("Generate the starter project", value="scaffold"),
                Choice("Review the answers", value="review"),
                Choice("Quit (answers are saved)", value="quit"),
            ]
            picked = self.ask(questionary.select("Next:", choices=choices, **self.io))
            if picked == "quit":
                return 0
            if picked == "review":
                self.ask_use_case()
                self.ask_questions(None)
            elif picked == "export":
                self.export()
            elif picked == "scaffold":
                self.scaffold()

    def _not_ready(self) -> bool:
        from assessor.views.answers import not_ready_reason

        reason = not_ready_reason(self.session)
        if reason:
            self.say(reason, style="yellow")
        return reason is not None

    def export(self) -> None:
        from assessor.reports import FORMAT_LABELS, FORMATS

        if self._not_ready():
            return
        formats = list(FORMATS)
        fmt = self.ask(
            questionary.select(
                "Format:",
                choices=[Choice(FORMAT_LABELS.get(f, f.upper()), value=f) for f in formats],
                **self.io,
            )
        )
        default = self.session.path.with_name(f"{self.session.path.stem}-report.{fmt}")
        out = Path(self.ask(questionary.text("Write to:", default=str(default), **self.io)).strip())
        force = False
        if out.exists():
            force = self.ask(questionary.confirm(f"{out} exists. Replace it?", **self.io))
            if not force:
                return
        self._run(
            lambda: _write_report(self.session.path, fmt, out, force),
            f"Wrote the report to {out}",
        )

    def scaffold(self) -> None:
        from assessor.views.answers import slug

        if self._not_ready():
            return
        default = self.session.path.parent / slug(self.session.name)
        out = Path(
            self.ask(
                questionary.text("Generate the project into:", default=str(default), **self.io)
            ).strip()
        )
        self._run(lambda: _run_scaffold(self.session.path, out), f"Generated the project in {out}")

    def _run(self, job: Callable[[], None], done: str) -> None:
        try:
            job()
        except AssessorError as exc:
            self.say(exc.message, style="red")
        except OSError as exc:
            self.say(f"{exc.filename or ''}: {exc.strerror or exc}", style="red")
        else:
            self.say(done, style="green")


def _write_report(path: Path, fmt: str, out: Path, force: bool) -> None:
    from assessor.reports import write_report

    write_report(
        [path], fmt=fmt, out=out, force=force, title=None, client=None, author=None, logo=None,
        history=False, rubric_path=None,
    )  # fmt: skip


def _run_scaffold(path: Path, out: Path) -> None:
    from assessor.scaffold import render_file

    render_file(path, out)


class _Boxed:
    """Wraps an option value so that False and None are not mistaken for "no choice"."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, _Boxed)
            and type(other.value) is type(self.value)
            and other.value == self.value
        )

    def __hash__(self) -> int:
        return hash((type(self.value), self.value))


_UNSET = object()
_CLEAR = object()


def _choice(choices: list[Any], value: Any) -> Any:
    return next((c for c in choices if isinstance(c, Choice) and c.value == value), None)


def run_wizard(session: Session, **kwargs: Any) -> int:
    """Run the wizard on an open session; 130 on Ctrl+C, 128+N on signal N (answers saved)."""
    wizard = Wizard(session, **kwargs)
    with _signals_stop(session):
        try:
            return wizard.run()
        except KeyboardInterrupt:
            session.flush()
            wizard.say(f"\nStopped. Answers are saved in {session.path}.")
            return 130
        except Stopped as stop:
            session.flush()
            return 128 + stop.signum


def run_wizard_on(path: Path) -> int:
    """Open the assessment at ``path`` (LockedError when another assessor has it) and ask."""
    session = Session.open(path)
    try:
        code = run_wizard(session)
    finally:
        session.close()
    if session.save_error and session.dirty:
        print(f"NOT SAVED: {session.save_error}", file=sys.stderr)
        return 1
    return code
