"""Project names: derived from the use case by a documented rule, or given and then validated.

The generated project has three names:

* the **display name** (``project_name``): the use case's name, free text, shown in the
  service's title and README. It never becomes a path.
* the **project name** (``project_slug``): the distribution name, the console script and the
  name of the project inside the template. ``[a-z][a-z0-9]*(-[a-z0-9]+)*``, at most 64 characters.
* the **package name** (``package_name``): the Python package under ``src/``.
  ``[a-z][a-z0-9_]*``, at most 40 characters, not a Python keyword, not a standard-library
  module and not one of the generated project's own dependencies (either would be shadowed):
  the direct ones are read from the template's ``pyproject.toml``, the ones they pull in are
  listed in :data:`RESERVED`.

Derivation rule (``derive_slug``), applied to the use case's name when no name is given:

1. Unicode NFKD normalisation, then everything that is not ASCII is dropped ("Café" -> "Cafe").
2. Lower case.
3. Every run of characters other than ``a-z`` and ``0-9`` becomes one dash; dashes at the
   ends are removed ("../Refund  policy!" -> "refund-policy").
4. Nothing left -> ``ai-service``; not starting with a letter -> ``ai-`` is put in front
   ("2024 triage" -> "ai-2024-triage").
5. At most 40 characters in all, cut at a dash when there is one in the last third.
6. A name that would clash (see above) gets ``-service`` appended ("pytest" -> "pytest-service").

The package name is the project name with dashes turned into underscores, and the same
clash rule (``_service`` appended).

Names given explicitly (``--name``, ``--package``, the prompt, the library arguments) are
*validated*, never silently slugified: ``../x``, ``/abs``, ``C:\\x``, an empty name, ``.``,
control characters, bidirectional controls and names over 255 bytes are refused with a
message that suggests a valid name.
"""

from __future__ import annotations

import keyword
import re
import sys
import unicodedata
from functools import lru_cache
from pathlib import Path

DEFAULT_SLUG = "ai-service"
MAX_NAME = 40
"""The template's limit: longer names push generated lines past their formatted length."""
MAX_BYTES = 255

SLUG_RE = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
PACKAGE_RE = re.compile(r"[a-z][a-z0-9_]*")

# Names a generated project must not take, besides the standard library and keywords: its
# own folders and tools, and what its dependencies install. The direct dependencies are read
# from the template's pyproject.toml (:func:`template_dependencies`, the one source for
# them); these are the names pip resolves them to (measured in a generated project's virtual
# environment) and the import names that differ from distribution names.
RESERVED = frozenset(
    {
        # the project's own layout and tools
        "app", "pip", "python", "setuptools", "tests", "wheel",
        # installed by the dependencies (transitively)
        "annotated-doc", "annotated-types", "anyio", "certifi", "click", "croniter",
        "dotenv", "editables", "greenlet", "h11", "hatchling", "httpcore", "httptools",
        "idna", "iniconfig", "jiter", "markupsafe", "multipart", "opentelemetry",
        "opentelemetry-api", "packaging", "pathspec", "pluggy", "psycopg-binary",
        "psycopg-pool", "pydantic-core", "pygments", "python-dateutil", "dateutil",
        "python-dotenv", "python-multipart", "pyyaml", "yaml", "sniffio", "sqlalchemy",
        "starlette", "tomlkit", "trove-classifiers", "truststore", "typing-extensions",
        "typing-inspection", "tzdata", "uvloop", "watchfiles", "websockets", "distro", "tqdm",
        "alembic", "redis",
    }
)  # fmt: skip

_REQUIREMENT_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
STDLIB = frozenset(sys.stdlib_module_names) | {"test"}
"""The standard library's top-level names; ``sys.stdlib_module_names`` leaves out its own
regression-test package ``test``, which a project package of that name would still hide."""


def normalise(name: str) -> str:
    """A distribution or import name in one spelling (PEP 503: lower case, runs of ``-_.``
    as one dash), so ``Prometheus_Client`` and ``prometheus-client`` are the same name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def template_dependencies(template: Path | None = None) -> frozenset[str]:
    """The requirement names in the template's ``pyproject.toml`` (build system, runtime and
    optional dependencies), normalised; every pattern's, whether it is on or off."""
    if template is None:
        from assessor.resources import templates_dir

        template = templates_dir() / "ai-service"
    return _template_dependencies(str(template))


@lru_cache(maxsize=4)
def _template_dependencies(template: str) -> frozenset[str]:
    import tomllib

    from assessor.errors import InputError
    from assessor.fileio import read_bytes

    found: set[str] = set()
    for pyproject in sorted(Path(template).glob("*/pyproject.toml")):
        try:
            text = read_bytes(pyproject, limit=1 << 20).decode("utf-8", "replace")
        except InputError:
            continue
        # The file is a Jinja template: drop the tag lines (every pattern's dependencies
        # count, on or off) and stand a placeholder in for each value.
        text = re.sub(r"^\s*\{%.*%\}\s*$", "", text, flags=re.M)
        text = re.sub(r"\{\{.*?\}\}", "placeholder", text)
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            continue
        project = data.get("project", {})
        requirements = [
            *data.get("build-system", {}).get("requires", []),
            *project.get("dependencies", []),
            *(r for group in project.get("optional-dependencies", {}).values() for r in group),
        ]
        for requirement in requirements:
            match = _REQUIREMENT_NAME.match(str(requirement))
            if match:
                found.add(normalise(match.group(1)))
    return frozenset(found)


def _reserved() -> frozenset[str]:
    return frozenset(normalise(n) for n in RESERVED) | template_dependencies()


# Characters that reorder text on screen (Trojan Source, CVE-2021-42574).
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


class NameError_(ValueError):
    """A given name is not acceptable; the message says why and suggests one that is."""


def _clashes(name: str) -> bool:
    return (
        normalise(name) in _reserved()
        or keyword.iskeyword(name)
        or name.replace("-", "_") in STDLIB
    )


def derive_slug(text: str) -> str:
    """The project name derived from free text by the rule in this module's docstring."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    core = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if not core:
        return DEFAULT_SLUG
    prefix = "" if core[0].isalpha() else "ai-"
    slug = prefix + _cut(core, MAX_NAME - len(prefix))
    if _clashes(slug):
        slug = _cut(slug, MAX_NAME - len("-service")) + "-service"
    return slug


def _cut(slug: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a dash when there is one in the last third."""
    if len(slug) <= limit:
        return slug
    cut = slug[:limit]
    dash = cut.rfind("-")
    if dash >= limit * 2 // 3:
        cut = cut[:dash]
    return cut.strip("-")


def derive_package(slug: str) -> str:
    """The package name for a (valid) project name: dashes become underscores."""
    package = slug.replace("-", "_")
    if _clashes(package):
        package = f"{package}_service"
    return package


def shown(value: str, limit: int = 60) -> str:
    """``value`` quoted for a message, with invisible characters made visible."""
    text = repr(value if len(value) <= limit else value[:limit] + "…")
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """Why ``value`` must not go into generated files, or None.

    Refused: bidirectional control characters (they can make code read differently from how
    it runs) and control characters (newline and tab allowed where ``multiline``).
    """
    for index, char in enumerate(value):
        if char in BIDI_CONTROLS:
            name = unicodedata.name(char, "bidirectional control")
            return (
                f"contains the bidirectional control character U+{ord(char):04X} ({name}) "
                f"at character {index + 1}; it can make generated code read differently from "
                "how it runs (Trojan Source), so it is not copied into the project"
            )
        if multiline and char in "\n\t":
            continue
        if unicodedata.category(char) == "Cc":
            return (
                f"contains the control character U+{ord(char):04X} at character {index + 1}; "
                "remove it"
            )
    return None


def _common_problem(value: str, what: str) -> str | None:
    if not value.strip():
        return f"{what} is empty"
    if len(value.encode("utf-8")) > MAX_BYTES:
        return f"{what} is longer than {MAX_BYTES} bytes"
    problem = text_problem(value)
    if problem:
        return f"{what} {shown(value)} {problem}"
    if value in (".", "..") or "/" in value or "\\" in value or re.match(r"[A-Za-z]:", value):
        return f"{what} {shown(value)} is a path; give a plain name (the folder is chosen with -o)"
    return None


def validate_slug(value: str) -> str:
    """Return ``value`` if it is a valid project name, else raise :class:`NameError_`."""
    what = "project name"
    problem = _common_problem(value, what)
    if problem:
        raise NameError_(_with_example(problem, value))
    if len(value) > MAX_NAME:
        raise NameError_(f"{what} is longer than {MAX_NAME} characters")
    if not SLUG_RE.fullmatch(value):
        raise NameError_(
            _with_example(
                f"{what} {shown(value)} must be lowercase letters, digits and single dashes, "
                "starting with a letter",
                value,
            )
        )
    if _clashes(value):
        raise NameError_(
            f"{what} {shown(value)} clashes with a Python keyword, a standard-library module "
            f"or a dependency of the generated project; for example {value + '-service'!r}"
        )
    return value


def validate_package(value: str) -> str:
    """Return ``value`` if it is a valid package name, else raise :class:`NameError_`."""
    what = "package name"
    problem = _common_problem(value, what)
    if problem:
        raise NameError_(_with_example(problem, value, package=True))
    if len(value) > MAX_NAME:
        raise NameError_(f"{what} is longer than {MAX_NAME} characters")
    if not PACKAGE_RE.fullmatch(value):
        raise NameError_(
            _with_example(
                f"{what} {shown(value)} must be a lowercase Python identifier "
                "(letters, digits, underscores; starting with a letter)",
                value,
                package=True,
            )
        )
    if _clashes(value):
        raise NameError_(
            f"{what} {shown(value)} clashes with a Python keyword, a standard-library module "
            f"or a dependency of the generated project; for example {value + '_service'!r}"
        )
    return value


def _with_example(message: str, value: str, *, package: bool = False) -> str:
    if not value.strip():
        return message
    slug = derive_slug(value)
    example = derive_package(slug) if package else slug
    return f"{message}; for example {example!r}"
