"""Register or edit an elder, page 2: dietary needs (chips), mobility, subsidy level,
delivery and home visits; then save (validated, one transaction with its elder.upsert op)."""
from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QStyle, QStyleOptionButton, QWidget

from elder_wire.meals import DIET_TAGS
from kiosk import elder_registry
from kiosk.elder_registry import MOBILITY, ElderInvalid
from kiosk.elders import get_elder
from kiosk.errors import KnownError
from ui.staff.base import StaffScreen
from ui.staff.widgets import FitPages
from ui.widgets import BigButton, label

GROUPS = (("dietary", "elder.field.dietary", DIET_TAGS, "tag"),
          ("mobility", "elder.field.mobility", MOBILITY, "mobility"),
          ("subsidy_level", "elder.field.subsidy", (), "subsidy"),
          ("permissions", "elder.field.permissions",
           ("delivery_allowed", "home_visit_allowed"), "elder.field"))


def chip_text(t, text: str, on: bool) -> str:
    return t("staff.chip.on" if on else "staff.chip.off", name=text)


def chip_width(t, chip: BigButton, text: str) -> int:
    """As wide as the chip is when on (bold, with its tick), so turning it on moves nothing."""
    bold = QFont(chip.font())
    bold.setBold(True)
    metrics = QFontMetrics(bold)
    on = chip_text(t, text, True)
    option = QStyleOptionButton()
    chip.initStyleOption(option)
    size = QSize(metrics.horizontalAdvance(on), metrics.height())
    return chip.style().sizeFromContents(QStyle.ContentsType.CT_PushButton, option, size,
                                         chip).width()


class ChipGroup(QWidget):
    """A group's name, then its chips as many to a row as fit, all as wide as the widest."""

    def __init__(self, name: str, gap: int) -> None:
        super().__init__()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(gap)
        self.name = label(name, wrap=False)
        row.addWidget(self.name)
        self.grid = QGridLayout()
        self.grid.setSpacing(gap)
        row.addLayout(self.grid)
        row.addStretch(1)
        self.chips: list[BigButton] = []
        self.columns = 0

    def add(self, chip: BigButton) -> None:
        self.chips.append(chip)
        self.columns = 0  # placed at the next arrange

    def arrange(self, name_width: int, columns: int, chip_width: int) -> None:
        self.name.setFixedWidth(name_width)
        used = min(columns, len(self.chips))
        for column in range(max(used, self.grid.columnCount())):
            self.grid.setColumnMinimumWidth(column, chip_width if column < used else 0)
        if columns == self.columns:
            return
        for chip in self.chips:
            self.grid.removeWidget(chip)
        for index, chip in enumerate(self.chips):
            self.grid.addWidget(chip, index // columns, index % columns)
        self.columns = columns


class StaffElderNeedsScreen(StaffScreen):
    name = "staff_elder_needs"

    def build(self) -> None:
        gap = self.metrics.gap
        # The groups (and a message first) paged to fit, chips wrapping to more rows.
        self.pages = FitPages(self, gap)
        self.pages.add(self.message)
        self.pages.prepare = self._arrange
        self.chips: dict[tuple[str, str], BigButton] = {}
        self.groups: dict[str, ChipGroup] = {}
        for group, key, values, prefix in GROUPS:
            self.groups[group] = self.pages.add(ChipGroup(self.t(key), gap))
            for value in values:
                self._chip(group, value, f"{prefix}.{value}")
        self.body.addWidget(self.pages, 1)
        self.save = BigButton(self.t("staff.form.save"), "primary")
        self.save.tapped.connect(self._save)
        self.body.addWidget(self.save)

    def _chip(self, group: str, value: str, key: str) -> None:
        chip = BigButton("", "staff_chip")
        chip.setProperty("label", self.t(key))
        chip.tapped.connect(lambda: self._toggle(group, value))
        self.groups[group].add(chip)
        self.chips[(group, value)] = chip

    def _arrange(self, width: int) -> None:
        gap = self.metrics.gap
        names = max(g.name.sizeHint().width() for g in self.groups.values())
        widest = max(chip_width(self.t, chip, chip.property("label"))
                     for chip in self.chips.values())
        columns = max(1, (width - names) // (widest + gap))
        for group in self.groups.values():
            group.arrange(names, columns, widest)

    def fit(self) -> None:
        message = [self.message] if self.message.text() else []
        self.pages.show_blocks([*message, *self.groups.values()], keep_page=True)

    def enter(self) -> None:
        self.hide_message()
        form = self.mode.form
        if form is None:
            raise KnownError()
        for level in elder_registry.subsidy_levels(self.core.store):
            if ("subsidy_level", level) not in self.chips:
                self._chip("subsidy_level", level, f"subsidy.{level}")
        self.set_title(self.t("staff.form.needs_title", name=form.name or "—"))
        self._show()
        self.pages.show_blocks(list(self.groups.values()))

    def _is_on(self, group: str, value: str) -> bool:
        form = self.mode.form
        if group == "dietary":
            return value in form.dietary
        if group == "permissions":
            return bool(getattr(form, value))
        return getattr(form, group) == value

    def _toggle(self, group: str, value: str) -> None:
        form = self.mode.form
        self.hide_message()
        if group == "dietary":
            form.dietary = sorted(set(form.dietary) ^ {value})
        elif group == "permissions":
            setattr(form, value, not getattr(form, value))
        elif group == "mobility":
            form.mobility = None if form.mobility == value else value
        else:
            form.subsidy_level = value
        self._show()

    def _show(self) -> None:
        for (group, value), chip in self.chips.items():
            on = self._is_on(group, value)
            chip.setText(chip_text(self.t, chip.property("label"), on))
            chip.setAccessibleName(chip.property("label"))  # chosen or not: its checked state
            chip.set_chosen(on, "staff_chip_on", "staff_chip")

    def _save(self) -> None:
        core = self.core
        try:
            form = elder_registry.save(core.store, core.clock, self.mode.form, self.staff_id)
        except ElderInvalid as invalid:
            lines = [self.t(key) for key in invalid.problems.values()]
            self.show_message("\n".join([self.t("elder.error.invalid"), *lines]))
            return
        self.shell.action_done()
        self.mode.form = None
        self.mode.act_for(get_elder(core.store, form.id))
        self.shell.answer("saved")
        self.shell.current.show_message(self.t("staff.elder.saved"))
