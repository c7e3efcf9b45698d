"""constraints.txt pins every dependency of pyproject.toml, at a version it accepts."""

import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from .conftest import PROJECT


def pins() -> dict[str, str]:
    found = {}
    lines = (PROJECT / "constraints.txt").read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        name, separator, version = line.partition("==")
        assert separator and version.strip(), f"constraints.txt:{number}: not name==version"
        found[canonicalize_name(name)] = version.strip()
    return found


def requirements() -> list[Requirement]:
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = list(project["project"]["dependencies"])
    for extra in project["project"].get("optional-dependencies", {}).values():
        listed += extra
    listed += project["build-system"]["requires"]
    return [Requirement(text) for text in listed]


def test_every_requirement_is_pinned_at_a_version_it_accepts() -> None:
    pinned = pins()
    problems = []
    for requirement in requirements():
        version = pinned.get(canonicalize_name(requirement.name))
        if version is None:
            problems.append(f"{requirement}: no pin in constraints.txt")
        elif not requirement.specifier.contains(version, prereleases=True):
            problems.append(f"{requirement}: constraints.txt pins {version}")
    assert not problems, "refresh constraints.txt (see its header):\n" + "\n".join(problems)
