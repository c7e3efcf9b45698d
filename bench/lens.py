"""Lens benchmark: import a 50-question Well-Architected lens and score an assessment of it,
against scoring an example with the default rubric, timed in the same run.

    python bench/lens.py [--repeat R]

Goal: ``assessor rubric import`` + ``assessor score`` of the imported lens at most 2x
``assessor score`` with the default rubric (wall time, best of R rounds, commands in turn).
The same ratio in process (import + validate + score against validate + score) is printed
too, without interpreter start-up.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from engine import BIN, timings

REPO = Path(__file__).resolve().parent.parent
GOAL = 2.0


def make_lens(questions: int = 50, pillars: int = 5, seed: int = 7) -> dict[str, object]:
    rng = random.Random(seed)
    per = questions // pillars
    out = []
    for p in range(pillars):
        qs = []
        for q in range(per):
            qid = f"P{p}Q{q:02d}"
            ids = [f"{qid}_c{c}" for c in range(6)]
            choices = [
                {
                    "id": cid,
                    "title": f"Practice {c} of question {q}",
                    "helpfulResource": {"displayText": "Why this practice matters."},
                    "improvementPlan": {
                        "displayText": f"Adopt practice {c}.",
                        "url": "https://example.com/p",
                    },
                }
                for c, cid in enumerate(ids)
            ]
            choices.append({"id": f"{qid}_no", "title": "None of these"})
            a, b, c, d = rng.sample(ids, 4)
            rules = [
                {"condition": f"{a} && {b} && ({c} || {d})", "risk": "NO_RISK"},
                {"condition": f"({a} || {b}) && !{qid}_no", "risk": "MEDIUM_RISK"},
                {"condition": "default", "risk": "HIGH_RISK"},
            ]
            qs.append(
                {
                    "id": qid,
                    "title": f"Question {q} of pillar {p}?",
                    "description": "A question.",
                    "choices": choices,
                    "riskRules": rules,
                }
            )
        out.append({"id": f"pillar_{p}", "name": f"Pillar {p}", "questions": qs})
    return {
        "schemaVersion": "2021-11-01",
        "name": "Benchmark lens",
        "description": "50 questions.",
        "pillars": out,
    }


def answers_for(lens: dict[str, object], seed: int = 11) -> dict[str, list[str]]:
    rng = random.Random(seed)
    out = {}
    for pillar in lens["pillars"]:  # type: ignore[attr-defined]
        for q in pillar["questions"]:
            plain = [c["id"] for c in q["choices"] if not c["id"].endswith("_no")]
            out[q["id"].lower()] = rng.sample(plain, rng.randint(1, len(plain)))
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    assessor = str(BIN / "assessor")
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        lens = make_lens()
        lens_path = tmp / "bench-lens.json"
        lens_path.write_text(json.dumps(lens, indent=2))
        rubric_path = tmp / "bench-lens.yaml"
        case = tmp / "case.yaml"
        case.write_text(
            json.dumps(
                {
                    "version": 1,
                    "rubric": str(rubric_path),
                    "use_case": {"name": "Benchmark"},
                    "answers": answers_for(lens),
                }
            )
        )
        example = REPO / "examples" / "refund-assistant.yaml"
        script = (
            f"{assessor} rubric import {lens_path} -o {rubric_path} --force && "
            f"{assessor} score {case} --format json"
        )
        best = timings(
            {
                "default": [assessor, "score", str(example), "--format", "json"],
                "lens": ["sh", "-c", script],
            },
            args.repeat,
        )
        (base_wall, base_cpu), (lens_wall, lens_cpu) = best["default"], best["lens"]
        ratio = lens_wall / base_wall
        verdict = "met" if ratio <= GOAL else "MISSED"
        print(f"score default rubric: {base_wall * 1000:.0f} ms wall, {base_cpu * 1000:.0f} ms CPU")
        print(
            f"import 50-question lens + score: {lens_wall * 1000:.0f} ms wall, "
            f"{lens_cpu * 1000:.0f} ms CPU"
        )
        print(
            f"ratio lens/default wall {ratio:.2f}x (goal <= {GOAL}x: {verdict}); "
            f"CPU {lens_cpu / base_cpu:.2f}x"
        )

        # In process: no interpreter start-up on either side.
        from assessor.domain import source as src
        from assessor.domain.assessment import UseCase, check_answers
        from assessor.domain.load import load_assessment, rubric_from_source
        from assessor.domain.rubric import Rubric
        from assessor.domain.scoring import score_data
        from assessor.interop.files import import_lens_file, lens_rubric

        base_case = load_assessment(example)
        default_text = (REPO / "rubrics" / "production-readiness.yaml").read_text()
        answers = answers_for(lens)

        def default_run() -> None:
            rubric = rubric_from_source(src.parse(default_text, "default"))
            score_data(rubric, base_case.assessment.use_case, base_case.answers)

        def lens_run() -> None:
            imported, _ = lens_rubric(lens_path)
            rubric = Rubric.model_validate(imported.rubric)
            clean, _ = check_answers(rubric, answers)
            score_data(rubric, UseCase(name="Benchmark"), clean)

        def lens_file_run() -> None:
            _, rubric, _ = import_lens_file(lens_path)  # + the rubric YAML, parsed back
            clean, _ = check_answers(rubric, answers)
            score_data(rubric, UseCase(name="Benchmark"), clean)

        def best_of(fn: Callable[[], None], n: int = 9) -> float:
            times = []
            for _ in range(n):
                start = time.perf_counter()
                fn()
                times.append(time.perf_counter() - start)
            return min(times)

        for fn in (default_run, lens_run, lens_file_run):
            fn()  # warm imports
        d = best_of(default_run)
        lr = best_of(lens_run)
        lf = best_of(lens_file_run, 3)
        print(f"in process: default rubric parse+validate+score {d * 1000:.1f} ms")
        print(f"in process: lens import+validate+score {lr * 1000:.1f} ms")
        print(f"in process: lens import+write YAML+parse it back+score {lf * 1000:.1f} ms")
        met = "met" if lr / d <= GOAL else "MISSED"
        print(f"ratio in-process lens/default {lr / d:.2f}x (goal <= {GOAL}x: {met})")
        print(f"ratio in-process lens with YAML file/default {lf / d:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
