"""The text-to-speech engine inside the speech worker: pyttsx3 with one voice per language.

Only the speech worker process imports pyttsx3; nothing here runs on the UI thread.
"""
from __future__ import annotations

import contextlib
import ctypes
import io
import os
import threading
import time
import wave
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

RENDER_DEADLINE_S = 30.0

# Language tags we look for in the engine's voice list, best first (espeak-ng, then SAPI5 names).
# espeak-ng's plain "cmn" voice turns characters into tone-numbered pinyin and then reads that
# as English ("您好" -> "nin two hao three"); "cmn-latn-pinyin" reads the same pinyin as Mandarin.
LANGUAGE_TAGS: dict[str, tuple[str, ...]] = {
    "zh_CN": ("cmn-latn-pinyin", "cmn", "zh-cmn", "zh-cn", "zh"),
    "yue": ("yue", "zh-yue", "zh-hk"),
    "en": ("en-gb", "en-us", "en"),
}
# Words in a voice's display name when its language list says nothing useful (some SAPI5 voices).
LANGUAGE_NAME_HINTS: dict[str, tuple[str, ...]] = {
    "zh_CN": ("mandarin", "chinese (simplified)", "huihui", "yaoyao", "kangkang"),
    "yue": ("cantonese", "hong kong", "tracy"),
    "en": ("english",),
}
LANGUAGE_ALIASES = {
    "zh": "zh_CN", "zh-cn": "zh_CN", "zh_cn": "zh_CN", "cmn": "zh_CN", "zh-hans": "zh_CN",
    "zh-hk": "yue", "zh_hk": "yue", "zh-yue": "yue", "yue": "yue",
}
DRIVER_ENV = "KIOSK_SPEECH_DRIVER"


class NoVoiceForLanguage(Exception):
    """The engine works but has no voice for the language asked for."""


@dataclass(frozen=True)
class VoiceInfo:
    id: str
    name: str
    languages: tuple[str, ...]


def language_key(language: str) -> str:
    """Our language key ("zh_CN", "yue", "en") for a locale name such as "zh-CN" or "en_GB"."""
    tag = language.strip().lower()
    if tag in LANGUAGE_ALIASES:
        return LANGUAGE_ALIASES[tag]
    if tag.startswith("en"):
        return "en"
    return language


def _normal_tag(tag: str) -> str:
    return tag.strip().lower().replace("_", "-")


def _voice_tags(voice: VoiceInfo) -> list[str]:
    """Every language tag a voice claims, plus the last part of its id ("sit/cmn" -> "cmn")."""
    tags = [_normal_tag(t) for t in voice.languages]
    tags.append(_normal_tag(voice.id.replace("\\", "/").rsplit("/", 1)[-1]))
    return tags


def choose_voice(voices: Iterable[VoiceInfo], language: str) -> VoiceInfo | None:
    """The best voice for a language: an exact language tag first, then a name hint."""
    voices = list(voices)
    key = language_key(language)
    for tag in LANGUAGE_TAGS.get(key, (_normal_tag(key),)):
        for voice in voices:
            if tag in _voice_tags(voice):
                return voice
    for hint in LANGUAGE_NAME_HINTS.get(key, ()):
        for voice in voices:
            if hint in voice.name.lower():
                return voice
    return None


def explain_start_failure(exc: BaseException, driver: str | None) -> str:
    """A plain English reason for staff when the engine cannot start."""
    text = str(exc)
    if isinstance(exc, ModuleNotFoundError) and exc.name == "pyttsx3":
        return "pyttsx3 is not installed"
    if isinstance(exc, ModuleNotFoundError) and (exc.name or "").startswith("pyttsx3.drivers."):
        return f"speech driver '{exc.name.rsplit('.', 1)[-1]}' is not available"
    if "espeak" in text.lower():
        return "espeak-ng is not installed"
    if driver == "sapi5" or os.name == "nt":
        return f"Windows speech (SAPI5) could not start: {type(exc).__name__}"
    return f"speech engine could not start: {type(exc).__name__}: {text[:120]}"


def wav_duration(path: Path) -> float:
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / float(wav.getframerate())


class SpeechEngine:
    """One pyttsx3 engine; renders text to WAV files with the voice chosen for each language."""

    def __init__(self, driver: str | None = None) -> None:
        import pyttsx3
        from pyttsx3.engine import default_engine_by_sys_platform

        self.driver_name = driver or os.environ.get(DRIVER_ENV) or default_engine_by_sys_platform()
        self._engine = pyttsx3.init(self.driver_name)
        _keep_last_espeak_samples(self._engine)
        _never_cancel_espeak(self._engine)
        self.voices = [_voice_info(v) for v in self._engine.getProperty("voices")]
        self._chosen: dict[str, VoiceInfo | None] = {}

    def voice_for(self, language: str) -> VoiceInfo | None:
        key = language_key(language)
        if key not in self._chosen:
            self._chosen[key] = choose_voice(self.voices, key)
        return self._chosen[key]

    def chosen_voices(self) -> dict[str, str]:
        """Voice id per supported language, for the languages that have one."""
        found = {key: self.voice_for(key) for key in LANGUAGE_TAGS}
        return {key: voice.id for key, voice in found.items() if voice}

    def render(self, text: str, path: Path, language: str, rate: int, volume: float) -> float:
        """Write the spoken text to a WAV file; returns its duration in seconds."""
        voice = self.voice_for(language)
        if voice is None:
            raise NoVoiceForLanguage(language)
        self._engine.setProperty("voice", voice.id)
        self._engine.setProperty("rate", int(rate))
        self._engine.setProperty("volume", float(volume))
        # pyttsx3's espeak driver prints "Audio saved to ..." for every file.
        with contextlib.redirect_stdout(io.StringIO()):
            self._engine.save_to_file(text, str(path))
            self._engine.runAndWait()
            _wait_for_espeak_file(self._engine)
        return wav_duration(path)


def _voice_info(voice: object) -> VoiceInfo:
    languages = getattr(voice, "languages", None) or ()
    if isinstance(languages, str | bytes):
        languages = (languages,)
    tags = tuple(t.decode("utf-8", "ignore") if isinstance(t, bytes) else str(t) for t in languages)
    return VoiceInfo(id=str(voice.id), name=str(getattr(voice, "name", "") or ""), languages=tags)


def _espeak_driver(engine: object) -> object | None:
    driver = getattr(getattr(engine, "proxy", None), "_driver", None)
    return driver if type(driver).__module__ == "pyttsx3.drivers.espeak" else None


def _wait_for_espeak_file(engine: object, deadline_s: float = RENDER_DEADLINE_S) -> None:
    """Wait until pyttsx3 2.99's espeak driver has written the file.

    Its loop can end before synthesis does: the first pass marks the engine idle, which may
    pump the queued end-of-loop before espeak's callback thread writes the WAV. Seen here as a
    missing or half-written file on about one render in five right after the worker started.
    """
    driver = _espeak_driver(engine)
    if driver is None:
        return
    pause = threading.Event()
    deadline = time.monotonic() + deadline_s
    while driver._speaking:
        if time.monotonic() > deadline:
            raise TimeoutError("espeak-ng did not finish the file")
        pause.wait(0.005)


def _never_cancel_espeak(engine: object) -> None:
    """Stop pyttsx3 2.99 from cancelling the render it is about to start.

    runAndWait() calls the driver's stop(), which calls espeak_Cancel() whenever espeak-ng still
    reports "playing" from the previous render; that cancel then hits the new one. Measured: a
    third to a half of back-to-back renders came out empty or at the previous rate. We never
    need pyttsx3's stop: we render whole files and cut the playback ourselves.
    """
    driver = _espeak_driver(engine)
    if driver is not None:
        driver.stop = lambda: None


def _keep_last_espeak_samples(engine: object) -> None:
    """Fix pyttsx3 2.99's espeak driver, which drops the audio of the final synth callback.

    The driver writes the WAV when it sees the end-of-message event and only then appends that
    callback's samples, so short prompts come out empty or clipped. We append them first.
    """
    driver = _espeak_driver(engine)
    if driver is None:
        return
    from pyttsx3.drivers import _espeak

    original = driver._onSynth

    def on_synth(wav, numsamples, events):  # noqa: ANN001 - ctypes callback signature
        if numsamples > 0 and driver._speaking and _ends_message(events, _espeak):
            driver._data_buffer += ctypes.string_at(wav, numsamples * ctypes.sizeof(ctypes.c_short))
            numsamples = 0
        return original(wav, numsamples, events)

    _espeak.SetSynthCallback(on_synth)


def _ends_message(events: object, espeak: object) -> bool:
    index = 0
    while events[index].type != espeak.EVENT_LIST_TERMINATED:
        if events[index].type == espeak.EVENT_MSG_TERMINATED:
            return True
        index += 1
    return False
