"""Engine benchmarks: CLI start-up and scoring many files, as ratios to baselines in this run.

    python bench/engine.py [--files N] [--repeat R]

1. ``assessor --help`` wall time against ``python -c pass`` and ``cookiecutter --help``
   (goal: at most 0.3x cookiecutter's).
2. ``assessor score`` of N assessment files (default 5,000) in one call, JSON output, against
   parsing the same files with PyYAML's C loader in one process (goal: at most 2.5x). Large
   batches are scored by one forked worker per CPU; the same call limited to one process
   (``ASSESSOR_JOBS=1``) is timed too.

Every timing is the best of R rounds (default 9 and 5) with the compared commands run in
turn, so a busy machine slows both sides of a ratio. Prints ``ratio`` lines (wall time, the
goal's measure, and CPU time, which load disturbs least).
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
HELP_GOAL = 0.3
SCORE_GOAL = 2.5

PARSE_ONLY = """
import sys, yaml
for name in sys.argv[1:]:
    with open(name, encoding="utf-8") as handle:
        yaml.load(handle.read(), Loader=yaml.CSafeLoader)
"""


def timings(commands: dict[str, list[str]], repeat: int) -> dict[str, tuple[float, float]]:
    """Best (wall, CPU) seconds of each command over ``repeat`` rounds.

    The commands run in turn within each round, so a machine busy with other work slows
    every side of a ratio alike; CPU time (user + system of the child) is printed too, as it
    is what load changes least.
    """
    best = {name: (float("inf"), float("inf")) for name in commands}
    for _ in range(repeat):
        for name, cmd in commands.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            elapsed = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            wall, cpu_best = best[name]
            best[name] = (min(wall, elapsed), min(cpu_best, cpu))
    return best


def tool(name: str) -> str:
    found = BIN / name
    if found.exists():
        return str(found)
    which = shutil.which(name)
    if which is None:
        sys.exit(f"bench: {name} not found next to {sys.executable} or on PATH")
    return which


def make_assessments(folder: Path, count: int, seed: int = 7) -> list[Path]:
    """``count`` valid assessment files with varied answers (every task type and verdict)."""
    from assessor.domain.load import DEFAULT_RUBRIC, load_rubric

    rubric = load_rubric(DEFAULT_RUBRIC)
    rng = random.Random(seed)
    files = []
    for i in range(count):
        answers: dict[str, object] = {}
        for q in rubric.questions:
            if not rubric.applies(q, answers):
                continue
            if q.type == "choice":
                answers[q.id] = rng.choice([o.value for o in q.options])
            elif q.type == "boolean":
                answers[q.id] = rng.random() < 0.5
            elif q.type == "fraction":
                answers[q.id] = rng.choice([None, 0.001, 0.008, 0.02, 0.04, 0.12])
            elif q.type == "number" and rng.random() < 0.5:
                answers[q.id] = rng.choice([1, 5, 250, 4000])
        lines = [
            "version: 1",
            "use_case:",
            f"  name: Use case {i}",
            f"  description: Generated use case number {i} for the scoring benchmark.",
            "  owner: Bench team",
            "answers:",
        ]
        for key, value in answers.items():
            text = "null" if value is None else str(value).lower()
            lines.append(f"  {key}: {text}")
        path = folder / f"case-{i:04d}.yaml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        files.append(path)
    return files


def show(
    name: str, ours: tuple[float, float], base: tuple[float, float], goal: float | None = None
) -> None:
    """One ratio line: wall-time ratio (judged against the goal), then the CPU-time ratio."""
    wall, cpu = ours[0] / base[0], ours[1] / base[1]
    judged = f"  goal <= {goal}x  {'ok' if wall <= goal else 'MISSED'}" if goal else ""
    print(f"ratio {name:<24} {wall:6.2f}x wall  ({cpu:.2f}x cpu){judged}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=0, help="runs per timing (0: defaults)")
    args = parser.parse_args()
    python = sys.executable
    assessor = tool("assessor")

    repeat = args.repeat or 9
    t = timings(
        {
            "assessor --help": [assessor, "--help"],
            "python -c pass": [python, "-c", "pass"],
            "cookiecutter --help": [tool("cookiecutter"), "--help"],
        },
        repeat,
    )
    for name, (wall, cpu) in t.items():
        print(f"{name:<24} wall {wall * 1000:7.1f} ms   cpu {cpu * 1000:7.1f} ms")
    show("help/python-pass", t["assessor --help"], t["python -c pass"])
    show("help/cookiecutter-help", t["assessor --help"], t["cookiecutter --help"], HELP_GOAL)

    repeat = args.repeat or 5
    with tempfile.TemporaryDirectory(prefix="assessor-bench-") as tmp:
        files = [str(p) for p in make_assessments(Path(tmp), args.files)]
        score = f"score {args.files} files"
        serial = "  same, one process"
        parse = f"yaml-parse {args.files} files"
        t = timings(
            {
                score: [assessor, "score", "--format", "json", *files],
                serial: ["env", "ASSESSOR_JOBS=1", assessor, "score", "--format", "json", *files],
                parse: [python, "-c", PARSE_ONLY, *files],
            },
            repeat,
        )
    for name, (wall, cpu) in t.items():
        print(f"{name:<24} wall {wall * 1000:7.1f} ms   cpu {cpu * 1000:7.1f} ms")
    show("score/yaml-parse", t[score], t[parse], SCORE_GOAL)
    show("one-process-score/yaml-parse", t[serial], t[parse])
    return 0


if __name__ == "__main__":
    sys.exit(main())
