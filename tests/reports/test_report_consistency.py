"""The PDF report shows what the rubric's consistency section says: review of every output where
it is required (and why), answers that contradict each other, and the effort of each change."""

from __future__ import annotations

from pathlib import Path

import yaml
from report_support import EXAMPLES
from test_report_pdf import pdf_text, write_pdf


def test_pdf_says_every_output_is_reviewed_and_why(cli, tmp_path: Path) -> None:
    out = write_pdf(cli, tmp_path, EXAMPLES / "discharge-letters.yaml")
    text = pdf_text(out)
    assert "Having a person review every output is required" in text
    assert "Why every output is reviewed: The domain is regulated" in text
    assert "is the cheapest policy" not in text
    assert "effort" in text.casefold()


def test_pdf_shows_contradictory_answers(cli, tmp_path: Path) -> None:
    document = yaml.safe_load((EXAMPLES / "claims-summaries.yaml").read_text(encoding="utf-8"))
    document["answers"]["error_rate_source"] = "unknown"
    path = tmp_path / "claims.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    text = pdf_text(write_pdf(cli, tmp_path, path))
    assert "Answers that contradict each other" in text
    assert "Error rate given, but its source is unknown" in text
    assert "An error rate of 2% is given, with its source answered as unknown" in text
