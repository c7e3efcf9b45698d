"""Refuse a template context that would generate a broken or unsafe project.

The values arrive through ``tojson`` (never as template source), so whatever they contain
they are data here.
"""

import json
import keyword
import re
import sys

CONTEXT = json.loads({{ cookiecutter | tojson | tojson }})

# Longer names would push generated lines past the line length the code is formatted for.
MAX_NAME = 40

TASK_TYPES = {
    "text_generation",
    "summarization",
    "classification",
    "extraction",
    "rag",
    "agentic_workflow",
    "code_generation",
    "voice_synthesis",
    "other",
}


def problems(context):
    found = []
    slug = context.get("project_slug", "")
    if not isinstance(slug, str) or not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug):
        found.append(f"project_slug {slug!r}: use lowercase letters, digits and single dashes")
    elif len(slug) > MAX_NAME:
        found.append(f"project_slug {slug!r}: at most {MAX_NAME} characters")
    package = context.get("package_name", "")
    if (
        not isinstance(package, str)
        or not re.fullmatch(r"[a-z_][a-z0-9_]*", package)
        or keyword.iskeyword(package)
    ):
        found.append(f"package_name {package!r}: use a lowercase Python identifier")
    elif len(package) > MAX_NAME:
        found.append(f"package_name {package!r}: at most {MAX_NAME} characters")
    if context.get("task_type") not in TASK_TYPES:
        found.append(f"task_type {context.get('task_type')!r}: one of {sorted(TASK_TYPES)}")
    for name in ("confidence_threshold", "review_sample_rate", "max_error_rate"):
        try:
            value = float(context.get(name))
        except (TypeError, ValueError):
            found.append(f"{name} {context.get(name)!r}: a number between 0 and 1")
            continue
        if not 0.0 <= value <= 1.0:
            found.append(f"{name} {value}: a number between 0 and 1")
    try:
        ttl = int(str(context.get("cache_ttl_seconds")))
        if ttl < 1:
            raise ValueError
    except ValueError:
        found.append(
            f"cache_ttl_seconds {context.get('cache_ttl_seconds')!r}: a whole number of seconds >= 1"
        )
    for name in ("human_fallback", "async_pipeline", "response_cache", "review_all"):
        if not isinstance(context.get(name), bool):
            found.append(f"{name} {context.get(name)!r}: true or false")
    return found


if __name__ == "__main__":
    errors = problems(CONTEXT)
    if errors:
        for error in errors:
            print(f"invalid template context: {error}", file=sys.stderr)
        sys.exit(1)
