"""The generated project's constraints.txt pins what its tests run with.

The shared venv of the generated projects is built with ``-c constraints.txt``; every pin
must then be the installed version, so the versions CI and the Dockerfile install (with the
same file) are the versions the template was tested with.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from packaging.utils import canonicalize_name
from scaffold_support import ProjectVenv, clean_env


def pinned_text(text: str) -> dict[str, str]:
    """``name==version`` lines (comments and other lines skipped), by canonical name."""
    found = {}
    for line in text.splitlines():
        name, separator, version = line.partition("==")
        if separator and not line.startswith("#"):
            found[canonicalize_name(name)] = version.strip()
    return found


def test_every_pin_is_the_installed_version(
    render_variant: Callable[..., Path], project_venv: ProjectVenv
) -> None:
    pins = pinned_text((render_variant("full") / "constraints.txt").read_text(encoding="utf-8"))
    freeze = subprocess.run(
        [str(project_venv.python), "-m", "pip", "freeze", "--exclude-editable"],
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    installed = pinned_text(freeze)

    assert len(pins) > 30
    assert {name: installed.get(name) for name in pins} == pins
