"""The scaffold as a library: a scored assessment in, a starter project rendered safely out.

Public surface: :func:`render_file` (an assessment file into a folder), :func:`render_project`
(a loaded assessment or a result), :func:`prepare` (everything refusable without writing).
No prompts, spinners or terminal checks here: front ends pass a ``progress`` callback.
Names: :mod:`assessor.scaffold.names`; context: :mod:`assessor.scaffold.context`; safe
rendering: :mod:`assessor.scaffold.render`; what a project was rendered from:
:mod:`assessor.scaffold.record`; following the assessment later: :func:`update_project`
(:mod:`assessor.scaffold.update`).
"""

from __future__ import annotations

from assessor.scaffold.project import prepare, render_file, render_project
from assessor.scaffold.update import update_project

__all__ = ["prepare", "render_file", "render_project", "update_project"]
