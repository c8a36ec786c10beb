"""签到: today's sessions of the services that take attendance (文化活动); staff pick one at the
door, elders hold their cards to the scanner, and the sheet shows who signed up, who came and
who came without signing up (masked names). Each scan is recorded once and synced."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout

from kiosk.attendance import Attendance
from kiosk.elders import find_by_card
from kiosk.errors import BookingRejected, KnownError
from kiosk.my_bookings import service_reason_key
from ui.staff.base import StaffScreen
from ui.staff.widgets import FitPages
from ui.widgets import BigButton

MAX_SESSIONS = 4  # buttons in a row; a centre rarely runs more sessions a day


class StaffAttendanceScreen(StaffScreen):
    name = "staff_attendance"

    def build(self) -> None:
        gap = self.metrics.gap
        self.set_title(self.t("staff.menu.attendance"))
        row = QHBoxLayout()
        row.setSpacing(gap)
        self.session_buttons: list[BigButton] = []
        for index in range(MAX_SESSIONS):
            button = BigButton("", "nav")
            button.tapped.connect(lambda i=index: self._choose(i))
            row.addWidget(button)
            self.session_buttons.append(button)
        self.body.addLayout(row)
        self.pages = FitPages(self, gap)
        self.pages.add(self.message)
        self.body.addWidget(self.pages, 1)
        self.door = Attendance(self.core.store, self.core.clock)
        self.sessions = []
        self.chosen = 0

    def enter(self) -> None:
        self.hide_message()
        self.sessions = self.door.sessions()[:MAX_SESSIONS]
        # the session whose door is open now, else the first
        self.chosen = next((i for i, slot in enumerate(self.sessions)
                            if self.door.open_now(slot)), 0)
        self._show()

    def _choose(self, index: int) -> None:
        if index < len(self.sessions):
            self.chosen = index
            self.hide_message()
            self._show()

    def _show(self) -> None:
        t = self.t
        for index, button in enumerate(self.session_buttons):
            slot = self.sessions[index] if index < len(self.sessions) else None
            button.setVisible(slot is not None)
            if slot is not None:
                button.setText(f"{t.time(slot.start)} {slot.title}")
                button.set_chosen(index == self.chosen, "nav_selected", "nav")
        if not self.sessions:
            texts = [t("attendance.none_today")]
        else:
            slot = self.sessions[self.chosen]
            sheet = self.door.sheet(slot.id)
            came = sum(1 for line in sheet if line.attended)
            booked = sum(1 for line in sheet if line.booked)
            texts = [t("attendance.heading", title=slot.title, place=slot.place,
                       time=t.time(slot.start), came=came, booked=booked)]
            texts += [t("attendance.line", name=line.masked_name,
                        state=t(f"attendance.state.{_state(line)}")) for line in sheet]
        self.pages.show_texts(texts, keep_page=False,
                              before=[self.message] if self.message.text() else [])

    def card_scanned(self, text: str) -> bool:
        """A card at the door: that elder is signed in to the chosen session."""
        if not self.sessions:
            self.show_message(self.t("attendance.none_today"))
            return True
        slot = self.sessions[self.chosen]
        try:
            elder = find_by_card(self.core.store, text)
            record = self.door.record(slot.id, elder, staff_id=self.mode.staff_id)
        except BookingRejected as error:
            self.show_message(self.t(service_reason_key(error.reason)))
            return True
        except KnownError as error:
            self.show_message(self.t(error.message_key))
            return True
        key = "attendance.already" if record.already else \
            "attendance.done" if record.booked else "attendance.walk_in"
        self.show_message(self.t(key, name=elder.masked_name), "status_ok")
        self.shell.action_done()
        self._show()
        return True


def _state(line) -> str:
    if line.attended:
        return "came" if line.booked else "walk_in"
    return "waiting" if line.waiting else "expected"
