"""The one way the screens run slow work (a call to the platform, starting or stopping sync):
the job runs on a plain thread, and its answer or error comes back as a signal on the GUI
thread (through a ui.gui_post.GuiPost), so no tap waits for it."""
from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, Slot

from ui.gui_post import GuiPost


class BackgroundJob(QObject):
    """Create it on the GUI thread (as a child of what shows the outcome)."""

    succeeded = Signal(object)  # what the job returned
    failed = Signal(object)  # the exception it raised

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.running = False
        self._outcome = GuiPost(self)
        self._outcome.arrived.connect(self._dispatch)

    def start(self, job: Callable[[], object]) -> bool:
        """Run `job` off the GUI thread; False (and nothing run) while the last one runs."""
        if self.running:
            return False
        self.running = True
        threading.Thread(target=self._run, args=(job,), name=self.name, daemon=True).start()
        return True

    def _run(self, job: Callable[[], object]) -> None:
        try:
            outcome = (True, job())
        except Exception as error:  # known or a bug: the GUI thread decides which
            outcome = (False, error)
        self._outcome.post(outcome)

    @Slot(object)
    def _dispatch(self, outcome: tuple[bool, object]) -> None:
        ok, value = outcome
        self.running = False
        (self.succeeded if ok else self.failed).emit(value)
