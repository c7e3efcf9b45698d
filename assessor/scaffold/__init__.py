"""Assessment -> template context -> cookiecutter, with the user's text kept as data.

Public surface: :func:`run_scaffold` (the ``scaffold`` command) and :func:`render_project`
(the same as a library call, for the TUI and tests). Names: :mod:`assessor.scaffold.names`;
context: :mod:`assessor.scaffold.context`; safe rendering: :mod:`assessor.scaffold.render`.
"""

from __future__ import annotations

from assessor.scaffold.command import run_scaffold
from assessor.scaffold.project import prepare, render_project

__all__ = ["prepare", "render_project", "run_scaffold"]
