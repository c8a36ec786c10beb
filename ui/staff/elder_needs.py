"""Register or edit an elder, page 2: dietary needs (chips), mobility, subsidy level,
delivery and home visits; then save (validated, one transaction with its elder.upsert op)."""
from __future__ import annotations

from PySide6.QtWidgets import QGridLayout

from kiosk import elder_registry
from kiosk.elder_registry import MOBILITY, ElderInvalid
from kiosk.elders import get_elder
from kiosk.errors import KnownError
from kiosk.meals import DIET_TAGS
from ui.staff.base import StaffScreen
from ui.widgets import BigButton, label


def chip_text(t, text: str, on: bool) -> str:
    return t("staff.chip.on" if on else "staff.chip.off", name=text)


class StaffElderNeedsScreen(StaffScreen):
    name = "staff_elder_needs"

    def build(self) -> None:
        gap = self.metrics.gap
        grid = QGridLayout()
        grid.setSpacing(gap)
        self.chips: dict[tuple[str, str], BigButton] = {}
        groups = [("dietary", "elder.field.dietary", DIET_TAGS, "tag"),
                  ("mobility", "elder.field.mobility", MOBILITY, "mobility"),
                  ("subsidy_level", "elder.field.subsidy", (), "subsidy"),
                  ("permissions", "elder.field.permissions",
                   ("delivery_allowed", "home_visit_allowed"), "elder.field")]
        self.subsidy_row = 2
        for row, (group, key, values, prefix) in enumerate(groups):
            grid.addWidget(label(self.t(key), wrap=False), row, 0)
            for column, value in enumerate(values):
                self._chip(grid, row, column + 1, group, value, f"{prefix}.{value}")
        self.grid = grid
        self.body.addLayout(grid)
        self.body.addWidget(self.message)
        self.body.addStretch(1)
        self.save = BigButton(self.t("staff.form.save"), "primary")
        self.save.tapped.connect(self._save)
        self.body.addWidget(self.save)

    def _chip(self, grid: QGridLayout, row: int, column: int, group: str, value: str,
              key: str) -> None:
        chip = BigButton("", "staff_chip")
        chip.setProperty("label", self.t(key))
        chip.tapped.connect(lambda: self._toggle(group, value))
        grid.addWidget(chip, row, column)
        self.chips[(group, value)] = chip

    def enter(self) -> None:
        self.hide_message()
        form = self.mode.form
        if form is None:
            raise KnownError()
        for level in elder_registry.subsidy_levels(self.core.store):
            if ("subsidy_level", level) not in self.chips:
                column = 1 + sum(1 for g, _ in self.chips if g == "subsidy_level")
                self._chip(self.grid, self.subsidy_row, column, "subsidy_level", level,
                           f"subsidy.{level}")
        self.set_title(self.t("staff.form.needs_title", name=form.name or "—"))
        self._show()

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
            chip.set_role("staff_chip_on" if on else "staff_chip")

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
