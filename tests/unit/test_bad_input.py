"""Bad assessment files: RELIABILITY.md "Loading YAML" (1-11) and "Validating" (12-16).

Every case goes through ``assessor score`` and must give exit 2, one line per problem in the
form ``file:line:column: field: message`` (where the input has a line), nothing on stdout and
no traceback. The in-process CLI runs every case; a subprocess runs a sample of them, so a
traceback printed by the interpreter itself would show too.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from engine_support import EXAMPLES, answers_for, run_assessor

GOOD_ANSWERS = """\
answers:
  task_type: text_generation
  error_cost: low
  autonomy: suggest
  regulation: none
  customer_facing: false
  realtime: false
  repeat_queries: rare
  evaluation: continuous
"""
GOOD = "version: 1\nuse_case:\n  name: Case\n" + GOOD_ANSWERS


@dataclass
class Case:
    """A file's content and the problems ``assessor score`` must report for it, in order.

    Each expected problem is (line, column, field path, fragment of the message); line and
    column are None where the problem is the whole file.
    """

    content: str | bytes
    problems: list[tuple[int | None, int | None, str, str]]
    extra: dict[str, Any] = field(default_factory=dict)


def alias_bomb() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    previous = "a"
    for name in "bcdefghi":
        lines.append(f"{name}: &{name} [{', '.join(['*' + previous] * 9)}]")
        previous = name
    return "\n".join(lines) + "\n"


LOADING = {
    # 1. Tags that would construct Python objects are refused; nothing runs.
    "python-object-tag": Case(
        "version: 1\nuse_case: !!python/object/apply:os.system ['touch PWNED']\n" + GOOD_ANSWERS,
        [(2, 11, "use_case", "tag 'tag:yaml.org,2002:python/object/apply:os.system' is not")],
    ),
    "python-name-tag": Case(
        "version: 1\nuse_case:\n  name: !!python/name:os.system ''\n" + GOOD_ANSWERS,
        [(3, 9, "use_case.name", "is not allowed")],
    ),
    "custom-tag": Case(
        GOOD.replace("name: Case", "name: !vault secret"),
        [(3, 9, "use_case.name", "tag '!vault' is not allowed")],
    ),
    # 2. Duplicate keys at any depth: the line of the second one.
    "duplicate-top-level-key": Case(
        GOOD + "use_case:\n  name: Again\n",
        [(13, 1, "use_case", "duplicate key 'use_case' (first at line 2)")],
    ),
    "duplicate-nested-key": Case(
        GOOD + "  error_cost: high\n",
        [(13, 3, "answers.error_cost", "duplicate key 'error_cost' (first at line 6)")],
    ),
    # 4. Alias bomb: refused by the value count, long before it is expanded.
    "alias-bomb": Case(alias_bomb(), [(1, None, "", "too many values (over 25,000")]),
    # 5. Very large file: refused before parsing.
    "too-large": Case("# padding\n" * 300_000 + GOOD, [(None, None, "", "file too large (3,000,")]),
    # 6. Deep nesting: a clean error, not a RecursionError.
    "deep-flow-nesting": Case(
        "version: 1\nx: " + "[" * 5000 + "]" * 5000 + "\n",
        [(2, None, "", "invalid YAML")],
    ),
    "deep-block-nesting": Case(
        "version: 1\nx:\n" + "".join("  " * i + "k:\n" for i in range(1, 100)),
        [(67, None, "", ": x.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k")],
    ),
    # 7. Not a mapping.
    "empty-file": Case("", [(1, 1, "", "file is empty; expected a mapping")]),
    "comments-only": Case("# nothing yet\n# still nothing\n", [(1, 1, "", "file is empty")]),
    "top-level-list": Case("- a\n- b\n", [(1, 1, "", "expected a mapping at the top level")]),
    "top-level-scalar": Case("hello\n", [(1, 1, "", "got a single value")]),
    # 8. Several documents in one file.
    "two-documents": Case(
        GOOD + "---\n" + GOOD,
        [(13, 1, "", "several documents in one file; expected exactly one")],
    ),
    # 9. The parser's own line and column.
    "tab-indentation": Case(
        "version: 1\nuse_case:\n\tname: x\n" + GOOD_ANSWERS,
        [(3, 1, "", "(a tab: indent with spaces)")],
    ),
    "unclosed-bracket": Case(
        "version: 1\nuse_case: {name: [x\n", [(3, 1, "", "did not find expected ',' or ']'")]
    ),
    "unclosed-quote": Case(
        'version: 1\nuse_case:\n  name: "Case\n', [(4, 1, "", "found unexpected end of stream")]
    ),
    # 10. Invalid UTF-8: the byte offset (and its line and column).
    "invalid-utf8": Case(
        b"version: 1\nuse_case:\n  name: Caf\xe9\n" + GOOD_ANSWERS.encode(),
        [(3, 12, "", "invalid UTF-8 at byte offset 32 (byte 0xe9)")],
    ),
}

VALIDATING = {
    # 12. Unknown or misspelled keys, with a "did you mean".
    "misspelled-top-level-key": Case(
        GOOD.replace("use_case:", "use_cse:"),
        [
            (1, 1, "use_case", "missing required field"),
            (2, 1, "use_cse", "unknown key 'use_cse' (did you mean 'use_case'?)"),
        ],
    ),
    "misspelled-use-case-key": Case(
        GOOD.replace("  name: Case", "  name: Case\n  ownr: Team"),
        [(4, 3, "use_case.ownr", "unknown key 'ownr' (did you mean 'owner'?)")],
    ),
    "misspelled-answer": Case(
        GOOD.replace("error_cost: low", "eror_cost: low"),
        [
            (4, 1, "answers.error_cost", "missing required answer"),
            (6, 3, "answers.eror_cost", "no question 'eror_cost' (did you mean 'error_cost'?)"),
        ],
    ),
    "misspelled-note": Case(
        GOOD + "notes:\n  eror_rate: measured in May\n",
        [(14, 3, "notes.eror_rate", "no question 'eror_rate' (did you mean 'error_rate'?)")],
    ),
    # 13. Wrong type deep inside: the exact line and column.
    "wrong-type-boolean": Case(
        GOOD.replace("customer_facing: false", 'customer_facing: "sometimes"'),
        [(9, 3, "answers.customer_facing", "must be true or false")],
    ),
    "wrong-type-choice": Case(
        GOOD.replace("error_cost: low", "error_cost: hgh"),
        [(6, 3, "answers.error_cost", "must be one of low, medium, high, critical")],
    ),
    "wrong-type-text": Case(
        GOOD.replace("  name: Case", "  name: Case\n  owner: [a, b]"),
        [(4, 3, "use_case.owner", "must be text")],
    ),
    "wrong-type-mapping": Case(
        "version: 1\nuse_case: Case\n" + GOOD_ANSWERS,
        [(2, 1, "use_case", "must be a mapping")],
    ),
    "wrong-version": Case(
        GOOD.replace("version: 1", "version: 2"), [(1, 1, "version", "must be 1")]
    ),
    # 15. Impossible numbers.
    "nan-error-rate": Case(
        GOOD + "  error_rate: .nan\n", [(13, 3, "answers.error_rate", "must be a finite number")]
    ),
    "infinite-volume": Case(
        GOOD + "  volume_per_day: .inf\n",
        [(13, 3, "answers.volume_per_day", "must be a finite number")],
    ),
    "negative-error-rate": Case(
        GOOD + "  error_rate: -0.01\n", [(13, 3, "answers.error_rate", "must be at least 0")]
    ),
    "error-rate-above-one": Case(
        GOOD + "  error_rate: 3\n",
        [(13, 3, "answers.error_rate", "must be at most 1 (a fraction: 3% is 0.03)")],
    ),
    "negative-cost": Case(
        GOOD + "  cost_per_error: -250\n",
        [(13, 3, "answers.cost_per_error", "must be at least 0")],
    ),
    # Costs so large that daily costs would overflow to infinity.
    "absurd-volume": Case(
        GOOD + "  volume_per_day: 1.0e+308\n",
        [(13, 3, "answers.volume_per_day", "number out of range: at most 1e15 in magnitude")],
    ),
    # 16. A question the rubric does not have; a missing required answer (names both).
    "unknown-question": Case(
        GOOD + "  latency_budget: 200\n",
        [
            (
                13,
                3,
                "answers.latency_budget",
                "rubric 'production-readiness' has no question 'latency_budget'",
            )
        ],
    ),
    "missing-required-answer": Case(
        GOOD.replace("  autonomy: suggest\n", ""),
        [
            (
                4,
                1,
                "answers.autonomy",
                "missing required answer; rubric 'production-readiness' asks: What happens",
            )
        ],
    ),
    "missing-answer-of-the-task-type": Case(
        GOOD.replace("text_generation", "rag"),
        [
            (4, 1, "answers.document_quality", "missing required answer"),
            (4, 1, "answers.retrieval_tuned", "missing required answer"),
        ],
    ),
    "no-answers-at-all": Case(
        "version: 1\nuse_case:\n  name: Case\n",
        [(1, 1, "answers.autonomy", "missing required answer")],
        extra={"at_least": True},
    ),
}


def problem_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip()]


def check_report(
    path: Path, case: Case, exit_code: int, stdout: str, stderr: str, cwd: Path | None = None
) -> None:
    """The report names the file as given on the command line (relative to the working
    folder when it is inside it)."""
    if path.is_absolute() and path.parent == (cwd or Path.cwd()):
        path = Path(path.name)
    assert exit_code == 2, stderr
    assert stdout == ""
    assert "Traceback" not in stderr
    lines = problem_lines(stderr)
    if not case.extra.get("at_least"):
        assert len(lines) == len(case.problems), stderr
    for line, (row, column, where, fragment) in zip(lines, case.problems, strict=False):
        location = str(path)
        if row is not None:
            location += f":{row}"
            if column is not None:
                location += f":{column}"
        assert line.startswith(location + ":"), (line, location)
        if where:
            assert f": {where}: " in line, (line, where)
        assert fragment in line, (line, fragment)


def write(tmp_path: Path, case: Case) -> Path:
    path = tmp_path / "case.yaml"
    if isinstance(case.content, bytes):
        path.write_bytes(case.content)
    else:
        path.write_text(case.content, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", list(LOADING))
def test_loading_yaml(name: str, tmp_path: Path, cli: Any, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    case = LOADING[name]
    path = write(tmp_path, case)
    result = cli("score", path)
    check_report(path, case, result.exit_code, result.stdout, result.stderr)
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize("name", list(VALIDATING))
def test_validating(name: str, tmp_path: Path, cli: Any) -> None:
    case = VALIDATING[name]
    path = write(tmp_path, case)
    result = cli("score", path, "--format", "json")
    check_report(path, case, result.exit_code, result.stdout, result.stderr)


@pytest.mark.parametrize(
    "name",
    ["python-object-tag", "duplicate-nested-key", "deep-flow-nesting", "invalid-utf8"],
)
def test_loading_yaml_in_a_fresh_process(name: str, tmp_path: Path) -> None:
    case = LOADING[name]
    path = write(tmp_path, case)
    done = run_assessor("score", path, cwd=tmp_path)
    check_report(path, case, done.returncode, done.stdout, done.stderr, cwd=tmp_path)
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize("name", ["misspelled-answer", "nan-error-rate", "unknown-question"])
def test_validating_in_a_fresh_process(name: str, tmp_path: Path) -> None:
    case = VALIDATING[name]
    path = write(tmp_path, case)
    done = run_assessor("score", path, "--format", "json", cwd=tmp_path)
    check_report(path, case, done.returncode, done.stdout, done.stderr, cwd=tmp_path)


# --- 3. YAML's implicit typing does not change text the user wrote ---------------------------


def test_no_010_and_1_10_in_text_fields_are_kept_as_written(tmp_path: Path, cli: Any) -> None:
    path = tmp_path / "case.yaml"
    path.write_text(
        GOOD.replace("  name: Case", "  name: no\n  owner: 010\n  description: 1.10")
        + "notes:\n  autonomy: NO\n",
        encoding="utf-8",
    )
    result = cli("score", path, "--format", "json")
    assert result.exit_code == 0, result.output
    import json

    data = json.loads(result.stdout)
    assert (data["use_case"], data["owner"], data["description"]) == ("no", "010", "1.10")
    assert data["notes"] == {"autonomy": "NO"}


def test_no_in_a_choice_answer_is_a_type_error_not_false(tmp_path: Path, cli: Any) -> None:
    path = tmp_path / "case.yaml"
    path.write_text(GOOD.replace("regulation: none", "regulation: no"), encoding="utf-8")
    result = cli("score", path)
    assert result.exit_code == 2
    assert f"{path}:8:3: answers.regulation: must be one of none, regulated" in result.stderr


# --- 10. BOM and CRLF load like clean LF ---------------------------------------------------


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: b"\xef\xbb\xbf" + text.encode(),
        lambda text: text.replace("\n", "\r\n").encode(),
        lambda text: b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode(),
    ],
    ids=["bom", "crlf", "bom-and-crlf"],
)
def test_bom_and_crlf_load_like_clean_lf(encode: Any, tmp_path: Path, cli: Any) -> None:
    clean = tmp_path / "clean.yaml"
    clean.write_text(GOOD, encoding="utf-8")
    other = tmp_path / "other.yaml"
    other.write_bytes(encode(GOOD))
    expected = cli("score", clean, "--format", "json")
    got = cli("score", other, "--format", "json")
    assert got.exit_code == expected.exit_code == 0
    assert got.stdout == expected.stdout
    # Positions still count lines and columns of the text as written.
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(encode(GOOD.replace("error_cost: low", "error_cost: hgh")))
    assert f"{bad}:6:3: answers.error_cost:" in cli("score", bad).stderr


# --- 11. Files that cannot be read -------------------------------------------------------------


def test_a_directory(tmp_path: Path, cli: Any) -> None:
    result = cli("score", tmp_path)
    assert result.exit_code == 2
    assert result.stderr == f"{tmp_path}: is a directory, expected a file\n"


def test_a_missing_file(tmp_path: Path, cli: Any) -> None:
    result = cli("score", tmp_path / "nope.yaml")
    assert result.exit_code == 2
    assert result.stderr == f"{tmp_path / 'nope.yaml'}: file not found\n"


def test_an_unreadable_file(tmp_path: Path, cli: Any, monkeypatch: Any) -> None:
    path = tmp_path / "secret.yaml"
    path.write_text(GOOD, encoding="utf-8")
    if os.geteuid() != 0:
        path.chmod(0)
    else:  # root reads anything: make the open fail the way it fails for a user
        real_open = os.open

        def refuse(name: Any, *args: Any, **kwargs: Any) -> int:
            if Path(name) == path:
                raise PermissionError(13, "Permission denied", str(name))
            return real_open(name, *args, **kwargs)

        monkeypatch.setattr(os, "open", refuse)
    result = cli("score", path)
    assert result.exit_code == 2
    assert result.stderr == f"{path}: permission denied\n"


def test_a_fifo_is_refused_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    # Nothing ever writes to the FIFO: a reader that opened it would wait forever.
    done = run_assessor("score", fifo, timeout=60)
    assert done.returncode == 2
    assert done.stderr == f"{fifo}: is a FIFO, not a regular file; refusing to read it\n"


def test_problems_of_several_files_are_all_reported(tmp_path: Path, cli: Any) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(GOOD, encoding="utf-8")
    missing = tmp_path / "missing.yaml"
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("error_cost: low", "error_cost: hgh"), encoding="utf-8")
    result = cli("score", good, bad, missing, "--format", "json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert problem_lines(result.stderr) == [
        f"{bad}:6:3: answers.error_cost: must be one of low, medium, high, critical "
        "(did you mean 'high'?)",
        f"{missing}: file not found",
    ]


# --- 14. All errors, sorted by line ------------------------------------------------------------


def test_all_errors_are_reported_sorted_by_line(tmp_path: Path, cli: Any) -> None:
    path = tmp_path / "case.yaml"
    path.write_text(
        "version: 1\n"
        "use_case:\n"
        "  name: Case\n"
        "  ownr: Team\n"  # 4
        "notes:\n"
        "  eror_rate: x\n"  # 6
        "answers:\n"
        "  task_type: text_generation\n"
        "  error_cost: hgh\n"  # 9
        "  autonomy: suggest\n"
        "  regulation: none\n"
        "  customer_facing: maybe\n"  # 12
        "  realtime: false\n"
        "  repeat_queries: rare\n"
        "  error_rate: 2\n"  # 15
        "  cost_per_review: -2\n",  # 16 (evaluation missing: reported at answers, line 7)
        encoding="utf-8",
    )
    result = cli("score", path)
    assert result.exit_code == 2
    found = [
        (int(m.group(1)), m.group(2))
        for m in (
            re.match(rf"{re.escape(str(path))}:(\d+):\d+: (\S+):", line)
            for line in problem_lines(result.stderr)
        )
        if m
    ]
    assert found == [
        (4, "use_case.ownr"),
        (6, "notes.eror_rate"),
        (7, "answers.evaluation"),
        (9, "answers.error_cost"),
        (12, "answers.customer_facing"),
        (15, "answers.error_rate"),
        (16, "answers.cost_per_review"),
    ]
    assert len(problem_lines(result.stderr)) == len(found)


def test_empty_answers_count_as_not_given(tmp_path: Path, cli: Any) -> None:
    """A filled-in `assessor init` file keeps empty keys for questions that do not apply."""
    path = tmp_path / "case.yaml"
    path.write_text(
        GOOD + "  input_quality:\n  retrieval_tuned:\n  expert_review:\nnotes:\n  autonomy:\n",
        encoding="utf-8",
    )
    result = cli("score", path, "--format", "json")
    assert result.exit_code == 0, result.output
    empty_required = tmp_path / "empty.yaml"
    empty_required.write_text(GOOD.replace("error_cost: low", "error_cost:"), encoding="utf-8")
    result = cli("score", empty_required)
    assert result.exit_code == 2
    assert f"{empty_required}:6:3: answers.error_cost: missing required answer" in result.stderr


# --- 4. Alias bomb: quick refusal without a memory spike ----------------------------------------


def test_alias_bomb_is_refused_without_a_memory_spike(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(alias_bomb(), encoding="utf-8")
    # Peak RSS of `assessor score FILE`, measured by a wrapper process whose only child it is.
    code = (
        "import resource, subprocess, sys\n"
        "done = subprocess.run([sys.executable, '-m', 'assessor', 'score', sys.argv[1]],"
        " capture_output=True, text=True)\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(done.returncode, peak)\n"
        "sys.stderr.write(done.stderr)\n"
    )

    def peak(path: Path) -> tuple[int, int, str]:
        done = subprocess.run(
            [sys.executable, "-c", code, str(path)],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        rc, kib = (int(x) for x in done.stdout.split())
        return rc, kib, done.stderr

    normal = peak(EXAMPLES / "refund-assistant.yaml")
    refused = peak(bomb)
    assert normal[0] == 0
    assert refused[0] == 2
    assert "too many values" in refused[2] and "Traceback" not in refused[2]
    # The expanded document would be hundreds of MB of Python objects; refusing it early
    # keeps the peak close to scoring an ordinary file.
    assert refused[1] < normal[1] + 20 * 1024, (refused[1], normal[1])


def test_answers_written_in_flow_style_are_located_too(tmp_path: Path, cli: Any) -> None:
    import yaml

    path = tmp_path / "flow.yaml"
    answers = answers_for(error_cost="hgh")
    path.write_text(
        "version: 1\nuse_case: {name: Flow}\nanswers: "
        + yaml.safe_dump(answers, default_flow_style=True, width=10_000),
        encoding="utf-8",
    )
    result = cli("score", path)
    assert result.exit_code == 2
    column = path.read_text().splitlines()[2].index("error_cost") + 1
    assert f"{path}:3:{column}: answers.error_cost: must be one of" in result.stderr
