"""Run every benchmark in bench/ and print their ratio lines.

    python bench/run.py [NAME ...]

Each ``bench/<area>.py`` measures its goals against a baseline timed in the same run and
prints lines starting with ``ratio``. This runner runs them one after another (with this
interpreter), shows their full output as it comes, then repeats every ratio line in one
summary. It exits 1 when a benchmark fails to run; a missed goal is reported (``MISSED``)
but is not a failure of the runner.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    wanted = set(argv)
    scripts = sorted(
        p
        for p in HERE.glob("*.py")
        if p.name != Path(__file__).name
        and not p.name.startswith("_")
        and (not wanted or p.stem in wanted)
    )
    if wanted - {p.stem for p in scripts}:
        print(f"no such benchmark: {', '.join(sorted(wanted - {p.stem for p in scripts}))}")
        return 1
    summary: list[str] = []
    failed: list[str] = []
    for script in scripts:
        print(f"== {script.name}", flush=True)
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, str(script)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=HERE.parent,
        )
        assert proc.stdout is not None
        for line in proc.stdout:
            print(line, end="", flush=True)
            if line.lstrip().startswith("ratio"):
                summary.append(f"{script.stem}: {line.strip()}")
        if proc.wait() != 0:
            failed.append(script.name)
            print(f"!! {script.name} exited with {proc.returncode}")
        print(f"   ({time.perf_counter() - start:.1f} s)\n", flush=True)
    print("== summary")
    for line in summary:
        print(line)
    missed = [line for line in summary if "MISSED" in line]
    print(
        f"{len(scripts)} benchmarks, {len(summary)} ratios, {len(missed)} goals missed"
        + (f", failed: {', '.join(failed)}" if failed else "")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
