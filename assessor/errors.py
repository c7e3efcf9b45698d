"""The one exception hierarchy of assessor.

Only ``assessor.cli`` turns these into messages and exit codes; everything else raises them.
Exit codes follow the command-line contract: 2 for invalid input or usage, 1 for other errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input file, located as precisely as the input allows."""

    file: str
    line: int | None = None
    column: int | None = None
    path: str = ""
    """Field path, for example ``answers.error_cost``; empty when the problem is the whole file."""
    message: str = field(default="", compare=False)

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        field_part = f" {self.path}:" if self.path else ""
        return f"{where}:{field_part} {self.message}"

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file, self.line or 0, self.column or 0, self.path)


class AssessorError(Exception):
    """Base of every error assessor reports to a user."""

    exit_code = 1

    @property
    def message(self) -> str:
        return str(self)


class InputError(AssessorError):
    """An input file (assessment, rubric, logo, ...) is invalid. Exit code 2.

    Carries every problem found, sorted by position, so one run reports them all.
    """

    exit_code = 2

    def __init__(self, problems: list[Problem] | Problem) -> None:
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems = sorted(problems, key=Problem.sort_key)
        super().__init__("\n".join(str(p) for p in self.problems))


class UsageError(AssessorError):
    """The command was asked to do something it must refuse (bad option, existing output...)."""

    exit_code = 2


class OutputExistsError(UsageError):
    """The output exists and ``--force`` was not given."""


class NotATerminalError(UsageError):
    """An interactive command was started without a terminal."""


class LockedError(UsageError):
    """Another running assessor holds the assessment file."""


class MissingExtraError(AssessorError):
    """An optional extra (for example the PDF engine) is not installed."""


class ScaffoldError(AssessorError):
    """Rendering the starter project failed."""


class ReportError(AssessorError):
    """Rendering or writing a report failed."""


class WorkerError(AssessorError):
    """A worker process of the parallel pool crashed (a bug, not bad input)."""
