"""A reviewer's edit passes the task kind's output check, for the kinds that have one.

The generated projects' own review tests run for a classifier and a code generator (the
default example is a RAG assistant, whose check accepts any non-empty text): an edit that
is not a label, or not Python, is a 422 with the reason and is never delivered or cached.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from scaffold_support import DROP, explain

pytestmark = pytest.mark.slow

KIND_ANSWERS = {
    "classification": {
        "task_type": "classification",
        "input_quality": "clean",
        "retrieval_tuned": DROP,
        "document_quality": DROP,
    },
    "code_generation": {
        "task_type": "code_generation",
        "code_deployment": "supervised",
        "retrieval_tuned": DROP,
        "document_quality": DROP,
    },
}


@pytest.mark.parametrize("kind", sorted(KIND_ANSWERS))
def test_an_edit_that_fails_the_output_check_is_refused(
    render_variant: Callable[..., Path],
    run_project_pytest: Callable[..., subprocess.CompletedProcess[str]],
    kind: str,
) -> None:
    project = render_variant(
        f"edit-{kind.replace('_', '-')}",
        patterns={"human_fallback", "response_cache"},
        answers=KIND_ANSWERS[kind],
    )

    proc = run_project_pytest(project, "tests/test_reviews_api.py", "-p", "no:randomly")

    assert proc.returncode == 0, explain(proc)
    summary = proc.stdout.strip().splitlines()[-1]
    assert re.search(r"\d+ passed", summary), summary
    assert "skipped" not in summary, summary  # the output-check test really ran
