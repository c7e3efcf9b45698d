"""``assessor update`` of an unchanged project against a fresh ``assessor scaffold``.

    python bench/update.py [--repeat R]

Goal: updating a generated project that has nothing to change costs at most 1.5x rendering
it afresh. Both as commands (a fresh Python process each: what a user waits for) and
in-process (``update_project`` against ``render_file``, imports already paid), wall and CPU
time (on a shared machine the CPU ratio is the steadier one), for a project
outside git (the base is the ``.assessor/base.tar.gz`` snapshot) and for one inside a git
repository (the base is a commit on ``refs/assessor/base``; the dirty-tree check runs). The
kinds take turns in every round; the best of R rounds is kept. Every update must report
"up to date" and leave the project byte for byte as it was (checked after the timings).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

CASE = REPO / "examples" / "refund-assistant.yaml"
GOAL = 1.5


def ratio_line(name: str, value: float, base: float, goal: float) -> str:
    ratio = value / base if base else float("inf")
    verdict = "ok" if ratio <= goal else "MISSED"
    return (
        f"ratio {name}: {ratio:.2f}x (goal <= {goal}x, {verdict}; "
        f"{value:.4f}s vs baseline {base:.4f}s)"
    )


def cpu_now() -> float:
    """CPU time of this process and its finished children (cookiecutter runs hooks as such)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            st = path.stat()
            digest.update(f"{path.relative_to(root)}\0{st.st_mtime_ns}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def git(cwd: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@localhost",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@localhost",
    }
    subprocess.run(
        ["git", "-c", "commit.gpgsign=false", *args],
        cwd=cwd,
        env=env,
        check=True,
        capture_output=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    assessor = Path(sys.executable).parent / "assessor"
    command = [str(assessor)] if assessor.exists() else [sys.executable, "-m", "assessor.cli"]

    from assessor.scaffold import render_file, update_project

    with tempfile.TemporaryDirectory(prefix="bench-update-") as tmp:
        work = Path(tmp)
        env = {**os.environ, "HOME": str(work / "home")}
        (work / "home").mkdir()
        plain = work / "plain"
        render_file(CASE, plain)
        in_git = work / "in-git"
        in_git.mkdir()
        git(in_git, "init", "-q")
        render_file(CASE, in_git, force=True)
        git(in_git, "add", "-A")
        git(in_git, "commit", "-qm", "scaffold")
        before = {p: tree_digest(p) for p in (plain, in_git)}

        commands: dict[str, Callable[[int], list[str]]] = {
            "scaffold": lambda i: (
                [*command, "scaffold", str(CASE), "-o", str(work / f"c{i}"), "--no-input"]
            ),
            "update": lambda _i: [*command, "update", str(plain)],
            "update-git": lambda _i: [*command, "update", str(in_git)],
        }
        wall = {name: float("inf") for name in commands}
        cpu = dict(wall)
        for i in range(args.repeat):
            for name, make in commands.items():
                used = resource.getrusage(resource.RUSAGE_CHILDREN)
                start = time.perf_counter()
                proc = subprocess.run(make(i), env=env, capture_output=True, text=True)
                elapsed = time.perf_counter() - start
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                if proc.returncode != 0 or (name != "scaffold" and "up to date" not in proc.stdout):
                    print(f"{name} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
                    return 1
                wall[name] = min(wall[name], elapsed)
                spent = after.ru_utime - used.ru_utime + after.ru_stime - used.ru_stime
                cpu[name] = min(cpu[name], spent)

        calls: dict[str, Callable[[int], object]] = {
            "scaffold": lambda i: render_file(CASE, work / f"lib{i}"),
            "update": lambda _i: update_project(plain),
            "update-git": lambda _i: update_project(in_git),
        }
        lib = {name: float("inf") for name in calls}
        lib_cpu = dict(lib)
        for i in range(args.repeat):
            for name, call in calls.items():
                cpu_before = cpu_now()
                start = time.perf_counter()
                report = call(i)
                lib[name] = min(lib[name], time.perf_counter() - start)
                lib_cpu[name] = min(lib_cpu[name], cpu_now() - cpu_before)
                if name != "scaffold":
                    assert not report.changes and not report.written  # type: ignore[attr-defined]

        for path, digest in before.items():
            if tree_digest(path) != digest:
                print(f"{path} changed: an update of an unchanged project must write nothing")
                return 1

    for kind, label in (("update", "outside git"), ("update-git", "in git")):
        print(ratio_line(f"update command {label} vs scaffold command (wall)", wall[kind],
                         wall["scaffold"], GOAL))  # fmt: skip
        print(ratio_line(f"update command {label} vs scaffold command (cpu)", cpu[kind],
                         cpu["scaffold"], GOAL))  # fmt: skip
        print(ratio_line(f"update_project {label} vs render_file (wall)", lib[kind],
                         lib["scaffold"], GOAL))  # fmt: skip
        print(ratio_line(f"update_project {label} vs render_file (cpu)", lib_cpu[kind],
                         lib_cpu["scaffold"], GOAL))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
