"""The interactive assessment started on a device or a FIFO refuses at once (exit 2, a clear
message) instead of reading forever or hanging."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tui_helpers import PtyProcess


@pytest.mark.parametrize("kind", ["dev-zero", "fifo"])
def test_the_app_refuses_a_device_or_fifo(tmp_path: Path, kind: str) -> None:
    target = tmp_path / "assessment.yaml"
    if kind == "fifo":
        os.mkfifo(target)
        expected = "assessment.yaml: is a FIFO, not a regular file; refusing to read it"
    else:
        target.symlink_to("/dev/zero")
        expected = "assessment.yaml: is a device, not a regular file; refusing to read it"
    app = PtyProcess(["assess", "assessment.yaml"], cwd=tmp_path)
    try:
        assert app.wait(timeout=60) == 2
        assert expected in app.text()
        assert "Traceback" not in app.text()
    finally:
        app.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["assessment.yaml"]


def test_the_session_refuses_a_symlink_to_dev_zero(tmp_path: Path) -> None:
    from assessor.app.session import Session
    from assessor.errors import InputError

    target = tmp_path / "assessment.yaml"
    target.symlink_to("/dev/zero")
    for defer in (True, False):
        with pytest.raises(InputError, match="is a device, not a regular file"):
            Session.open(target, if_locked="readonly", defer=defer)
