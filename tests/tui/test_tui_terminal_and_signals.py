"""The real command in a terminal: no terminal at all, signals, kill -9 in the middle of saves."""

from __future__ import annotations

import random
import signal
import subprocess
import termios
import textwrap
import time
from pathlib import Path

import pytest
import yaml
from tui_helpers import PYTHON, PtyProcess, env_for_subprocess

from assessor.app.session import lock_path
from assessor.domain.load import load_assessment


@pytest.mark.parametrize("args", [["assess"], ["assess", "--plain"], []])
def test_without_a_terminal_exits_2_pointing_at_score(tmp_path: Path, cli, args) -> None:
    result = cli(*args, input="")
    assert result.exit_code == 2
    assert "needs a terminal" in result.stderr
    assert "assessor score" in result.stderr
    assert not (tmp_path / "assessment.yaml").exists()


@pytest.mark.parametrize("stdin", ["devnull", "closed"])
def test_no_tty_subprocess_never_hangs(tmp_path: Path, stdin: str) -> None:
    proc = subprocess.run(
        [PYTHON, "-m", "assessor", "assess", "x.yaml"],
        stdin=subprocess.DEVNULL if stdin == "devnull" else None,
        capture_output=stdin == "devnull",
        stdout=None if stdin == "devnull" else subprocess.PIPE,
        stderr=None if stdin == "devnull" else subprocess.PIPE,
        cwd=tmp_path,
        env=env_for_subprocess(),
        timeout=60,
        pass_fds=(),
        preexec_fn=None if stdin == "devnull" else _close_stdin,
    )
    assert proc.returncode == 2
    assert b"needs a terminal" in proc.stderr and b"Traceback" not in proc.stderr
    assert not (tmp_path / "x.yaml").exists()


def _close_stdin() -> None:
    import os

    os.close(0)


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_signal_keeps_the_last_answer_and_restores_the_terminal(
    tmp_path: Path, sig: int, code: int
) -> None:
    before = None
    app = PtyProcess(["assess", "a.yaml"], cwd=tmp_path)
    try:
        before = app.terminal_modes()
        app.wait_for_text("What is being assessed?")
        app.type("Signal test")
        app.wait_for_text("Signal test")
        # No pause: the typing is still inside its 0.4 s autosave delay when the signal lands.
        app.proc.send_signal(sig)
        assert app.wait() == code
        after = app.terminal_modes()
    finally:
        app.close()
    saved = yaml.safe_load((tmp_path / "a.yaml").read_text(encoding="utf-8"))
    assert saved["use_case"]["name"] == "Signal test"
    assert not lock_path(tmp_path / "a.yaml").exists()
    assert "\x1b[?1049l" in app.raw.decode("utf-8", "replace")  # left the alternate screen
    assert after[3] & termios.ECHO and after[3] & termios.ICANON  # cooked mode is back
    assert before is not None and before[3] == after[3]


def test_quitting_prints_where_the_answers_are(tmp_path: Path) -> None:
    app = PtyProcess(["assess", "a.yaml"], cwd=tmp_path)
    try:
        app.wait_for_text("What is being assessed?")
        app.type("Quit test")
        app.wait_for_text("Quit test")
        app.type("\x11")  # Ctrl+Q
        assert app.wait() == 0
    finally:
        app.close()
    assert "Saved a.yaml (12 still open). Continue with: assessor assess a.yaml" in app.text()


def test_second_app_on_the_same_file_is_told_it_is_locked(tmp_path: Path) -> None:
    first = PtyProcess(["assess", "a.yaml"], cwd=tmp_path)
    second = None
    try:
        first.wait_for_text("What is being assessed?")
        second = PtyProcess(["assess", "a.yaml"], cwd=tmp_path)
        second.wait_for_text("This assessment is locked")
        second.type("q")
        assert second.wait() == 2
        assert "a.yaml is locked: another assessor has it open" in second.text()
        plain = PtyProcess(["assess", "--plain", "a.yaml"], cwd=tmp_path)
        assert plain.wait() == 2
        assert "is locked" in plain.text()
        plain.close()
    finally:
        first.close()
        if second is not None:
            second.close()


KILL_LOOP = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from assessor.app.session import Session

    session = Session.open(Path(sys.argv[1]))
    session.set_use_case(name="Kill loop")
    big = "x" * 200_000  # a long note makes each write take a while
    n = 0
    while True:
        n += 1
        session.set_answer("error_cost", "high" if n % 2 else "low")
        session.set_note("error_cost", f"{n} {big}")
        session.save()
        if n == 2:
            print("saving", flush=True)
    """
)


def test_kill_9_during_autosave_leaves_an_old_or_new_version(tmp_path: Path) -> None:
    path = tmp_path / "k.yaml"
    script = tmp_path / "loop.py"
    script.write_text(KILL_LOOP)
    rng = random.Random(1234)
    for _ in range(8):
        proc = subprocess.Popen(
            [PYTHON, str(script), str(path)],
            stdout=subprocess.PIPE,
            cwd=tmp_path,
            env=env_for_subprocess(),
        )
        assert proc.stdout is not None
        assert proc.stdout.readline() == b"saving\n"
        # A random moment on purpose: the kill must land anywhere in the write cycle.
        time.sleep(rng.uniform(0.0, 0.15))
        proc.kill()
        proc.wait(timeout=10)
        loaded = load_assessment(path, complete=False)
        assert loaded.answers["error_cost"] in ("high", "low")
        n = int(loaded.assessment.notes["error_cost"].split()[0])
        assert loaded.answers["error_cost"] == ("high" if n % 2 else "low")
    # The next session starts cleanly: stale lock recovered, stray temp files removed.
    from assessor.app.session import Session

    session = Session.open(path)
    session.close()
    assert not list(tmp_path.glob(".k.yaml.*.tmp"))


@pytest.mark.parametrize("plain", [False, True], ids=["app", "plain"])
def test_ascii_locale_draws_and_quits_cleanly(tmp_path: Path, plain: bool) -> None:
    env = {"LANG": "C", "LC_ALL": "C", "PYTHONIOENCODING": "ascii"}
    args = ["assess", *(["--plain"] if plain else []), "a.yaml"]
    app = PtyProcess(args, cwd=tmp_path, env=env)
    try:
        app.wait_for_text("Name of the use case")
        app.type("Caf\u00e9 \u2014 na\u00efve\r" if plain else "Caf\u00e9 \u2014 na\u00efve")
        if plain:
            app.wait_for_text("Description")
            app.type("\x03")  # Ctrl+C
            assert app.wait() == 130
        else:
            app.wait_for_text("na\u00efve")
            app.type("\x11")  # Ctrl+Q
            assert app.wait() == 0
    finally:
        app.close()
    assert "Traceback" not in app.text() and "UnicodeEncodeError" not in app.text()
    saved = yaml.safe_load((tmp_path / "a.yaml").read_text(encoding="utf-8"))
    assert saved["use_case"]["name"] == "Caf\u00e9 \u2014 na\u00efve"


def test_app_needs_stderr_to_be_the_terminal_too(tmp_path: Path) -> None:
    app = PtyProcess(["assess", "a.yaml"], cwd=tmp_path, stderr=subprocess.PIPE)
    try:
        assert app.wait() == 2
        assert app.proc.stderr is not None
        message = app.proc.stderr.read().decode()
    finally:
        app.close()
    assert "stderr is not one" in message and "assessor score" in message
