"""``assessor assess``: the interactive assessment, full-screen or with plain prompts.

Both modes share :class:`assessor.app.session.Session` (resume, lock, autosave). This module is
imported by the CLI only when ``assess`` runs, and imports Textual or questionary only after
it has checked that there is a terminal to talk to.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import TextIO

from assessor.errors import NotATerminalError


def _is_terminal(stream: TextIO | None) -> bool:
    try:
        return stream is not None and not stream.closed and stream.isatty()
    except (ValueError, OSError):
        return False


def require_terminal(path: Path, *, plain: bool = False) -> None:
    """Raise :class:`NotATerminalError` unless stdin and stdout (and, for the full-screen
    app, which draws on stderr, stderr) are terminals."""
    streams = [("stdin", sys.stdin), ("stdout", sys.stdout)]
    if not plain:
        streams.append(("stderr", sys.stderr))
    missing = [name for name, stream in streams if not _is_terminal(stream)]
    if not missing:
        return
    which = missing[0]
    raise NotATerminalError(
        f"assessor assess is interactive and needs a terminal ({which} is not one). "
        f"Without a terminal, fill in the file and score it: assessor init {path} "
        f"(once), then assessor score {path}"
    )


def run_assessment(path: Path, *, plain: bool) -> int:
    """Run the interactive assessment on ``path``; return the process exit code.

    0 when the user quits (answers saved), 1 when changes could not be saved, 2 when the
    file is locked by another assessor, 128+N after signal N (answers saved first).
    """
    require_terminal(path, plain=plain)
    _utf8_terminal()
    if plain:
        from assessor.wizard import run_wizard_on

        return run_wizard_on(path)
    return _run_app(path)


def _utf8_terminal() -> None:
    """Talk UTF-8 to the terminal even under ``LANG=C`` or ``PYTHONIOENCODING=ascii``.

    Python itself uses UTF-8 in the C locale; an explicit ASCII encoding would make the
    box-drawing and quote characters raise (or print as escapes). Characters a terminal
    cannot show are replaced, never an error.
    """
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            errors = "surrogateescape" if stream is sys.stdin else "replace"
            with contextlib.suppress(ValueError, OSError):
                stream.reconfigure(encoding="utf-8", errors=errors)


def _run_app(path: Path) -> int:
    from assessor.app.session import Session

    session = Session.open(path, if_locked="readonly", defer=True)
    locked = session.locked_message
    try:
        from assessor.tui.app import make_app  # imports Textual: ~0.3 s

        app = make_app(session, handle_signals=True, locked_message=locked)
        app.run()
        code = app.return_code or 0
    finally:
        session.close()
    if app.exit_signal is not None:
        return code
    if app.failure:
        _tell(f"error: {app.failure}")
        return 2
    if locked and code == 2:
        _tell(locked)
        return 2
    _tell(summary(session))
    return 1 if session.save_error and session.dirty else code


def summary(session: object) -> str:
    """One line for the terminal after the app closes: where the answers are, what is next."""
    from assessor.app.session import Session

    assert isinstance(session, Session)
    name = session.path
    if session.readonly:
        return f"{name} was open read-only; nothing was saved."
    if session.save_error and session.dirty:
        return f"NOT SAVED: {session.save_error}; the last answers are not in {name}."
    if not session.path.exists():
        return f"Nothing was answered; {name} was not created."
    if session.complete:
        return f"Saved {name}. Score it with: assessor score {name}"
    missing = len(session.open_questions()) + (0 if session.name.strip() else 1)
    return f"Saved {name} ({missing} still open). Continue with: assessor assess {name}"


def _tell(message: str) -> None:
    from assessor.fileio import terminal_safe

    with contextlib.suppress(OSError, ValueError):
        print(terminal_safe(message), file=sys.stderr)
