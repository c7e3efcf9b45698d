"""One line that says whether the answers are on disk, and loudly when they are not."""

from __future__ import annotations

from textual.widgets import Static


class SaveStatus(Static):
    """Follows the app's ``save_state`` (refreshed after every save attempt)."""

    _shown: tuple[str, str] = ("", "")

    def on_mount(self) -> None:
        self.watch(self.app, "save_state", self._follow, init=True)

    def _follow(self, _: int) -> None:
        session = self.app.session  # type: ignore[attr-defined]
        name = session.path.name
        if session.readonly:
            text, state = f"Read-only: {name} is open in another assessor; nothing is saved", "warn"
        elif session.outside is not None:
            text = (
                f"NOT SAVED: {name} was changed by another program; Ctrl+S to choose which "
                "version to keep"
            )
            state = "error"
        elif session.save_error:
            text = f"NOT SAVED: {session.save_error}. Answers are kept here; saving retries."
            state = "error"
        elif not session.loaded:
            # The rubric is still loading (it is not needed to fill in the use case).
            text = f"New assessment; answers are saved to {name}" if session.is_new else name
            state = "ok"
        elif session.dirty:
            text, state = f"Saving to {name}…", "pending"
        elif session.saves or session.path.exists():
            done = "complete" if session.complete else f"{len(session.open_questions())} open"
            text, state = f"Saved to {name} ({done})", "ok"
        else:
            text, state = f"New assessment; answers are saved to {name}", "ok"
        if (text, state) == self._shown:
            return
        self._shown = (text, state)
        self.update(text, layout=False)  # always one line
        self.set_classes(f"-{state}")
