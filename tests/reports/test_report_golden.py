"""Golden files: the reports of the examples, byte for byte (dates fixed by SOURCE_DATE_EPOCH).

The golden files are syrupy snapshots, one file per case under ``__snapshots__/``. After an
intended change, regenerate them and review the diff:

    .venv/bin/pytest tests/reports/test_report_golden.py --snapshot-update
"""

from __future__ import annotations

from pathlib import Path

import pytest
from report_support import ALL_EXAMPLES, REPO
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from assessor import __version__

CASES = {
    "use-case.md": ["examples/refund-assistant.yaml"],
    "use-case.html": ["examples/refund-assistant.yaml"],
    "use-case.json": ["examples/refund-assistant.yaml"],
    "ready.md": ["examples/ticket-triage.yaml"],
    "portfolio.md": [f"examples/{name}" for name in ALL_EXAMPLES],
    "portfolio.json": [f"examples/{name}" for name in ALL_EXAMPLES],
}


class _Text(SingleFileSnapshotExtension):
    """One UTF-8 text file per snapshot, named after the case (``use-case.md``)."""

    _write_mode = WriteMode.TEXT


def _extension(name: str) -> type[_Text]:
    """A snapshot extension storing the case ``name`` as a file of that name."""
    stem, suffix = name.rsplit(".", 1)

    class Named(_Text):
        _file_extension = suffix

        @classmethod
        def get_snapshot_name(cls, *, test_location, index=0):  # type: ignore[no-untyped-def]
            return stem

    return Named


@pytest.fixture
def golden(snapshot):  # type: ignore[no-untyped-def]
    def check(name: str, actual: str) -> None:
        actual = actual.replace(f"assessor {__version__}", "assessor VERSION")
        assert actual == snapshot.use_extension(_extension(name))

    return check


@pytest.mark.parametrize("name", sorted(CASES))
def test_report_matches_golden_file(
    cli, golden, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.chdir(REPO)  # file names in the report are as given: examples/...
    fmt = name.rsplit(".", 1)[1]
    out = tmp_path / name
    result = cli(
        "report", *CASES[name], "--format", fmt, "-o", out,
        "--client", "Northwind Insurance", "--author", "Acme Advisory",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    golden(name, out.read_text(encoding="utf-8"))


def test_score_markdown_matches_golden_file(cli, golden, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = cli("score", *[f"examples/{n}" for n in ALL_EXAMPLES], "--format", "md")
    assert result.exit_code == 0, result.output
    golden("score-summary.md", result.stdout)
