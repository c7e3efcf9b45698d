"""The app in a real terminal (tmux): typing is autosaved, closing the terminal keeps it."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
import yaml
from tui_helpers import PYTHON, env_for_subprocess, wait_until

from assessor.app.session import lock_path

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None, reason="tmux is not installed (.ci/setup-tui.sh installs it)"
)


class Tmux:
    """A private tmux server (its own socket, no user config)."""

    def __init__(self, cwd: Path) -> None:
        self.socket = f"assessor-test-{uuid.uuid4().hex[:10]}"
        self.cwd = cwd

    def run(self, *args: str) -> str:
        proc = subprocess.run(
            ["tmux", "-L", self.socket, "-f", "/dev/null", *args],
            capture_output=True,
            text=True,
            cwd=self.cwd,
            env=env_for_subprocess(),
            timeout=30,
        )
        return proc.stdout

    def start(self, name: str, command: str, size: tuple[int, int] = (100, 32)) -> None:
        width, height = size
        self.run("new-session", "-d", "-s", name, "-x", str(width), "-y", str(height), command)

    def screen(self, name: str) -> str:
        return self.run("capture-pane", "-p", "-t", name)

    def wait_for(self, name: str, text: str) -> None:
        try:
            wait_until(lambda: text in self.screen(name), timeout=40)
        except AssertionError:
            raise AssertionError(f"{text!r} not on screen:\n{self.screen(name)}") from None

    def alive(self, name: str) -> bool:
        return name in self.run("list-sessions", "-F", "#{session_name}")

    def kill_server(self) -> None:
        self.run("kill-server")


def test_typing_in_tmux_is_autosaved_and_survives_closing_the_terminal(tmp_path: Path) -> None:
    tmux = Tmux(tmp_path)
    path = tmp_path / "assessment.yaml"
    command = f"exec {PYTHON} -m assessor assess"  # the default file: assessment.yaml
    try:
        tmux.start("first", command)
        tmux.wait_for("first", "What is being assessed?")
        tmux.run("send-keys", "-t", "first", "-l", "Typed in tmux")
        tmux.wait_for("first", "Typed in tmux")
        # Autosaved while the app runs (after the short pause that follows typing)...
        wait_until(lambda: path.exists() and "Typed in tmux" in path.read_text("utf-8"))
        tmux.run("send-keys", "-t", "first", "-l", " and more")
        tmux.wait_for("first", "Typed in tmux and more")
        # ...and closing the terminal (SIGHUP) right after typing keeps the last of it.
        tmux.run("kill-session", "-t", "first")
        wait_until(lambda: not lock_path(path).exists())
        saved = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert saved["use_case"]["name"] == "Typed in tmux and more"

        tmux.start("second", command)
        tmux.wait_for("second", "Typed in tmux and more")  # reopened with the name in place
        assert "What is being assessed?" in tmux.screen("second")
    finally:
        tmux.kill_server()
