"""In a real 80x24 terminal without colour: the live panel shows the range open questions
leave ("open: NOT READY to READY"), then the verdict once no open answer can change it."""

from __future__ import annotations

from pathlib import Path

from test_tui_tmux import Tmux, pytestmark  # noqa: F401 - skipped without tmux
from tui_helpers import PYTHON


def test_panel_shows_the_open_range_at_80x24_without_colour(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        "version: 1\nuse_case: {name: Discharge summaries}\nanswers: {task_type: summarization}\n"
    )
    tmux = Tmux(tmp_path)
    try:
        tmux.start("t", f"exec env NO_COLOR=1 {PYTHON} -m assessor assess a.yaml", size=(80, 24))
        tmux.wait_for("t", "What is being assessed?")
        tmux.run("send-keys", "-t", "t", "C-n")  # to the first open question: error_cost
        tmux.wait_for("t", "open: NOT READY to READY")
        tmux.wait_for("t", "What does one wrong output cost")  # the question is visible
        assert "Risk · question 2 · up to" in tmux.screen("t")  # and the progress
        for _ in range(2):  # error_cost: high; autonomy: the first option
            tmux.run("send-keys", "-t", "t", "Down")
        tmux.run("send-keys", "-t", "t", "Enter")
        tmux.wait_for("t", "What happens to an output")
        tmux.run("send-keys", "-t", "t", "Enter")  # autonomy: suggestion only
        tmux.wait_for("t", "Is the domain regulated?")
        tmux.run("send-keys", "-t", "t", "Down", "Enter")  # regulated, expert review left out
        tmux.wait_for("t", "NOT READY  whatever comes")  # decided: the blocker holds
        assert "open: NOT READY to" not in tmux.screen("t")
    finally:
        tmux.kill_server()
