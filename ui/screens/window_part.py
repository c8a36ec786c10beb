"""A service booked by a window, step 2: morning (上午) or afternoon (下午) of the chosen day,
with its free places; then its kinds (a cleaning's) or straight to the confirm screen."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout

from kiosk import catalogue
from kiosk.booking_text import service_words
from kiosk.my_bookings import service_reason_key
from kiosk.service_flows import WINDOWS
from kiosk.slots import SlotView
from ui.screens.base import Screen
from ui.widgets import BigButton


def window_state(t, view: SlotView | None) -> str:
    if view is None:
        return t("cleaning.window.none")
    if view.refusal:
        return t(f"cleaning.window.{view.refusal}")
    return t("cleaning.window.open", time=t.time(view.slot.start), end=t.time(view.slot.end))


class WindowPartScreen(Screen):
    name = "window_part"

    def build(self) -> None:
        row = QHBoxLayout()
        row.setSpacing(self.metrics.gap * 3)
        self.buttons: dict[str, BigButton] = {}
        for window in WINDOWS:
            button = BigButton("", "tile")
            button.tapped.connect(lambda w=window: self._chosen(w))
            row.addWidget(button)
            self.buttons[window] = button
        self.body.addLayout(row)
        self.body.addWidget(self.message)
        self.body.addStretch(1)
        self.views: dict[str, SlotView] = {}

    def enter(self) -> None:
        self.hide_message()
        core, t = self.core, self.t
        day = core.session.draft.day
        entry = catalogue.entry(core.store, core.session.draft.service)
        self.set_title(service_words(t, entry, "window.title", day=t.day(day, "format.day_short")))
        self.flow = core.flow(core.session.draft.service)
        self.views = self.flow.windows(core.session.elder.id, day)
        for window, button in self.buttons.items():
            view = self.views.get(window)
            button.setText(f"{t('window.' + window)}\n{window_state(t, view)}")
            button.set_role("tile" if view is not None and view.bookable else "unavailable")

    def prompt(self) -> str:
        entry = catalogue.entry(self.core.store, self.core.session.draft.service)
        return service_words(self.t, entry, "window.prompt")

    def clear(self) -> None:
        super().clear()
        self.views = {}

    def _chosen(self, window: str) -> None:
        view = self.views.get(window)
        if view is None or not view.bookable:
            reason = view.refusal if view is not None else "unknown_slot"
            self.show_message(self.t(service_reason_key(reason)))
            return
        draft = self.core.session.draft
        draft.window, draft.slot_id = window, view.slot.id
        provider = self.flow.provider()
        self.shell.answer("kind" if provider is not None and provider.kinds else "confirm")
