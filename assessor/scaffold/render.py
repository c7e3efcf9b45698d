"""Render the project template INTO a destination folder, safely.

How a render goes (``render_project``):

1. Everything that can be refused is refused before anything is written: the destination
   (must not exist, or be an empty folder; a non-empty one needs ``force``), the names, the
   patterns, user text with control or bidirectional characters.
2. cookiecutter renders into a fresh temporary folder next to the destination (same file
   system). User text never reaches Jinja as template source: cookiecutter renders the
   non-underscore values of its context as templates, so those are passed as placeholders and
   the literal values are put back into the context before the files are generated;
   ``_use_case`` is copied raw by cookiecutter. Every rendered path is checked beforehand to
   stay inside the project.
3. The rendered tree is checked: only regular files and folders, no symlinks, nothing outside.
   The assessment (byte for byte) and its score JSON are added as ``assessment.yaml`` and
   ``assessment.score.json``.
   Compiled files (``__pycache__``, ``.pyc``) an installed template may hold are dropped.
4. The files are placed into the destination without ever replacing anything: each file is
   hard-linked (or copied) with "fail if it exists", relative to an opened folder
   (``dir_fd``, ``O_NOFOLLOW``): a folder swapped for a symlink is never followed. With
   ``force`` an existing folder may already hold files; a file the project would write that
   already exists with other content stops the run *before* anything is placed (identical
   files are left as they are). Nothing of the user's is deleted, overwritten or renamed.
5. On any failure (or Ctrl+C, SIGTERM, SIGHUP) the temporary folder is removed, and so is
   every file and folder this run placed, the destination itself only if this run created
   it. cookiecutter's own temporary files are made inside the temporary folder.
"""

from __future__ import annotations

import contextlib
import errno
import filecmp
import json
import logging
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assessor.errors import OutputExistsError, ScaffoldError, UsageError
from assessor.scaffold.context import Plan

Progress = Callable[[str], None]

ASSESSMENT_COPY = "assessment.yaml"
SCORE_COPY = "assessment.score.json"
TEMPLATE_NAME = "ai-service"
_PLACEHOLDER = "assessor-placeholder-{key}"
_MAX_CONFLICTS_SHOWN = 8


def default_template() -> Path:
    from assessor.resources import templates_dir

    return templates_dir() / TEMPLATE_NAME


def template_task_types(template: Path) -> list[str]:
    """The task types the template offers (its ``task_type`` choice)."""
    from assessor.errors import InputError
    from assessor.fileio import read_bytes

    try:
        data = json.loads(read_bytes(template / "cookiecutter.json", limit=1 << 20))
    except (InputError, ValueError) as exc:
        raise ScaffoldError(f"cannot read the template's cookiecutter.json: {exc}") from None
    choices = data.get("task_type")
    return [str(c) for c in choices] if isinstance(choices, list) else []


# ------------------------------------------------------------------------------------------
# destination


@dataclass(frozen=True)
class Destination:
    path: Path
    """Absolute (not resolved: a symlinked DIR is the user's choice)."""
    existed: bool
    empty: bool


def check_destination(out: Path, *, force: bool) -> Destination:
    """Refuse a destination we must not render into (before anything is written)."""
    path = Path(os.path.abspath(out))
    if str(out) == "" or path == Path(path.anchor):
        raise UsageError(f"{out}: cannot render into the root of a file system")
    try:
        st = os.stat(path)
    except FileNotFoundError:
        _check_parent_chain(path)
        return Destination(path, existed=False, empty=True)
    except NotADirectoryError:
        raise UsageError(f"{out}: a parent of this path is a file") from None
    if not stat.S_ISDIR(st.st_mode):
        raise OutputExistsError(f"{out} exists and is not a folder; choose another -o")
    try:
        entries = os.listdir(path)
    except PermissionError:
        raise UsageError(f"{out}: permission denied") from None
    if entries and not force:
        raise OutputExistsError(
            f"{out} is not empty ({len(entries)} entries); choose an empty or new folder, or "
            "pass --force to add the project next to what is there (--force never deletes "
            "or overwrites a file)"
        )
    return Destination(path, existed=True, empty=not entries)


def _check_parent_chain(path: Path) -> None:
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise UsageError(f"{parent} is not a folder")
            return


# ------------------------------------------------------------------------------------------
# rendering


@dataclass
class Rendered:
    """A finished render: where it went and what was decided."""

    path: Path
    plan: Plan
    created: list[Path]
    """Files and folders this run placed (folders first)."""
    kept: list[Path]
    """Files the project would write that already existed with identical content."""


def render(
    plan: Plan,
    out: Path,
    *,
    assessment_bytes: bytes,
    score_json: str,
    force: bool = False,
    template: Path | None = None,
    progress: Progress | None = None,
) -> Rendered:
    """Render ``plan`` into ``out`` (see the module docstring for the guarantees)."""
    say = progress or (lambda _step: None)
    template = Path(os.path.abspath(template or default_template()))
    dest = check_destination(out, force=force)
    _check_template(template)

    created_parents: list[Path] = []
    scratch: Path | None = None
    placed: list[Path] = []
    created_dest = False
    restore_signals = _signals_raise()
    try:
        created_parents = _make_parents(dest.path.parent)
        scratch = Path(tempfile.mkdtemp(prefix=".assessor-scaffold-", dir=_scratch_root(dest)))
        say("rendering the template")
        with _temp_files_in(scratch):
            project = _cookiecutter(template, plan, scratch)
        say("checking the rendered files")
        _remove_compiled(project)
        _check_tree(project)
        for name in (ASSESSMENT_COPY, SCORE_COPY):
            if (project / name).exists():
                raise ScaffoldError(f"the template itself writes {name}; it must not")
        (project / ASSESSMENT_COPY).write_bytes(assessment_bytes)
        (project / SCORE_COPY).write_text(score_json, encoding="utf-8")
        say(f"placing the files into {out}")
        plan_files, kept = _placement(project, dest.path)
        if not dest.existed:
            try:
                os.mkdir(dest.path)
                created_dest = True
            except FileExistsError:
                # Created by someone else since we checked: look again, with the same rules.
                check_destination(out, force=force)
                plan_files, kept = _placement(project, dest.path)
        _place(project, dest.path, plan_files, placed)
    except BaseException:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
        _remove_placed(dest.path, placed)
        if created_dest:
            with contextlib.suppress(OSError):
                dest.path.rmdir()
        for parent in reversed(created_parents):
            with contextlib.suppress(OSError):
                parent.rmdir()
        raise
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
        restore_signals()
    return Rendered(dest.path, plan, placed, kept)


class Terminated(SystemExit):
    """SIGTERM or SIGHUP arrived while rendering; raised so that cleanup runs first."""


def _signals_raise() -> Callable[[], None]:
    """Make SIGTERM and SIGHUP raise :class:`Terminated` while a render runs (in the main
    thread, where their handlers are still the default), so the scratch folder and a partial
    placement are removed before the process ends; a second signal during that cleanup is
    ignored. Returns the function that puts the previous handlers back."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous: dict[int, Any] = {}

    def handler(signum: int, _frame: object) -> None:
        for sig in previous:
            signal.signal(sig, signal.SIG_IGN)  # let the cleanup finish
        raise Terminated(128 + signum)

    for sig in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(sig) == signal.SIG_DFL:
            previous[sig] = signal.signal(sig, handler)

    def restore() -> None:
        for sig, old in previous.items():
            signal.signal(sig, old)

    return restore


@contextlib.contextmanager
def _temp_files_in(scratch: Path) -> Iterator[None]:
    """Temporary files of cookiecutter (it writes each rendered hook, with the client's text,
    to the temp folder and never deletes it) go into the scratch folder, removed with it."""
    folder = scratch / ".tmp"
    folder.mkdir()
    saved_dir, saved_env = tempfile.tempdir, os.environ.get("TMPDIR")
    tempfile.tempdir = str(folder)
    os.environ["TMPDIR"] = str(folder)
    try:
        yield
    finally:
        tempfile.tempdir = saved_dir
        if saved_env is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = saved_env


def _remove_compiled(project: Path) -> None:
    """No compiled files in a generated project: an installed template may hold
    ``__pycache__`` folders and ``.pyc`` files (of modules for patterns that are off, too)."""
    for root, dirs, files in os.walk(project):
        for name in [d for d in dirs if d == "__pycache__"]:
            shutil.rmtree(os.path.join(root, name))
            dirs.remove(name)
        for name in files:
            if name.endswith((".pyc", ".pyo")):
                os.unlink(os.path.join(root, name))


def _scratch_root(dest: Destination) -> Path:
    # cookiecutter renders absolute paths of folders as Jinja templates (generate_files passes
    # the whole project path to render_and_create_dir), so the scratch folder's path must not
    # contain template syntax. Next to DIR when possible; the system temp folder otherwise.
    parent = dest.path.parent
    if "{" not in str(parent):
        return parent
    fallback = Path(tempfile.gettempdir()).resolve()
    if "{" in str(fallback):
        raise UsageError(f"{dest.path}: cannot render under a path containing '{{'")
    return fallback


def _make_parents(folder: Path) -> list[Path]:
    """Create ``folder`` and missing parents; return the ones created, outermost first."""
    missing = []
    probe = folder
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    created = []
    try:
        for item in reversed(missing):
            os.mkdir(item)
            created.append(item)
    except FileExistsError:
        pass
    except BaseException:
        for item in reversed(created):
            with contextlib.suppress(OSError):
                item.rmdir()
        raise
    return created


def _check_template(template: Path) -> None:
    if not (template / "cookiecutter.json").is_file():
        raise ScaffoldError(f"{template}: not a cookiecutter template (no cookiecutter.json)")
    for root, dirs, files in os.walk(template):
        for name in dirs + files:
            if os.path.islink(os.path.join(root, name)):
                rel = os.path.relpath(os.path.join(root, name), template)
                raise ScaffoldError(f"the template contains a symlink ({rel}); refusing it")


def _cookiecutter(template: Path, plan: Plan, scratch: Path) -> Path:
    """Render with cookiecutter's own functions; return the rendered project folder."""
    # cookiecutter + jinja2 take ~150 ms to import; only the scaffold command pays for it.
    from cookiecutter.exceptions import CookiecutterException
    from jinja2 import TemplateError

    extra = plan.extra_context()
    # Values cookiecutter renders as Jinja (top-level, not starting with "_") that could hold
    # template syntax get a placeholder; the literal value goes back in after rendering.
    literal = {
        key: value
        for key, value in extra.items()
        if not key.startswith("_") and isinstance(value, str) and ("{" in value or "}" in value)
    }
    safe_extra = {
        key: (_PLACEHOLDER.format(key=key) if key in literal else value)
        for key, value in extra.items()
    }
    log = _CookiecutterLog()
    try:
        with log:
            project = _generate(template, plan, scratch, extra, literal, safe_extra)
    except CookiecutterException as exc:
        raise ScaffoldError(f"rendering the template failed: {log.explain(exc)}") from exc
    except TemplateError as exc:
        raise ScaffoldError(f"rendering the template failed: {type(exc).__name__}: {exc}") from exc
    project_path = Path(project)
    if project_path.parent != scratch:
        raise ScaffoldError("the template rendered its project outside the scratch folder")
    return project_path


def _generate(
    template: Path,
    plan: Plan,
    scratch: Path,
    extra: dict[str, Any],
    literal: dict[str, Any],
    safe_extra: dict[str, Any],
) -> str:
    """cookiecutter's own steps (as cookiecutter.main does them), minus what we must avoid:
    no user config (~/.cookiecutterrc could override values), no replay file in the home
    folder, no prompting; the literal user text goes back in before any file is rendered."""
    from cookiecutter.generate import generate_context, generate_files
    from cookiecutter.prompt import prompt_for_config

    context = generate_context(
        context_file=str(template / "cookiecutter.json"),
        default_context=None,
        extra_context=safe_extra,
    )
    context["_cookiecutter"] = {
        k: v for k, v in context["cookiecutter"].items() if not k.startswith("_")
    }
    values = prompt_for_config(context, no_input=True)
    context["cookiecutter"].update(values)
    context["cookiecutter"].update(literal)
    context["cookiecutter"]["_use_case"] = dict(plan.use_case)
    context["_cookiecutter"].update(literal)
    _check_context(context["cookiecutter"], extra)
    context["cookiecutter"]["_template"] = str(template)
    context["cookiecutter"]["_output_dir"] = str(scratch)
    context["cookiecutter"]["_repo_dir"] = str(template)
    context["cookiecutter"]["_checkout"] = None
    _check_rendered_paths(template, context)
    project = generate_files(
        repo_dir=str(template),
        context=context,
        output_dir=str(scratch),
        overwrite_if_exists=False,
        skip_if_file_exists=False,
        accept_hooks=True,
        keep_project_on_failure=False,
    )
    return str(project)


class _CookiecutterLog(logging.Handler):
    """Keep cookiecutter's log messages out of the terminal (it logs tracebacks for failed
    hooks through the root logger's last-resort handler) and keep them for the error."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []
        self._logger = logging.getLogger("cookiecutter")
        self._propagate = True

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())

    def __enter__(self) -> _CookiecutterLog:
        self._propagate = self._logger.propagate
        self._logger.addHandler(self)
        self._logger.propagate = False
        return self

    def __exit__(self, *_exc: object) -> None:
        self._logger.removeHandler(self)
        self._logger.propagate = self._propagate

    def explain(self, exc: Exception) -> str:
        said = "; ".join(dict.fromkeys(self.messages))
        return f"{exc} ({said})" if said else str(exc)


def _check_context(final: dict[str, Any], expected: dict[str, Any]) -> None:
    """The context cookiecutter produced holds exactly the values we passed."""
    for key, value in expected.items():
        got = final.get(key)
        same = (
            got is value
            if isinstance(value, bool)
            else (got == value if isinstance(value, str | dict) else str(got) == str(value))
        )
        if not same:
            raise ScaffoldError(
                f"the template's context changed {key!r} ({value!r} became {got!r}); the "
                "template and assessor disagree on cookiecutter.json"
            )


def _check_rendered_paths(template: Path, context: dict[str, Any]) -> None:
    """Every path the template will produce stays inside the project folder.

    Each path component is rendered as cookiecutter will render it (a folder or file name
    cannot hold a "/", so a component is rendered whole) and must be a plain name.
    """
    from cookiecutter.find import find_template
    from cookiecutter.utils import create_env_with_context

    env = create_env_with_context(context)
    project_dir = Path(find_template(str(template), env))
    rendered: dict[str, str] = {}

    def render_part(part: str) -> str:
        if part not in rendered:
            rendered[part] = env.from_string(part).render(**context) if "{" in part else part
        return rendered[part]

    _check_component(render_part(project_dir.name), project_dir.name)
    for root, dirs, files in os.walk(project_dir):
        for name in dirs + files:
            rel = os.path.relpath(os.path.join(root, name), project_dir)
            if "{" not in rel:
                continue
            parts = [render_part(part) for part in Path(rel).parts]
            for part in parts:
                _check_component(part, rel, allow_empty=True)
            joined = os.path.join(*parts) if parts else ""
            if os.path.isabs(joined) or os.path.normpath(joined or ".").startswith(".."):
                raise ScaffoldError(f"template path {rel!r} renders outside the project")


def _check_component(name: str, source: str, *, allow_empty: bool = False) -> None:
    if (
        (not name and not allow_empty)
        or name in (".", "..")
        or "/" in name
        or "\0" in name
        or os.path.isabs(name)
    ):
        raise ScaffoldError(f"template path {source!r} renders to the unsafe name {name!r}")


def _check_tree(root: Path) -> None:
    """Only regular files and folders, no symlinks, everything inside ``root``."""
    real_root = os.path.realpath(root)
    for path in _walk(root):
        st = os.lstat(path)
        rel = path.relative_to(root)
        if stat.S_ISLNK(st.st_mode):
            raise ScaffoldError(f"the rendered project contains a symlink ({rel}); refusing it")
        if not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
            raise ScaffoldError(f"the rendered project contains a special file ({rel})")
        real = os.path.realpath(path)
        if os.path.commonpath([real_root, real]) != real_root:
            raise ScaffoldError(f"rendered path {rel} is outside the project")


def _walk(root: Path) -> Iterator[Path]:
    """Every entry under ``root``, folders before their contents, sorted."""
    with os.scandir(root) as it:
        entries = sorted(it, key=lambda e: e.name)
    for entry in entries:
        path = Path(entry.path)
        yield path
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(path)


# ------------------------------------------------------------------------------------------
# placing


def _placement(project: Path, dest: Path) -> tuple[list[Path], list[Path]]:
    """What to place (relative paths) and what is already there identically.

    Raises :class:`OutputExistsError` listing every conflict, before anything is placed.
    """
    to_place: list[Path] = []
    kept: list[Path] = []
    conflicts: list[str] = []
    for src in _walk(project):
        rel = src.relative_to(project)
        target = dest / rel
        try:
            st = os.lstat(target)
        except FileNotFoundError:
            to_place.append(rel)
            continue
        except NotADirectoryError:
            continue  # its parent is a conflict already reported
        if stat.S_ISLNK(st.st_mode):
            conflicts.append(f"{rel} (a symlink is there)")
        elif src.is_dir():
            if not stat.S_ISDIR(st.st_mode):
                conflicts.append(f"{rel} (a file is there, the project needs a folder)")
        elif stat.S_ISDIR(st.st_mode):
            conflicts.append(f"{rel} (a folder is there, the project needs a file)")
        elif filecmp.cmp(src, target, shallow=False):
            kept.append(rel)
        else:
            conflicts.append(f"{rel} (exists with other content)")
    if conflicts:
        shown = "\n".join(f"  {c}" for c in conflicts[:_MAX_CONFLICTS_SHOWN])
        more = len(conflicts) - _MAX_CONFLICTS_SHOWN
        if more > 0:
            shown += f"\n  ... and {more} more"
        raise OutputExistsError(
            f"{dest}: {len(conflicts)} file(s) of the project already exist and differ; "
            f"nothing was written (--force never overwrites):\n{shown}"
        )
    return to_place, kept


_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_DIR_BELOW = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | _O_CLOEXEC
"""How every folder below the destination is opened: never through a symlink."""


def _open_below(fds: dict[Path, int], rel: Path, dest: Path) -> int:
    """The descriptor of folder ``rel`` under the destination, opened step by step from the
    destination's own descriptor with ``O_NOFOLLOW`` (so a folder swapped for a symlink after
    the checks stops the run instead of sending files elsewhere)."""
    if rel in fds:
        return fds[rel]
    parent = _open_below(fds, rel.parent, dest)
    try:
        fd = os.open(rel.name, _DIR_BELOW, dir_fd=parent)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.ENOENT):
            raise ScaffoldError(
                f"{dest / rel} is no longer a folder (replaced while the project was being "
                "placed); stopped, nothing was written through it"
            ) from None
        raise
    fds[rel] = fd
    return fd


def _place(project: Path, dest: Path, rels: list[Path], placed: list[Path]) -> None:
    """Place files without replacing anything; record each path as soon as it exists.

    Everything is created relative to an opened folder (``mkdir``/``link``/``open`` with
    ``dir_fd``, ``O_NOFOLLOW``, ``O_EXCL``): no symlink below the destination is followed.
    The destination itself may be a symlink (the user chose it).
    """
    fds: dict[Path, int] = {Path("."): os.open(dest, os.O_RDONLY | os.O_DIRECTORY | _O_CLOEXEC)}
    try:
        for rel in rels:
            src, target = project / rel, dest / rel
            parent = _open_below(fds, rel.parent, dest)
            is_dir = src.is_dir()
            with _signals_held():  # created and recorded, or neither: cleanup knows it all
                if is_dir:
                    os.mkdir(rel.name, 0o700, dir_fd=parent)
                else:
                    _place_file(src, target, parent)
                placed.append(target)
            if is_dir:
                fd = _open_below(fds, rel, dest)
                os.fchmod(fd, stat.S_IMODE(os.stat(src).st_mode))
    finally:
        for fd in fds.values():
            os.close(fd)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP back for a moment (they are delivered right after)."""
    import signal

    held = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _place_file(src: Path, target: Path, dir_fd: int | None = None) -> None:
    """Hard-link ``src`` to ``target`` (fails if it exists), or copy it exclusively.

    With ``dir_fd`` the new name is ``target.name`` inside that opened folder.
    """
    name = target.name if dir_fd is not None else str(target)
    try:
        os.link(src, name, dst_dir_fd=dir_fd)
        return
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in (errno.EXDEV, errno.EPERM, errno.ENOTSUP, errno.EMLINK, errno.EACCES):
            raise
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | _O_CLOEXEC
    fd = os.open(name, flags, 0o600, dir_fd=dir_fd)
    with open(src, "rb") as reader, os.fdopen(fd, "wb") as writer:
        shutil.copyfileobj(reader, writer)
        os.fchmod(writer.fileno(), stat.S_IMODE(os.stat(src).st_mode))


def _remove_placed(dest: Path, placed: list[Path]) -> None:
    """Remove what this run placed, newest first, reaching each item from the destination
    through ``O_NOFOLLOW`` opens: a folder swapped for a symlink meanwhile is not followed
    (what is behind it is not ours to delete)."""
    if not placed:
        return
    try:
        root = os.open(dest, os.O_RDONLY | os.O_DIRECTORY | _O_CLOEXEC)
    except OSError:
        return
    fds: dict[Path, int] = {Path("."): root}
    try:
        for item in reversed(placed):
            rel = item.relative_to(dest)
            with contextlib.suppress(OSError, ScaffoldError):
                parent = _open_below(fds, rel.parent, dest)
                st = os.stat(rel.name, dir_fd=parent, follow_symlinks=False)
                if stat.S_ISDIR(st.st_mode):
                    fd = fds.pop(rel, None)
                    if fd is not None:
                        os.close(fd)
                    os.rmdir(rel.name, dir_fd=parent)
                else:
                    os.unlink(rel.name, dir_fd=parent)
    finally:
        for fd in fds.values():
            os.close(fd)
