"""Helpers for the interactive-assessment tests: build the app as the command does, and
answer questions with the keyboard the way a user would."""

from __future__ import annotations

import asyncio
import os
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
    from assessor.session import Session
    from assessor.tui.app import make_app

    session = Session.open(path, if_locked="readonly")
    kwargs.setdefault("save_delay", 0)
    return make_app(session, locked_message=session.locked_message, **kwargs)


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


async def fill_use_case(pilot: Any, name: str, description: str = "", owner: str = "") -> None:
    """Type the use case on the first screen (the name field has the focus) and go on."""
    await pilot.press(*name)
    if description:
        await pilot.press("tab", *description)
    if owner:
        await pilot.press("tab", *owner)
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
    from assessor.tui.common import choices, format_answer
    from assessor.tui.widgets.answer import ChoiceSet

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
