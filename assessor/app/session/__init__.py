"""One assessment file being answered: the session (resume, autosave), its lock, and the
recovery of what is on disk. Shared by the full-screen app and the plain wizard."""

from assessor.app.session.lock import FileLock, LockInfo, lock_path
from assessor.app.session.recovery import Notice
from assessor.app.session.session import SAVE_HEADER, Session, clean_text, describe_os_error

__all__ = [
    "SAVE_HEADER",
    "FileLock",
    "LockInfo",
    "Notice",
    "Session",
    "clean_text",
    "describe_os_error",
    "lock_path",
]
