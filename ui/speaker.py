"""The window's speaker until the speech worker is up, and where there is none: silent, with
the speech service's whole surface (kiosk.speech.SpeechService), so no caller has to ask
what it can do."""
from __future__ import annotations


class SilentSpeaker:
    languages: tuple[str, ...] = ()  # no voice: elders get no 粤语 and no 声音 button
    available = False
    unavailable_reason = ""  # staff are told there is no speech service at all
    output_problem = ""
    changed_this_session = False
    muted = False
    volume = 1.0
    rate = 150

    def say(self, text: str) -> None:
        pass

    def set_language(self, language: str) -> None:
        pass

    def set_muted(self, muted: bool) -> None:
        pass

    def set_volume(self, volume: float) -> None:
        pass

    def set_rate(self, rate: int) -> None:
        pass

    def reset_session(self) -> None:
        pass

    def add_listener(self, listener) -> None:
        pass  # nothing ever happens to a silent speaker

    def close(self) -> None:
        pass
