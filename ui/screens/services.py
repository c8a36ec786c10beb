"""After sign-in: a greeting by name and a big tile for every service the community offers,
from its catalogue (docs/services.md): a service the platform adds gets its tile with no code.
Six to a page (four at 超大, so each tile stays big), with big 上一页 / 下一页. A group's tile
(助医) opens the same screen with the group's own services."""
from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon

from elder_wire.catalogue import Service
from kiosk import catalogue
from kiosk.paths import ASSETS
from kiosk.services import provider_of
from kiosk.session import ComplaintDraft, Draft
from ui.screens.base import set_message_role
from ui.screens.paged import Choice, PagedChoiceScreen, keep_place
from ui.widgets import BigButton

MY_BOOKINGS = "my_bookings"  # the last tile of the services screen, not a service


def icon_path(name: str) -> str:
    path = ASSETS / "icons" / f"{name}.svg"
    return str(path if path.exists() else ASSETS / "icons" / "service.svg")


def flow_answer(store, entry: Service) -> str:
    """Which screen a service's tile leads to, by how it is booked."""
    if entry.slot_kind == "timed":
        provider = provider_of(store, entry.key)
        return "departments" if provider is not None and provider.departments else "days"
    return {"day": "days", "session": "days"}.get(entry.slot_kind, entry.slot_kind)


class ServicesScreen(PagedChoiceScreen):
    name = "services"
    role = "tile"
    group = ""  # the group whose services this screen shows ('' for the top level)

    def build(self) -> None:
        super().build()
        self.notice = ""
        # 意见/投诉 at the foot, left, under the tiles: always in the same place, found without
        # turning pages, and apart from 上一页 / 下一页 and from the tiles a finger aims at.
        self.complain = BigButton(self.t("service.complaint"), "page")
        icon_px = self.metrics.mm(12)
        self.complain.setIcon(QIcon(icon_path("complaint")))
        self.complain.setIconSize(QSize(icon_px, icon_px))
        self.complain.tapped.connect(self._complain)
        self.pages_row.insertWidget(0, self.complain, 1)
        for button in (self.previous_page, self.next_page):  # thirds of the row
            self.pages_row.setStretchFactor(button, 1)

    def choices(self) -> list[Choice]:
        elder = self.core.session.elder
        language = self.t.language
        entries = [entry for entry in catalogue.offered(self.core.store, self.group)
                   if not entry.policy.requires
                   or (elder is not None and elder.may(entry.policy.requires))]
        items = [Choice(self._text(entry.name(language), entry.hint(language)), True, entry,
                        icon=icon_path(entry.icon)) for entry in entries]
        if not self.group:
            items.append(Choice(self._text(self.t("service.my_bookings"),
                                           self.t("service.my_bookings.hint")),
                                True, MY_BOOKINGS, icon=icon_path("my-bookings")))
        return items

    @staticmethod
    def _text(name: str, hint: str) -> str:
        return f"{name}\n{hint}" if hint else name

    def enter(self) -> None:
        super().enter()
        elder = self.core.session.elder
        # the masked name (王*英): enough for her to know it is her, not for passers-by
        self.set_title(self._title(elder))
        session = self.core.session
        news = [self.t(session.notice)] if session.notice else []
        news += session.news  # told once after sign-in (a waiting-list place came…)
        session.notice, session.news = "", []
        self.notice = "".join(news)
        if self.notice:  # good news (已收到…, 已取消), not an error: shown as done
            set_message_role(self.message, "status_ok")
            self.message.setText(self.notice)
            self.message.show()

    def show_page(self) -> None:
        super().show_page()
        self.complain.setVisible(not self.group)
        # One page: the notice (已收到…) beside 意见/投诉, not in a row of its own, so the
        # tiles keep their size on a laptop's screen; with pages, above 上一页 / 下一页.
        self._place_message(beside=not self.group and self.pages == 1)

    def _place_message(self, beside: bool) -> None:
        if beside == (self.pages_row.indexOf(self.message) >= 0):
            return
        if beside:
            self.body.removeWidget(self.message)
            self.pages_row.insertWidget(1, self.message, 2)
        else:
            self.pages_row.removeWidget(self.message)
            self.body.insertWidget(1, self.message)
        keep_place(self.message, beside)  # beside: 意见/投诉 stays a third of the row

    def _complain(self) -> None:
        self.core.session.complaint = ComplaintDraft()
        self.shell.answer("complaint")

    def _title(self, elder) -> str:
        if self.group:
            entry = catalogue.entry(self.core.store, self.group)
            return entry.name(self.t.language) if entry else ""
        return self.t("services.greeting", name=elder.masked_name) if elder else ""

    def prompt(self) -> str:
        names = [item.text.split("\n")[0] for item in self.items]
        choices = self.t("list.separator").join(names)
        if self.group:
            entry = catalogue.entry(self.core.store, self.group)
            prompt = entry.prompt(self.t.language) if entry else ""
            return prompt or self.t("services.prompt", choices=choices)
        return f"{self.notice}{self.t('services.prompt', choices=choices)}"

    def clear(self) -> None:
        super().clear()
        self.set_title("")
        self.notice = ""

    def chosen(self, value) -> None:
        if value == MY_BOOKINGS:
            self.shell.answer(MY_BOOKINGS)
            return
        self.core.session.draft = Draft(value.key)
        self.shell.answer(flow_answer(self.core.store, value))


class ServiceGroupScreen(ServicesScreen):
    """A group's services (助医: clinic, home visit, health check)."""

    name = "service_group"

    def enter(self) -> None:
        entry = catalogue.entry(self.core.store, self.core.session.draft.service)
        if entry is not None and entry.slot_kind == "group":  # not on 返回 from a member
            self.group = entry.key
        super().enter()

    def clear(self) -> None:
        super().clear()
        self.group = ""
