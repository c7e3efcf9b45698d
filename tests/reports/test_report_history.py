"""`assessor report --history`: verdict and score over the commits of a file tracked in git."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from report_support import EXAMPLES, require_tool

BEFORE = (EXAMPLES / "refund-assistant.yaml").read_text(encoding="utf-8")
CONDITIONAL = BEFORE.replace("autonomy: autonomous", "autonomy: human_approves")
INVALID = BEFORE.replace("evaluation: none", "evaluation: maybe")
READY = (
    CONDITIONAL.replace("evaluation: none", "evaluation: continuous")
    .replace("retrieval_tuned: false", "retrieval_tuned: true")
    .replace("document_quality: mixed", "document_quality: high")
)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    require_tool("git")
    for key, value in {
        "GIT_AUTHOR_NAME": "Ada Advisor",
        "GIT_AUTHOR_EMAIL": "ada@example.com",
        "GIT_COMMITTER_NAME": "Ada Advisor",
        "GIT_COMMITTER_EMAIL": "ada@example.com",
        "GIT_CONFIG_NOSYSTEM": "1",
    }.items():
        monkeypatch.setenv(key, value)
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    return root


def git(root: Path, *args: str, date: str | None = None) -> None:
    env = dict(os.environ)
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env=env)


def commit(root: Path, name: str, text: str, message: str, date: str) -> Path:
    path = root / name
    path.write_text(text, encoding="utf-8")
    git(root, "add", name)
    git(root, "commit", "-q", "-m", message, date=date)
    return path


def history_report(cli, path: Path, tmp_path: Path, fmt: str = "json") -> str:
    out = tmp_path / f"history.{fmt}"
    result = cli("report", path, "--format", fmt, "-o", out, "--history", "--force")
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def test_history_follows_the_file_through_commits_and_renames(
    cli, repo: Path, tmp_path: Path
) -> None:
    commit(repo, "refund.yaml", BEFORE, "First assessment", "2025-03-01T10:00:00+00:00")
    commit(repo, "refund.yaml", CONDITIONAL, "Approve every answer", "2025-04-01T10:00:00+00:00")
    commit(repo, "refund.yaml", INVALID, "Typo <b>oops</b>", "2025-04-15T10:00:00+00:00")
    git(repo, "mv", "refund.yaml", "refund-assistant.yaml")
    git(repo, "commit", "-q", "-m", "Rename", date="2025-05-01T10:00:00+00:00")
    path = commit(
        repo, "refund-assistant.yaml", READY, "Evaluation in production",
        "2025-06-01T10:00:00+00:00",
    )  # fmt: skip
    path.write_text(BEFORE, encoding="utf-8")  # uncommitted: back to autonomous

    data = json.loads(history_report(cli, path, tmp_path))
    points = data["use_cases"][0]["history"]
    assert [p["subject"] for p in points] == [
        "First assessment",
        "Approve every answer",
        "Typo <b>oops</b>",
        "Rename",
        "Evaluation in production",
        "uncommitted changes",
    ]
    assert [p["verdict"] for p in points] == [
        "not_ready", "conditional", None, None, "ready", "not_ready",
    ]  # fmt: skip
    assert points[0]["score"] == data["use_cases"][0]["result"]["score"] == 14
    assert points[2]["error"].startswith("invalid at this commit: answers.evaluation")
    assert points[-1]["commit"] is None
    assert all(len(p["commit"]) == 40 for p in points[:-1])
    assert points[0]["date"].startswith("2025-03-01") and points[0]["author"] == "Ada Advisor"

    markdown = history_report(cli, path, tmp_path, "md")
    assert "## History" in markdown
    assert "| 2025-06-01 |" in markdown and "🟢 Ready" in markdown
    assert "Typo \\<b\\>oops\\</b\\>" in markdown

    html = history_report(cli, path, tmp_path, "html")
    assert 'class="chart history-chart"' in html
    assert "Typo &lt;b&gt;oops&lt;/b&gt;" in html


def test_history_needs_a_git_repository(cli, tmp_path: Path) -> None:
    require_tool("git")
    path = tmp_path / "alone.yaml"
    path.write_text(BEFORE, encoding="utf-8")
    out = tmp_path / "r.md"
    result = cli("report", path, "--format", "md", "-o", out, "--history")
    assert result.exit_code == 1
    assert "is not in a git repository" in result.stderr
    assert not out.exists()


def test_history_needs_the_file_committed(cli, repo: Path, tmp_path: Path) -> None:
    commit(repo, "other.yaml", BEFORE, "Another file", "2025-03-01T10:00:00+00:00")
    path = repo / "new.yaml"
    path.write_text(BEFORE, encoding="utf-8")
    result = cli("report", path, "--format", "md", "-o", tmp_path / "r.md", "--history")
    assert result.exit_code == 1
    assert "has no commits in git" in result.stderr


def test_history_without_git_says_so(
    cli, repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = commit(repo, "refund.yaml", BEFORE, "First", "2025-03-01T10:00:00+00:00")
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    result = cli("report", path, "--format", "md", "-o", tmp_path / "r.md", "--history")
    assert result.exit_code == 1
    assert "git was not found" in result.stderr


# ---- a hostile repository -------------------------------------------------------------------


def _marker_hook(repo: Path, marker: Path, name: str) -> Path:
    hook = repo.parent / f"{name}.sh"
    hook.write_text(f"#!/bin/sh\ntouch {marker}\nexit 0\n")
    hook.chmod(0o755)
    return hook


def test_history_runs_nothing_the_repository_configures(cli, repo: Path, tmp_path: Path) -> None:
    path = commit(repo, "case.yaml", BEFORE, "First", "2025-03-01T10:00:00+00:00")
    marker = tmp_path / "executed"
    # Each of these would run a program of the repository's choosing.
    for key, name in [
        ("core.fsmonitor", "fsmonitor"),
        ("core.pager", "pager"),
        ("diff.external", "extdiff"),
        ("gpg.program", "gpg"),
        ("filter.evil.clean", "clean"),
        ("filter.evil.smudge", "smudge"),
        ("diff.evil.textconv", "textconv"),
    ]:
        git(repo, "config", key, str(_marker_hook(repo, marker, name)))
    git(repo, "config", "log.showSignature", "true")
    hooks = repo / ".git" / "hooks"
    for hook in ("post-checkout", "pre-commit", "reference-transaction", "post-index-change"):
        (hooks / hook).write_text(f"#!/bin/sh\ntouch {marker}\n")
        (hooks / hook).chmod(0o755)
    (repo / ".gitattributes").write_text("*.yaml filter=evil diff=evil\n")
    path.write_text(CONDITIONAL, encoding="utf-8")  # uncommitted change: git status would run
    assert not marker.exists()
    data = json.loads(history_report(cli, path, tmp_path))
    points = data["use_cases"][0]["history"]
    assert [p["subject"] for p in points] == ["First", "uncommitted changes"]
    assert not marker.exists()


def test_history_refuses_a_repository_owned_by_another_user(
    cli, repo: Path, tmp_path: Path
) -> None:
    if os.geteuid() != 0:
        pytest.skip("giving a repository to another user needs root")
    path = commit(repo, "case.yaml", BEFORE, "First", "2025-03-01T10:00:00+00:00")
    for root, dirs, files in os.walk(repo):
        for name in [*dirs, *files]:
            os.lchown(os.path.join(root, name), 54321, 54321)
    os.lchown(repo, 54321, 54321)
    out = tmp_path / "h.json"
    result = cli("report", path, "--format", "json", "-o", out, "--history")
    assert result.exit_code == 2
    assert f"the git repository {repo} is owned by another user (uid 54321)" in result.stderr
    assert "--trust-repo" in result.stderr
    assert not out.exists()
    result = cli("report", path, "--format", "json", "-o", out, "--history", "--trust-repo")
    assert result.exit_code == 0, result.output
    points = json.loads(out.read_text())["use_cases"][0]["history"]
    assert [p["subject"] for p in points] == ["First"]
