"""Where the bundled rubrics and templates live, installed or in a source checkout."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@lru_cache(maxsize=8)
def data_dir(name: str) -> Path:
    """Return the folder of bundled data ``name`` (``rubrics`` or ``templates``).

    A wheel carries them under ``assessor/_data/``; a source checkout (editable install,
    tests) has them at the repository's top level.
    """
    installed = _PACKAGE / "_data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name


def rubrics_dir() -> Path:
    return data_dir("rubrics")


def templates_dir() -> Path:
    return data_dir("templates")
