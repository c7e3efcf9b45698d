"""What the non-interactive commands do, as functions the CLI, the TUI and tests share."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from assessor.domain.load import Loaded, bundled_rubrics, load_assessment, load_rubric
from assessor.domain.rubric import Question, Rubric
from assessor.domain.scoring import Result, score
from assessor.errors import InputError, OutputExistsError, Problem


def load_all(files: Iterable[Path], rubric_path: Path | None = None) -> list[Loaded]:
    """Load every file; report the problems of all files together."""
    override: Rubric | None = load_rubric(rubric_path) if rubric_path else None
    loaded: list[Loaded] = []
    problems: list[Problem] = []
    for path in files:
        try:
            loaded.append(load_assessment(path, override))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return loaded


def score_loaded(item: Loaded) -> Result:
    return score(item.rubric, item.assessment.use_case, item.answers, notes=item.assessment.notes)


def score_files(files: Iterable[Path], rubric_path: Path | None = None) -> list[Result]:
    """Load and score assessment files (all problems of all files reported at once)."""
    return [score_loaded(item) for item in load_all(files, rubric_path)]


def list_rubrics() -> list[str]:
    lines = []
    for rubric_id, path in bundled_rubrics().items():
        r = load_rubric(path)
        lines.append(f"{rubric_id}\tv{r.version}\t{r.title}")
    return lines


def init_text(rubric: Rubric) -> str:
    """A commented assessment file with every question of the rubric, to fill in by hand."""
    out = [
        f"# Assessment for the rubric {rubric.id!r} (version {rubric.version}): {rubric.title}.",
        "# Fill in the answers, then run: assessor score <this file>",
        "# Questions marked 'only for ...' apply only to some task types; delete the others.",
        "version: 1",
        f"rubric: {rubric.id}",
        "use_case:",
        '  name: ""              # required',
        '  description: ""',
        '  owner: ""',
        "answers:",
    ]
    section = None
    for q in rubric.questions:
        if q.section != section:
            section = q.section
            out.append(f"  # ---- {section} ----")
        out.extend(_question_lines(q))
    return "\n".join(out) + "\n"


def _question_lines(q: Question) -> list[str]:
    lines = [f"  # {q.prompt}"]
    if q.help:
        lines.append(f"  #   {' '.join(q.help.split())}")
    if q.type == "choice":
        for o in q.options:
            lines.append(f"  #   {o.value}: {o.label}")
    elif q.type == "boolean":
        lines.append("  #   true or false")
    elif q.type == "fraction":
        lines.append("  #   a fraction such as 0.03 (or 3%), or null when unknown")
    elif q.type == "number":
        lines.append("  #   a number")
    flags = ["required" if q.required else "optional"]
    if q.applies_when is not None:
        tested = sorted(
            {str(v) for v in q.applies_when.tested_values()} if q.applies_when else set()
        )
        flags.append("only for " + ", ".join(tested) if tested else "only where it applies")
    value = "" if q.required else "  # " + ", ".join(flags)
    if q.required:
        lines.append(f"  {q.id}:       # {', '.join(flags)}")
    else:
        lines.append(f"  # {q.id}:{value}")
    return lines


def write_init(file: Path, rubric_ref: str | None, *, force: bool = False) -> None:
    from assessor.fileio import atomic_write

    rubric = load_rubric(rubric_ref or "production-readiness")
    if file.exists() and not force:
        raise OutputExistsError(f"{file} exists; pass --force to replace it")
    atomic_write(file, init_text(rubric))
