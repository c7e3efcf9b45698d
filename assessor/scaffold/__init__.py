"""The scaffold as a library: a scored assessment in, a starter project rendered safely out.

Public surface: :func:`render_file` (an assessment file into a folder), :func:`render_project`
(a loaded assessment or a result), :func:`prepare` (everything refusable without writing).
No prompts, spinners or terminal checks here: front ends pass a ``progress`` callback.
Names: :mod:`assessor.scaffold.names`; context: :mod:`assessor.scaffold.context`; safe
rendering: :mod:`assessor.scaffold.render`.
"""

from __future__ import annotations

from assessor.scaffold.project import prepare, render_file, render_project

__all__ = ["prepare", "render_file", "render_project"]
