"""Fixtures for the report tests: fixed dates, hostile assessments and rubrics."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from report_support import (
    EXAMPLES,
    FIXED_EPOCH,
    HOSTILE_DESCRIPTION,
    HOSTILE_NAME,
    HOSTILE_NOTE,
    HOSTILE_OWNER,
    IMG,
    REPO,
    SCRIPT,
    hostile_assessment,
    yaml_text,
)


@pytest.fixture(autouse=True)
def _fixed_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)


@pytest.fixture
def hostile_file(tmp_path: Path) -> Path:
    """An assessment whose every text field tries to inject markup."""
    path = tmp_path / "hostile.yaml"
    path.write_text(
        hostile_assessment(
            name=HOSTILE_NAME,
            description=HOSTILE_DESCRIPTION,
            owner=HOSTILE_OWNER,
            note=HOSTILE_NOTE,
        ),
        encoding="utf-8",
    )
    return path


@pytest.fixture
def hostile_rubric(tmp_path: Path) -> Path:
    """The bundled rubric with markup injected into text a rubric author controls."""
    text = (REPO / "rubrics" / "production-readiness.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "title: Consequential decisions without human review",
        f"title: {yaml_text('Consequential ' + SCRIPT)}",
    ).replace(
        "guide_title: What is production-ready with today's models",
        f"guide_title: {yaml_text(IMG + ' guide')}",
    )
    path = tmp_path / "hostile-rubric.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def examples_copy(tmp_path: Path) -> Callable[..., list[Path]]:
    """Copy example assessments into tmp_path (relative names kept) and return their paths."""

    def copy(*names: str) -> list[Path]:
        out = []
        for name in names:
            target = tmp_path / name
            shutil.copy(EXAMPLES / name, target)
            out.append(target)
        return out

    return copy
