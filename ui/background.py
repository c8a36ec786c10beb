"""The thin Qt adapter for one slow job (a call to the platform): it runs on a plain thread,
and its answer or error comes back as a signal on the GUI thread, so no tap waits for it."""
from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal, Slot


class BackgroundJob(QObject):
    """Create it on the GUI thread (as a child of the screen that shows the outcome)."""

    succeeded = Signal(object)  # what the job returned
    failed = Signal(object)  # the exception it raised
    _arrived = Signal(bool, object)  # emitted on the job's thread, delivered on the GUI thread

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.running = False
        self._arrived.connect(self._dispatch, Qt.ConnectionType.QueuedConnection)

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
        # RuntimeError: the window was closed meanwhile, and nobody is left to tell.
        with contextlib.suppress(RuntimeError):
            self._arrived.emit(*outcome)

    @Slot(bool, object)
    def _dispatch(self, ok: bool, value: object) -> None:
        self.running = False
        (self.succeeded if ok else self.failed).emit(value)
