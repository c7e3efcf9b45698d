"""Shared helpers of the report tests (constants, hostile inputs, external tools)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from browser_support import require_tool

__all__ = ["require_tool"]  # the report tests' external tools come from here too

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
FIXED_EPOCH = "1760000000"  # 2025-10-09: every report in these tests carries this date
# A fixed portfolio (not a glob: new examples must not change golden files): one per verdict
# and more.
ALL_EXAMPLES = [
    "claims-summaries.yaml",
    "contract-extraction.yaml",
    "loan-agent.yaml",
    "refund-assistant.yaml",
    "ticket-triage.yaml",
]

# User text an attacker controls, in every field a report shows.
SCRIPT = "<script>alert('xss')</script>"
IMG = '"><img src=x onerror=alert(1)>'
JS_LINK = "javascript:alert(document.cookie)"
DATA_LINK = "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="
SAFE_LINK = "https://wiki.example.com/eval?run=7&set=gold"
HOSTILE_NAME = f"{SCRIPT}{IMG} | `tick` **bold** [x]({JS_LINK})"
HOSTILE_DESCRIPTION = (
    f"{IMG}\nSecond line <b>bold</b> & {SCRIPT}\n"
    f"- not a list\n# not a heading\n1. not a list\n"
    f"Links: {JS_LINK} {DATA_LINK} {SAFE_LINK} "
    f'https://x.example/"onmouseover="alert(1) $x$ ~~strike~~ &amp; \x1b[31mred'
)
HOSTILE_OWNER = f"<iframe src=//evil.example></iframe> {IMG}"
HOSTILE_NOTE = f"See {SAFE_LINK}. Not {JS_LINK} nor {DATA_LINK} {SCRIPT} | a | b |\nline two"


def yaml_text(value: str) -> str:
    """A YAML double-quoted scalar for any text (JSON strings are valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def hostile_assessment(*, name: str, description: str, owner: str, note: str) -> str:
    return textwrap.dedent(
        f"""\
        version: 1
        use_case:
          name: {yaml_text(name)}
          description: {yaml_text(description)}
          owner: {yaml_text(owner)}
        answers:
          task_type: rag
          error_cost: high
          autonomy: autonomous
          regulation: none
          error_rate: 0.03
          customer_facing: true
          realtime: true
          repeat_queries: frequent
          evaluation: none
          retrieval_tuned: false
          document_quality: mixed
          cost_per_error: 250
        notes:
          autonomy: {yaml_text(note)}
          error_rate: {yaml_text(note)}
        """
    )
