"""Interactive assessment benchmarks, measured in a real pseudo-terminal.

    python bench/tui.py [--rounds R] [--presses N]

1. Time to the first interactive screen: from starting ``assessor assess FILE`` until its
   first screen is drawn on the terminal, against a bare Textual app that shows one Input
   (started the same way, in the same run). Goal: at most 1.5x. Measured for a new file and
   for resuming a complete one (the use case, filled in, is the first screen of both).
2. Keypress to repainted verdict panel: Space picks another answer and the panel's blocker
   count changes; the time from writing the key to the terminal until the new panel text has
   been written back. Goal: p95 under 50 ms. The bare app's echo of a typed character is
   measured the same way, as the floor the terminal round trip sets.

Start-up timings are the median of R rounds (default 7) with both apps started in turn, so a
busy machine slows both sides of the ratio alike.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import re
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STARTUP_GOAL = 1.5
LATENCY_GOAL_MS = 50.0
ANSI = re.compile(
    rb"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_]|[()][0-9A-Za-z])"
)

BARE_APP = """
from textual.app import App
from textual.widgets import Input, Static

class Bare(App):
    def compose(self):
        yield Static("Bare app ready")
        yield Input(placeholder="type here")

Bare().run()
"""

PARTIAL = """version: 1
use_case: {name: Bench}
answers: {task_type: rag, error_cost: high, regulation: none, error_rate: 0.03}
"""


class Terminal:
    """A process in a pseudo-terminal of 100x32; collects what it draws."""

    def __init__(self, argv: list[str], cwd: Path) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 32, 100, 0, 0))
        env = dict(os.environ, TERM="xterm-256color", LANG="C.UTF-8")
        env.pop("NO_COLOR", None)
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, cwd=cwd, env=env,
            start_new_session=True,
        )  # fmt: skip
        os.close(slave)
        self.raw = b""

    def read_until(self, needle: bytes, timeout: float = 30.0, since: int = 0) -> float:
        """Read until ``needle`` appears (escapes stripped) after byte ``since``; return when."""
        import select

        deadline = time.perf_counter() + timeout
        while True:
            if needle in ANSI.sub(b"", self.raw[since:]):
                return time.perf_counter()
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"{needle!r} not drawn")
            ready, _, _ = select.select([self.master], [], [], min(left, 0.5))
            if ready:
                try:
                    self.raw += os.read(self.master, 65536)
                except OSError:
                    raise TimeoutError("the process closed the terminal") from None

    def drain(self, quiet: float = 0.15) -> None:
        """Read until the app has been quiet for ``quiet`` seconds."""
        import select

        while True:
            ready, _, _ = select.select([self.master], [], [], quiet)
            if not ready:
                return
            try:
                self.raw += os.read(self.master, 65536)
            except OSError:
                return

    def type(self, data: bytes) -> float:
        now = time.perf_counter()
        os.write(self.master, data)
        return now

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)
        os.close(self.master)


def startup(argv: list[str], cwd: Path, marker: bytes) -> float:
    term = Terminal(argv, cwd)
    try:
        return term.read_until(marker) - term.started
    finally:
        term.close()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--presses", type=int, default=40)
    args = parser.parse_args()
    python = sys.executable
    work = Path(tempfile.mkdtemp(prefix="assessor-bench-tui-"))
    try:
        bare = work / "bare.py"
        bare.write_text(BARE_APP)
        shutil.copy(ROOT / "examples" / "refund-assistant.yaml", work / "complete.yaml")
        ours_new, ours_resume, base = [], [], []
        for i in range(args.rounds):
            (work / f"new{i}.yaml").unlink(missing_ok=True)
            base.append(startup([python, str(bare)], work, b"Bare app ready"))
            ours_new.append(
                startup([python, "-m", "assessor", "assess", f"new{i}.yaml"], work,
                        b"What is being assessed?")
            )  # fmt: skip
            ours_resume.append(
                startup([python, "-m", "assessor", "assess", "complete.yaml"], work,
                        b"Refund policy assistant")
            )  # fmt: skip
        b = statistics.median(base)
        n = statistics.median(ours_new)
        r = statistics.median(ours_resume)
        print(f"bare Textual app, one Input      {b * 1000:7.0f} ms (median of {args.rounds})")
        print(f"assessor assess, new file        {n * 1000:7.0f} ms")
        print(f"assessor assess, resume          {r * 1000:7.0f} ms")
        for name, value in (("first screen (new file)", n), ("first screen (resume)", r)):
            ratio = value / b
            verdict = "ok" if ratio <= STARTUP_GOAL else "MISSED"
            print(f"ratio {name:<28} {ratio:5.2f}x bare app   goal <= {STARTUP_GOAL}x  {verdict}")

        # ---- keypress -> repainted verdict panel ------------------------------------------
        (work / "partial.yaml").write_text(PARTIAL)
        term = Terminal([python, "-m", "assessor", "assess", "partial.yaml"], work)
        panel: list[float] = []
        try:
            term.read_until(b"Continue where you left off")
            term.type(b"\x0e")  # Ctrl+N: to the first open question
            term.read_until(b"What happens to an output before it takes effect?")
            term.drain()
            # autonomy: the highlight starts on the first option; pick 1 and 3 in turn.
            term.type(b"\x1b[B")  # down: human_approves
            term.drain()
            for i in range(args.presses):
                blockers = i % 2 == 0  # the next pick is "Fully autonomous"
                term.type(b"\x1b[B\x1b[B" if blockers else b"\x1b[A\x1b[A")
                term.drain()
                since = len(term.raw)
                start = term.type(b" ")
                marker = b"Blockers (2)" if blockers else b"Blockers (0)"
                panel.append((term.read_until(marker, since=since) - start) * 1000)
                term.drain()
        finally:
            term.close()

        term = Terminal([python, str(bare)], work)
        echo: list[float] = []
        try:
            term.read_until(b"Bare app ready")
            term.drain()
            for i in range(args.presses):
                letter = b"abcdefghijklmnopqrstuvwxyz"[i % 26 : i % 26 + 1]
                since = len(term.raw)
                start = term.type(letter)
                echo.append((term.read_until(letter, since=since) - start) * 1000)
                term.drain()
        finally:
            term.close()
        p50, p95 = percentile(panel, 0.5), percentile(panel, 0.95)
        e50, e95 = percentile(echo, 0.5), percentile(echo, 0.95)
        print(f"keypress -> verdict panel repainted   p50 {p50:6.1f} ms   p95 {p95:6.1f} ms")
        print(f"bare app keypress -> echo             p50 {e50:6.1f} ms   p95 {e95:6.1f} ms")
        verdict = "ok" if p95 < LATENCY_GOAL_MS else "MISSED"
        print(
            f"ratio {'keypress to panel p95':<28} {p95 / LATENCY_GOAL_MS:5.2f}x the 50 ms goal "
            f"({p95 / e95:.2f}x the bare echo)  goal < 1.0x  {verdict}"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
