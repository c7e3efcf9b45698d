"""Every supported pattern combination of the real template renders clean code.

For each variant (minimal, one pattern on, one pattern off, full) and each task type: no
unrendered template markers, ruff-clean code (check and format), and exactly the files of
the patterns that are on.
"""

from __future__ import annotations

import fnmatch
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from scaffold_support import DROP, PATTERNS, REAL_TEMPLATE, VARIANTS, variant_names

MARKERS = re.compile(r"\{\{|\{%|\{#|cookiecutter\.[a-z_]")
TASK_TYPES = json.loads((REAL_TEMPLATE / "cookiecutter.json").read_text())["task_type"]
COPY_WITHOUT_RENDER = json.loads((REAL_TEMPLATE / "cookiecutter.json").read_text()).get(
    "_copy_without_render", []
)

# Files that exist only when their pattern is on (relative to the project; {pkg} = package).
PATTERN_FILES = {
    "human_fallback": ["src/{pkg}/confidence.py", "tests/test_fallback.py"],
    "response_cache": ["src/{pkg}/cache.py", "tests/test_cache.py"],
}
# What the code of a pattern imports or names: absent from every .py file when it is off.
PATTERN_CODE = {
    "response_cache": re.compile(r"\bcashews\b|\bfrom \.cache import|\bimport cache\b"),
    "human_fallback": re.compile(r"\bfrom \.confidence import|\bconfidence_estimator\b"),
}


def ruff() -> list[str]:
    found = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert found, "ruff is a test dependency"
    return [found]


def copied_raw(rel: str) -> bool:
    """Files the template copies without rendering (they are Jinja for the running app)."""
    return any(fnmatch.fnmatch(rel, pattern) for pattern in COPY_WITHOUT_RENDER) or any(
        fnmatch.fnmatch(f"x/{rel}", pattern) for pattern in COPY_WITHOUT_RENDER
    )


def text_files(project: Path) -> dict[str, str]:
    out = {}
    for path in sorted(project.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            try:
                out[str(path.relative_to(project))] = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue
    return out


def check_markers(project: Path) -> None:
    leftovers = []
    for rel, text in text_files(project).items():
        if copied_raw(rel) or rel in ("assessment.yaml", "assessment.score.json"):
            continue
        for match in MARKERS.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            leftovers.append(f"{rel}:{line}: {match.group(0)!r}")
    assert not leftovers, "unrendered template markers:\n" + "\n".join(leftovers)


def check_ruff(project: Path) -> None:
    for args in (["check", "--no-cache", "."], ["format", "--check", "--no-cache", "."]):
        proc = subprocess.run(
            [*ruff(), *args], cwd=project, capture_output=True, text=True, timeout=120
        )
        assert proc.returncode == 0, (
            f"ruff {args[0]} in {project.name}:\n{proc.stdout}{proc.stderr}"
        )


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_each_pattern_combination_renders_clean_code(
    render_variant: Callable[..., Path], variant: str
) -> None:
    project = render_variant(variant)
    on = VARIANTS[variant]
    _, package = variant_names(variant)
    check_markers(project)
    check_ruff(project)
    for pattern, files in PATTERN_FILES.items():
        for rel in files:
            path = project / rel.format(pkg=package)
            assert path.exists() == (pattern in on), f"{rel} with {sorted(on)}"
    code = {rel: text for rel, text in text_files(project).items() if rel.endswith(".py")}
    for pattern, needle in PATTERN_CODE.items():
        if pattern in on:
            continue
        users = [rel for rel, text in code.items() if needle.search(text)]
        assert not users, f"{pattern} is off but its code is in {users}"
    # always there: evaluation and the project's own records
    assert (project / "evals/golden.jsonl").is_file()
    assert (project / "evals/baseline.json").is_file()
    assert (project / "assessment.yaml").is_file()
    assert (project / "assessment.score.json").is_file()
    env_example = (project / ".env.example").read_text()
    assert ("APP_CACHE_URL=" in env_example) == ("response_cache" in on)


@pytest.mark.parametrize("task_type", TASK_TYPES)
def test_each_task_type_renders_clean_code(
    render_variant: Callable[..., Path], task_type: str
) -> None:
    # the full set, so that every pattern's code meets every task type
    project = render_variant("full", answers={"task_type": task_type, **_answers_for(task_type)})
    check_markers(project)
    check_ruff(project)
    golden = (project / "evals/golden.jsonl").read_text().splitlines()
    assert golden and all(json.loads(line)["input"] for line in golden)
    assert not (project / "evals/golden").exists()


def _answers_for(task_type: str) -> dict[str, object]:
    """Answers that apply only to some task types (the rest of the base stays valid)."""
    answers: dict[str, object] = {"retrieval_tuned": DROP, "document_quality": DROP}
    if task_type == "rag":
        answers = {"retrieval_tuned": True, "document_quality": "high"}
    elif task_type in ("classification", "extraction"):
        answers["input_quality"] = "clean"
    elif task_type == "code_generation":
        answers["code_deployment"] = "supervised"
    return answers


def test_all_patterns_are_covered() -> None:
    assert set().union(*VARIANTS.values()) == set(PATTERNS)
    assert frozenset() in VARIANTS.values() and frozenset(PATTERNS) in VARIANTS.values()


def project_files(project: Path, package: str) -> set[str]:
    """Relative file paths, with the variant's package name replaced by ``{pkg}``."""
    return {
        str(path.relative_to(project)).replace(package, "{pkg}")
        for path in project.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


def test_each_pattern_adds_only_its_own_files(render_variant: Callable[..., Path]) -> None:
    """The files of any combination are the minimal set plus those of each pattern that is on.

    A pattern's files are what rendering it alone adds to the minimal set; so with a pattern
    off none of its files exist, whichever other patterns are on.
    """
    files = {
        variant: project_files(render_variant(variant), variant_names(variant)[1])
        for variant in VARIANTS
    }
    base = files["minimal"]
    alone = {next(iter(on)): variant for variant, on in VARIANTS.items() if len(on) == 1}
    own = {pattern: files[variant] - base for pattern, variant in alone.items()}
    for pattern, variant in alone.items():
        assert base <= files[variant], f"turning {pattern} on removed files"
        assert set(PATTERN_FILES.get(pattern, [])) <= own[pattern]
    for variant, on in VARIANTS.items():
        expected = base.union(*(own[p] for p in on))
        assert files[variant] == expected, (
            f"{variant}: unexpected {sorted(files[variant] - expected)}, "
            f"missing {sorted(expected - files[variant])}"
        )
