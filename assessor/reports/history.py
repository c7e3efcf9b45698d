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


# Repository configuration that could run a program is switched off for every git call: a
# client's repository is data, and reading its history must not execute anything it names.
_SAFE_CONFIG = (
    "core.fsmonitor=false",  # a command run to list changed files
    "core.hooksPath=/dev/null",  # hooks
    "core.pager=cat",
    "pager.log=false",
    "diff.external=",  # an external diff program
    "log.showSignature=false",  # gpg.program would run to check signatures
    "core.untrackedCache=false",
    "core.quotepath=off",
    "protocol.allow=never",  # no transport (ext:: runs commands)
)
_SAFE_FLAGS = ("--no-pager", "--no-replace-objects")


def _git(
    args: list[str], cwd: Path, *, stdin: bytes | None = None, trust: Path | None = None
) -> bytes:
    git = shutil.which("git")
    if git is None:
        raise ReportError("--history needs git, and git was not found on PATH; install git")
    # No GIT_* variable of the caller steers git (GIT_DIR, GIT_EXTERNAL_DIFF, GIT_PAGER, ...);
    # no system or global configuration (only the repository's, with _SAFE_CONFIG over it).
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        {
            "LC_ALL": "C",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_PAGER": "cat",
            "PAGER": "cat",
        }
    )
    config = [*_SAFE_CONFIG]
    if trust is not None:
        config.append(f"safe.directory={trust}")
    command = [git, *_SAFE_FLAGS]
    for item in config:
        command += ["-c", item]
    try:
        done = subprocess.run(
            [*command, *args],
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


def repository_of(path: Path, *, trust_repo: bool = False) -> Path:
    """The top folder of the git work tree holding ``path``, checked before git runs.

    A repository owned by another user is refused unless ``trust_repo`` (git's own
    ``safe.directory`` rule, applied here first): its configuration is someone else's.
    """
    from assessor.errors import UsageError

    folder = path.resolve().parent
    if not folder.is_dir():
        raise ReportError(f"{path}: folder not found")
    top = next((p for p in (folder, *folder.parents) if os.path.lexists(p / ".git")), None)
    if top is None:
        raise ReportError(f"{path} is not in a git repository; --history reads the file's commits")
    me = os.geteuid()
    for item in (top, top / ".git"):
        owner = os.lstat(item).st_uid
        if owner != me and not trust_repo:
            raise UsageError(
                f"{path}: the git repository {top} is owned by another user (uid {owner}); "
                "its history is read only if you trust it: pass --trust-repo"
            )
    return top


def file_history(
    path: Path, rubric: Rubric | None = None, *, trust_repo: bool = False
) -> list[HistoryPoint]:
    """Verdict and score of ``path`` at each commit that changed it, oldest first.

    Uncommitted changes in the working copy are the last point. A version that does not load
    (it was invalid at that commit) is a point with ``error`` set, not a failure.
    """
    path = Path(path)
    root = repository_of(path, trust_repo=trust_repo)
    trust = root if trust_repo else None
    relative = path.resolve().relative_to(root.resolve()).as_posix()
    log = _git(
        [
            "log",
            "--follow",
            "--no-ext-diff",
            "--no-textconv",
            "--no-show-signature",
            f"-n{MAX_COMMITS}",
            f"--format={_RECORD}%H{_FIELD}%aI{_FIELD}%an{_FIELD}%s",
            "--name-only",
            "--",
            relative,
        ],
        root,
        trust=trust,
    ).decode("utf-8", "replace")
    commits: list[tuple[str, str, str, str, str]] = []
    for record in log.split(_RECORD)[1:]:
        header, _, names = record.partition("\n")
        sha, date, author, subject = [*header.split(_FIELD), "", "", "", ""][:4]
        name = next((n for n in names.splitlines() if n.strip()), relative)
        commits.append((sha, date, author, subject, name))
    if not commits:
        raise ReportError(f"{path} has no commits in git; commit it to see its history")

    blobs = _read_blobs(root, [f"{sha}:{name}" for sha, *_, name in commits], trust)
    points = []
    for (sha, date, author, subject, _name), blob in zip(commits, blobs, strict=True):
        points.append(_point(path, rubric, blob, sha, date, author, subject))
    points.reverse()

    # Uncommitted changes: the file differs from its newest committed version. Compared
    # here, not with `git status` (which runs the repository's fsmonitor and clean filters).
    if path.is_file():
        import datetime as dt

        from assessor.domain.source import MAX_BYTES
        from assessor.fileio import read_bytes

        data = read_bytes(path, limit=MAX_BYTES)
        if data != blobs[0]:
            mtime = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).isoformat(
                timespec="seconds"
            )
            points.append(_point(path, rubric, data, None, mtime, "", "uncommitted changes"))
    return points


def _read_blobs(root: Path, objects: list[str], trust: Path | None) -> list[bytes | None]:
    """The content of each ``commit:path`` object (None when missing), via one git process
    (raw blobs: no filters, no textconv)."""
    stdin = "".join(o + "\n" for o in objects).encode()
    out = _git(["cat-file", "--batch"], root, stdin=stdin, trust=trust)
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
