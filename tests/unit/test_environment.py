"""The CLI in real processes: start-up imports, terminal encodings, parallel scoring.

* ``assessor --help`` imports none of the heavy libraries (DESIGN.md: start fast);
* ``LANG=C`` and ``PYTHONIOENCODING=ascii`` never raise UnicodeEncodeError (RELIABILITY 35);
* large batches scored by forked workers print exactly what one process prints.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from engine_support import EXAMPLES, answers_for, run_assessor, write_assessment

HEAVY = ["textual", "pydantic", "pydantic_core", "jinja2", "cookiecutter", "questionary", "yaml"]
HEAVY += ["rich"]


@pytest.mark.parametrize("args", [["--help"], ["score", "--help"], ["--version"]])
def test_help_imports_no_heavy_library(args: list[str]) -> None:
    probe = (
        "import sys\n"
        "from assessor.cli import main\n"
        "try:\n"
        f"    main({args!r}, prog_name='assessor')\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(','.join(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    *_, loaded = done.stdout.splitlines()
    assert loaded == "", f"imported at start-up: {loaded}"
    assert "Usage: assessor" in done.stdout or "version" in done.stdout


def test_the_console_script_help_works(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "assessor"
    if not script.exists():
        found = shutil.which("assessor")
        assert found, "the assessor console script is not installed"
        script = Path(found)
    done = subprocess.run(
        [str(script), "--help"], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert done.returncode == 0
    for command in ("assess", "score", "report", "scaffold", "diff", "rubric", "schema", "init"):
        assert f"  {command} " in done.stdout


# --- Encodings ----------------------------------------------------------------------------------

ASCII_ENVS = [
    {"LANG": "C", "LC_ALL": "C"},
    {"PYTHONIOENCODING": "ascii"},
    {"LANG": "C", "LC_ALL": "C", "PYTHONIOENCODING": "ascii", "PYTHONUTF8": "0"},
]


@pytest.mark.parametrize("env", ASCII_ENVS, ids=["lang-c", "ioencoding-ascii", "both"])
def test_text_output_on_an_ascii_terminal(env: dict[str, str], tmp_path: Path) -> None:
    case = write_assessment(
        tmp_path / "café.yaml",
        answers_for(error_cost="high", autonomy="autonomous"),
        name="Café assistant — “smart” ✓",
    )
    done = run_assessor("score", case, EXAMPLES / "refund-assistant.yaml", env=env)
    assert done.returncode == 0, done.stderr
    assert "UnicodeEncodeError" not in done.stderr and "Traceback" not in done.stderr
    assert "NOT READY" in done.stdout
    assert "Why: Outputs take effect with no human review" in done.stdout


@pytest.mark.parametrize("env", ASCII_ENVS, ids=["lang-c", "ioencoding-ascii", "both"])
def test_json_output_on_an_ascii_terminal_is_valid_json(
    env: dict[str, str], tmp_path: Path
) -> None:
    case = write_assessment(tmp_path / "case.yaml", answers_for(), name="Café ✓")
    done = run_assessor("score", case, "--format", "json", env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["use_case"] == "Café ✓"


@pytest.mark.parametrize("env", ASCII_ENVS[1:], ids=["ioencoding-ascii", "both"])
def test_ascii_terminals_get_ascii_symbols(env: dict[str, str]) -> None:
    done = run_assessor("score", EXAMPLES / "refund-assistant.yaml", env=env)
    assert "  - Consequential decisions without human review" in done.stdout
    assert " -> CONDITIONAL" in done.stdout
    assert 'Guide: "Fully autonomous agents' in done.stdout


@pytest.mark.parametrize("env", ASCII_ENVS, ids=["lang-c", "ioencoding-ascii", "both"])
def test_errors_on_an_ascii_terminal(env: dict[str, str], tmp_path: Path) -> None:
    case = write_assessment(tmp_path / "naïve.yaml", answers_for(error_cost="élevé"))
    done = run_assessor("score", case, env=env)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "answers.error_cost: must be one of low, medium, high, critical" in done.stderr


def test_files_are_read_as_utf8_whatever_the_locale(tmp_path: Path) -> None:
    case = write_assessment(tmp_path / "case.yaml", answers_for(), name="Zürich — 東京")
    done = run_assessor("score", case, "--format", "json", env={"LANG": "C", "LC_ALL": "C"})
    assert json.loads(done.stdout)["use_case"] == "Zürich — 東京"
    written = tmp_path / "init.yaml"
    run_assessor("init", written, env={"PYTHONIOENCODING": "ascii", "LANG": "C"})
    written.read_text(encoding="utf-8")  # the template is UTF-8


# --- Parallel scoring ---------------------------------------------------------------------------


def many_cases(folder: Path, count: int) -> list[Path]:
    tasks = ["rag", "classification", "agentic_workflow", "code_generation", "summarization"]
    files = []
    for i in range(count):
        answers = answers_for(
            tasks[i % len(tasks)],
            error_cost=["low", "medium", "high", "critical"][i % 4],
            autonomy=["suggest", "human_approves", "human_on_exceptions", "autonomous"][i % 3],
            evaluation=["none", "offline", "continuous"][i % 3],
            error_rate=[None, 0.004, 0.02][i % 3],
        )
        files.append(write_assessment(folder / f"case-{i:03d}.yaml", answers, name=f"Case {i}"))
    return files


def test_parallel_scoring_prints_what_one_process_prints(tmp_path: Path) -> None:
    files = many_cases(tmp_path, 150)
    serial = run_assessor("score", *files, "--format", "json", env={"ASSESSOR_JOBS": "1"})
    parallel = run_assessor("score", *files, "--format", "json", env={"ASSESSOR_JOBS": "3"})
    assert serial.returncode == parallel.returncode == 0
    assert parallel.stdout == serial.stdout
    assert [item["use_case"] for item in json.loads(serial.stdout)] == [
        f"Case {i}" for i in range(150)
    ]
    fail = run_assessor(
        "score", *files, "--format", "json", "--fail-on", "not_ready", env={"ASSESSOR_JOBS": "3"}
    )
    assert fail.returncode == 3


def test_parallel_scoring_reports_every_problem_sorted(tmp_path: Path) -> None:
    files = many_cases(tmp_path, 150)
    for index in (3, 140):  # one in the parent's chunk, one in a worker's
        text = files[index].read_text().replace("error_cost: ", "error_cost: x", 1)
        files[index].write_text(text)
    done = run_assessor("score", *files, "--format", "json", env={"ASSESSOR_JOBS": "3"})
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 2, done.stderr
    assert lines[0].startswith(f"{files[3]}:") and lines[1].startswith(f"{files[140]}:")
    assert all("answers.error_cost: must be one of" in line for line in lines)
