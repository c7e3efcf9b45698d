"""The assessment session the full-screen app and the plain wizard share.

A session owns one assessment file while someone answers it:

* it **resumes** what is on disk (a partial assessment loads back with every answer in place);
* it **locks** the file, so a second assessor on the same file is told who holds it; the lock
  is an ``flock`` on ``.FILE.lock`` that the kernel drops when its holder dies, so a lock left
  by a killed process is recovered without asking anyone;
* it **autosaves** after every answer with :func:`assessor.fileio.atomic_write` (temp file,
  fsync, ``os.replace``), so the file on disk is always a whole old or new version;
* a file it cannot read as an assessment is **set aside** as ``FILE.corrupt-<timestamp>``
  (nothing is overwritten), whatever could be recovered from it is kept, and the app starts;
* leftover temp files of a killed writer are **cleaned** (never loaded);
* when saving fails (read-only folder, disk full) it records a visible "not saved" reason and
  keeps working; the next answer retries;
* it **never saves over an outside edit**: when the file changed on disk since the session
  read or last wrote it (another editor, ``assessor evidence add`` run without the app, a git
  checkout), saving stops until the user chooses: :meth:`Session.reload_from_disk` (the
  session's own answers are kept as ``FILE.mine-<timestamp>``) or
  :meth:`Session.keep_mine` (the outside version is kept as ``FILE.outside-<timestamp>``).
  The check is a ``stat`` (mtime, size, inode); only when that differs is the file read and
  its digest compared, so rewriting the same bytes is not an outside change.

Nothing here touches a terminal: the Textual app and the questionary wizard are views of it.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import math
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assessor.app.session.lock import FileLock
from assessor.app.session.recovery import (
    Notice,
    SavedState,
    corrupt_name,
    display_name,
    read_state,
    salvage,
    side_name,
)
from assessor.errors import InputError, LockedError, Problem, UsageError
from assessor.fileio import atomic_write, check_input, read_bytes, stray_temp_files

if TYPE_CHECKING:
    from assessor.domain.assessment import UseCase
    from assessor.domain.bounds import Bounds
    from assessor.domain.rubric import Question, Rubric
    from assessor.domain.scoring import Result

SAVE_HEADER = (
    "# Assessment autosaved by `assessor assess`; continue it with: assessor assess {name}\n"
)


OUTSIDE_READ_LIMIT = 64 * 1024 * 1024
"""How much of a file changed from outside is read, to compare it and to keep it aside; a
larger one is never saved over (keeping it aside fails, so the user is told)."""


@dataclass(frozen=True)
class OutsideChange:
    """The assessment file changed on disk since the session read or last wrote it."""

    path: Path
    message: str
    """What the user is told (the file, and that nothing is saved until they choose)."""


def _stat_key(path: Path) -> tuple[int, int, int] | None:
    """What a cheap look at the file says about its content: mtime (ns), size, inode."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def describe_os_error(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    if exc.errno == errno.EDQUOT:
        return "the disk quota is exceeded"
    if exc.errno == errno.EROFS:
        return "the file system is read-only"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied (read-only folder or file)"
    return exc.strerror or str(exc)


class Session:
    """One assessment being answered: its state, its file, its lock.

    Create it with :meth:`Session.open`. Answers given to :meth:`set_answer` must be clean
    (see :func:`assessor.domain.assessment.coerce_answer`); :meth:`parse_answer` turns what a
    user typed into one.

    Loading the rubric and the file needs the domain (pydantic, about 0.3 s). The app defers
    that (``Session.open(path, defer=True)``): it shows the use case at once (read with a
    quick look at the file) and loads in the background; anything that needs the rubric
    waits for it, and what the user typed meanwhile is kept.
    """

    def __init__(
        self,
        path: Path,
        *,
        lock: FileLock | None = None,
        readonly: bool = False,
        notices: list[Notice] | None = None,
    ) -> None:
        self.path = path
        self._rubric: Rubric | None = None
        self.rubric_ref: str | None = None
        self.name = ""
        self.description = ""
        self.owner = ""
        self.answers: dict[str, Any] = {}
        self.notes: dict[str, str] = {}
        self.evidence: list[Any] = []
        """Measured results on record (``evidence:``); the session keeps them as they are."""
        self.business_value: str | None = None
        self.plan: list[dict[str, Any]] = []
        """Kept as loaded and written back (edited in the file, not in the session)."""
        self.lock = lock
        self.readonly = readonly
        """Opened while another assessor holds the file: nothing is ever written."""
        self.locked_message: str | None = None
        """Why the session is read-only: who holds the lock."""
        self.notices: list[Notice] = list(notices or [])
        self.is_new = not path.exists()
        """No assessment file existed when the session opened."""
        self._edited: set[str] = set()
        """Use-case fields changed before a deferred load finished (the load keeps them)."""
        self.loaded = False
        self._loading = False
        self._load_lock = threading.RLock()
        self.dirty = False
        """There are changes not yet on disk."""
        self.save_error: str | None = None
        """Why the last save failed; None once a save succeeds."""
        self.saves = 0
        self.saving = False
        """A save is in progress (signal handlers wait for it instead of racing it)."""
        self.after_save: Callable[[], None] | None = None
        """Called after each save attempt (the wizard's signal handling hooks in here)."""
        self._blocked: str | None = None
        self._aside: Path | None = None
        """Where an unreadable file goes before the first save over it (nothing until then)."""
        """Saving is refused (a corrupt file could not be set aside and must not be lost)."""
        self._disk_stat: tuple[int, int, int] | None = None
        """``stat`` of the file as the session last read or wrote it (None: no file)."""
        self._disk_digest: str | None = None
        """Digest of those bytes (None: there was no file)."""
        self.outside: OutsideChange | None = None
        """The file changed on disk since; nothing is saved until the user chooses."""

    @property
    def rubric(self) -> Rubric:
        """The rubric in use (waits for a deferred load)."""
        if self._rubric is None:
            self.ensure_loaded()
        assert self._rubric is not None
        return self._rubric

    # ---- opening and closing ---------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, *, if_locked: str = "raise", defer: bool = False) -> Session:
        """Open (or start) the assessment at ``path``.

        ``if_locked``: ``"raise"`` raises :class:`LockedError` when another assessor holds
        the file; ``"readonly"`` opens it without the lock and without ever saving.
        ``defer``: load the rubric and the answers later (see :meth:`ensure_loaded`); the
        use case is read at once when a quick look at the file can. A file that names a
        rubric file is loaded now (its errors are reported before anything starts).
        """
        path = Path(path)
        folder = path.parent if str(path.parent) else Path(".")
        if not folder.is_dir():
            raise UsageError(f"folder {folder} does not exist; create it first")
        if path.exists() and path.is_dir():
            raise UsageError(f"{path} is a folder; give the assessment file's name")
        if path.exists():
            # A FIFO, a device or a symlink to one is refused before anything reads it.
            check_input(path, display=display_name(path))
        notices: list[Notice] = []
        new_lock = FileLock(path)
        lock: FileLock | None = new_lock
        readonly = False
        locked_message: str | None = None
        try:
            new_lock.acquire()
            if new_lock.recovered_stale:
                notices.append(Notice("Recovered a lock left by an assessor that had stopped."))
        except LockedError:
            if if_locked != "readonly":
                raise
            readonly = True
            locked_message = new_lock.locked_message()
            lock = None
        except OSError as exc:
            # No lock file can be created here (read-only folder): nobody can save here
            # either, and saving will say so.
            notices.append(
                Notice(f"Could not lock {path.name}: {describe_os_error(exc)}.", "warning")
            )
            lock = None
        session = cls(path, lock=lock, readonly=readonly, notices=notices)
        session.locked_message = locked_message
        try:
            if not readonly:
                session._clean_stray_temp_files()
            if not (defer and (session.is_new or session._peek())):
                session.ensure_loaded()
        except BaseException:
            session.release()
            raise
        return session

    def ensure_loaded(self) -> None:
        """Load the rubric and the file's content (once; thread-safe)."""
        with self._load_lock:
            if self.loaded or self._loading:  # _loading: a save made by the load itself
                return
            self._loading = True
            try:
                self._load()
            finally:
                self._loading = False
            self.loaded = True

    def _load(self) -> None:
        from assessor.domain import source as src
        from assessor.domain.load import DEFAULT_RUBRIC, load_rubric

        path = self.path
        if not path.exists():
            self._rubric = load_rubric(DEFAULT_RUBRIC)
            return
        check_input(path, display=display_name(path))  # not set aside: refused
        before = _stat_key(path)  # before reading: a write in between shows at the next check
        try:
            raw_bytes = read_bytes(path, limit=src.MAX_BYTES, display=path.name)
        except InputError as exc:
            if any("permission denied" in p.message for p in exc.problems):
                raise InputError(Problem(display_name(path), message="permission denied")) from None
            self._set_aside(None, exc)
            return
        self._disk_stat, self._disk_digest = before, _digest(raw_bytes)
        try:
            text = src.decode(raw_bytes, path.name)
        except InputError as exc:
            self._set_aside(None, exc)
            return
        if not text.strip():
            self._rubric = load_rubric(DEFAULT_RUBRIC)
            return
        try:
            state, rubric = read_state(path, text)
        except InputError as exc:
            if any(p.path == "rubric" for p in exc.problems) or any(
                p.file != display_name(path) and p.file != path.name for p in exc.problems
            ):
                # The file names a rubric that cannot be loaded: that is the rubric's problem
                # (or a moved file), not a corrupt assessment. Say so instead of guessing.
                raise
            self._set_aside(text, exc)
            return
        self._take(state, rubric)

    def _peek(self) -> bool:
        """Read the use case with a quick look at the file (no domain, no alias expansion).

        Returns False when the file needs the full load first: it names a rubric file, or
        the quick look cannot read it (the full load then reports or sets it aside).
        """
        try:
            text = read_bytes(self.path, limit=256 * 1024).decode("utf-8-sig")
            import yaml

            loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
            root = yaml.compose(text, Loader=loader)  # nodes only: aliases are not expanded
        except Exception:  # anything odd: the full load will say what
            return False
        if root is None:
            return True
        if not isinstance(root, yaml.MappingNode):
            return False
        fields: dict[str, str] = {}
        for key, value in root.value:
            if key.value == "rubric" and isinstance(value, yaml.ScalarNode):
                from assessor.resources import rubrics_dir

                if value.value and not (rubrics_dir() / f"{value.value}.yaml").is_file():
                    return False
                fields["rubric"] = value.value
            if key.value == "use_case" and isinstance(value, yaml.MappingNode):
                for k, v in value.value:
                    if k.value in ("name", "description", "owner"):
                        if not isinstance(v, yaml.ScalarNode):
                            return False
                        fields[k.value] = v.value if v.tag.endswith(":str") or v.value else ""
        self.rubric_ref = fields.get("rubric") or None
        self.name = fields.get("name", "")
        self.description = fields.get("description", "")
        self.owner = fields.get("owner", "")
        return True

    def _take(self, state: SavedState, rubric: Rubric) -> None:
        self._rubric = rubric
        self.rubric_ref = state.rubric_ref
        for key in ("name", "description", "owner"):
            if key not in self._edited:
                setattr(self, key, getattr(state, key))
        self.answers = dict(state.answers)
        self.notes = dict(state.notes)
        self.evidence = list(state.evidence)
        self.business_value = state.business_value
        self.plan = list(state.plan)

    def _set_aside(self, text: str | None, exc: InputError) -> None:
        """The file is not a valid assessment: recover what it holds, say every problem, and
        leave the file exactly as it is until the user changes something. Only then is it
        kept aside (renamed to ``NAME.corrupt-TIME``) and the assessment saved in its place."""
        path = self.path
        state, rubric, recovered = salvage(path, text)
        self._take(state, rubric)
        problems = "; ".join(str(p) for p in exc.problems) or "it is not a valid assessment"
        if self.readonly:
            self.notices.append(
                Notice(f"{path.name} is not a valid assessment: {problems}", "error")
            )
            return
        aside = corrupt_name(path)
        self._aside = aside
        kept = f" Recovered {recovered} answers." if recovered else ""
        self.notices.append(
            Notice(
                f"{path.name} could not be read as an assessment: {problems}.{kept} "
                f"The file is left as it is until you change something; it is then kept "
                f"as {aside.name} and the assessment saved in its place.",
                "warning",
            )
        )

    def _keep_aside(self) -> bool:
        """Before the first save over an unreadable file: keep the file under another name."""
        aside, self._aside = self._aside, None
        if aside is None or not self.path.exists():
            return True
        try:
            os.replace(self.path, aside)
        except OSError as e:
            self._blocked = (
                f"{self.path.name} is not a valid assessment and could not be set aside "
                f"({describe_os_error(e)}); nothing will be saved over it"
            )
            self.save_error = self._blocked
            return False
        self.notices.append(Notice(f"The unreadable file was kept as {aside.name}."))
        return True

    def _clean_stray_temp_files(self) -> None:
        removed = 0
        for tmp in stray_temp_files(self.path):
            with contextlib.suppress(OSError):
                tmp.unlink()
                removed += 1
        if removed:
            self.notices.append(
                Notice(f"Removed {removed} temporary file(s) left by an interrupted save.")
            )

    def release(self) -> None:
        """Release the lock (without saving)."""
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    def close(self) -> None:
        """Save what is pending and release the lock.

        When the file changed on disk and the user has not chosen which version to keep,
        the file is left as it is and the session's answers are kept next to it.
        """
        if self.dirty:
            self.save()
        if self.dirty and self.outside is not None:
            with contextlib.suppress(OSError):
                mine = self._keep_copy("mine", self.render().encode("utf-8"))
                self.save_error = (
                    f"{self.path.name} was changed by another program and is left as it is; "
                    f"your answers are kept in {mine.name}"
                )
        self.release()

    # ---- reading ---------------------------------------------------------------------------

    def use_case(self) -> UseCase:
        from assessor.domain.assessment import UseCase

        return UseCase.model_construct(
            name=self.name, description=self.description, owner=self.owner
        )

    def questions(self) -> list[Question]:
        """The questions that apply given the answers so far, in rubric order."""
        return self.rubric.applicable(self.answers)

    def open_questions(self) -> list[Question]:
        """Required questions that apply and are not answered yet."""
        return [q for q in self.questions() if q.required and q.id not in self.answers]

    @property
    def complete(self) -> bool:
        return bool(self.name.strip()) and not self.open_questions()

    def live_result(self) -> Result:
        """The answers given so far, scored as every surface scores them (no improvements)."""
        from assessor.domain.scoring import score

        return score(
            self.rubric, self.use_case(), self.answers, improvements=False, notes=self.notes,
            evidence=self.evidence,
        )  # fmt: skip

    def result(self) -> Result:
        """The full result, with what would raise the verdict (provisional while incomplete)."""
        from assessor.domain.scoring import score

        return score(
            self.rubric, self.use_case(), self.answers, notes=self.notes, evidence=self.evidence
        )

    def bounds(self) -> Bounds:
        """What the open questions can still make of the verdict and the score."""
        from assessor.domain.scoring import bounds_with_evidence

        return bounds_with_evidence(self.rubric, self.answers, evidence=self.evidence)

    def parse_answer(self, question: Question, text: str) -> tuple[Any, str | None]:
        """Turn typed text into a clean answer for a number, fraction or text question.

        Returns ``(value, error)``. For a nullable question, ``unknown`` (or ``?``) means null.
        Numbers are read as people write them: ``5000``, ``5,000``, ``$5,000``, ``5k``,
        ``1e3``, ``3%`` (see :func:`read_number`).
        """
        from assessor.domain.assessment import coerce_answer

        text = clean_text(text).strip()
        if question.nullable and text.lower() in ("unknown", "?", "null", "n/a"):
            return None, None
        value: Any = text
        if question.type in ("number", "fraction"):
            number = read_number(text)
            if number is None:
                _, bounded = coerce_answer(question, text, text)  # too long, too large, ...
                if bounded is not None and "must be a number" not in bounded:
                    return None, bounded
                hint = " such as 0.03 or 3%" if question.type == "fraction" else ""
                unknown = "; or 'unknown'" if question.nullable else ""
                return None, f"must be a number{hint}{unknown}"
            value = int(number) if number.is_integer() and question.type == "number" else number
        return coerce_answer(question, value, text)

    # ---- changing --------------------------------------------------------------------------

    def set_use_case(
        self, *, name: str | None = None, description: str | None = None, owner: str | None = None
    ) -> None:
        for key, value in (("name", name), ("description", description), ("owner", owner)):
            value = clean_text(value) if value is not None else None
            if value is not None and getattr(self, key) != value:
                setattr(self, key, value)
                self.dirty = True
                if not self.loaded:
                    self._edited.add(key)

    def set_answer(self, question_id: str, value: Any) -> bool:
        """Record a clean answer; returns whether it changed."""
        if question_id not in self.rubric.by_id:
            raise KeyError(question_id)
        old = self.answers.get(question_id, _UNSET)
        if old is _UNSET or type(old) is not type(value) or old != value:
            self.answers[question_id] = value
            self.dirty = True
            return True
        return False

    def clear_answer(self, question_id: str) -> bool:
        """Forget an answer; returns whether there was one."""
        if question_id in self.answers:
            del self.answers[question_id]
            self.dirty = True
            return True
        return False

    def set_note(self, question_id: str, text: str) -> None:
        text = clean_text(text).strip()
        if self.notes.get(question_id, "") == text:
            return
        if text:
            self.notes[question_id] = text
        else:
            self.notes.pop(question_id, None)
        self.dirty = True

    def set_rubric(self, ref: str) -> list[str]:
        """Switch to another rubric (bundled id or path); answers it cannot take are dropped.

        Returns the ids of the dropped answers. Raises InputError when the rubric is invalid.
        """
        from assessor.domain.assessment import coerce_answer
        from assessor.domain.load import DEFAULT_RUBRIC, bundled_rubrics, load_rubric

        bundled = bundled_rubrics()
        target: str | Path = ref
        if ref not in bundled:
            # A path typed by the user is relative to where they are, not to the file.
            target = Path(ref).expanduser().resolve()
        rubric = load_rubric(target)
        dropped = []
        kept: dict[str, Any] = {}
        for key, value in self.answers.items():
            question = rubric.by_id.get(key)
            clean, error = coerce_answer(question, value, None) if question else (None, "gone")
            if error:
                dropped.append(key)
            else:
                kept[key] = clean
        self._rubric = rubric
        self.answers = kept
        self.notes = {k: v for k, v in self.notes.items() if k in rubric.by_id}
        if ref in bundled:
            self.rubric_ref = None if ref == DEFAULT_RUBRIC and self.rubric_ref is None else ref
        else:
            self.rubric_ref = _relative_ref(Path(target), self.path.parent)
        self.dirty = True
        return dropped

    # ---- outside edits ---------------------------------------------------------------------

    def check_outside(self) -> bool:
        """Whether the file on disk is no longer what the session last read or wrote.

        Cheap while nothing changed (one ``stat``). A file rewritten with the same bytes
        is not a change (its digest is compared); a file removed is not one either (saving
        writes it again, nothing is lost). Once a change is found it stays until
        :meth:`reload_from_disk` or :meth:`keep_mine`.
        """
        if self.outside is not None:
            return True
        if self.readonly or not self.loaded or self._aside is not None:
            return False
        now = _stat_key(self.path)
        if now is None or now == self._disk_stat:
            return False
        try:
            data: bytes | None = read_bytes(self.path, limit=OUTSIDE_READ_LIMIT)
        except (InputError, OSError):
            data = None  # too large or not a regular file now: changed, and not ours to replace
        if data is not None and _digest(data) == self._disk_digest:
            self._disk_stat = now  # touched or rewritten with the same content
            return False
        self.outside = OutsideChange(
            self.path,
            f"{self.path.name} was changed by another program since it was opened here; "
            "nothing is saved over it until you choose which version to keep",
        )
        return True

    def _keep_copy(self, kind: str, data: bytes) -> Path:
        """Write ``data`` next to the file as ``NAME.KIND-TIMESTAMP`` (never over anything)."""
        copy = side_name(self.path, kind)
        atomic_write(copy, data, exclusive=True)
        return copy

    def reload_from_disk(self) -> Path | None:
        """Take the file as it is on disk now, replacing the session's answers.

        The session's own version is first kept as ``NAME.mine-TIMESTAMP`` (returned) when
        it differs from the file; None when there was nothing of its own to keep. Raises
        InputError (and changes nothing) when the file on disk is not a valid assessment.
        """
        from assessor.domain import source as src

        before = _stat_key(self.path)
        raw = read_bytes(self.path, limit=src.MAX_BYTES, display=display_name(self.path))
        state, rubric = read_state(self.path, src.decode(raw, self.path.name))
        mine = self.render().encode("utf-8")
        copy = None
        if mine != raw:
            try:
                copy = self._keep_copy("mine", mine)
            except OSError as exc:  # nothing is replaced unless the copy is safe
                self.save_error = f"could not keep your version aside: {describe_os_error(exc)}"
                raise
        self._edited.clear()
        self._take(state, rubric)
        self._disk_stat, self._disk_digest = before, _digest(raw)
        self.outside = None
        self.dirty = False
        self.save_error = None
        return copy

    def keep_mine(self) -> Path | None:
        """Keep the session's answers: the file on disk is first kept as
        ``NAME.outside-TIMESTAMP`` (returned), then the session is saved over it.

        Returns None (and overwrites nothing) when the copy could not be written;
        :attr:`save_error` says why. Returns None too when the file has been removed since
        (there is nothing to keep aside; the session is saved).
        """
        before = _stat_key(self.path)
        if before is None:  # removed since: nothing on disk to keep aside
            self.outside = None
            self._disk_stat = self._disk_digest = None
            self.dirty = True
            self.save()
            return None
        try:
            data = read_bytes(self.path, limit=OUTSIDE_READ_LIMIT)
            copy = self._keep_copy("outside", data)
        except (InputError, OSError) as exc:
            reason = describe_os_error(exc) if isinstance(exc, OSError) else exc.message
            self.save_error = f"could not keep the outside version aside ({reason}); not saved"
            return None
        self._disk_stat, self._disk_digest = before, _digest(data)
        self.outside = None
        self.dirty = True
        self.save()
        return copy

    def resolve_outside(self, choice: str) -> Notice:
        """Apply the user's answer to an outside edit, ``reload`` or ``keep``; the notice
        says where each version now is (every front end shows it as it is)."""
        name = self.path.name
        if choice == "reload":
            try:
                mine = self.reload_from_disk()
            except (InputError, OSError) as exc:
                reason = exc.message if isinstance(exc, InputError) else describe_os_error(exc)
                return Notice(
                    f"Could not reload {name}: {reason}. Nothing was changed, and nothing is "
                    "saved until you choose again.",
                    "error",
                )
            kept = f"; your previous answers are kept in {mine.name}" if mine else ""
            return Notice(f"Reloaded {name} from disk{kept}.")
        outside = self.keep_mine()
        if self.save_error:
            return Notice(f"Not saved: {self.save_error}.", "error")
        if outside is None:
            return Notice(f"Saved your answers to {name} (the outside version was removed).")
        return Notice(
            f"Saved your answers to {name}; the outside version is kept in {outside.name}."
        )

    # ---- saving ----------------------------------------------------------------------------

    def document(self) -> dict[str, Any]:
        """The assessment file's content: the answers that apply, in rubric order."""
        applicable = {q.id for q in self.questions()}
        doc: dict[str, Any] = {"version": 1}
        if self.rubric_ref:
            doc["rubric"] = self.rubric_ref
        use_case: dict[str, Any] = {"name": self.name}
        if self.description:
            use_case["description"] = self.description
        if self.owner:
            use_case["owner"] = self.owner
        if self.business_value:
            use_case["business_value"] = self.business_value
        doc["use_case"] = use_case
        doc["answers"] = {
            q.id: self.answers[q.id]
            for q in self.rubric.questions
            if q.id in self.answers and q.id in applicable
        }
        notes = {q.id: self.notes[q.id] for q in self.rubric.questions if self.notes.get(q.id)}
        if notes:
            doc["notes"] = notes
        if self.evidence:
            doc["evidence"] = [e.model_dump(exclude_none=True) for e in self.evidence]
        if self.plan:
            doc["plan"] = self.plan
        return doc

    def render(self) -> str:
        import yaml

        header = SAVE_HEADER.format(name=self.path.name)
        missing = [q.id for q in self.open_questions()]
        if not self.name.strip():
            missing.insert(0, "use_case.name")
        if missing:
            header += f"# Partial: still open: {', '.join(missing)}\n"
        body = yaml.safe_dump(
            self.document(), sort_keys=False, allow_unicode=True, default_flow_style=False,
            width=100,
        )  # fmt: skip
        return header + body

    def save(self) -> bool:
        """Write the assessment to its file atomically. Returns whether it is on disk.

        Failures never raise: :attr:`save_error` says why, and the session keeps working.
        """
        if self.readonly:
            return False
        self.ensure_loaded()
        if self._blocked:
            self.save_error = self._blocked
            return False
        if self._aside is not None and not self._keep_aside():
            return False
        if self.check_outside():
            assert self.outside is not None
            self.save_error = self.outside.message
            return False
        if self.path.exists() and not _writable(self.path):
            self.save_error = f"{self.path.name} is read-only"
            return False
        self.saving = True
        try:
            payload = self.render().encode("utf-8")
            atomic_write(self.path, payload)
            self._disk_stat, self._disk_digest = _stat_key(self.path), _digest(payload)
        except OSError as exc:
            self.save_error = describe_os_error(exc)
            return False
        except UsageError as exc:  # the file was replaced by a FIFO or a device
            self.save_error = str(exc)
            return False
        finally:
            self.saving = False
            if self.after_save is not None:
                self.after_save()
        self.dirty = False
        self.save_error = None
        self.saves += 1
        return True

    def flush(self) -> bool:
        """Save if there are unsaved changes; True when nothing is left unsaved."""
        if self.dirty:
            return self.save()
        return True


_UNSET = object()


_NUMBER = re.compile(
    r"""^(?P<sign>[-+]?)\s*(?:[$€£¥]|USD|EUR|GBP)?\s*
    (?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d*)?|\d*\.?\d+(?:[eE][-+]?\d+)?|\d+\.)
    \s*(?P<suffix>[kKmMbB%]?)\s*(?:[$€£¥]|USD|EUR|GBP)?$""",
    re.VERBOSE,
)
_SCALE = {"": 1.0, "k": 1e3, "m": 1e6, "b": 1e9, "%": 0.01}


def read_number(text: str) -> float | None:
    """A number as people type it, or None: ``5000``, ``5,000``, ``$5,000``, ``5 000``,
    ``5_000``, ``5k`` (also m, b), ``1e3``, ``3%`` (0.03), ``€12.50``."""
    compact = text.strip().replace("_", "")
    compact = re.sub(r"(?<=\d)[ \u00a0\u202f](?=\d{3}\b)", "", compact)  # 5 000
    match = _NUMBER.match(compact)
    if match is None:
        return None
    try:
        value = float(match["digits"].replace(",", ""))
    except ValueError:
        return None
    value *= _SCALE[match["suffix"].lower()]
    if match["sign"] == "-":
        value = -value
    return value if math.isfinite(value) else None


def clean_text(text: str) -> str:
    """Text as the user meant it: bytes a non-UTF-8 terminal setting smuggled in as lone
    surrogates are decoded as UTF-8 (what terminals send), anything else undecodable is
    replaced, so every file we write is valid UTF-8."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # surrogates that are not escaped bytes
        return text.encode("utf-8", "replace").decode("utf-8")


def _writable(path: Path) -> bool:
    """Whether the user may write the file (respects a read-only file even for root)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return True
    if os.geteuid() == 0:
        return bool(mode & 0o222)
    return os.access(path, os.W_OK)


def _relative_ref(rubric: Path, folder: Path) -> str:
    try:
        rel = os.path.relpath(rubric, folder.resolve())
    except ValueError:
        return str(rubric)
    return rel if os.sep in rel else f".{os.sep}{rel}"
