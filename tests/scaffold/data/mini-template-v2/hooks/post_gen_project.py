"""Remove the files of the patterns that are off (like the real template does)."""

import json
from pathlib import Path

CONTEXT = json.loads({{ cookiecutter | tojson | tojson }})
PACKAGE = Path("src") / CONTEXT["package_name"]

for pattern, name in (
    ("human_fallback", "confidence.py"),
    ("async_pipeline", "jobs.py"),
    ("response_cache", "cache.py"),
):
    if not CONTEXT[pattern]:
        (PACKAGE / name).unlink()
