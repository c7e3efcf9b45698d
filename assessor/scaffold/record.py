"""What a generated project was rendered from, kept inside the project for ``assessor update``.

``.assessor/project.yaml`` says which template (name and digest) and which assessor rendered
the project, the context and the patterns used, the names and pattern overrides chosen, and
the SHA-256 of every file as rendered. The render itself (the *base* of the next three-way
merge) is kept either

* as a commit on a ref of the project's git repository (``refs/assessor/base...``), written
  with git plumbing (objects, a temporary index, ``commit-tree``, ``update-ref``): the user's
  index, HEAD and work tree are never touched; or, when the project is not in a repository,
* as a deterministic compressed snapshot, ``.assessor/base.tar.gz`` (sorted, no timestamps),
  so that recording the same render twice gives the same bytes.

Everything under ``.assessor/`` is assessor's, not the template's: it is never part of the
recorded files, and a template that writes there is refused.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import re
import stat
import subprocess
import tarfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from assessor.errors import InputError, Problem, ScaffoldError, UsageError

if TYPE_CHECKING:
    from assessor.scaffold.project import Prepared

RECORD_DIR = ".assessor"
RECORD_FILE = f"{RECORD_DIR}/project.yaml"
SNAPSHOT_FILE = f"{RECORD_DIR}/base.tar.gz"
FORMAT_VERSION = 1
MAX_SNAPSHOT_BYTES = 64 * 1024 * 1024
"""A rendered project is well under 1 MB; a bigger snapshot is refused as corrupt."""

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_HEX40 = re.compile(r"^[0-9a-f]{40}(?:[0-9a-f]{24})?$")
_REF = re.compile(r"^refs/assessor/base(?:-[0-9a-f]{16})?$")
_HEADER = (
    "# Written by assessor (scaffold, update): what this project was rendered from.\n"
    "# `assessor update` merges the new render into the project against this record;\n"
    "# do not edit it by hand.\n"
)


@dataclass(frozen=True)
class FileSet:
    """Files of a render: relative POSIX path -> (content, executable)."""

    files: dict[str, tuple[bytes, bool]]

    def digests(self) -> dict[str, str]:
        return {rel: sha256(data) for rel, (data, _x) in sorted(self.files.items())}


@dataclass(frozen=True)
class Base:
    """Where the recorded render is kept."""

    kind: str
    """``git`` or ``snapshot``."""
    ref: str = ""
    commit: str = ""

    def as_dict(self) -> dict[str, str]:
        if self.kind == "git":
            return {"kind": "git", "ref": self.ref, "commit": self.commit}
        return {"kind": "snapshot", "path": SNAPSHOT_FILE}


@dataclass(frozen=True)
class Record:
    """The contents of ``.assessor/project.yaml``."""

    assessor_version: str
    template: dict[str, str]
    """``name`` and ``digest`` (SHA-256 over the template's paths and contents)."""
    options: dict[str, Any]
    """What ``update`` must render with again: ``project_slug``, ``package_name``,
    ``project_name`` (only when chosen apart from the use case's name), ``with``, ``without``."""
    patterns: dict[str, bool]
    context: dict[str, Any]
    base: Base
    files: dict[str, str] = field(default_factory=dict)

    def text(self) -> str:
        import yaml

        doc = {
            "version": FORMAT_VERSION,
            "assessor": self.assessor_version,
            "template": dict(self.template),
            "options": dict(self.options),
            "patterns": dict(self.patterns),
            "context": dict(self.context),
            "base": self.base.as_dict(),
            "files": dict(sorted(self.files.items())),
        }
        return _HEADER + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def template_digest(template: Path) -> str:
    """A digest of every file of a template (path and content), stable across machines."""
    digest = hashlib.sha256()
    for path in sorted(template.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(template).as_posix().encode())
            digest.update(b"\0")
            digest.update(path.read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()


def build(prepared: Prepared, template: Path, files: FileSet, base: Base) -> Record:
    """The record of a render of ``prepared`` with ``template``."""
    from assessor import __version__

    plan = prepared.plan
    options: dict[str, Any] = {
        "project_slug": plan.project_slug,
        "package_name": plan.package_name,
    }
    if plan.project_name != plan.use_case.get("name"):
        options["project_name"] = plan.project_name
    options["with"] = list(prepared.with_patterns)
    options["without"] = list(prepared.without_patterns)
    return Record(
        assessor_version=__version__,
        template={"name": template.name, "digest": template_digest(template)},
        options=options,
        patterns={choice.id: choice.on for choice in plan.patterns},
        context=plan.extra_context(),
        base=base,
        files=files.digests(),
    )


class Recorder:
    """Records a scaffold's render: in the scratch project before placement, then the ref."""

    def __init__(self, prepared: Prepared, template: Path, out: Path) -> None:
        self.prepared = prepared
        self.template = template
        self.out = out
        self.repo = git_toplevel(out)
        self.base: Base | None = None

    def finish(self, project: Path) -> None:
        check_template_output(project)
        files = read_tree(project)
        if self.repo is not None:
            commit = git_store(self.repo, files, None)
            self.base = Base("git", ref_for(self.repo, self.out), commit)
        else:
            self.base = Base("snapshot")
        os.mkdir(project / RECORD_DIR)
        text = build(self.prepared, self.template, files, self.base).text()
        (project / RECORD_FILE).write_text(text, encoding="utf-8")
        if self.base.kind == "snapshot":
            (project / SNAPSHOT_FILE).write_bytes(snapshot_bytes(files))

    def placed(self) -> None:
        if self.repo is not None and self.base is not None and self.base.kind == "git":
            git_update_ref(self.repo, self.base.ref, self.base.commit)


# ------------------------------------------------------------------------------------------
# reading a rendered tree


def read_tree(root: Path) -> FileSet:
    """Every regular file under ``root`` except ``.assessor/`` (symlinks are refused)."""
    files: dict[str, tuple[bytes, bool]] = {}
    for rel, path in _files(root, root):
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode):
            raise ScaffoldError(f"the rendered project contains a non-regular file ({rel})")
        files[rel] = (path.read_bytes(), bool(st.st_mode & stat.S_IXUSR))
    return FileSet(files)


def _files(root: Path, top: Path) -> Iterator[tuple[str, Path]]:
    with os.scandir(root) as it:
        entries = sorted(it, key=lambda e: e.name)
    for entry in entries:
        path = Path(entry.path)
        rel = path.relative_to(top).as_posix()
        if rel == RECORD_DIR:
            continue
        if entry.is_dir(follow_symlinks=False):
            yield from _files(path, top)
        else:
            yield rel, path


def check_template_output(root: Path) -> None:
    """The template must not write assessor's own folder."""
    if os.path.lexists(root / RECORD_DIR):
        raise ScaffoldError(f"the template itself writes {RECORD_DIR}/; it must not")


# ------------------------------------------------------------------------------------------
# the snapshot (projects outside git)


def snapshot_bytes(files: FileSet) -> bytes:
    """A deterministic ``tar.gz`` of ``files``: sorted, no owners, no timestamps."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for rel, (data, executable) in sorted(files.files.items()):
            info = tarfile.TarInfo(rel)
            info.size = len(data)
            info.mode = 0o755 if executable else 0o644
            info.mtime = 0
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0, filename="") as zipped:
        zipped.write(raw.getvalue())
    return out.getvalue()


def read_snapshot(path: Path, label: str) -> FileSet:
    """Read a snapshot back, refusing anything but plain files at safe relative paths."""
    try:
        size = os.stat(path).st_size
    except FileNotFoundError:
        raise ScaffoldError(
            f"{label}: the recorded render ({SNAPSHOT_FILE}) is missing; `assessor update` "
            "needs it to tell your edits from the template's"
        ) from None
    if size > MAX_SNAPSHOT_BYTES:
        raise ScaffoldError(f"{label}: {SNAPSHOT_FILE} is too large ({size} bytes)")
    files: dict[str, tuple[bytes, bool]] = {}
    total = 0
    try:
        with tarfile.open(path, mode="r:gz") as tar:
            for member in tar:
                if not member.isfile() or not safe_relative(member.name):
                    raise ScaffoldError(
                        f"{label}: {SNAPSHOT_FILE} holds an unexpected entry {member.name!r}"
                    )
                total += member.size
                if total > MAX_SNAPSHOT_BYTES:
                    raise ScaffoldError(f"{label}: {SNAPSHOT_FILE} unpacks too large")
                handle = tar.extractfile(member)
                assert handle is not None  # a regular file always has one
                files[member.name] = (handle.read(), bool(member.mode & 0o100))
    except (tarfile.TarError, OSError, EOFError, gzip.BadGzipFile) as exc:
        raise ScaffoldError(f"{label}: {SNAPSHOT_FILE} is unreadable: {exc}") from None
    return FileSet(files)


def safe_relative(rel: str) -> bool:
    """A relative POSIX path inside the project, outside ``.assessor/``."""
    if not rel or "\\" in rel or "\0" in rel:
        return False
    path = PurePosixPath(rel)
    if path.is_absolute() or any(part in ("", ".", "..") for part in rel.split("/")):
        return False
    return path.parts[0] != RECORD_DIR


# ------------------------------------------------------------------------------------------
# git (projects inside a repository)


def git_toplevel(folder: Path) -> Path | None:
    """The work tree ``folder`` (or its nearest existing parent) belongs to, if any."""
    probe = folder
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    try:
        proc = subprocess.run(
            ["git", "-C", str(probe), "rev-parse", "--show-toplevel"],
            capture_output=True,
            text=True,
            check=False,
            env=_git_env(),
        )
    except FileNotFoundError:  # git is not installed
        return None
    if proc.returncode != 0 or not proc.stdout.strip():
        return None
    return Path(proc.stdout.strip())


def ref_for(toplevel: Path, project: Path) -> str:
    """The ref keeping a project's base: one per project folder of a repository."""
    rel = os.path.relpath(os.path.realpath(project), os.path.realpath(toplevel))
    if rel == ".":
        return "refs/assessor/base"
    return "refs/assessor/base-" + hashlib.sha256(rel.encode()).hexdigest()[:16]


def git_store(repo: Path, files: FileSet, parent: str | None) -> str:
    """Write ``files`` as a commit (objects only: no ref, index or work tree changes)."""
    import tempfile

    entries = []
    with tempfile.TemporaryDirectory(prefix=".assessor-git-") as tmp:
        paths = []
        for i, (_rel, (data, _x)) in enumerate(sorted(files.files.items())):
            blob_path = Path(tmp) / str(i)
            blob_path.write_bytes(data)
            paths.append(str(blob_path))
        shas = (
            _git(
                repo, ["hash-object", "-w", "--no-filters", "--stdin-paths"], "\n".join(paths)
            ).split()
            if paths
            else []
        )
        for (rel, (_data, executable)), sha in zip(sorted(files.files.items()), shas, strict=True):
            entries.append(f"{'100755' if executable else '100644'} {sha}\t{rel}")
        index = Path(tmp) / "index"
        env = {"GIT_INDEX_FILE": str(index)}
        _git(repo, ["update-index", "--add", "--index-info"], "\n".join(entries) + "\n", env)
        tree = _git(repo, ["write-tree"], None, env).strip()
    args = ["commit-tree", tree, "-m", "assessor: rendered project (base of `assessor update`)"]
    if parent:
        args[2:2] = ["-p", parent]
    return _git(repo, args, None, _COMMIT_ENV).strip()


def git_read(repo: Path, commit: str, label: str) -> FileSet:
    """The files of a base commit, byte for byte (``cat-file``: no filters, no attributes)."""
    try:
        listing = _git(repo, ["ls-tree", "-r", "-z", commit], None)
    except ScaffoldError:
        raise ScaffoldError(
            f"{label}: the recorded render (commit {commit[:12]}) is not in this repository; "
            "fetch it with `git fetch origin 'refs/assessor/*:refs/assessor/*'` (push it with "
            "`git push origin 'refs/assessor/*'`)"
        ) from None
    items = []
    for entry in listing.split("\0"):
        if not entry:
            continue
        meta, rel = entry.split("\t", 1)
        mode, kind, sha = meta.split()
        if kind != "blob" or not safe_relative(rel):
            raise ScaffoldError(f"{label}: the recorded render holds an unexpected entry {rel!r}")
        items.append((rel, mode, sha))
    proc = subprocess.run(
        ["git", "-C", str(repo), "cat-file", "--batch"],
        input="".join(f"{sha}\n" for _rel, _mode, sha in items).encode(),
        capture_output=True,
        check=False,
        env=_git_env(),
    )
    if proc.returncode != 0:
        raise ScaffoldError(f"git cat-file failed: {proc.stderr.decode(errors='replace')}")
    out = proc.stdout
    files: dict[str, tuple[bytes, bool]] = {}
    pos = 0
    for rel, mode, _sha in items:
        header_end = out.index(b"\n", pos)
        size = int(out[pos:header_end].split()[2])
        start = header_end + 1
        files[rel] = (out[start : start + size], mode == "100755")
        pos = start + size + 1
    return FileSet(files)


def git_update_ref(repo: Path, ref: str, commit: str) -> None:
    _git(repo, ["update-ref", "-m", "assessor: record the rendered project", ref, commit], None)


def git_dirty(project: Path) -> list[str]:
    """Changed or untracked paths under ``project`` (git status, porcelain: relative to the
    repository's top level)."""
    # --no-optional-locks: looking must not rewrite the user's index (a refresh would).
    args = ["--no-optional-locks", "status", "--porcelain=v1", "-z", "--untracked-files=all"]
    out = _git(project, [*args, "--", "."], None)
    return [entry[3:] for entry in out.split("\0") if len(entry) > 3]


_COMMIT_ENV = {
    # The base commit is the template's, not a person's; fixed dates keep it reproducible.
    "GIT_AUTHOR_NAME": "assessor",
    "GIT_AUTHOR_EMAIL": "assessor@localhost",
    "GIT_COMMITTER_NAME": "assessor",
    "GIT_COMMITTER_EMAIL": "assessor@localhost",
    "GIT_AUTHOR_DATE": "1970-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "1970-01-01T00:00:00Z",
}


def _git_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["GIT_CONFIG_NOSYSTEM"] = "1"
    env.update(extra or {})
    return env


def _git(
    repo: Path, args: list[str], stdin: str | None, env: Mapping[str, str] | None = None
) -> str:
    try:
        proc = subprocess.run(
            ["git", "-C", str(repo), "-c", "commit.gpgsign=false", *args],
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
            env=_git_env(env),
        )
    except FileNotFoundError:
        raise ScaffoldError("git is not installed; the recorded render is kept in git") from None
    if proc.returncode != 0:
        command = next(arg for arg in args if not arg.startswith("-"))
        raise ScaffoldError(f"git {command} failed: {proc.stderr.strip()}")
    return proc.stdout


# ------------------------------------------------------------------------------------------
# reading the record


def load_record(project: Path, label: str) -> Record:
    """Read and check ``.assessor/project.yaml`` (errors name file:line:column and field)."""
    from assessor.domain import source as src

    path = project / RECORD_FILE
    name = f"{label}/{RECORD_FILE}"
    if not path.is_file():
        raise UsageError(
            f"{label}: not a generated project (no {RECORD_FILE}); `assessor update` works on "
            "projects rendered by `assessor scaffold` since it keeps that record"
        )
    parsed = src.parse(src.read_text(path, name), name)
    data = parsed.data
    problems: list[Problem] = []

    def need(path_: tuple[str, ...], kind: type | tuple[type, ...], what: str) -> Any:
        value: Any = data
        for key in path_:
            if not isinstance(value, dict) or key not in value:
                problems.append(parsed.problem(path_, f"missing; expected {what}"))
                return None
            value = value[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            problems.append(parsed.problem(path_, f"expected {what}"))
            return None
        return value

    if not isinstance(data, dict):
        raise InputError(Problem(name, 1, 1, "", "expected a mapping"))
    version = need(("version",), int, f"the number {FORMAT_VERSION}")
    if version is not None and version != FORMAT_VERSION:
        problems.append(parsed.problem(("version",), f"unsupported version {version}"))
    assessor_version = need(("assessor",), str, "a version")
    template = need(("template",), dict, "a mapping")
    options = need(("options",), dict, "a mapping")
    patterns = need(("patterns",), dict, "a mapping")
    context = need(("context",), dict, "a mapping")
    base_kind = need(("base", "kind"), str, "git or snapshot")
    files = need(("files",), dict, "a mapping of paths to SHA-256 digests")
    base = Base("snapshot")
    if base_kind == "git":
        ref = need(("base", "ref"), str, "a ref under refs/assessor/")
        commit = need(("base", "commit"), str, "a commit id")
        if isinstance(ref, str) and not _REF.match(ref):
            problems.append(parsed.problem(("base", "ref"), "expected refs/assessor/base..."))
        if isinstance(commit, str) and not _HEX40.match(commit):
            problems.append(parsed.problem(("base", "commit"), "expected a commit id"))
        base = Base("git", ref or "", commit or "")
    elif base_kind is not None and base_kind != "snapshot":
        problems.append(parsed.problem(("base", "kind"), "expected git or snapshot"))
    for rel, digest in (files or {}).items():
        if not isinstance(rel, str) or not safe_relative(rel):
            problems.append(parsed.problem(("files", str(rel)), "not a path inside the project"))
        elif not isinstance(digest, str) or not _HEX64.match(digest):
            problems.append(parsed.problem(("files", rel), "expected a SHA-256 digest"))
    for key in ("project_slug", "package_name"):
        if options is not None and not isinstance(options.get(key), str):
            problems.append(parsed.problem(("options", key), "expected a name"))
    for key in ("with", "without"):
        value = (options or {}).get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problems.append(parsed.problem(("options", key), "expected a list of patterns"))
    if problems:
        raise InputError(problems)
    return Record(
        assessor_version=assessor_version,
        template={str(k): str(v) for k, v in template.items()},
        options=dict(options),
        patterns={str(k): bool(v) for k, v in patterns.items()},
        context=dict(context),
        base=base,
        files=dict(files),
    )
