"""``assessor scaffold`` as users run it: files written, summary, options, prompts."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from assessor.cli import scaffolding as command

PACKAGE = "src/refund_policy_assistant"


def test_renders_the_project_into_a_new_folder(
    cli: Callable[..., object], assessment: Callable[..., Path], tmp_path: Path
) -> None:
    case = assessment()
    out = tmp_path / "service"
    result = cli("scaffold", case, "-o", out, "--no-input")
    assert result.exit_code == 0, result.output
    for name in ("README.md", "pyproject.toml", ".env.example", "evals/golden.jsonl"):
        assert (out / name).is_file(), name
    assert (out / PACKAGE / "app.py").is_file()
    assert 'name = "refund-policy-assistant"' in (out / "pyproject.toml").read_text()
    # the assessment, byte for byte, and its score JSON as `assessor score --format json`
    assert (out / "assessment.yaml").read_bytes() == case.read_bytes()
    scored = cli("score", case, "--format", "json")
    assert json.loads((out / "assessment.score.json").read_text()) == json.loads(scored.stdout)
    # progress on stderr, then the summary
    assert "- rendering the template" in result.stderr
    assert f"- placing the files into {out}" in result.stderr
    assert "Rendered Refund policy assistant into" in result.stderr
    assert "project refund-policy-assistant, package refund_policy_assistant" in result.stderr
    lines = result.stderr.splitlines()
    assert any(
        line.startswith("  on   human_fallback  recommended: Errors are costly") for line in lines
    )
    assert "  off  async_pipeline  not recommended by the assessment" in lines
    assert any(line.startswith("  on   response_cache  recommended:") for line in lines)
    assert any(line.startswith("  on   evaluation      always on") for line in lines)
    assert (
        f"  run:  cd {out} && python -m pip install -e '.[test]' && refund-policy-assistant serve"
        in lines
    )
    assert f"  test: cd {out} && pytest" in lines


def test_parameters_come_from_the_assessment(
    cli: Callable[..., object], assessment: Callable[..., Path], tmp_path: Path
) -> None:
    case = assessment(answers={"autonomy": "human_approves"})
    result = cli("scaffold", case, "-o", tmp_path / "out", "--no-input")
    assert result.exit_code == 0, result.output
    env = (tmp_path / "out/.env.example").read_text().splitlines()
    assert "APP_CONFIDENCE_THRESHOLD=0.99" in env
    assert "APP_REVIEW_SAMPLE_RATE=0.05" in env
    assert "APP_REVIEW_ALL=true" in env
    assert "APP_MAX_ERROR_RATE=0.01" in env
    assert "APP_CACHE_TTL_SECONDS=3600" in env


def test_renders_into_an_existing_empty_folder(
    cli: Callable[..., object], assessment: Callable[..., Path], tmp_path: Path
) -> None:
    out = tmp_path / "empty"
    out.mkdir()
    result = cli("scaffold", assessment(), "-o", out, "--no-input")
    assert result.exit_code == 0, result.output
    assert (out / "README.md").is_file()


@pytest.mark.parametrize(
    ("answers", "on", "off"),
    [
        ({}, ["human_fallback", "response_cache"], ["async_pipeline"]),
        (
            {"error_cost": "low", "realtime": False},
            ["async_pipeline", "response_cache"],
            ["human_fallback"],
        ),
        ({"repeat_queries": "rare"}, ["human_fallback"], ["async_pipeline", "response_cache"]),
    ],
)
def test_patterns_follow_the_assessment(
    cli: Callable[..., object],
    assessment: Callable[..., Path],
    tmp_path: Path,
    answers: dict[str, object],
    on: list[str],
    off: list[str],
) -> None:
    result = cli("scaffold", assessment(answers=answers), "-o", tmp_path / "out", "--no-input")
    assert result.exit_code == 0, result.output
    for pattern in on:
        assert f"  on   {pattern:<15} recommended:" in result.stderr
    for pattern in off:
        assert f"  off  {pattern:<15} not recommended by the assessment" in result.stderr
    files = {p.name for p in (tmp_path / "out/src").rglob("*.py")}
    assert ("confidence.py" in files) == ("human_fallback" in on)
    assert ("cache.py" in files) == ("response_cache" in on)


def test_with_and_without_override_the_recommendation(
    cli: Callable[..., object], assessment: Callable[..., Path], tmp_path: Path
) -> None:
    result = cli(
        "scaffold",
        assessment(),
        "-o",
        tmp_path / "out",
        "--no-input",
        "--without",
        "response_cache",
        "--without",
        "human_fallback",
    )
    assert result.exit_code == 0, result.output
    assert "  off  response_cache  left out with --without" in result.stderr
    assert "  off  human_fallback  left out with --without" in result.stderr
    files = {p.name for p in (tmp_path / "out").rglob("*.py")}
    assert "cache.py" not in files
    assert "confidence.py" not in files
    assert "test_cache.py" not in files


def test_with_adds_a_pattern_the_assessment_did_not_call_for(
    cli: Callable[..., object], assessment: Callable[..., Path], tmp_path: Path
) -> None:
    case = assessment(answers={"repeat_queries": "rare"})
    result = cli("scaffold", case, "-o", tmp_path / "out", "--no-input", "--with", "response_cache")
    assert result.exit_code == 0, result.output
    assert "  on   response_cache  added with --with" in result.stderr
    assert (tmp_path / "out" / PACKAGE / "cache.py").is_file()
    env = (tmp_path / "out/.env.example").read_text().splitlines()
    assert "APP_CACHE_TTL_SECONDS=3600" in env  # the rubric's policy for a high error cost


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--without", "evaluation"],
            "--without evaluation: evaluation is always on and cannot be removed",
        ),
        (["--with", "human_fallbak"], "unknown pattern (did you mean 'human_fallback'?)"),
        (["--without", "cache"], "unknown pattern (did you mean 'response_cache'?)"),
        (["--with", "teleport"], "patterns: human_fallback, async_pipeline, response_cache"),
        (
            ["--with", "response_cache", "--without", "response_cache"],
            "response_cache: given both with --with and --without",
        ),
    ],
)
def test_bad_pattern_options_exit_2_before_writing(
    cli: Callable[..., object],
    assessment: Callable[..., Path],
    tmp_path: Path,
    args: list[str],
    message: str,
) -> None:
    case = assessment()
    result = cli("scaffold", case, "-o", tmp_path / "out", "--no-input", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [case.name]


def test_an_invalid_assessment_exits_2_with_its_location(
    cli: Callable[..., object], assessment: Callable[..., Path], tmp_path: Path
) -> None:
    case = assessment(answers={"error_cost": "huge"})
    result = cli("scaffold", case, "-o", tmp_path / "out", "--no-input")
    assert result.exit_code == 2
    assert "case.yaml:" in result.stderr and "answers.error_cost" in result.stderr
    assert not (tmp_path / "out").exists()


def test_without_a_terminal_it_asks_for_no_input(
    cli: Callable[..., object], assessment: Callable[..., Path], tmp_path: Path
) -> None:
    result = cli("scaffold", assessment(), "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert "no terminal to ask for the project and package names; pass --no-input" in (
        result.stderr
    )
    assert not (tmp_path / "out").exists()


def test_explicit_names(
    cli: Callable[..., object], assessment: Callable[..., Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = cli(
        "scaffold", assessment(), "-o", out, "--no-input", "--name", "refund-bot", "--package", "rb"
    )
    assert result.exit_code == 0, result.output
    assert 'name = "refund-bot"' in (out / "pyproject.toml").read_text()
    assert (out / "src/rb/app.py").is_file()
    assert "refund-bot serve" in result.stderr


def test_the_prompt_offers_the_derived_names_and_validates_answers(
    assessment: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real questionary prompts, fed through a pipe: a path is refused, then accepted."""
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    monkeypatch.setattr(command, "_interactive", lambda: True)
    out = tmp_path / "out"
    clear = "\x15"  # Ctrl+U: the prompt starts with the derived default in the line
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        # project: "../x" is refused in place, then "my-bot"; package: default accepted
        pipe.send_text(f"{clear}../x\r{clear}my-bot\r\r")
        command.run_scaffold(assessment(), out, no_input=False, force=False)
    assert 'name = "my-bot"' in (out / "pyproject.toml").read_text()
    assert (out / "src/my_bot/app.py").is_file()


def test_prompt_defaults_are_the_derived_names(
    assessment: Callable[..., Path], tmp_path: Path
) -> None:
    asked: list[tuple[str, str]] = []

    def ask(message: str, default: str, validate: Callable[[str], bool | str]) -> str:
        asked.append((message, default))
        assert validate("../x") != True  # noqa: E712 - a message, not True
        return default

    command.run_scaffold(assessment(), tmp_path / "out", no_input=False, force=False, ask=ask)
    assert [d for _, d in asked] == ["refund-policy-assistant", "refund_policy_assistant"]


def test_cancelling_the_prompt_writes_nothing(
    assessment: Callable[..., Path], tmp_path: Path
) -> None:
    with pytest.raises(KeyboardInterrupt):
        command.run_scaffold(
            assessment(), tmp_path / "out", no_input=False, force=False, ask=lambda *_: None
        )
    assert not (tmp_path / "out").exists()
