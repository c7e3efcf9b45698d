"""Fixtures of the interactive-assessment tests."""

from __future__ import annotations

import asyncio
import inspect
import os
from typing import Any

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: Any) -> bool | None:
    """Run ``async def`` tests in a fresh event loop (Pilot needs one; no plugin needed)."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    asyncio.run(pyfuncitem.obj(**{name: pyfuncitem.funcargs[name] for name in names}))
    return True


@pytest.fixture(autouse=True)
def _same_theme_everywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    """Same theme and colours on every machine (snapshots depend on it)."""
    for name in ("TEXTUAL_THEME", "COLORFGBG", "TEXTUAL", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    os.environ.pop("NO_COLOR", None)
