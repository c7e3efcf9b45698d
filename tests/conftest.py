"""Fixtures shared by every test area."""

from __future__ import annotations

import os
import shutil
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from assessor.cli import main

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "data"
EXAMPLES = REPO / "examples"


def service_reachable(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def require_services(*endpoints: tuple[str, int]) -> None:
    """Skip (or fail, with ASSESSOR_REQUIRE_SERVICES=1) when a service is not reachable."""
    missing = [f"{h}:{p}" for h, p in endpoints if not service_reachable(h, p)]
    if not missing:
        return
    message = f"service not reachable: {', '.join(missing)}"
    if os.environ.get("ASSESSOR_REQUIRE_SERVICES") == "1":
        pytest.fail(message + " (ASSESSOR_REQUIRE_SERVICES=1)")
    pytest.skip(message)


POSTGRES = ("127.0.0.1", 5432)
REDIS = ("127.0.0.1", 6379)


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keep a developer's own configuration and terminal settings out of every test."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture
def cli() -> Iterator[callable]:  # type: ignore[valid-type]
    """Run the CLI in-process: ``cli("score", path)`` -> click Result (exit code, output)."""
    runner = CliRunner()

    def run(*args: object, input: str | None = None) -> Result:
        return runner.invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)

    yield run


@pytest.fixture
def example(tmp_path: Path) -> callable:  # type: ignore[valid-type]
    """Copy an example assessment into tmp_path and return its path."""

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copy(EXAMPLES / name, target)
        return target

    return copy


PYTHON = sys.executable
