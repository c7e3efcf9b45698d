"""``assessor assess --plain``: the same questions as questionary prompts, same autosave."""

from __future__ import annotations

import io
import threading
from pathlib import Path
from typing import Any

import pytest
import yaml
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from tui_helpers import PtyProcess, copy_example, example_data, write_contradictory

from assessor.app.session import Session
from assessor.errors import LockedError
from assessor.views.answers import choices, format_answer
from assessor.wizard import run_wizard, run_wizard_on

ENTER, DOWN, CTRL_C = "\r", "\x1b[B", "\x03"


def keys_for(session: Session, answers: dict[str, Any]) -> list[str]:
    """The keys a user presses to give ``answers`` to every question, in order."""
    rubric = session.rubric
    given: dict[str, Any] = {}
    out = []
    for q in rubric.questions:
        if q not in rubric.applicable(given):
            continue
        if q.type in ("choice", "boolean"):
            values = [v for v, _, _ in choices(q)]
            if q.id in answers:
                index = next(
                    i for i, v in enumerate(values)
                    if type(v) is type(answers[q.id]) and v == answers[q.id]
                )  # fmt: skip
            else:
                index = len(values)  # "(skip for now)", after the separator
            out.append(DOWN * index + ENTER)
        else:
            text = "unknown" if answers.get(q.id, 0) is None else ""
            if q.id in answers and answers[q.id] is not None:
                text = format_answer(q, answers[q.id])
            out.append(text + ENTER)
        if q.id in answers:
            given[q.id] = answers[q.id]
    return out


def run(session: Session, keys: list[str]) -> tuple[int, str]:
    """Type ``keys`` into the wizard; a wizard still waiting after 60 s gets end-of-input."""
    out = io.StringIO()
    with create_pipe_input() as pipe:
        pipe.send_text("".join(keys))
        watchdog = threading.Timer(60, pipe.close)
        watchdog.start()
        try:
            code = run_wizard(session, out=out, input=pipe, output=DummyOutput())
        finally:
            watchdog.cancel()
    return code, out.getvalue()


QUIT = DOWN * 3 + ENTER  # the last entry of the menu after the results


@pytest.mark.parametrize(
    ("example", "words"),
    [("claims-summaries.yaml", "CONDITIONAL"), ("loan-agent.yaml", "NOT READY")],
)
def test_plain_walkthrough(tmp_path: Path, example: str, words: str) -> None:
    data = example_data(example)
    uc = data["use_case"]
    path = tmp_path / "p.yaml"
    session = Session.open(path)
    keys = [uc["name"] + ENTER, uc["description"] + ENTER, uc["owner"] + ENTER, ENTER]
    keys += [*keys_for(session, data["answers"]), QUIT]
    try:
        code, shown = run(session, keys)
    finally:
        session.close()
    assert code == 0
    assert words in shown and "→ so far:" in shown and "Guide: “" in shown
    assert "What would raise the verdict" in shown
    saved = yaml.safe_load(path.read_text(encoding="utf-8"))
    # The wizard asks for the name, description and owner (business value is set in the file).
    assert saved["use_case"] == {k: v for k, v in uc.items() if k != "business_value"}
    assert saved["answers"] == data["answers"]


def test_plain_resume_from_the_first_open_question(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "version: 1\nuse_case: {name: Resumed}\n"
        "answers: {task_type: classification, error_cost: low}\n"
    )
    data = example_data("ticket-triage.yaml")["answers"]
    session = Session.open(path)
    keys = [ENTER, ENTER, ENTER, ENTER, ENTER]  # keep name, description, owner, rubric; go on
    rest = keys_for(session, data)[2:]  # from autonomy on
    try:
        code, shown = run(session, keys + rest + [QUIT])
    finally:
        session.close()
    assert code == 0
    assert "Resuming: 2 answers in place" in shown
    assert yaml.safe_load(path.read_text())["answers"] == data
    assert "READY" in shown


def test_plain_ctrl_c_keeps_the_answers_given(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    session = Session.open(path)
    keys = ["Stopped" + ENTER, ENTER, ENTER, ENTER, DOWN * 4 + ENTER, CTRL_C]
    try:
        code, shown = run(session, keys)
    finally:
        session.close()
    assert code == 130
    assert "Answers are saved in" in shown
    saved = yaml.safe_load(path.read_text())
    assert saved["use_case"]["name"] == "Stopped"
    assert saved["answers"] == {"task_type": "rag"}


def test_plain_not_saved_warning(tmp_path: Path) -> None:
    path = copy_example("ticket-triage.yaml", tmp_path / "t.yaml")
    before = path.read_bytes()
    path.chmod(0o444)
    session = Session.open(path)
    try:
        code, shown = run(session, [ENTER, ENTER, ENTER, ENTER, DOWN + ENTER, DOWN + ENTER, CTRL_C])
    finally:
        session.close()
    assert code == 130
    assert "NOT SAVED: t.yaml is read-only" in shown
    assert path.read_bytes() == before


def test_plain_export_from_the_results(tmp_path: Path) -> None:
    path = copy_example("ticket-triage.yaml", tmp_path / "t.yaml")
    out = tmp_path / "t-report.md"
    session = Session.open(path)
    keys = [ENTER] * 4 + [DOWN + ENTER]  # keep the use case; "Continue from: the results"
    keys += [ENTER, ENTER, ENTER]  # Export a report; Markdown; default destination
    keys += [QUIT]
    try:
        code, shown = run(session, keys)
    finally:
        session.close()
    assert code == 0
    assert "Wrote the report to" in shown
    assert "Support ticket triage" in out.read_text(encoding="utf-8")


def test_plain_on_a_locked_file(tmp_path: Path) -> None:
    path = copy_example("ticket-triage.yaml", tmp_path / "t.yaml")
    holder = Session.open(path)
    try:
        with pytest.raises(LockedError):
            run_wizard_on(path)
    finally:
        holder.close()


def test_plain_sigterm_in_a_terminal_keeps_the_answers(tmp_path: Path) -> None:
    import signal
    import termios

    app = PtyProcess(["assess", "--plain", "p.yaml"], cwd=tmp_path)
    try:
        before = app.terminal_modes()
        app.wait_for_text("Name of the use case")
        app.type("Plain signal\r")
        app.wait_for_text("Description")
        app.proc.send_signal(signal.SIGTERM)
        assert app.wait() == 143
        after = app.terminal_modes()
    finally:
        app.close()
    assert yaml.safe_load((tmp_path / "p.yaml").read_text())["use_case"]["name"] == "Plain signal"
    assert after[3] & termios.ECHO and after[3] & termios.ICANON
    assert after[3] == before[3]


def test_multi_questions_are_checkboxes_in_the_plain_wizard(tmp_path: Path, cli: Any) -> None:
    lens = Path(__file__).resolve().parents[1] / "interop" / "data" / "model-ops.json"
    rubric = tmp_path / "model-ops.yaml"
    assert cli("rubric", "import", lens, "-o", rubric).exit_code == 0
    path = tmp_path / "case.yaml"
    path.write_text(f"version: 1\nrubric: {rubric}\nuse_case: {{name: Fraud scoring}}\n")
    session = Session.open(path)
    space = " "
    keys = [
        ENTER * 3,  # keep the use case's name, description and owner
        ENTER + ENTER,  # keep the rubric file
        # rel01: canary + rollback, then "none of these" too: refused; untick it, confirm
        space + DOWN + space + DOWN + DOWN + space + ENTER + space + ENTER,
        DOWN + DOWN + space + ENTER,  # rel02: none of these
        space + DOWN + space + ENTER,  # sec01: both
        QUIT,
    ]
    code, out = run(session, keys)
    session.close()
    saved = yaml.safe_load(path.read_text())
    assert saved["answers"] == {
        "rel01": ["REL01_canary", "REL01_rollback"],
        "rel02": ["REL02_no"],
        "sec01": ["SEC01_least", "SEC01_audit"],
    }, out
    assert code == 0


def test_plain_wizard_shows_contradictory_answers(tmp_path: Path) -> None:
    path = write_contradictory(tmp_path / "case.yaml")
    session = Session.open(path)
    keys = [ENTER] * 4 + [DOWN + ENTER]  # keep the use case; "Continue from: the results"
    try:
        code, shown = run(session, [*keys, QUIT])
    finally:
        session.close()
    assert code == 0
    flat = " ".join(shown.split())
    assert "Answers that contradict each other" in flat
    assert "Error rate given, but its source is unknown [error-rate-source-unknown]" in flat
    assert "Check: An error rate of 2% is given" in flat


def test_plain_wizard_says_so_as_soon_as_answers_contradict(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    session = Session.open(path)
    answers = {"task_type": "summarization", "error_cost": "high", "autonomy": "autonomous",
               "regulation": "regulated", "expert_review": True}  # fmt: skip
    keys = ["Letters" + ENTER, ENTER, ENTER, ENTER]
    keys += keys_for(session, answers)[: len(answers)]
    try:
        code, shown = run(session, [*keys, CTRL_C])
    finally:
        session.close()
    assert code == 130
    flat = " ".join(shown.split())
    assert "contradictions: Expert review, yet outputs take effect unreviewed" in flat


OUTSIDE_EDIT = (
    b"# edited by hand\nversion: 1\nuse_case: {name: Edited elsewhere}\n"
    b"answers: {task_type: classification, error_cost: high}\n"
)


@pytest.mark.parametrize("choice", ["reload", "keep"])
def test_plain_outside_edit_is_never_saved_over(tmp_path: Path, choice: str) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "version: 1\nuse_case: {name: Resumed}\n"
        "answers: {task_type: classification, error_cost: low}\n"
    )
    session = Session.open(path)
    save = session.save
    edited: list[bool] = []

    def save_then_edit_from_outside() -> bool:
        """Right after autonomy is saved, another program rewrites the file."""
        ok = save()
        if ok and "autonomy" in session.answers and not edited:
            edited.append(True)
            tmp = path.with_name("editor-tmp")
            tmp.write_bytes(OUTSIDE_EDIT)
            tmp.replace(path)
        return ok

    session.save = save_then_edit_from_outside  # type: ignore[method-assign]
    keys = [ENTER, ENTER, ENTER, ENTER, ENTER]  # keep the use case and rubric; go on
    keys += [DOWN + ENTER, ENTER]  # autonomy: human_approves; the next question: first option
    keys += [ENTER if choice == "reload" else DOWN + ENTER, CTRL_C]
    try:
        code, shown = run(session, keys)
    finally:
        session.close()
    assert code == 130
    shown = " ".join(shown.split())  # the console wraps long lines
    assert "p.yaml was changed by another program since it was opened here" in shown
    mine = sorted(tmp_path.glob("p.yaml.mine-*"))
    outside = sorted(tmp_path.glob("p.yaml.outside-*"))
    if choice == "reload":
        assert path.read_bytes() == OUTSIDE_EDIT
        assert outside == [] and len(mine) == 1
        kept = yaml.safe_load(mine[0].read_text())
        assert kept["use_case"]["name"] == "Resumed"
        assert kept["answers"]["autonomy"] == "human_approves"
        assert f"your previous answers are kept in {mine[0].name}" in shown
    else:
        assert mine == [] and len(outside) == 1
        assert outside[0].read_bytes() == OUTSIDE_EDIT
        saved = yaml.safe_load(path.read_text())
        assert saved["use_case"]["name"] == "Resumed"
        assert saved["answers"]["autonomy"] == "human_approves"
        assert f"the outside version is kept in {outside[0].name}" in shown
