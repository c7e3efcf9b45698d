"""``assessor update``: a generated project follows its assessment and its template.

How an update goes (:func:`update_project`):

1. The project's record (``.assessor/project.yaml``) is read and the project folder is locked
   (``flock`` on the folder itself); a git work tree with uncommitted changes is refused
   without ``force``. Leftovers of an interrupted update are rolled back first.
2. The assessment (``DIR/assessment.yaml`` by default) is scored and the project is rendered
   again, with the names and pattern overrides of the record (plus new ``--with`` /
   ``--without``), into a scratch folder next to DIR.
3. Every file is merged three ways: base = the recorded render, theirs = the new render,
   ours = DIR. A file nobody changed is left alone; one only the template changed is
   replaced; one only the team changed is kept; one both changed is merged by
   ``git merge-file`` (overlaps marked ``<<<<<<<`` / ``=======`` / ``>>>>>>>``). A file the
   team deleted stays deleted. A file the new render no longer has (a pattern switched off)
   is removed only when it is as rendered; otherwise it is kept and listed. Files of the
   team's own (never rendered) are not touched.
4. Every write is staged in the scratch folder; a journal listing them is written; then each
   file is moved into place with ``os.replace`` after moving the one it replaces aside. A
   failure rolls every step back; a killed process leaves the journal, and the next update
   rolls back from it before anything else. Nothing changes when nothing differs (a second
   update is a no-op, byte for byte).
5. The record is rewritten with the new render as the next base.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from assessor.domain.scoring import Result
from assessor.errors import ScaffoldError, UsageError
from assessor.scaffold import context, record, render
from assessor.scaffold.record import RECORD_DIR, RECORD_FILE, SNAPSHOT_FILE, FileSet

ACTIONS = ("added", "updated", "merged", "conflicting", "removed", "kept", "deleted")
"""The kinds of change in an update's plan, in the order they are listed.

``added``: a new file of the render (a pattern switched on, a template addition).
``updated``: the template changed a file the team had not changed.
``merged``: both changed it; the changes did not overlap.
``conflicting``: both changed the same lines; marked like git, to resolve by hand.
``removed``: no longer rendered and unchanged by the team.
``kept``: no longer rendered, but changed by the team: left in place, to remove by hand.
``deleted``: deleted by the team; the template changed it, but it stays deleted.
"""
MERGE_LABELS = ("yours", "last render", "assessor update")
_SCRATCH = ".{name}.assessor-update-"
_JOURNAL = "journal.json"
_DONE = "done"


@dataclass(frozen=True)
class Change:
    action: str
    path: str
    note: str = ""


@dataclass
class UpdateReport:
    """What an update did (or, with ``dry_run``, would do)."""

    project: Path
    result: Result
    plan: context.Plan
    patterns_before: dict[str, bool]
    changes: list[Change] = field(default_factory=list)
    dry_run: bool = False
    written: bool = False
    """Whether anything in the project was written (False for a dry run or a no-op)."""
    recovered: bool = False
    """An interrupted update was rolled back before this one."""

    @property
    def conflicts(self) -> list[str]:
        return [c.path for c in self.changes if c.action == "conflicting"]

    def by_action(self) -> list[Change]:
        return sorted(self.changes, key=lambda c: (ACTIONS.index(c.action), c.path))


_NOTES = {
    "added": "new",
    "updated": "you had not changed it",
    "removed": "no longer rendered; you had not changed it",
}


def describe(report: UpdateReport, label: str) -> list[str]:
    """The plan (or what was done) as plain lines: one per changed file, then the patterns
    switched on or off, then what to do about conflicts. Front ends print these."""
    lines = []
    if report.recovered:
        lines.append(f"An interrupted update of {label} was rolled back first.")
    result = report.result
    scored = f"verdict {result.verdict}, score {result.score}"
    if not report.changes and not report.written:
        lines.append(f"{label} is up to date ({scored}); nothing to change.")
    else:
        head = "Would update" if report.dry_run else "Updated"
        tail = " -- dry run, nothing written:" if report.dry_run else ":"
        lines.append(f"{head} {label} ({scored}){tail}")
        for change in report.by_action():
            note = change.note or _NOTES.get(change.action, "")
            lines.append(f"  {change.action:<12} {change.path}" + (f"  ({note})" if note else ""))
        if not report.changes:
            lines.append("  (only the project's record changed)")
    for choice in report.plan.patterns:
        before = report.patterns_before.get(choice.id)
        if before is not None and before != choice.on:
            lines.append(f"Pattern {choice.id} is now {'on' if choice.on else 'off'}: {choice.why}")
    if report.conflicts:
        lines.append(
            f"{len(report.conflicts)} file(s) with conflicts"
            + (" would be" if report.dry_run else "")
            + " marked with <<<<<<< / ======= / >>>>>>>: resolve them by hand (yours above "
            "=======, the new render below)."
        )
    return lines


def update_project(
    project: Path,
    *,
    assessment: Path | None = None,
    with_patterns: tuple[str, ...] | list[str] = (),
    without_patterns: tuple[str, ...] | list[str] = (),
    rubric_path: Path | None = None,
    dry_run: bool = False,
    force: bool = False,
    template: Path | None = None,
    progress: render.Progress | None = None,
) -> UpdateReport:
    """Merge the project's new render into ``project`` (see the module docstring).

    Raises :class:`UsageError` (not a folder, locked, dirty git tree without ``force``, bad
    pattern options), :class:`InputError` (the assessment or the record is invalid) or
    :class:`ScaffoldError`. Conflicts are not an error: they are in the report.
    """
    from assessor.scaffold.project import load, prepare

    say = progress or (lambda _step: None)
    label = str(project)
    project = Path(os.path.abspath(project))
    if not project.is_dir():
        raise UsageError(f"{label}: not a folder")
    context.check_pattern_options(with_patterns, without_patterns)
    template = Path(os.path.abspath(template or render.default_template()))

    with _locked(project, label):
        recovered = recover(project)
        rec = record.load_record(project, label)
        repo = record.git_toplevel(project)
        if rec.base.kind == "git" and repo is None:
            raise ScaffoldError(
                f"{label}: the recorded render is kept in git (ref {rec.base.ref}), but the "
                "project is no longer in a git repository"
            )
        file = assessment if assessment is not None else project / render.ASSESSMENT_COPY
        if repo is not None and not force:
            # The assessment being followed is the update's input: editing it (in the
            # interactive assessment, which holds its lock file meanwhile) is expected.
            from assessor.app.session.lock import lock_path

            followed = {
                os.path.relpath(os.path.realpath(path), os.path.realpath(repo))
                for path in (file, lock_path(Path(os.path.abspath(file))))
            }
            dirty = [path for path in record.git_dirty(project) if path not in followed]
            if dirty:
                shown = ", ".join(dirty[:5]) + (
                    f" and {len(dirty) - 5} more" if len(dirty) > 5 else ""
                )
                raise UsageError(
                    f"{label} has uncommitted changes ({shown}); commit or stash them first so "
                    "that the update can be reviewed and undone with git, or pass --force"
                )

        say(f"scoring {file}")
        loaded, data = load(file, rubric_path)
        with_set = (set(rec.options.get("with", [])) | set(with_patterns)) - set(without_patterns)
        without_set = (set(rec.options.get("without", [])) | set(without_patterns)) - set(
            with_patterns
        )
        prepared = prepare(
            loaded,
            assessment_bytes=data,
            project_name=rec.options.get("project_name"),
            project_slug=rec.options["project_slug"],
            package_name=rec.options["package_name"],
            with_patterns=sorted(with_set),
            without_patterns=sorted(without_set),
            template=template,
        )

        say("reading the recorded render")
        if rec.base.kind == "git":
            assert repo is not None
            base = record.git_read(repo, rec.base.commit, label)
        else:
            base = record.read_snapshot(project / SNAPSHOT_FILE, label)

        scratch = Path(
            tempfile.mkdtemp(prefix=_SCRATCH.format(name=project.name), dir=project.parent)
        )
        try:
            say("rendering the template")
            rendered = render.render(
                prepared.plan,
                scratch / "theirs",
                assessment_bytes=prepared.assessment_bytes,
                score_json=prepared.score_json(),
                template=template,
            )
            record.check_template_output(rendered.path)
            theirs = record.read_tree(rendered.path)

            say("merging")
            report = UpdateReport(
                project=project,
                result=prepared.result,
                plan=prepared.plan,
                patterns_before=dict(rec.patterns),
                dry_run=dry_run,
                recovered=recovered,
            )
            writes, removes = _merge(project, base, theirs, scratch, report)

            if rec.base.kind == "git":
                assert repo is not None
                same = theirs.files == base.files
                commit = rec.base.commit
                if not same and not dry_run:
                    commit = record.git_store(repo, theirs, rec.base.commit)
                new_base = record.Base("git", rec.base.ref, commit)
            else:
                new_base = record.Base("snapshot")
                if theirs.files != base.files:  # else the snapshot there holds these files
                    snapshot = record.snapshot_bytes(theirs)
                    _write_if_changed(project, SNAPSHOT_FILE, snapshot, False, writes)
            text = record.build(prepared, template, theirs, new_base).text()
            _write_if_changed(project, RECORD_FILE, text.encode("utf-8"), False, writes)

            if dry_run or (not writes and not removes):
                return report
            if new_base.kind == "git" and new_base.commit != rec.base.commit:
                assert repo is not None
                # Before placing: the old base is the new one's parent, so whichever record
                # ends up on disk names a commit the ref keeps reachable.
                record.git_update_ref(repo, new_base.ref, new_base.commit)
            say(f"placing {len(writes) + len(removes)} change(s) into {label}")
            _place(project, scratch, writes, removes)
            report.written = True
            _prune_empty_folders(project, removes)
            return report
        finally:
            if not _unfinished(scratch):
                shutil.rmtree(scratch, ignore_errors=True)


# ------------------------------------------------------------------------------------------
# merging


Writes = dict[str, tuple[bytes, int]]
"""Relative path -> (content, permission bits)."""


def _merge(
    project: Path, base: FileSet, theirs: FileSet, scratch: Path, report: UpdateReport
) -> tuple[Writes, list[str]]:
    writes: Writes = {}
    removes: list[str] = []
    changes = report.changes
    for rel in sorted(set(base.files) | set(theirs.files)):
        b = base.files.get(rel)
        t = theirs.files.get(rel)
        blocked = _blocked(project, rel)
        if blocked:
            if b is None or t is None or b[0] != t[0]:
                changes.append(Change("conflicting", rel, f"{blocked}; left as it is"))
            continue
        target = project / rel
        ours = target.read_bytes() if target.exists() else None
        our_mode = stat.S_IMODE(os.lstat(target).st_mode) if ours is not None else None
        if b is not None and t is not None:
            if ours is None:
                if b[0] != t[0]:
                    changes.append(Change("deleted", rel, "you deleted it; it stays deleted"))
            elif ours == t[0] or t[0] == b[0]:
                pass  # already as rendered, or only the team changed it
            elif ours == b[0]:
                assert our_mode is not None
                writes[rel] = (t[0], our_mode)
                changes.append(Change("updated", rel))
            else:
                assert our_mode is not None
                _merge_file(rel, ours, b[0], t[0], our_mode, scratch, writes, changes)
        elif b is not None:
            if ours is None:
                pass
            elif ours == b[0]:
                removes.append(rel)
                changes.append(Change("removed", rel, "no longer rendered"))
            else:
                changes.append(
                    Change("kept", rel, "no longer rendered, but you changed it: remove by hand")
                )
        elif t is not None:
            if ours is None:
                writes[rel] = (t[0], 0o755 if t[1] else 0o644)
                changes.append(Change("added", rel))
            elif ours != t[0]:
                assert our_mode is not None
                _merge_file(rel, ours, b"", t[0], our_mode, scratch, writes, changes)
    return writes, removes


def _merge_file(
    rel: str,
    ours: bytes,
    base: bytes,
    theirs: bytes,
    mode: int,
    scratch: Path,
    writes: Writes,
    changes: list[Change],
) -> None:
    """Three-way merge with ``git merge-file`` (conflicts marked like ``git merge``)."""
    folder = scratch / "merge"
    folder.mkdir(exist_ok=True)
    paths = []
    for name, data in (("ours", ours), ("base", base), ("theirs", theirs)):
        path = folder / name
        path.write_bytes(data)
        paths.append(str(path))
    labels = [arg for label in MERGE_LABELS for arg in ("-L", label)]
    try:
        proc = subprocess.run(
            ["git", "merge-file", "-p", *labels, *paths], capture_output=True, check=False
        )
    except FileNotFoundError:
        raise ScaffoldError("`assessor update` needs git for its three-way merge") from None
    if proc.returncode < 0 or proc.returncode > 127:
        changes.append(
            Change("conflicting", rel, "cannot be merged as text; kept yours, not updated")
        )
        return
    if proc.returncode > 0:
        changes.append(Change("conflicting", rel, f"{proc.returncode} conflict(s) marked"))
    elif proc.stdout == ours:
        return
    else:
        changes.append(Change("merged", rel, "your edits kept"))
    writes[rel] = (proc.stdout, mode)


def _blocked(project: Path, rel: str) -> str:
    """Why ``rel`` cannot be written in place (a symlink or a file in the way), or ''."""
    probe = project
    parts = rel.split("/")
    for i, part in enumerate(parts):
        probe = probe / part
        try:
            st = os.lstat(probe)
        except FileNotFoundError:
            return ""
        if stat.S_ISLNK(st.st_mode):
            return "a symlink is in the way"
        last = i == len(parts) - 1
        if not last and not stat.S_ISDIR(st.st_mode):
            return f"{'/'.join(parts[: i + 1])} is not a folder"
        if last and not stat.S_ISREG(st.st_mode):
            return "not a regular file"
    return ""


def _write_if_changed(
    project: Path, rel: str, data: bytes, executable: bool, writes: Writes
) -> None:
    blocked = _blocked(project, rel)
    if blocked:
        raise ScaffoldError(f"{project / rel}: {blocked}; cannot record the update")
    target = project / rel
    try:
        if target.read_bytes() == data:
            return
    except OSError:
        pass
    writes[rel] = (data, 0o755 if executable else 0o644)


# ------------------------------------------------------------------------------------------
# placing, with a journal to roll back from


def _place(project: Path, scratch: Path, writes: Writes, removes: list[str]) -> None:
    staged = scratch / "staged"
    for rel, (data, mode) in writes.items():
        path = staged / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(path, mode)
    ops = [
        {"path": rel, "write": rel in writes, "existed": os.path.lexists(project / rel)}
        for rel in sorted(set(writes) | set(removes))
    ]
    folders = sorted(
        {
            "/".join(rel.split("/")[:i])
            for rel in writes
            for i in range(1, rel.count("/") + 1)
            if not os.path.lexists(project.joinpath(*rel.split("/")[:i]))
        },
        key=lambda f: (f.count("/"), f),
    )
    journal = {"project": str(project), "ops": ops, "folders": folders}
    from assessor.fileio import atomic_write

    atomic_write(scratch / _JOURNAL, json.dumps(journal, indent=1))
    try:
        for folder in folders:
            os.mkdir(project / folder)
        backup = scratch / "backup"
        for op in ops:
            rel = str(op["path"])
            target = project / rel
            if op["existed"]:
                saved = backup / rel
                saved.parent.mkdir(parents=True, exist_ok=True)
                os.replace(target, saved)
            if op["write"]:
                os.replace(staged / rel, target)
        _fsync_folder(project)
        atomic_write(scratch / _DONE, "")
    except BaseException:
        try:
            _rollback(project, scratch, journal)
        except OSError as exc:
            raise ScaffoldError(
                f"{project}: the update failed and could not be rolled back completely "
                f"({exc.strerror or exc}); the replaced files are kept in {scratch}/backup, "
                "and the next `assessor update` finishes the rollback"
            ) from exc
        raise


def _rollback(project: Path, scratch: Path, journal: Mapping[str, object]) -> None:
    """Undo a placement from its journal: DIR is as it was before it started."""
    backup = scratch / "backup"
    ops = journal.get("ops")
    folders = journal.get("folders")
    assert isinstance(ops, list) and isinstance(folders, list)
    for op in reversed(ops):
        rel = str(op["path"])
        target, saved = project / rel, backup / rel
        if os.path.lexists(saved):
            os.replace(saved, target)
        elif not op["existed"] and op["write"] and os.path.lexists(target):
            os.unlink(target)
    for folder in reversed(folders):
        with contextlib.suppress(OSError):
            os.rmdir(project / str(folder))
    _fsync_folder(project)
    # Rolled back: the scratch folder may go. Until here the journal keeps it (and the
    # backups in it) for the next update to finish the rollback.
    os.unlink(scratch / _JOURNAL)


def _unfinished(scratch: Path) -> bool:
    """A placement started there and was neither finished nor rolled back."""
    return (scratch / _JOURNAL).exists() and not (scratch / _DONE).exists()


def recover(project: Path) -> bool:
    """Roll back (or clean up after) interrupted updates of ``project``; True if one was
    rolled back. Called with the project locked."""
    rolled_back = False
    prefix = _SCRATCH.format(name=project.name)
    for scratch in sorted(project.parent.glob(_glob_escape(prefix) + "*")):
        if not scratch.is_dir() or scratch.is_symlink():
            continue
        journal_path = scratch / _JOURNAL
        if journal_path.is_file() and not (scratch / _DONE).exists():
            try:
                journal = json.loads(journal_path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                raise ScaffoldError(
                    f"{scratch}: an interrupted update left an unreadable journal; the "
                    "project may be half-updated (its previous files are under backup/ there)"
                ) from None
            if journal.get("project") != str(project):
                continue
            _rollback(project, scratch, journal)
            rolled_back = True
        shutil.rmtree(scratch, ignore_errors=True)
    return rolled_back


def _glob_escape(text: str) -> str:
    import glob

    return glob.escape(text)


def _prune_empty_folders(project: Path, removed: list[str]) -> None:
    for rel in removed:
        parts = rel.split("/")[:-1]
        while parts:
            with contextlib.suppress(OSError):
                os.rmdir(project.joinpath(*parts))
            parts.pop()


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def _locked(project: Path, label: str) -> Iterator[None]:
    """One update of a project at a time (an advisory lock on the folder itself)."""
    fd = os.open(project, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
                raise UsageError(f"{label}: another `assessor update` is running on it") from None
            raise
        yield
    finally:
        os.close(fd)


__all__ = ["ACTIONS", "RECORD_DIR", "Change", "UpdateReport", "recover", "update_project"]
