"""After sign-in: a greeting by name and a big tile for every service the community offers,
from its catalogue (docs/services.md): a service the platform adds gets its tile with no code.
Six to a page (four at 超大, so each tile stays big), with big 上一页 / 下一页. A group's tile
(助医) opens the same screen with the group's own services."""
from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QGridLayout, QHBoxLayout

from elder_wire.catalogue import Service
from kiosk import catalogue
from kiosk.paths import ASSETS
from kiosk.services import provider_of
from kiosk.session import Draft
from ui.screens.base import Screen
from ui.screens.paged import PAGE_SIZE, ROWS, keep_place
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


class ServicesScreen(Screen):
    name = "services"
    group = ""  # the group whose services this screen shows ('' for the top level)

    def build(self) -> None:
        grid = QGridLayout()
        grid.setSpacing(self.metrics.gap * 3)
        icon_px = self.metrics.mm(22)
        self.tiles: list[BigButton] = []
        for index in range(PAGE_SIZE):
            tile = BigButton("", "tile")
            tile.setIconSize(QSize(icon_px, icon_px))
            tile.tapped.connect(lambda i=index: self._tapped(i))
            keep_place(tile)
            grid.addWidget(tile, index // 2, index % 2)
            self.tiles.append(tile)
        self.body.addLayout(grid, 1)
        self.body.addWidget(self.message)
        pages = QHBoxLayout()
        pages.setSpacing(self.metrics.gap * 6)
        self.previous_page = BigButton(self.t("page.previous"), "page")
        self.previous_page.tapped.connect(lambda: self.turn(-1))
        self.next_page = BigButton(self.t("page.next"), "page")
        self.next_page.tapped.connect(lambda: self.turn(1))
        for button in (self.previous_page, self.next_page):
            keep_place(button)
            pages.addWidget(button)
        self.body.addLayout(pages)
        self.items: list[Service | None] = []  # None: 我的预订
        self.page = 0
        self.notice = ""

    # --- what is offered ------------------------------------------------------------------
    def offered(self) -> list[Service | None]:
        elder = self.core.session.elder
        entries = [entry for entry in catalogue.offered(self.core.store, self.group)
                   if not entry.policy.requires
                   or (elder is not None and getattr(elder, entry.policy.requires, False))]
        return [*entries, None] if not self.group else entries

    def enter(self) -> None:
        elder = self.core.session.elder
        # the masked name (王*英): enough for her to know it is her, not for passers-by
        self.set_title(self._title(elder))
        session = self.core.session
        news = [self.t(session.notice)] if session.notice else []
        news += session.news  # told once after sign-in (a waiting-list place came…)
        session.notice, session.news = "", []
        self.notice = "".join(news)
        self.hide_message()
        if self.notice:
            self.message.setText(self.notice)
            self.message.show()
        self.items = self.offered()
        self.page = 0
        self.show_page()

    def _title(self, elder) -> str:
        if self.group:
            entry = catalogue.entry(self.core.store, self.group)
            return entry.name(self.t.language) if entry else ""
        return self.t("services.greeting", name=elder.masked_name) if elder else ""

    def prompt(self) -> str:
        names = [self._name(item) for item in self.items]
        choices = self.t("list.separator").join(names)
        if self.group:
            entry = catalogue.entry(self.core.store, self.group)
            prompt = entry.prompt(self.t.language) if entry else ""
            return prompt or self.t("services.prompt", choices=choices)
        return f"{self.notice}{self.t('services.prompt', choices=choices)}"

    def clear(self) -> None:
        super().clear()
        self.set_title("")
        self.items = []
        self.notice = ""
        for tile in self.tiles:
            tile.setText("")

    # --- pages ----------------------------------------------------------------------------
    @property
    def per_page(self) -> int:
        """Six at most; at 超大 two rows, so each tile stays big enough for its words."""
        return min(PAGE_SIZE, 2 * ROWS.get(self.shell.metrics.text_size, 3))

    @property
    def pages(self) -> int:
        return max(1, (len(self.items) + self.per_page - 1) // self.per_page)

    def turn(self, step: int) -> None:
        self.hide_message()
        self.page = min(max(0, self.page + step), self.pages - 1)
        self.show_page()
        self.shell.speak(self.t("page.now", page=self.page + 1, pages=self.pages))

    def refit(self) -> None:  # another text size: as many tiles a page as fit now
        self.page = min(self.page, self.pages - 1)
        self.show_page()

    def show_page(self) -> None:
        per_page = self.per_page
        shown = self.items[self.page * per_page:(self.page + 1) * per_page]
        for index, tile in enumerate(self.tiles):
            keep_place(tile, index < per_page)
            tile.setVisible(index < len(shown))
            if index < len(shown):
                item = shown[index]
                tile.setText(self._text(item))
                tile.setIcon(QIcon(icon_path(item.icon if item else "my-bookings")))
        several = self.pages > 1
        for button in (self.previous_page, self.next_page):  # one page: no room kept for them
            keep_place(button, several)
        self.previous_page.setVisible(several and self.page > 0)
        self.next_page.setVisible(several and self.page < self.pages - 1)

    def _name(self, item: Service | None) -> str:
        return item.name(self.t.language) if item else self.t("service.my_bookings")

    def _text(self, item: Service | None) -> str:
        hint = item.hint(self.t.language) if item else self.t("service.my_bookings.hint")
        return f"{self._name(item)}\n{hint}" if hint else self._name(item)

    def _tapped(self, index: int) -> None:
        position = self.page * self.per_page + index
        if position >= len(self.items):
            return
        item = self.items[position]
        if item is None:
            self.shell.answer(MY_BOOKINGS)
            return
        self.core.session.draft = Draft(item.key)
        self.shell.answer(flow_answer(self.core.store, item))


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
