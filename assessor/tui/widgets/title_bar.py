"""The top line: the app and the assessment file (lighter than Textual's Header)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class TitleBar(Static):
    """``assessor — FILE``, centred, one line."""

    def on_mount(self) -> None:
        title = Text("assessor", style="bold")
        title.append(f" — {self.app.sub_title}", style="dim")
        self.update(title)
