"""``assessor update``: a generated project follows its assessment and its template.

The story of every test: scaffold -> the team edits the project -> the assessment (or the
template) changes -> update -> the team's edits are still there, the new render is merged in,
overlaps are marked like git. Most tests use the tiny template of tests/scaffold/data
(``MINI_TEMPLATE`` and its second version ``MINI_TEMPLATE_V2``); one runs the real generated
project's own suite after an update.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from scaffold_support import (
    MINI_TEMPLATE,
    REAL_TEMPLATE,
    clean_env,
    explain,
    variant_names,
)

from assessor.domain.load import load_assessment
from assessor.errors import ScaffoldError, UsageError
from assessor.scaffold import render_project, update_project
from assessor.scaffold import update as update_module

MINI_TEMPLATE_V2 = MINI_TEMPLATE.with_name("mini-template-v2")
PACKAGE = "src/refund_policy_assistant"
REPO = Path(__file__).resolve().parents[2]


# ------------------------------------------------------------------------------------------
# helpers


def snapshot(root: Path) -> dict[str, tuple[str, bytes, int, int]]:
    """Everything under ``root``: kind, content, permissions and modification time."""
    out: dict[str, tuple[str, bytes, int, int]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            st = os.lstat(path)
            rel = str(path.relative_to(root))
            if path.is_dir():
                out[rel] = ("dir", b"", st.st_mode, 0)
            else:
                out[rel] = ("file", path.read_bytes(), st.st_mode, st.st_mtime_ns)
    return out


def scaffold(case: Path, out: Path, *, template: Path = MINI_TEMPLATE, **options: object) -> Path:
    return render_project(load_assessment(case), out, template=template, **options)  # type: ignore[arg-type]


def set_answers(project: Path, **answers: object) -> None:
    """The team changes its assessment (the copy inside the project), as a user would."""
    path = project / "assessment.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["answers"].update(answers)
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


def team_edits(project: Path) -> None:
    """README, a module, a new module, a deleted file."""
    readme = project / "README.md"
    readme.write_text(readme.read_text() + "\n## Team notes\n\nOn call: the support team.\n")
    init = project / PACKAGE / "__init__.py"
    init.write_text(init.read_text() + "\n\ndef team_helper():\n    return 'team'\n")
    (project / PACKAGE / "team.py").write_text("TEAM = True\n")
    (project / "project.toml").unlink()


def edit_threshold(settings: Path) -> None:
    first, rest = settings.read_text().split("\n", 1)
    assert first == "CONFIDENCE_THRESHOLD = 0.99"
    settings.write_text("CONFIDENCE_THRESHOLD = 0.95\n" + rest)


def compiles(project: Path) -> None:
    """The project's Python files are valid Python (the mini template has no test suite)."""
    for path in project.rglob("*.py"):
        compile(path.read_text(encoding="utf-8"), str(path), "exec")


def git(cwd: Path, *args: str) -> str:
    env = clean_env(
        {
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@t",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@t",
        }
    )
    proc = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout


# ------------------------------------------------------------------------------------------
# what scaffold records


def test_scaffold_records_what_it_rendered(assessment: Callable[..., Path], tmp_path: Path) -> None:
    from assessor import __version__

    project = scaffold(assessment(), tmp_path / "svc")
    record = yaml.safe_load((project / ".assessor/project.yaml").read_text())
    assert record["assessor"] == __version__
    assert record["template"]["name"] == "mini-template"
    assert re.fullmatch(r"[0-9a-f]{64}", record["template"]["digest"])
    assert record["patterns"] == {
        "human_fallback": True,
        "async_pipeline": False,
        "response_cache": True,
        "evaluation": True,
    }
    assert record["context"]["project_slug"] == "refund-policy-assistant"
    assert record["options"]["package_name"] == "refund_policy_assistant"
    assert record["base"] == {"kind": "snapshot", "path": ".assessor/base.tar.gz"}
    # a digest of every file as rendered, and nothing of assessor's own folder
    import hashlib

    files = {
        str(p.relative_to(project)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in project.rglob("*")
        if p.is_file() and ".assessor" not in p.parts
    }
    assert record["files"] == files
    assert "assessment.yaml" in files and f"{PACKAGE}/cache.py" in files
    import tarfile

    with tarfile.open(project / ".assessor/base.tar.gz") as tar:
        assert sorted(tar.getnames()) == sorted(files)


def test_scaffold_inside_a_git_repository_keeps_the_render_on_a_ref(
    assessment: Callable[..., Path], tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "other.txt").write_text("the team's\n")
    git(repo, "add", "other.txt")
    git(repo, "commit", "-qm", "start")
    head = git(repo, "rev-parse", "HEAD")
    project = scaffold(assessment(), repo / "svc")
    record = yaml.safe_load((project / ".assessor/project.yaml").read_text())
    assert record["base"]["kind"] == "git"
    assert record["base"]["ref"].startswith("refs/assessor/base-")
    assert not (project / ".assessor/base.tar.gz").exists()
    assert git(repo, "rev-parse", record["base"]["ref"]).strip() == record["base"]["commit"]
    listed = git(repo, "ls-tree", "-r", "--name-only", record["base"]["commit"]).split()
    assert sorted(listed) == sorted(record["files"])
    # the user's HEAD and index are untouched: the project is untracked, nothing staged
    assert git(repo, "rev-parse", "HEAD") == head
    assert git(repo, "diff", "--cached", "--name-only") == ""
    assert "?? svc/" in git(repo, "status", "--porcelain")


# ------------------------------------------------------------------------------------------
# the assessment changes


@pytest.mark.parametrize("cache_edited", [False, True], ids=["cache-untouched", "cache-edited"])
def test_the_project_follows_its_assessment_and_keeps_the_teams_edits(
    assessment: Callable[..., Path], tmp_path: Path, cache_edited: bool
) -> None:
    project = scaffold(assessment(), tmp_path / "svc")
    package = project / PACKAGE
    assert not (package / "jobs.py").exists()
    team_edits(project)
    if cache_edited:
        (package / "cache.py").write_text(
            "# tuned by the team\n" + (package / "cache.py").read_text()
        )
    # the use case turns out not to need real-time answers, and repeats are rare
    set_answers(project, realtime=False, repeat_queries="rare")
    report = update_project(project, template=MINI_TEMPLATE)

    actions = {c.path: c.action for c in report.changes}
    assert actions[f"{PACKAGE}/jobs.py"] == "added"
    assert (package / "jobs.py").read_text() == 'QUEUE = "jobs"\n'
    if cache_edited:
        assert actions[f"{PACKAGE}/cache.py"] == "kept"
        assert (package / "cache.py").read_text().startswith("# tuned by the team\n")
    else:
        assert actions[f"{PACKAGE}/cache.py"] == "removed"
        assert not (package / "cache.py").exists()
    assert report.conflicts == []
    # the team's edits are all still there; the deleted file stays deleted
    assert "## Team notes" in (project / "README.md").read_text()
    assert "def team_helper" in (package / "__init__.py").read_text()
    assert (package / "team.py").read_text() == "TEAM = True\n"
    assert not (project / "project.toml").exists()
    assert "project.toml" not in actions  # the template did not change it: nothing to say
    compiles(project)
    record = yaml.safe_load((project / ".assessor/project.yaml").read_text())
    assert record["patterns"]["async_pipeline"] is True
    assert record["patterns"]["response_cache"] is False
    assert f"{PACKAGE}/jobs.py" in record["files"] and f"{PACKAGE}/cache.py" not in record["files"]
    # the score JSON follows the assessment
    score = json.loads((project / "assessment.score.json").read_text())
    assert {p["id"] for p in score["patterns"]} >= {"async_pipeline"}


def test_pattern_overrides_are_kept_and_can_be_changed(
    assessment: Callable[..., Path], tmp_path: Path
) -> None:
    project = scaffold(assessment(), tmp_path / "svc", without_patterns=["response_cache"])
    assert not (project / PACKAGE / "cache.py").exists()
    report = update_project(project, template=MINI_TEMPLATE)
    assert report.changes == [] and not report.written
    assert not (project / PACKAGE / "cache.py").exists()
    report = update_project(project, template=MINI_TEMPLATE, with_patterns=["async_pipeline"])
    assert {c.path: c.action for c in report.changes}[f"{PACKAGE}/jobs.py"] == "added"
    record = yaml.safe_load((project / ".assessor/project.yaml").read_text())
    assert record["options"]["with"] == ["async_pipeline"]
    assert record["options"]["without"] == ["response_cache"]


# ------------------------------------------------------------------------------------------
# the template changes


def test_a_new_template_version_is_merged_and_overlaps_are_marked(
    assessment: Callable[..., Path], tmp_path: Path
) -> None:
    project = scaffold(assessment(), tmp_path / "svc")
    team_edits(project)
    settings = project / PACKAGE / "settings.py"
    edit_threshold(settings)  # the line the second template version changes
    before = settings.read_text()

    report = update_project(project, template=MINI_TEMPLATE_V2)
    actions = {c.path: c.action for c in report.changes}
    assert actions[f"{PACKAGE}/health.py"] == "added"
    assert actions["README.md"] == "merged"
    assert report.conflicts == [f"{PACKAGE}/settings.py"]
    readme = (project / "README.md").read_text()
    assert readme.startswith("# Refund policy assistant (service)\n")  # the template's change
    assert "## Team notes" in readme  # and the team's
    merged = settings.read_text()
    assert merged.startswith("<<<<<<< yours\nCONFIDENCE_THRESHOLD = 0.95\n=======\n")
    assert 'CONFIDENCE_THRESHOLD = float("0.99")\n>>>>>>> assessor update\n' in merged
    assert merged.endswith(before.split("\n", 1)[1])  # the rest of the file untouched
    assert not (project / "project.toml").exists()

    # the team resolves the conflict; the next update has nothing to do
    settings.write_text(merged.split("=======\n")[1].split(">>>>>>>")[0] + before.split("\n", 1)[1])
    again = update_project(project, template=MINI_TEMPLATE_V2)
    assert again.changes == [] and not again.written
    compiles(project)


def test_a_file_the_team_deleted_stays_deleted_even_when_the_template_changed_it(
    assessment: Callable[..., Path], tmp_path: Path
) -> None:
    project = scaffold(assessment(), tmp_path / "svc")
    (project / "README.md").unlink()
    report = update_project(project, template=MINI_TEMPLATE_V2)
    assert {c.path: c.action for c in report.changes}["README.md"] == "deleted"
    assert not (project / "README.md").exists()
    assert update_project(project, template=MINI_TEMPLATE_V2).changes == []


def test_cli_update_lists_the_plan_and_exits_3_on_conflicts(
    cli: Callable[..., object],
    assessment: Callable[..., Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project = scaffold(assessment(), tmp_path / "svc")
    team_edits(project)
    settings = project / PACKAGE / "settings.py"
    edit_threshold(settings)
    set_answers(project, realtime=False)
    # the bundled template of a newer assessor: the second version of the mini template
    monkeypatch.setattr("assessor.scaffold.render.default_template", lambda: MINI_TEMPLATE_V2)
    before = snapshot(project)

    dry = cli("update", project, "--dry-run")
    assert dry.exit_code == 3, dry.output  # type: ignore[attr-defined]
    assert snapshot(project) == before  # nothing written
    assert f"Would update {project}" in dry.stdout  # type: ignore[attr-defined]
    lines = dry.stdout.splitlines()  # type: ignore[attr-defined]
    assert f"  added        {PACKAGE}/jobs.py  (new)" in lines
    assert f"  added        {PACKAGE}/health.py  (new)" in lines
    assert "  merged       README.md  (your edits kept)" in lines
    assert f"  conflicting  {PACKAGE}/settings.py  (1 conflict(s) marked)" in lines
    assert any(line.startswith("Pattern async_pipeline is now on: recommended:") for line in lines)

    done = cli("update", project)
    assert done.exit_code == 3, done.output  # type: ignore[attr-defined]
    assert f"Updated {project}" in done.stdout  # type: ignore[attr-defined]
    assert "1 file(s) with conflicts marked with <<<<<<<" in done.stdout  # type: ignore[attr-defined]
    assert "- rendering the template" in done.stderr  # type: ignore[attr-defined]
    assert "<<<<<<< yours" in settings.read_text()
    assert (project / PACKAGE / "jobs.py").is_file()


def test_cli_refuses_what_is_not_a_generated_project(
    cli: Callable[..., object], assessment: Callable[..., Path], tmp_path: Path
) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    result = cli("update", plain)
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert "not a generated project (no .assessor/project.yaml)" in result.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in result.output  # type: ignore[attr-defined]

    project = scaffold(assessment(), tmp_path / "svc")
    record = project / ".assessor/project.yaml"
    record.write_text(record.read_text().replace("kind: snapshot", "kind: zip"))
    result = cli("update", project)
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert re.search(
        r"project\.yaml:\d+:\d+: base\.kind: expected git or snapshot",
        result.stderr,  # type: ignore[attr-defined]
    ), result.stderr  # type: ignore[attr-defined]

    result = cli("update", project, "--without", "evaluation")
    assert result.exit_code == 2  # type: ignore[attr-defined]


# ------------------------------------------------------------------------------------------
# dry run, no-op, interruption


def test_dry_run_writes_nothing_and_a_second_update_is_a_noop(
    assessment: Callable[..., Path], tmp_path: Path
) -> None:
    project = scaffold(assessment(), tmp_path / "svc")
    team_edits(project)
    set_answers(project, realtime=False, repeat_queries="rare")
    parent_before = sorted(os.listdir(tmp_path))
    before = snapshot(project)
    dry = update_project(project, template=MINI_TEMPLATE_V2, dry_run=True)
    assert dry.dry_run and not dry.written
    assert {c.action for c in dry.changes} >= {"added", "removed", "merged"}
    assert snapshot(project) == before
    assert sorted(os.listdir(tmp_path)) == parent_before  # no scratch folder left

    update_project(project, template=MINI_TEMPLATE_V2)
    after = snapshot(project)
    assert after != before
    second = update_project(project, template=MINI_TEMPLATE_V2)
    assert second.changes == [] and not second.written
    assert snapshot(project) == after  # byte for byte, times included, .assessor/ too
    assert sorted(os.listdir(tmp_path)) == parent_before


def test_a_failure_while_placing_leaves_the_project_as_it_was(
    assessment: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = scaffold(assessment(), tmp_path / "svc")
    team_edits(project)
    set_answers(project, realtime=False, repeat_queries="rare")
    before = snapshot(project)
    parent_before = sorted(os.listdir(tmp_path))
    real_replace = os.replace
    calls = {"n": 0}

    def failing_replace(src: object, dst: object) -> None:
        calls["n"] += 1
        if calls["n"] == 6:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(update_module.os, "replace", failing_replace)
    with pytest.raises(OSError, match="No space left"):
        update_project(project, template=MINI_TEMPLATE_V2)
    monkeypatch.undo()
    assert calls["n"] >= 6
    assert snapshot(project) == {
        rel: value for rel, value in before.items()
    }  # contents, modes and times of every file
    assert sorted(os.listdir(tmp_path)) == parent_before
    # and the update works afterwards
    assert update_project(project, template=MINI_TEMPLATE_V2).written


def test_a_failed_rollback_is_finished_by_the_next_update(
    assessment: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = scaffold(assessment(), tmp_path / "svc")
    team_edits(project)
    set_answers(project, realtime=False, repeat_queries="rare")
    before = snapshot(project)
    real_replace = os.replace
    calls = {"n": 0}

    def broken_from_the_sixth(src: object, dst: object) -> None:
        calls["n"] += 1
        if calls["n"] >= 6:  # the disk gives up, the rollback's moves fail too
            raise OSError(5, "Input/output error")
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(update_module.os, "replace", broken_from_the_sixth)
    with pytest.raises(ScaffoldError, match="could not be rolled back completely"):
        update_project(project, template=MINI_TEMPLATE_V2)
    monkeypatch.undo()
    assert snapshot(project) != before
    assert list(tmp_path.glob(".svc.assessor-update-*/backup"))  # the replaced files, kept

    report = update_project(project, template=MINI_TEMPLATE_V2, dry_run=True)
    assert report.recovered
    assert snapshot(project) == before


KILLER = """
import os, signal, sys
from pathlib import Path
from assessor.scaffold import update
real = os.replace
count = 0
def replace(src, dst):
    global count
    count += 1
    real(src, dst)
    if count == int(sys.argv[3]):
        os.kill(os.getpid(), signal.SIGKILL)
update.os.replace = replace
update.update_project(Path(sys.argv[1]), template=Path(sys.argv[2]))
"""


@pytest.mark.parametrize("kill_after", [2, 7])  # 1 is the journal itself
def test_a_killed_update_is_rolled_back_by_the_next_one(
    assessment: Callable[..., Path], tmp_path: Path, kill_after: int
) -> None:
    project = scaffold(assessment(), tmp_path / "svc")
    team_edits(project)
    set_answers(project, realtime=False, repeat_queries="rare")
    before = snapshot(project)
    proc = subprocess.run(
        [sys.executable, "-c", KILLER, str(project), str(MINI_TEMPLATE_V2), str(kill_after)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == -signal.SIGKILL, explain(proc)
    assert snapshot(project) != before  # killed half-way through placing
    assert list(tmp_path.glob(".svc.assessor-update-*"))  # its journal is there

    report = update_project(project, template=MINI_TEMPLATE_V2, dry_run=True)
    assert report.recovered
    assert snapshot(project) == before
    assert not list(tmp_path.glob(".svc.assessor-update-*"))
    assert update_project(project, template=MINI_TEMPLATE_V2).written


def test_one_update_at_a_time(assessment: Callable[..., Path], tmp_path: Path) -> None:
    project = scaffold(assessment(), tmp_path / "svc")
    fd = os.open(project, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with pytest.raises(UsageError, match="another `assessor update` is running"):
            update_project(project, template=MINI_TEMPLATE)
    finally:
        os.close(fd)


def test_symlinks_in_the_project_are_never_written_through(
    assessment: Callable[..., Path], tmp_path: Path
) -> None:
    project = scaffold(assessment(), tmp_path / "svc")
    outside = tmp_path / "outside.txt"
    outside.write_text("not the project's\n")
    readme = project / "README.md"
    readme.unlink()
    readme.symlink_to(outside)
    report = update_project(project, template=MINI_TEMPLATE_V2)
    assert {c.path: c.action for c in report.changes}["README.md"] == "conflicting"
    assert outside.read_text() == "not the project's\n"
    assert readme.is_symlink()


# ------------------------------------------------------------------------------------------
# git


def test_in_git_a_dirty_tree_is_refused_and_the_base_moves_on_a_ref(
    cli: Callable[..., object], assessment: Callable[..., Path], tmp_path: Path
) -> None:
    project = tmp_path / "svc"
    project.mkdir()
    git(project, "init", "-q")
    scaffold(assessment(), project, force=True)
    git(project, "add", "-A")
    git(project, "commit", "-qm", "scaffold")
    team_edits(project)
    set_answers(project, realtime=False, repeat_queries="rare")

    refused = cli("update", project)
    assert refused.exit_code == 2  # type: ignore[attr-defined]
    assert "has uncommitted changes" in refused.stderr  # type: ignore[attr-defined]
    assert "--force" in refused.stderr  # type: ignore[attr-defined]

    git(project, "add", "-A")
    git(project, "commit", "-qm", "team edits")
    old = yaml.safe_load((project / ".assessor/project.yaml").read_text())["base"]["commit"]
    report = update_project(project, template=MINI_TEMPLATE_V2)
    assert report.written and report.conflicts == []
    record = yaml.safe_load((project / ".assessor/project.yaml").read_text())
    new = record["base"]["commit"]
    assert new != old
    assert git(project, "rev-parse", "refs/assessor/base").strip() == new
    assert git(project, "rev-parse", f"{new}^").strip() == old  # the old base stays reachable
    assert (project / PACKAGE / "health.py").is_file()
    assert "## Team notes" in (project / "README.md").read_text()
    assert git(project, "diff", "--cached", "--name-only") == ""  # the user's index untouched

    git(project, "add", "-A")
    git(project, "commit", "-qm", "update")
    before = snapshot(project)
    again = update_project(project, template=MINI_TEMPLATE_V2)
    assert again.changes == [] and not again.written
    assert snapshot(project) == before

    # the assessment being followed is the update's input: changing it is not "dirty"
    set_answers(project, repeat_queries="frequent")
    followed = update_project(project, template=MINI_TEMPLATE_V2)
    assert {c.path: c.action for c in followed.changes}[f"{PACKAGE}/cache.py"] == "added"

    (project / "README.md").write_text("dirty\n")
    with pytest.raises(UsageError, match="uncommitted changes"):
        update_project(project, template=MINI_TEMPLATE_V2)
    forced = update_project(project, template=MINI_TEMPLATE_V2, force=True)
    assert forced.changes == []


# ------------------------------------------------------------------------------------------
# the real template: the generated project's own suite passes after an update


@pytest.mark.slow
def test_the_real_projects_suite_passes_after_an_update(
    assessment: Callable[..., Path],
    tmp_path: Path,
    run_project_pytest: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    slug, package_name = variant_names("update")
    case = assessment()
    project = render_project(
        load_assessment(case),
        tmp_path / slug,
        project_slug=slug,
        package_name=package_name,
        template=REAL_TEMPLATE,
    )
    package = project / "src" / package_name
    assert (package / "cache.py").is_file() and not (package / "jobs.py").exists()
    readme = project / "README.md"
    readme.write_text(readme.read_text() + "\n## Team notes\n\nOn call: the support team.\n")
    app = package / "app.py"
    app.write_text(app.read_text() + "\n\ndef team_banner() -> str:\n    return 'team'\n")
    (package / "team.py").write_text('def greeting() -> str:\n    return "hello"\n')
    (project / "tests" / "test_team.py").write_text(
        f"from {package_name}.app import team_banner\n"
        f"from {package_name}.team import greeting\n\n\n"
        "def test_team_code() -> None:\n"
        "    assert greeting() == 'hello' and team_banner() == 'team'\n"
    )
    (project / "Dockerfile").unlink()
    set_answers(project, realtime=False, repeat_queries="rare")

    report = update_project(project, template=REAL_TEMPLATE)
    actions = {c.path: c.action for c in report.changes}
    assert report.conflicts == [], report.changes
    assert (package / "jobs.py").is_file()
    assert actions[f"src/{package_name}/cache.py"] == "removed"
    assert "def team_banner" in app.read_text() and "## Team notes" in readme.read_text()
    assert not (project / "Dockerfile").exists()

    proc = run_project_pytest(project, "-m", "not services", "-p", "no:randomly")
    assert proc.returncode == 0, explain(proc)
    assert "test_team_code" not in proc.stdout or "failed" not in proc.stdout
    summary = proc.stdout.strip().splitlines()[-1]
    assert "failed" not in summary and "error" not in summary, summary
