"""One verdict: ``assessor score`` (text and JSON), the interactive session (the app's panel
and results and the plain wizard score through it), the reports and ``--partial`` agree on
the verdict and the score, for every example and for random partial files."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from engine_support import EXAMPLES, write_assessment
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessor.app.session import Session
from assessor.domain.load import DEFAULT_RUBRIC, load_rubric
from assessor.domain.words import VERDICT_WORDS

RUBRIC = load_rubric(DEFAULT_RUBRIC)
HEAD = re.compile(r"^(?P<name>.+?)  (?P<verdict>.+?)  score (?P<score>[\d-]+)/100$", re.M)


def head_of(text: str) -> tuple[str, str]:
    match = HEAD.search(text)
    assert match, text[:300]
    return match["verdict"], match["score"]


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.yaml")))
def test_every_surface_agrees_on_an_example(cli: Any, tmp_path: Path, example: str) -> None:
    path = EXAMPLES / example
    data = json.loads(cli("score", path, "--format", "json").stdout)
    verdict, score = data["verdict"], data["score"]

    assert head_of(cli("score", path).stdout) == (VERDICT_WORDS[verdict], str(score))

    partial = json.loads(cli("score", "--partial", path, "--format", "json").stdout)
    assert partial["verdict"] == verdict and partial["score"] == score
    assert partial["complete"] is True and partial["open"] == []
    assert partial["bounds"] == {
        "worst": verdict, "best": verdict, "score_min": score, "score_max": score
    }  # fmt: skip

    copy = tmp_path / example
    copy.write_bytes(path.read_bytes())
    session = Session.open(copy, if_locked="readonly")
    try:
        for result in (session.live_result(), session.result()):  # the panel, the results
            assert (result.verdict, result.score) == (verdict, score)
        found = session.bounds()
        assert (found.determined, found.score_min, found.score_max) == (verdict, score, score)
    finally:
        session.close()

    out = tmp_path / "r.json"
    assert cli("report", path, "--format", "json", "-o", out).exit_code == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    uc = report["use_cases"][0]["result"]
    assert (uc["verdict"], uc["score"]) == (verdict, score)


@st.composite
def partial_answers(draw: st.DrawFn) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for q in RUBRIC.questions:
        if RUBRIC.applies(q, answers) is not True or not draw(st.booleans()):
            continue
        if q.type == "choice":
            answers[q.id] = draw(st.sampled_from([o.value for o in q.options]))
        elif q.type == "boolean":
            answers[q.id] = draw(st.booleans())
        elif q.type == "fraction":
            answers[q.id] = draw(st.sampled_from([None, 0.0, 0.005, 0.01, 0.02, 0.3]))
        elif q.type == "number":
            answers[q.id] = draw(st.integers(0, 10_000))
    return answers


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(answers=partial_answers())
def test_every_surface_agrees_on_a_partial_file(
    cli: Any, tmp_path_factory: pytest.TempPathFactory, answers: dict[str, Any]
) -> None:
    folder = tmp_path_factory.mktemp("partial")
    path = write_assessment(folder / "p.yaml", answers, name="Partial")
    data = json.loads(cli("score", "--partial", path, "--format", "json").stdout)
    found = data["bounds"]
    session = Session.open(path, if_locked="readonly")
    try:
        result, bounds = session.live_result(), session.bounds()
        assert bounds.as_json() == found and bounds.open == data["open"]
        assert result.score == data["score"] == session.result().score
        if data["verdict"] is not None:  # determined: the panel shows that verdict
            assert bounds.determined == data["verdict"]
    finally:
        session.close()
    assert data["complete"] == (not data["open"])
    assert data["verdict"] == (found["worst"] if found["worst"] == found["best"] else None)
    text = cli("score", "--partial", path).stdout
    words, score = head_of(text)
    if data["verdict"] is None:
        assert (
            words
            == f"open: between {VERDICT_WORDS[found['worst']]} and " + VERDICT_WORDS[found["best"]]
        )
    else:
        assert words.startswith(VERDICT_WORDS[data["verdict"]])
    if found["score_min"] == found["score_max"] or data["complete"]:
        assert score == str(found["score_min"])
    else:
        assert score == f"{found['score_min']}-{found['score_max']}"
    if not data["complete"]:
        plain = cli("score", path)
        assert plain.exit_code == 2 and "missing required answer" in plain.stderr


def test_partial_json_of_an_open_file(cli: Any, tmp_path: Path) -> None:
    """Regulated summaries, expert review left out (default: no): not ready already."""
    path = write_assessment(
        tmp_path / "p.yaml",
        {"task_type": "summarization", "regulation": "regulated", "error_cost": "high"},
    )
    result = cli("score", "--partial", path, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["complete"] is False
    assert data["open"] == ["autonomy", "customer_facing", "evaluation", "realtime",
                            "repeat_queries"]  # fmt: skip
    assert data["verdict"] == "not_ready" and data["bounds"]["best"] == "not_ready"
    assert [b["id"] for b in data["blockers"]] == ["regulated-without-expert"]
    assert cli("score", path).exit_code == 2

    path = write_assessment(tmp_path / "q.yaml", {"task_type": "summarization"})
    data = json.loads(cli("score", "--partial", path, "--format", "json").stdout)
    assert data["verdict"] is None
    assert data["bounds"]["worst"] == "not_ready" and data["bounds"]["best"] == "ready"
    assert data["bounds"]["score_min"] < 40 <= 70 <= data["bounds"]["score_max"]
    failed = cli("score", "--partial", path, "--fail-on", "not_ready")
    assert failed.exit_code == 3  # the worst it can still become counts
    assert "open: between NOT READY and READY" in failed.stdout


def test_where_the_error_rate_comes_from_is_asked_only_of_a_known_rate() -> None:
    asked = {q.id for q in RUBRIC.applicable({"task_type": "summarization", "error_rate": None})}
    assert "error_rate_source" not in asked  # "unknown": there is nothing to trace
    asked = {q.id for q in RUBRIC.applicable({"task_type": "summarization", "error_rate": 0.02})}
    assert "error_rate_source" in asked
    assert "error_rate_source" in {q.id for q in RUBRIC.applicable({"task_type": "summarization"})}
