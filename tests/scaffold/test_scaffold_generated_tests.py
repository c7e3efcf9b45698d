"""The generated project works the moment it is generated: its own test suite passes.

The full and the minimal pattern sets are installed (``pip install -e '<project>[test]'``)
into the one shared venv (see ``project_venv``) and their pytest runs in a subprocess.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from scaffold_support import explain


@pytest.mark.slow
@pytest.mark.parametrize("variant", ["minimal", "full"])
def test_the_generated_projects_own_tests_pass(
    render_variant: Callable[..., Path],
    run_project_pytest: Callable[..., subprocess.CompletedProcess[str]],
    variant: str,
) -> None:
    project = render_variant(variant)
    # its services tests run in test_scaffold_services.py, against the real services
    proc = run_project_pytest(project, "-m", "not services", "-p", "no:randomly")
    assert proc.returncode == 0, explain(proc)
    summary = proc.stdout.strip().splitlines()[-1]
    passed = re.search(r"(\d+) passed", summary)
    assert passed and int(passed.group(1)) >= 10, summary
    assert "failed" not in summary and "error" not in summary, summary
