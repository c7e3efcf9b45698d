"""Small helpers the results readers share."""

from __future__ import annotations

from typing import Any


class ShapeError(ValueError):
    """The file is of the right kind but a part of it is not as that format writes it."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message)
        self.path = path


def mapping(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ShapeError("expected an object", path)
    return value


def items(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise ShapeError("expected a list", path)
    return value


def count(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ShapeError("expected a count (a whole number, 0 or more)", path)
    return value


def text(value: Any) -> str | None:
    """A string field, or None when absent or not text."""
    return value if isinstance(value, str) and value else None
