"""Start-up: nothing heavy for `assessor --help`; the first screen does not wait for the domain."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

import yaml
from tui_helpers import PYTHON, env_for_subprocess, screen_text, wait_for

from assessor.app.session import Session
from assessor.tui.app import make_app

HEAVY = ("textual", "questionary", "pydantic", "yaml", "jinja2", "cookiecutter", "prompt_toolkit")


def _modules_after(code: str, cwd: Path) -> set[str]:
    script = textwrap.dedent(code) + "\nimport sys\nprint(' '.join(sorted(sys.modules)))\n"
    proc = subprocess.run(
        [PYTHON, "-c", script], capture_output=True, text=True, cwd=cwd,
        env=env_for_subprocess(), timeout=60, check=True,
    )  # fmt: skip
    return set(proc.stdout.split()[-1000:]) if proc.stdout else set()


def test_help_imports_nothing_heavy(tmp_path: Path) -> None:
    loaded = _modules_after(
        """
        import contextlib, io
        from assessor.cli import main
        with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
            main(["--help"])
        with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
            main(["assess", "--help"])
        import assessor.cli.interactive
        """,
        tmp_path,
    )
    assert "assessor.cli" in loaded
    assert not {m for m in loaded if m.split(".")[0] in HEAVY}


def test_first_screen_needs_no_domain(tmp_path: Path) -> None:
    loaded = _modules_after(
        """
        import sys
        from pathlib import Path
        from assessor.app.session import Session
        from assessor.tui.app import AssessmentApp, make_app

        seen = {}
        def hold(self):  # stands in for the background load: record, then load
            seen["pydantic at first screen"] = "pydantic" in sys.modules
            self.session.ensure_loaded()
            self.exit()
        AssessmentApp._load_in_background = hold
        session = Session.open(Path("new.yaml"), defer=True)
        make_app(session).run(headless=True, size=(100, 32))
        assert seen == {"pydantic at first screen": False}, seen
        assert session.loaded
        session.close()
        """,
        tmp_path,
    )
    assert "pydantic" in loaded  # loaded afterwards, in the background


async def test_typing_while_the_rubric_loads_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    session = Session.open(path, defer=True)
    assert not session.loaded
    app = make_app(session, save_delay=0)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press(*"Early bird")
        await wait_for(pilot, lambda: session.loaded)
        await pilot.pause()
        assert "Production readiness of an AI integration" in screen_text(app)  # titles now
        assert session.name == "Early bird"
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.screen is app.question_screen
    session.close()
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["use_case"]["name"] == "Early bird"


async def test_resume_shows_the_use_case_before_the_rubric_is_loaded(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(
        "version: 1\nuse_case: {name: Peeked, owner: Team}\nanswers: {task_type: rag}\n"
    )
    session = Session.open(path, defer=True)
    assert not session.loaded and session.name == "Peeked" and session.owner == "Team"
    app = make_app(session, save_delay=0)
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: session.loaded)
        assert session.answers == {"task_type": "rag"}
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.question_screen.current == "error_cost"
    session.close()


async def test_invalid_file_found_by_the_background_load_is_set_aside(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    text = "version: 1\nuse_case: {name: Kept}\nanswers: {task_type: rag, error_cost: extreme}\n"
    path.write_text(text)
    session = Session.open(path, defer=True)
    assert not session.loaded  # the quick look could read the use case
    app = make_app(session, save_delay=0)
    async with app.run_test(size=(100, 32), notifications=True) as pilot:
        await wait_for(pilot, lambda: "could not be read" in screen_text(app))
        assert session.name == "Kept" and session.answers == {"task_type": "rag"}
        assert path.read_text() == text  # untouched until something changes
        session.set_answer("error_cost", "high")
        assert session.save()
    session.close()
    (aside,) = tmp_path.glob("a.yaml.corrupt-*")
    assert aside.read_text() == text
    assert yaml.safe_load(path.read_text())["answers"] == {"task_type": "rag", "error_cost": "high"}
