"""`assessor report`: what gets written, what is refused, and how failures leave the disk."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from report_support import ALL_EXAMPLES, EXAMPLES

from assessor.fileio import stray_temp_files

FORMATS = ["md", "html", "pdf", "json"]
MAGIC = {"md": b"# ", "html": b"<!DOCTYPE html>", "pdf": b"%PDF-", "json": b"{"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_file_is_a_use_case_report(cli, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"report.{fmt}"
    result = cli("report", EXAMPLES / "loan-agent.yaml", "--format", fmt, "-o", out)
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.stderr
    data = out.read_bytes()
    assert data.startswith(MAGIC[fmt])
    if fmt != "pdf":
        text = data.decode("utf-8")
        assert "Instant loan decisions" in text
        assert "not_ready" in text if fmt == "json" else "Not ready" in text
    assert stray_temp_files(out) == []


@pytest.mark.parametrize("fmt", ["md", "html", "json"])
def test_several_files_are_a_portfolio(cli, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"portfolio.{fmt}"
    files = [EXAMPLES / name for name in ALL_EXAMPLES]
    result = cli("report", *files, "--format", fmt, "-o", out, "--title", "AI portfolio Q3")
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    if fmt == "json":
        data = json.loads(text)
        assert data["kind"] == "portfolio"
        assert len(data["use_cases"]) == len(files)
        assert [e["rank"] for e in data["portfolio"]["ranking"]] == list(range(1, len(files) + 1))
    else:
        assert "What to build first" in text
        assert "AI portfolio Q3" in text
        for name in ("Refund policy assistant", "Support ticket triage", "Claim file summaries"):
            assert name in text


def test_cover_shows_title_client_and_author(cli, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    result = cli(
        "report", EXAMPLES / "refund-assistant.yaml", "--format", "html", "-o", out,
        "--title", "Readiness review", "--client", "Northwind", "--author", "Ada Advisor",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    for text in ("Readiness review", "Prepared for", "Northwind", "Prepared by", "Ada Advisor"):
        assert text in html
    assert "<title>Readiness review</title>" in html


def test_existing_output_is_refused_without_force(cli, tmp_path: Path) -> None:
    out = tmp_path / "r.md"
    out.write_text("my notes, not a report\n", encoding="utf-8")
    result = cli("report", EXAMPLES / "loan-agent.yaml", "--format", "md", "-o", out)
    assert result.exit_code == 2
    assert "exists" in result.stderr and "--force" in result.stderr
    assert out.read_text(encoding="utf-8") == "my notes, not a report\n"

    result = cli("report", EXAMPLES / "loan-agent.yaml", "--format", "md", "-o", out, "--force")
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("# Instant loan decisions")
    assert stray_temp_files(out) == []


def test_invalid_input_exits_2_with_location_and_writes_nothing(cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "version: 1\nuse_case:\n  name: X\nanswers:\n  task_type: rag\n  error_cost: huge\n",
        encoding="utf-8",
    )
    out = tmp_path / "r.html"
    result = cli("report", EXAMPLES / "loan-agent.yaml", bad, "--format", "html", "-o", out)
    assert result.exit_code == 2
    assert "bad.yaml:6:" in result.stderr
    assert "answers.error_cost" in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()
    assert stray_temp_files(out) == []


def test_failed_render_keeps_the_previous_report(cli, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    out.write_text("previous report", encoding="utf-8")
    missing = tmp_path / "missing.yaml"
    result = cli("report", missing, "--format", "html", "-o", out, "--force")
    assert result.exit_code != 0
    assert out.read_text(encoding="utf-8") == "previous report"
    assert stray_temp_files(out) == []


def test_write_is_atomic_when_interrupted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A write that dies half-way leaves the old report whole and no temp file behind."""
    from assessor import fileio
    from assessor.reports import write_report

    out = tmp_path / "r.json"
    out.write_text('{"old": true}', encoding="utf-8")
    real_fsync = os.fsync

    def dying_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fileio.os, "fsync", dying_fsync)
    with pytest.raises(OSError):
        write_report([EXAMPLES / "loan-agent.yaml"], fmt="json", out=out, force=True)
    monkeypatch.setattr(fileio.os, "fsync", real_fsync)
    assert out.read_text(encoding="utf-8") == '{"old": true}'
    assert stray_temp_files(out) == []


@pytest.mark.parametrize(
    ("make_out", "message"),
    [
        (lambda tmp: tmp, "is a folder"),
        (lambda tmp: tmp / "nowhere" / "r.md", "does not exist"),
    ],
)
def test_unusable_output_paths_are_refused(cli, tmp_path: Path, make_out, message: str) -> None:
    result = cli("report", EXAMPLES / "loan-agent.yaml", "--format", "md", "-o", make_out(tmp_path))
    assert result.exit_code == 2
    assert message in result.stderr


def test_output_cannot_overwrite_an_input(cli, examples_copy) -> None:
    (src,) = examples_copy("loan-agent.yaml")
    before = src.read_bytes()
    result = cli("report", src, "--format", "md", "-o", src, "--force")
    assert result.exit_code == 2
    assert "is one of the assessment files" in result.stderr
    assert src.read_bytes() == before


def test_overlong_cover_text_is_refused(cli, tmp_path: Path) -> None:
    out = tmp_path / "r.md"
    result = cli(
        "report", EXAMPLES / "loan-agent.yaml", "--format", "md", "-o", out, "--client", "x" * 301
    )
    assert result.exit_code == 2
    assert "--client" in result.stderr
    assert not out.exists()


def test_pdf_without_weasyprint_names_the_extra(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import weasyprint -> ImportError
    out = tmp_path / "r.pdf"
    result = cli("report", EXAMPLES / "loan-agent.yaml", "--format", "pdf", "-o", out)
    assert result.exit_code == 1
    assert "pip install 'assessor[pdf]'" in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()


def test_user_text_in_messages_is_terminal_safe(cli, tmp_path: Path) -> None:
    out = tmp_path / "r\x1b[31m.md"
    out.write_text("x", encoding="utf-8")
    result = cli("report", EXAMPLES / "loan-agent.yaml", "--format", "md", "-o", out)
    assert result.exit_code == 2
    assert "\x1b" not in result.stderr


def test_importing_reports_stays_light() -> None:
    """`import assessor.reports` (done by the CLI's report command) loads no renderer yet."""
    import subprocess

    code = (
        "import sys, assessor.reports, assessor.reports.model\n"
        "heavy = [m for m in ('jinja2', 'weasyprint', 'markdown_it') if m in sys.modules]\n"
        "print(heavy)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_ascii_terminal_and_c_locale(tmp_path: Path) -> None:
    """LANG=C and an ASCII-only stdout: no UnicodeEncodeError; report files are UTF-8."""
    import subprocess

    src = (EXAMPLES / "refund-assistant.yaml").read_text(encoding="utf-8")
    old, new = tmp_path / "v1.yaml", tmp_path / "v2.yaml"
    old.write_text(src.replace("Refund policy assistant", "Rückerstattung ✓ 払い戻し"), "utf-8")
    new.write_text(
        old.read_text("utf-8").replace("autonomy: autonomous", "autonomy: human_approves"), "utf-8"
    )
    env = {**os.environ, "LANG": "C", "LC_ALL": "C", "PYTHONIOENCODING": "ascii"}
    out = tmp_path / "r.md"
    for args in (
        ["report", str(new), "--format", "md", "-o", str(out)],
        ["diff", str(old), str(new)],
        ["diff", str(old), str(new), "--format", "md"],
        ["score", str(new), "--format", "md"],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "assessor", *args], capture_output=True, env=env, check=False
        )
        assert done.returncode == 0, done.stderr.decode("ascii", "replace")
        assert b"UnicodeEncodeError" not in done.stderr
    assert "Rückerstattung ✓ 払い戻し" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["md", "html", "json"])
def test_summary_portfolio_and_document_fields(cli, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"summary.{fmt}"
    files = [EXAMPLES / name for name in ALL_EXAMPLES]
    result = cli(
        "report", *files, "--format", fmt, "-o", out, "--summary", "--currency", "EUR",
        "--doc-version", "2.1", "--status", "final", "--confidential", "--client", "Northwind",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    if fmt == "json":
        data = json.loads(text)
        assert data["summary_only"] is True
        assert data["meta"] | {"doc_version": "2.1", "status": "final", "confidential": True,
                               "currency": "EUR"} == data["meta"]  # fmt: skip
        cells = {(c["value"], c["verdict"]): len(c["anchors"]) for c in data["portfolio"]["matrix"]}
        assert cells[("high", "not_ready")] == 2 and cells[("medium", "ready")] == 1
        return
    expected = ["Risks by dimension", "Value and readiness", "What to build first",
                "Methodology", "Sign-off", "2.1", "Confidential", "EUR\u00a05,000"]  # fmt: skip
    for part in expected:
        assert part in text, part
    # One line per use case, no per-use-case sections.
    assert "Readiness by dimension" not in text and "All use cases" not in text
    assert "Appendix" not in text


def test_summary_needs_several_files(cli, tmp_path: Path) -> None:
    out = tmp_path / "s.md"
    result = cli("report", EXAMPLES / "loan-agent.yaml", "--format", "md", "-o", out, "--summary")
    assert result.exit_code == 2
    assert "--summary is for a portfolio" in result.output
    assert not out.exists()


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_no_appendix_leaves_out_the_answers(cli, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"r.{fmt}"
    src = EXAMPLES / "refund-assistant.yaml"
    result = cli("report", src, "--format", fmt, "-o", out, "--no-appendix")
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "Appendix" not in text and "What fraction of outputs are wrong?" not in text
    assert "Improvement plan" in text and "Methodology" in text
