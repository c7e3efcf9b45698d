"""What the screens look like (SVG snapshots at 100x32 and 80x24).

Update after an intended change with: pytest tests/tui/test_tui_snapshots.py --snapshot-update
and review the SVGs in tests/tui/__snapshots__/ before committing them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tui_helpers import copy_example, open_app

SIZES = [pytest.param((100, 32), id="100x32"), pytest.param((80, 24), id="80x24")]


@pytest.mark.parametrize("size", SIZES)
def test_first_screen(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    app = open_app(tmp_path / "assessment.yaml")
    assert snap_compare(app, terminal_size=size)
    app.session.close()


@pytest.mark.parametrize("size", SIZES)
def test_question_with_live_panel(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    path = tmp_path / "assessment.yaml"
    path.write_text(
        "version: 1\nuse_case: {name: Refund policy assistant}\n"
        "answers: {task_type: rag, error_cost: high, regulation: none, error_rate: 0.03}\n"
    )
    app = open_app(path)
    assert snap_compare(app, terminal_size=size, press=["ctrl+n", "down", "down", "down"])
    app.session.close()


@pytest.mark.parametrize("size", SIZES)
def test_results(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    app = open_app(copy_example("refund-assistant.yaml", tmp_path / "assessment.yaml"))
    assert snap_compare(app, terminal_size=size, press=["ctrl+n"])
    app.session.close()
