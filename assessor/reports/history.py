"""An assessment file's verdict and score over its git history (``assessor report --history``).

Reads git through its command line: ``git log --follow`` lists the commits that touched the
file (following renames), and one ``git cat-file --batch`` process reads every version, so a
file with a hundred commits costs two git processes, not a hundred.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from assessor.domain.load import load_assessment
from assessor.domain.rubric import Rubric
from assessor.domain.scoring import score
from assessor.errors import InputError, ReportError
from assessor.reports.model import HistoryPoint
from assessor.reports.words import one_line

MAX_COMMITS = 200
_RECORD, _FIELD = "\x1e", "\x1f"


def _git(args: list[str], cwd: Path, *, stdin: bytes | None = None) -> bytes:
    git = shutil.which("git")
    if git is None:
        raise ReportError("--history needs git, and git was not found on PATH; install git")
    env = {**os.environ, "LC_ALL": "C", "GIT_PAGER": "cat", "GIT_TERMINAL_PROMPT": "0"}
    try:
        done = subprocess.run(
            [git, "-c", "core.quotepath=off", *args],
            cwd=cwd,
            input=stdin,
            capture_output=True,
            env=env,
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ReportError(f"git failed: {exc}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ReportError(f"git {args[0]} failed: {message[-1] if message else done.returncode}")
    return done.stdout


def file_history(path: Path, rubric: Rubric | None = None) -> list[HistoryPoint]:
    """Verdict and score of ``path`` at each commit that changed it, oldest first.

    Uncommitted changes in the working copy are the last point. A version that does not load
    (it was invalid at that commit) is a point with ``error`` set, not a failure.
    """
    path = Path(path)
    folder = path.resolve().parent
    if not folder.is_dir():
        raise ReportError(f"{path}: folder not found")
    try:
        top = _git(["rev-parse", "--show-toplevel"], folder).decode().strip()
    except ReportError as exc:
        if "git was not found" in exc.message:
            raise
        raise ReportError(
            f"{path} is not in a git repository; --history reads the file's commits"
        ) from None
    root = Path(top)
    relative = path.resolve().relative_to(root.resolve()).as_posix()
    log = _git(
        [
            "log",
            "--follow",
            f"-n{MAX_COMMITS}",
            f"--format={_RECORD}%H{_FIELD}%aI{_FIELD}%an{_FIELD}%s",
            "--name-only",
            "--",
            relative,
        ],
        root,
    ).decode("utf-8", "replace")
    commits: list[tuple[str, str, str, str, str]] = []
    for record in log.split(_RECORD)[1:]:
        header, _, names = record.partition("\n")
        sha, date, author, subject = [*header.split(_FIELD), "", "", "", ""][:4]
        name = next((n for n in names.splitlines() if n.strip()), relative)
        commits.append((sha, date, author, subject, name))
    if not commits:
        raise ReportError(f"{path} has no commits in git; commit it to see its history")

    blobs = _read_blobs(root, [f"{sha}:{name}" for sha, *_, name in commits])
    points = []
    for (sha, date, author, subject, _name), blob in zip(commits, blobs, strict=True):
        points.append(_point(path, rubric, blob, sha, date, author, subject))
    points.reverse()

    status = _git(["status", "--porcelain", "--", relative], root).decode("utf-8", "replace")
    if status.strip() and path.is_file():
        import datetime as dt

        from assessor.domain.source import MAX_BYTES
        from assessor.fileio import read_bytes

        mtime = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).isoformat(
            timespec="seconds"
        )
        data = read_bytes(path, limit=MAX_BYTES)
        points.append(_point(path, rubric, data, None, mtime, "", "uncommitted changes"))
    return points


def _read_blobs(root: Path, objects: list[str]) -> list[bytes | None]:
    """The content of each ``commit:path`` object (None when missing), via one git process."""
    out = _git(["cat-file", "--batch"], root, stdin="".join(o + "\n" for o in objects).encode())
    blobs: list[bytes | None] = []
    pos = 0
    for _ in objects:
        end = out.index(b"\n", pos)
        header = out[pos:end].split(b" ")
        pos = end + 1
        if len(header) == 3 and header[1] == b"blob":
            size = int(header[2])
            blobs.append(out[pos : pos + size])
            pos += size + 1
        else:
            blobs.append(None)
    return blobs


def _point(
    path: Path,
    rubric: Rubric | None,
    blob: bytes | None,
    sha: str | None,
    date: str,
    author: str,
    subject: str,
) -> HistoryPoint:
    base = HistoryPoint(commit=sha, date=date, author=one_line(author), subject=one_line(subject))
    if blob is None:
        return base.model_copy(update={"error": "file not readable at this commit"})
    try:
        text = blob.decode("utf-8-sig")
        loaded = load_assessment(path, rubric, text=text)
    except UnicodeDecodeError as exc:
        return base.model_copy(update={"error": f"not UTF-8 at this commit (byte {exc.start})"})
    except InputError as exc:
        first = exc.problems[0] if exc.problems else None
        detail = f"{first.path}: {first.message}" if first and first.path else str(first or exc)
        return base.model_copy(update={"error": f"invalid at this commit: {one_line(detail)}"})
    result = score(loaded.rubric, loaded.assessment.use_case, loaded.answers, improvements=False)
    return base.model_copy(
        update={
            "verdict": result.verdict,
            "score": result.score,
            "blockers": len(result.blockers),
            "conditions": len(result.conditions),
        }
    )
