"""Keep only the files of the patterns that are on and of the chosen task type."""

import json
import shutil
from pathlib import Path

CONTEXT = json.loads({{ cookiecutter | tojson | tojson }})

PACKAGE = Path("src") / CONTEXT["package_name"]

# Files that exist only for one pattern: removed when that pattern is off.
PATTERN_FILES = {
    "human_fallback": [PACKAGE / "confidence.py", Path("tests/test_fallback.py")],
    "response_cache": [PACKAGE / "cache.py", Path("tests/test_cache.py")],
    "async_pipeline": [PACKAGE / "jobs.py", PACKAGE / "worker.py", Path("tests/test_jobs.py")],
}


def keep_task_type(task_type):
    """Each task type has its own prompt, fake behaviour, metric and golden set."""
    (PACKAGE / "task_kinds" / f"{task_type}.py").replace(PACKAGE / "task.py")
    shutil.rmtree(PACKAGE / "task_kinds")
    (Path("evals") / "golden" / f"{task_type}.jsonl").replace(Path("evals") / "golden.jsonl")
    shutil.rmtree(Path("evals") / "golden")


def remove_files_of_patterns_that_are_off():
    for pattern, paths in PATTERN_FILES.items():
        if CONTEXT[pattern]:
            continue
        for path in paths:
            path.unlink()


if __name__ == "__main__":
    keep_task_type(CONTEXT["task_type"])
    remove_files_of_patterns_that_are_off()
