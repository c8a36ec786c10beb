"""SIGTERM (a service manager stopping the kiosk) and SIGINT end the event loop like closing the
window does, so the store, speech worker and sync worker are closed in order, not killed."""
from __future__ import annotations

import signal
import socket

from PySide6.QtCore import QSocketNotifier
from PySide6.QtWidgets import QApplication

SIGNALS = (signal.SIGTERM, signal.SIGINT)


def quit_on_signals(app: QApplication) -> None:
    """Python notes a signal only when it next runs bytecode, which an idle Qt event loop may
    not do for a long time; the signal's byte on a socket wakes the loop at once."""
    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    signal.set_wakeup_fd(writer.fileno())
    for number in SIGNALS:
        signal.signal(number, lambda _number, _frame: None)  # the byte is written regardless
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read, app)

    def woken() -> None:
        try:
            reader.recv(64)
        except BlockingIOError:
            return
        app.quit()

    notifier.activated.connect(woken)
    app._signal_wakeup = (reader, writer, notifier)  # kept alive as long as the application
