"""Kiosk settings for staff: language, text size, contrast, voice and its speed, idle
timeout; each validated, saved to the kiosk's TOML file (no secrets in it)."""
from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QLabel, QSizePolicy, QWidget

from kiosk import audit
from kiosk.languages import all_languages
from kiosk.settings_file import config_path, problem_text, write_settings
from ui.staff.base import StaffScreen
from ui.staff.widgets import FitPages
from ui.theme import TEXT_SIZES
from ui.widgets import BigButton, centred, label

STEPS = {"voice_rate": 10, "idle_timeout_s": 30}


class StaffSettingsScreen(StaffScreen):
    name = "staff_settings"

    def build(self) -> None:
        gap = self.metrics.gap
        self.set_title(self.t("staff.menu.settings"))
        # One row per setting (names in a column, choices in three), a message first: paged
        # to fit when the text is big.
        self.pages = FitPages(self, gap)
        self.pages.add(self.message)
        self.pages.prepare = self._arrange
        self.rows: list[tuple[QWidget, QLabel]] = []
        self.choices: dict[tuple[str, object], BigButton] = {}
        rows = [("language", [(choice.key, choice.name) for choice in all_languages()]),
                ("text_size", [(size, f"text_size.{size}") for size in TEXT_SIZES]),
                ("high_contrast", [(False, "staff.off"), (True, "staff.on")]),
                ("voice_enabled", [(False, "staff.off"), (True, "staff.on")])]
        for name, options in rows:
            grid = self._row(name)
            for column, (value, key) in enumerate(options):
                button = BigButton(self.t(key), "nav")  # a language's name says itself
                button.setAccessibleName(f"{self.t(f'settings.{name}')} {self.t(key)}")
                button.tapped.connect(lambda n=name, v=value: self._set(n, v))
                grid.addWidget(button, 0, column + 1)
                self.choices[(name, value)] = button
            for column in range(len(options) + 1, 4):  # an empty cell still keeps its gap
                filler = QWidget()
                filler.setProperty("role", "plain")
                grid.addWidget(filler, 0, column)
        self.values: dict[str, QLabel] = {}
        for name in STEPS:
            grid = self._row(name)
            minus = BigButton(self.t(f"settings.{name}.less"), "nav")
            plus = BigButton(self.t(f"settings.{name}.more"), "nav")
            minus.tapped.connect(lambda n=name: self._step(n, -1))
            plus.tapped.connect(lambda n=name: self._step(n, 1))
            value = centred(label(""))  # wraps: "150 words/min" at 超大 takes two lines
            grid.addWidget(minus, 0, 1)
            grid.addWidget(value, 0, 2)
            grid.addWidget(plus, 0, 3)
            self.values[name] = value
        for cell in (*self.choices.values(), *self.values.values()):
            policy = cell.sizePolicy()
            policy.setHorizontalPolicy(QSizePolicy.Policy.Ignored)
            cell.setSizePolicy(policy)
        self.body.addWidget(self.pages, 1)
        row = QGridLayout()
        row.setSpacing(gap * 2)
        enrol = BigButton(self.t("staff.settings.platform"), "choice")
        enrol.tapped.connect(lambda: self.shell.answer("enrol"))
        save = BigButton(self.t("staff.form.save"), "primary")
        save.tapped.connect(self._save)
        row.addWidget(enrol, 0, 0)
        row.addWidget(save, 0, 1)
        self.body.addLayout(row)
        self.changes: dict[str, object] = {}

    def _row(self, name: str) -> QGridLayout:
        widget = QWidget()
        grid = QGridLayout(widget)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(self.metrics.gap)
        title = label(self.t(f"settings.{name}"), wrap=False)
        grid.addWidget(title, 0, 0)
        for column in (1, 2, 3):
            grid.setColumnStretch(column, 1)
        # The three columns share the width equally, whatever their words (Ignored below):
        # the choices of every row line up.
        self.rows.append((self.pages.add(widget), title))
        return grid

    def _arrange(self, _width: int) -> None:
        names = max(title.sizeHint().width() for _, title in self.rows)
        for _, title in self.rows:
            title.setFixedWidth(names)  # so the choices of every row line up

    def fit(self) -> None:
        message = [self.message] if self.message.text() else []
        self.pages.show_blocks([*message, *(row for row, _ in self.rows)], keep_page=True)

    def enter(self) -> None:
        self.hide_message()
        self.changes = {}
        self._show()
        self.pages.show_blocks([row for row, _ in self.rows])

    def value(self, name: str):
        return self.changes.get(name, getattr(self.core.settings, name))

    def _set(self, name: str, value) -> None:
        self.hide_message()
        self.changes[name] = value
        self._show()

    def _step(self, name: str, direction: int) -> None:
        self._set(name, self.value(name) + direction * STEPS[name])

    def _show(self) -> None:
        for (name, value), button in self.choices.items():
            button.set_chosen(self.value(name) == value, "nav_selected", "nav")
        self.values["voice_rate"].setText(self.t("settings.rate_value",
                                                 value=self.value("voice_rate")))
        self.values["idle_timeout_s"].setText(self.t("settings.seconds_value",
                                                     value=self.value("idle_timeout_s")))

    def _save(self) -> None:
        core = self.core
        path = self.shell.config_path or config_path()
        try:
            new = write_settings(path, core.settings, self.changes)
        except ValueError as error:
            self.show_message(self.t("staff.settings.invalid", problem=problem_text(self.t, error)))
            return
        except OSError as error:
            self.show_message(self.t("staff.settings.not_saved",
                                     problem=problem_text(self.t, error)))
            return
        core.settings = new
        self.shell.idle.timeout_s = new.idle_timeout_s
        audit.log(core.store, core.clock, self.staff_id, "settings.save",
                  ",".join(sorted(self.changes)))
        self.shell.action_done()
        self.changes = {}
        self.show_message(self.t("staff.settings.saved", path=str(path)), "status_ok")
