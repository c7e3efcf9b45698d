"""Helpers for the interactive-assessment tests: build the app as the command does, and
answer questions with the keyboard the way a user would."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
PYTHON = str(REPO / ".venv" / "bin" / "python") if (REPO / ".venv").exists() else "python"


def example_data(name: str) -> dict[str, Any]:
    return yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))


def copy_example(name: str, target: Path) -> Path:
    shutil.copy(EXAMPLES / name, target)
    return target


def open_app(path: Path, **kwargs: Any) -> Any:
    """The app for ``path``, built by the same factory the command uses (saves at once)."""
    from assessor.app.session import Session
    from assessor.tui.app import make_app

    session = Session.open(path, if_locked="readonly")
    kwargs.setdefault("save_delay", 0)
    return make_app(session, locked_message=session.locked_message, **kwargs)


def model_ops_case(cli: Any, folder: Path) -> Path:
    """An assessment on the rubric imported from the model-ops lens (multi questions)."""
    rubric = folder / "model-ops.yaml"
    lens = REPO / "tests" / "interop" / "data" / "model-ops.json"
    assert cli("rubric", "import", lens, "-o", rubric).exit_code == 0
    path = folder / "case.yaml"
    path.write_text(f"version: 1\nrubric: {rubric}\nuse_case: {{name: Fraud scoring}}\n")
    return path


def screen_text(app: Any) -> str:
    """Everything visible on the current screen, as plain text (widgets' rendered lines)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def wait_for(pilot: Any, condition: Callable[[], bool], timeout: float = 20.0) -> None:
    """Wait until ``condition()`` holds (workers, timers); fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await pilot.pause(0.05)


async def continue_from_use_case(pilot: Any) -> None:
    """On the first screen of a resumed assessment: continue where the team left off."""
    assert pilot.app.screen is pilot.app.use_case_screen
    await pilot.press("ctrl+n")
    await pilot.pause()


async def fill_use_case(pilot: Any, name: str, description: str = "", owner: str = "") -> None:
    """Type the use case on the first screen (the name field has the focus) and go on.

    The name is typed key by key; the longer description and owner are pasted (one edit
    each), which keeps the walk-throughs quick.
    """
    await pilot.press(*name)
    for text in (description, owner):
        await pilot.press("tab")
        if text:
            field = pilot.app.focused
            if hasattr(field, "insert_text_at_cursor"):
                field.insert_text_at_cursor(text)
            else:  # the description: a multi-line text area
                field.insert(text)
            await pilot.pause()
    await pilot.press("ctrl+n")
    await pilot.pause()


async def answer_questions(
    pilot: Any,
    answers: dict[str, Any],
    notes: dict[str, str] | None = None,
    stop_before: str | None = None,
) -> None:
    """Answer every question on screen with the keyboard until the results screen shows.

    Choices: arrows to the option, Enter picks it and moves on. Typed answers: the text,
    then Enter. Questions without an answer are passed with Ctrl+N. Notes via Ctrl+T.
    """
    from assessor.tui.widgets.answer import ChoiceSet
    from assessor.views.answers import choices, format_answer

    app = pilot.app
    screen = app.question_screen
    notes = notes or {}
    for _ in range(100):
        if app.screen is not screen:
            return
        await wait_for(pilot, lambda: screen.query("#answer-widget"))
        qid = screen.current
        if qid == stop_before:
            return
        q = app.session.rubric.by_id[qid]
        if qid in notes:
            await pilot.press("ctrl+t")
            await pilot.press(*notes[qid])
            await pilot.press("ctrl+s")
            await pilot.pause()
        widget = screen.query_one("#answer-widget")
        assert app.focused is widget
        if qid not in answers:
            await pilot.press("ctrl+n")
        elif isinstance(widget, ChoiceSet):
            values = [v for v, _, _ in choices(q)]
            target = next(
                i for i, v in enumerate(values)
                if type(v) is type(answers[qid]) and v == answers[qid]
            )  # fmt: skip
            start = max(widget.pressed_index, 0)
            key = "down" if target > start else "up"
            await pilot.press(*[key] * abs(target - start), "enter")
        else:
            text = "unknown" if answers[qid] is None else format_answer(q, answers[qid])
            await pilot.press(*text, "enter")
        await pilot.pause()
    raise AssertionError("the walk-through did not reach the results")


def run_in_loop(coro: Any) -> Any:
    return asyncio.run(coro)


def env_for_subprocess(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("NO_COLOR", None)
    env.update({"PYTHONUNBUFFERED": "1", "TERM": "xterm-256color", "LANG": "C.UTF-8"})
    env.update(extra)
    return env


ANSI = re.compile(
    r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_]|[()][0-9A-Za-z])"
)


class PtyProcess:
    """``assessor`` running in a pseudo-terminal: what it draws, and keys typed into it."""

    def __init__(
        self,
        args: list[str],
        cwd: Path,
        size: tuple[int, int] = (100, 32),
        env: dict[str, str] | None = None,
        stderr: Any = None,
    ) -> None:
        import fcntl
        import pty
        import struct
        import subprocess
        import termios
        import threading

        self.master, slave = pty.openpty()
        cols, rows = size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.proc = subprocess.Popen(
            [PYTHON, "-m", "assessor", *args],
            stdin=slave,
            stdout=slave,
            stderr=slave if stderr is None else stderr,
            cwd=cwd,
            env=env_for_subprocess(**(env or {})),
            start_new_session=True,
        )
        os.close(slave)
        self.raw = bytearray()
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            with self._lock:
                self.raw.extend(chunk)

    def text(self) -> str:
        """Everything drawn so far, escape sequences removed."""
        with self._lock:
            data = bytes(self.raw)
        return ANSI.sub("", data.decode("utf-8", "replace"))

    def wait_for_text(self, needle: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while needle not in self.text():
            if self.proc.poll() is not None:
                raise AssertionError(f"exited ({self.proc.returncode}): {self.text()[-2000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"{needle!r} not drawn; screen: {self.text()[-2000:]}")
            time.sleep(0.05)

    def type(self, text: str) -> None:
        os.write(self.master, text.encode())

    def wait(self, timeout: float = 30.0) -> int:
        return self.proc.wait(timeout=timeout)

    def terminal_modes(self) -> list[Any]:
        import termios

        return termios.tcgetattr(self.master)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        with contextlib.suppress(OSError):
            os.close(self.master)


def wait_until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


# Expert review "yes" while outputs take effect on their own, and an error rate whose source
# is answered as unknown.
CONTRADICTORY_ANSWERS: dict[str, Any] = {
    "task_type": "summarization",
    "error_cost": "high",
    "autonomy": "autonomous",
    "regulation": "regulated",
    "expert_review": True,
    "customer_facing": False,
    "error_rate": 0.02,
    "error_rate_source": "unknown",
    "realtime": False,
    "repeat_queries": "rare",
    "evaluation": "offline",
    "task_defined": True,
}


def write_contradictory(path: Path) -> Path:
    doc = {"version": 1, "use_case": {"name": "Claim letters"}, "answers": CONTRADICTORY_ANSWERS}
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path
