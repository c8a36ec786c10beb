"""声音: how loud and how fast the kiosk speaks, one tap each, heard at once; 好了 goes back."""
from __future__ import annotations

from PySide6.QtWidgets import QGridLayout

from kiosk.voice_levels import MUTE, SPEEDS, VOLUMES, rate_for, speed_step, volume_step
from ui.screens.base import Screen
from ui.widgets import BigButton, label


class VoiceScreen(Screen):
    name = "voice"

    def build(self) -> None:
        t = self.t
        self.set_title(t("voice.title"))
        grid = QGridLayout()
        grid.setSpacing(self.metrics.gap * 2)
        self.volume_buttons: dict[str, BigButton] = {}
        self.speed_buttons: dict[str, BigButton] = {}
        rows = (("voice.volume", (MUTE, *VOLUMES), self.volume_buttons, self._set_volume),
                ("voice.speed", tuple(SPEEDS), self.speed_buttons, self._set_speed))
        for row, (title, steps, buttons, choose) in enumerate(rows):
            grid.addWidget(label(t(title), wrap=False), row * 2, 0, 1, 4)
            for column, step in enumerate(steps):
                button = BigButton(t(f"voice.{step}"), "choice")
                button.setAccessibleName(f"{t(title)} {t(f'voice.{step}')}")
                button.tapped.connect(lambda s=step, c=choose: c(s))
                grid.addWidget(button, row * 2 + 1, column)
                buttons[step] = button
        self.body.addLayout(grid)
        self.body.addWidget(self.message)
        self.body.addStretch(1)
        done = BigButton(t("voice.done"), "primary")
        done.tapped.connect(self.shell.back)
        self.body.addWidget(done)

    def enter(self) -> None:
        self.hide_message()
        self._show()

    def prompt(self) -> str:
        return self.t("voice.prompt")

    # -- the speaker as it is now ----------------------------------------------------------
    def _configured_rate(self) -> int:
        return self.core.settings.voice_rate

    def _show(self) -> None:
        speaker = self.shell.speaker
        volume = volume_step(speaker.volume, speaker.muted)
        speed = speed_step(speaker.rate, self._configured_rate())
        for step, button in self.volume_buttons.items():
            button.set_chosen(step == volume, "toggle_on", "choice")
        for step, button in self.speed_buttons.items():
            button.set_chosen(step == speed, "toggle_on", "choice")

    def _set_volume(self, step: str) -> None:
        speaker = self.shell.speaker
        if not speaker.available:  # no speech engine: nothing to change
            self.show_message(self.t("voice.none"))
            return
        speaker.set_muted(step == MUTE)
        if step != MUTE:
            speaker.set_volume(VOLUMES[step])
        self._show()
        self.shell.speak(self.t("voice.sample"))

    def _set_speed(self, step: str) -> None:
        speaker = self.shell.speaker
        if not speaker.available:
            self.show_message(self.t("voice.none"))
            return
        speaker.set_rate(rate_for(step, self._configured_rate()))
        self._show()
        self.shell.speak(self.t("voice.sample"))
