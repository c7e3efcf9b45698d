"""`assessor rubric export RUBRIC --to wa-lens -o LENS.json`: any rubric becomes a lens within
AWS's limits; what a lens cannot carry goes into the sidecar next to it, and `rubric import`
reads both back to a rubric that scores every assessment the same."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lens_support import LENS, assert_within_limits

from assessor.domain.assessment import UseCase, check_answers
from assessor.domain.load import load_rubric
from assessor.domain.rubric import Question, Rubric
from assessor.domain.scoring import score_data

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))


@pytest.fixture(scope="module")
def default_round_trip(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The default rubric exported to a lens and imported back: (lens, rubric file)."""
    from click.testing import CliRunner

    from assessor.cli import main

    folder = tmp_path_factory.mktemp("round-trip")
    lens, back = folder / "readiness.json", folder / "readiness.yaml"
    runner = CliRunner()
    out = runner.invoke(
        main, ["rubric", "export", "production-readiness", "--to", "wa-lens", "-o", str(lens)]
    )
    assert out.exit_code == 0, out.output
    again = runner.invoke(main, ["rubric", "import", str(lens), "-o", str(back)])
    assert again.exit_code == 0, again.output
    return lens, back


def test_the_default_rubric_exports_within_aws_limits(
    default_round_trip: tuple[Path, Path],
) -> None:
    lens_path, _ = default_round_trip
    lens = json.loads(lens_path.read_text())
    assert_within_limits(lens)
    questions = {q["id"]: q for p in lens["pillars"] for q in p["questions"]}
    assert "task_type" in questions and "error_rate" not in questions  # numbers: sidecar only
    assert [c["id"] for c in questions["expert_review"]["choices"]] == ["yes", "answer_no"]
    # a rule that reads one question's choices travels as that question's risk rule
    assert questions["evaluation"]["riskRules"][0]["risk"] == "MEDIUM_RISK"
    sidecar = yaml.safe_load(lens_path.with_name("readiness.assessor.yaml").read_text())
    assert sidecar["carried"]["expert_review"]["choices"] == {"true": "yes", "false": "answer_no"}
    # texts the lens holds verbatim are not repeated in the sidecar
    task_type = next(q for q in sidecar["rubric"]["questions"] if q["id"] == "task_type")
    assert "prompt" not in task_type and "label" not in task_type["options"][0]


def test_export_tells_what_only_the_sidecar_carries(
    tmp_path: Path, cli: Callable[..., Any]
) -> None:
    result = cli(
        "rubric", "export", "production-readiness", "--to", "wa-lens", "-o", tmp_path / "l.json"
    )
    assert result.exit_code == 0
    assert (
        "note: question error_rate is only in the sidecar: a fraction answer has no lens choices"
        in result.stderr
    )
    assert (
        "rules read several questions, numbers or applicability and are only in the sidecar"
        in result.stderr
    )
    assert f"wrote {tmp_path / 'l.json'} and {tmp_path / 'l.assessor.yaml'}" in result.stderr


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_scores_the_same_after_the_round_trip(
    default_round_trip: tuple[Path, Path], cli: Callable[..., Any], example: Path
) -> None:
    _, back = default_round_trip
    before = cli("score", example, "--format", "json")
    after = cli("score", example, "--format", "json", "--rubric", back)
    assert after.exit_code == 0, after.output
    assert json.loads(after.stdout) == json.loads(before.stdout)


def _answers(rubric: Rubric) -> st.SearchStrategy[dict[str, Any]]:
    """Random complete answer sets: every question answered or left to its default."""

    def one(q: Question) -> st.SearchStrategy[Any]:
        if q.type == "choice":
            return st.sampled_from([o.value for o in q.options])
        if q.type == "boolean":
            return st.booleans()
        if q.type == "fraction":
            values = st.sampled_from([0.0, 0.005, 0.01, 0.011, 0.05, 0.2, 1.0])
            return st.one_of(st.none(), values) if q.nullable else values
        if q.type == "number":
            return st.sampled_from([0, 1, 2.5, 50, 250, 4000])
        return st.text(max_size=5)

    parts = {
        q.id: (one(q) if q.required else st.one_of(st.just(None), one(q))) for q in rubric.questions
    }

    def drop_unset(answers: dict[str, Any]) -> dict[str, Any]:
        return {
            k: v
            for k, v in answers.items()
            if v is not None or (rubric.by_id[k].nullable and rubric.by_id[k].required)
        }

    return st.fixed_dictionaries(parts).map(drop_unset)


def _same_scores(original: Rubric, back: Rubric, answers: dict[str, Any]) -> None:
    clean, issues = check_answers(original, answers)
    assert not issues, issues
    clean_back, issues_back = check_answers(back, answers)
    assert not issues_back and clean_back == clean
    use_case = UseCase(name="Held-out case")
    a = score_data(original, use_case, clean)
    b = score_data(back, use_case, clean)
    assert (b["verdict"], b["score"]) == (a["verdict"], a["score"])
    assert b == a


def test_held_out_answer_sets_score_the_same_after_the_round_trip(
    default_round_trip: tuple[Path, Path],
) -> None:
    original = load_rubric("production-readiness")
    back = load_rubric(default_round_trip[1])

    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(answers=_answers(original))
    def check(answers: dict[str, Any]) -> None:
        _same_scores(original, back, answers)

    check()


def test_a_lens_round_trips_through_a_rubric_without_its_sidecar(
    tmp_path: Path, cli: Callable[..., Any]
) -> None:
    first = tmp_path / "first.yaml"
    assert cli("rubric", "import", LENS, "-o", first).exit_code == 0
    lens2 = tmp_path / "again.json"
    assert cli("rubric", "export", first, "--to", "wa-lens", "-o", lens2).exit_code == 0
    assert_within_limits(json.loads(lens2.read_text()))
    lens2.with_name("again.assessor.yaml").unlink()  # the lens alone carries a lens rubric
    second = tmp_path / "second.yaml"
    result = cli("rubric", "import", lens2, "-o", second)
    assert result.exit_code == 0, result.output
    exported = json.loads(lens2.read_text())
    assert [q["id"] for p in exported["pillars"] for q in p["questions"]] == [
        "REL01",
        "REL02",
        "SEC01",
    ]
    assert [p["id"] for p in exported["pillars"]] == ["mlops_reliability", "mlops_security"]
    a, b = load_rubric(first), load_rubric(second)

    def selections(q: Question) -> st.SearchStrategy[list[str]]:
        plain = [o.value for o in q.options if not o.exclusive]
        none = [[o.value] for o in q.options if o.exclusive]
        return st.one_of(st.lists(st.sampled_from(plain), unique=True), *map(st.just, none))

    @settings(max_examples=150, deadline=None)
    @given(answers=st.fixed_dictionaries({q.id: selections(q) for q in a.questions}))
    def check(answers: dict[str, Any]) -> None:
        use_case = UseCase(name="Held-out case")
        x = score_data(a, use_case, answers, improvements=False)
        y = score_data(b, use_case, answers, improvements=False)
        assert y["verdict"] == x["verdict"]
        assert [f["id"] for f in y["blockers"] + y["conditions"]] == [
            f["id"] for f in x["blockers"] + x["conditions"]
        ]
        assert [d["level"] for d in y["dimensions"]] == [d["level"] for d in x["dimensions"]]

    check()


def test_texts_edited_in_the_lens_are_kept_on_import(
    default_round_trip: tuple[Path, Path], tmp_path: Path, cli: Callable[..., Any]
) -> None:
    lens_path, _ = default_round_trip
    lens = json.loads(lens_path.read_text())
    lens["pillars"][0]["questions"][0]["title"] = "What kind of task is it, in the WA Tool?"
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(lens))
    (tmp_path / "edited.assessor.yaml").write_text(
        lens_path.with_name("readiness.assessor.yaml").read_text()
    )
    out = tmp_path / "edited.yaml"
    result = cli("rubric", "import", edited, "-o", out)
    assert result.exit_code == 0, result.output
    assert load_rubric(out).by_id["task_type"].prompt == "What kind of task is it, in the WA Tool?"


def test_a_lens_missing_a_question_its_sidecar_needs_is_refused(
    default_round_trip: tuple[Path, Path], tmp_path: Path, cli: Callable[..., Any]
) -> None:
    lens_path, _ = default_round_trip
    lens = json.loads(lens_path.read_text())
    del lens["pillars"][0]["questions"][0]
    (tmp_path / "cut.json").write_text(json.dumps(lens))
    sidecar = tmp_path / "cut.assessor.yaml"
    sidecar.write_text(lens_path.with_name("readiness.assessor.yaml").read_text())
    result = cli("rubric", "import", tmp_path / "cut.json", "-o", tmp_path / "cut.yaml")
    assert result.exit_code == 2
    assert (
        f"{sidecar}:5:3: carried.task_type: the lens has no question 'task_type'" in result.stderr
    )


def test_a_large_rubric_is_split_to_fit_the_limits(tmp_path: Path, cli: Callable[..., Any]) -> None:
    options = [{"value": f"v{i}", "label": "L" * 300} for i in range(4)]
    rubric = {
        "id": "big",
        "version": 1,
        "title": "T" * 200,
        "questions": [
            {
                "id": f"q{i}",
                "prompt": "P" * 400,
                "help": "H" * 5000,
                "type": "choice",
                "section": "One section",
                "options": options,
            }
            for i in range(45)
        ]
        + [
            {
                "id": "many",
                "prompt": "Many?",
                "type": "choice",
                "options": [{"value": f"o{i}", "label": "x"} for i in range(16)],
            },
            {
                "id": "x",
                "prompt": "Short id",
                "type": "multi",
                "options": [
                    {"value": "a-b", "label": "A"},
                    {"value": "keep_no", "label": "B"},
                    {"value": "nothing", "label": "None", "exclusive": True},
                ],
            },
        ],
        "dimensions": [{"id": "d", "title": "D", "question": "q0", "scores": {"v0": 10}}],
        "rules": [
            {
                "id": "r",
                "kind": "blocker",
                "title": "R",
                "reason": "R",
                "guide": "G",
                "fix": "F",
                "when": {"answer": "x", "contains_any": ["a-b", "keep_no"]},
            }
        ],
        "patterns": [],
    }
    path = tmp_path / "big.yaml"
    path.write_text(yaml.safe_dump(rubric))
    result = cli("rubric", "export", path, "--to", "wa-lens", "-o", tmp_path / "big.json")
    assert result.exit_code == 0, result.output
    lens = json.loads((tmp_path / "big.json").read_text())
    assert_within_limits(lens)
    assert [len(p["questions"]) for p in lens["pillars"]] == [20, 20, 5, 1]
    assert [p["name"] for p in lens["pillars"]][:3] == [
        "One section",
        "One section (2)",
        "One section (3)",
    ]
    assert "question many is only in the sidecar: 16 options; a lens allows 15" in result.stderr
    x = lens["pillars"][3]["questions"][0]
    assert [c["id"] for c in x["choices"]] == ["a_b", "keep_no_choice", "nothing_no"]
    assert x["riskRules"][0] == {"condition": "a_b || keep_no_choice", "risk": "HIGH_RISK"}
    back = tmp_path / "back.yaml"
    assert cli("rubric", "import", tmp_path / "big.json", "-o", back).exit_code == 0
    assert load_rubric(back).by_id["q0"].help == "H" * 5000  # cut in the lens, whole in the sidecar


def test_export_refuses_to_replace_files_without_force(
    tmp_path: Path, cli: Callable[..., Any]
) -> None:
    (tmp_path / "l.assessor.yaml").write_text("mine")
    result = cli(
        "rubric", "export", "production-readiness", "--to", "wa-lens", "-o", tmp_path / "l.json"
    )
    assert result.exit_code == 2 and "l.assessor.yaml exists; pass --force" in result.stderr
    assert not (tmp_path / "l.json").exists()
    assert (tmp_path / "l.assessor.yaml").read_text() == "mine"
