"""The kiosk's speech service: spoken prompts that never block the screen, and WAV rendering.

    service = SpeechService(language="zh_CN", rate=150, listener=print)
    service.say("您好，请刷卡或输入卡号")   # cuts whatever was being said
    service.repeat()                        # 再听一遍

One pyttsx3 engine (espeak-ng on Linux, SAPI5 on Windows) lives in its own worker process,
fed through a queue and restarted by a watchdog when it stops answering (kiosk.speech_watchdog).
Every public method returns at once; events arrive on the listener from a background thread
(the Qt adapter in ui/ re-emits them as signals). With no engine the service is a silent no-op
and `unavailable_reason` tells staff why. The text spoken is never logged, only ids and lengths.

Audio goes to the machine's player (pw-play, paplay, aplay or sox's play; winsound on Windows),
or with audio_sink="null" (or KIOSK_SPEECH_SINK=null) to a null sink: the real engine still
renders every prompt, and the sink keeps time for as long as the audio lasts, so started,
finished and interrupted events mean the same as with a loudspeaker. Tests use it.

The worker is started with multiprocessing's "spawn", so a program that creates the service
must guard its entry point with `if __name__ == "__main__":` (console scripts already do).
Do not call render_to_wav() from a listener: listeners run on the watchdog's thread.

Make a WAV from the command line:
    python -m kiosk.speech --wav out.wav --lang zh_CN "您好，请刷卡或输入卡号"
    python -m kiosk.speech --list-voices
"""
from __future__ import annotations

import argparse
import itertools
import logging
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from kiosk.errors import KnownError
from kiosk.speech_engine import language_key
from kiosk.speech_watchdog import WatchdogTiming, WorkerWatchdog
from kiosk.speech_worker import (
    ERROR,
    FINISHED,
    INTERRUPTED,
    READY,
    RESTARTED,
    STARTED,
    UNAVAILABLE,
    HangForTest,
    Ready,
    Render,
    Rendered,
    Speak,
    SpeechEvent,
    Stop,
    Unavailable,
)
from kiosk.spoken import spoken

__all__ = [
    "ERROR", "FINISHED", "INTERRUPTED", "READY", "RESTARTED", "STARTED", "UNAVAILABLE",
    "SpeechEvent", "SpeechService", "SpeechTimeout", "SpeechUnavailable", "WatchdogTiming",
    "render_to_wav",
]
log = logging.getLogger(__name__)

RATE_RANGE = (80, 300)  # words per minute; espeak-ng's default is 175
STARTING = "speech engine is starting"
TURNED_OFF = "speech is turned off in settings"

SpeechListener = Callable[[SpeechEvent], None]


class SpeechUnavailable(KnownError):
    message_key = "error.speech_unavailable"


class SpeechTimeout(KnownError):
    message_key = "error.speech_timeout"


class _RenderWait:
    def __init__(self) -> None:
        self.done = threading.Event()
        self.error = ""
        self.duration_s = 0.0


class SpeechService:
    """Spoken prompts for the kiosk screens: say, queue, repeat, stop, mute, rate, volume."""

    def __init__(self, language: str = "zh_CN", rate: int = 150, volume: float = 1.0,
                 enabled: bool = True, *, listener: SpeechListener | None = None,
                 driver: str | None = None, audio_sink: str | None = None,
                 timing: WatchdogTiming | None = None) -> None:
        self._default_rate, self._default_volume = _clamp_rate(rate), _clamp_volume(volume)
        self.language = language_key(language)
        self.rate, self.volume = self._default_rate, self._default_volume
        self.muted = False
        self._listeners: list[SpeechListener] = [listener] if listener else []
        self._last_prompt: list[tuple[str, str]] = []  # (text, language) since the last say()
        self._ids = itertools.count(1)
        self._renders: dict[int, _RenderWait] = {}
        self._settled = threading.Event()  # set once the engine is ready or known missing
        self._available, self._reason = False, STARTING
        self._voices: tuple = ()
        self._output_problem = ""
        self._chosen: dict[str, str] = {}
        self._watchdog: WorkerWatchdog | None = None
        self._gone = False  # no engine, turned off, or closed: stay silent for good
        if not enabled:
            self._give_up(TURNED_OFF)
            return
        self._watchdog = WorkerWatchdog(self._on_reply, self._on_restart, driver, audio_sink,
                                        timing)

    # -- speaking -------------------------------------------------------------------------
    def say(self, text: str) -> int | None:
        """Speak now, cutting what is being said. Returns the utterance id, None if silent."""
        self._last_prompt = [(text, self.language)]
        return self._speak(text, self.language, interrupt=True)

    def queue(self, text: str) -> int | None:
        """Speak after what is being said (part of the same prompt for repeat())."""
        self._last_prompt.append((text, self.language))
        return self._speak(text, self.language, interrupt=False)

    def repeat(self) -> int | None:
        """Say the last prompt again (再听一遍); returns the id of its first part."""
        parts = list(self._last_prompt)
        ids = [self._speak(text, lang, interrupt=(i == 0)) for i, (text, lang) in enumerate(parts)]
        return ids[0] if ids else None

    def stop(self) -> None:
        self._send(Stop())

    def _speak(self, text: str, language: str, interrupt: bool) -> int | None:
        if self.muted or not text.strip() or not self._may_speak():
            return None
        text = spoken(text, language)  # "¥12.50" is said "12元5角"
        utterance_id = next(self._ids)
        log.debug("speech #%d queued: %d chars, %s", utterance_id, len(text), language)
        self._send(Speak(utterance_id, text, language, self.rate, self.volume, interrupt))
        return utterance_id

    def _may_speak(self) -> bool:
        """While starting or restarting, commands wait in the queue; with no engine, drop them."""
        return self._watchdog is not None and not self._gone

    def _send(self, command: object) -> None:
        if self._watchdog is not None:
            self._watchdog.send(command)

    # -- settings -------------------------------------------------------------------------
    def set_muted(self, muted: bool) -> None:
        self.muted = bool(muted)
        if self.muted:
            self.stop()

    def set_rate(self, rate: int) -> None:
        self.rate = _clamp_rate(rate)

    def set_volume(self, volume: float) -> None:
        self.volume = _clamp_volume(volume)

    def set_language(self, language: str) -> None:
        self.language = language_key(language)

    @property
    def changed_this_session(self) -> bool:
        """Muted, or rate or volume moved from the defaults since the last reset."""
        return self.muted or (self.rate, self.volume) != (self._default_rate,
                                                          self._default_volume)

    def reset_session(self) -> None:
        """After an elder signs out: default rate and volume, unmuted, their last prompt gone."""
        self.stop()
        self.rate, self.volume = self._default_rate, self._default_volume
        self.muted = False
        self._last_prompt = []

    # -- state for staff and tests --------------------------------------------------------
    @property
    def available(self) -> bool:
        return self._available

    @property
    def unavailable_reason(self) -> str:
        """Plain English for staff; empty while speech works."""
        return "" if self._available else self._reason

    @property
    def output_problem(self) -> str:
        """Why the last prompt could not be played (e.g. "no audio output device"), or ""."""
        return self._output_problem

    @property
    def voices(self) -> tuple:
        """Every voice the engine has (VoiceInfo: id, name, languages)."""
        return self._voices

    @property
    def languages(self) -> tuple[str, ...]:
        """Our languages ("zh_CN", "yue", "en") that have a voice in this engine."""
        return tuple(self._chosen)

    def voice_for(self, language: str) -> str | None:
        """The engine voice id used for a language, once the engine is ready."""
        return self._chosen.get(language_key(language))

    def wait_until_ready(self, timeout: float) -> bool:
        """Block until the engine is ready or known missing; for tools, tests and staff mode."""
        return self._settled.wait(timeout) and self._available

    @property
    def worker_pid(self) -> int | None:
        return self._watchdog.worker_pid if self._watchdog else None

    def add_listener(self, listener: SpeechListener) -> None:
        self._listeners.append(listener)

    # -- files ----------------------------------------------------------------------------
    def render_to_wav(self, text: str, path: str | Path, language: str | None = None,
                      rate: int | None = None, timeout_s: float = 20.0) -> Path:
        """Render text to a WAV file in the worker; blocks the caller (not for the UI thread)."""
        deadline = time.monotonic() + timeout_s
        if not self.wait_until_ready(timeout_s):
            raise (SpeechUnavailable if self._settled.is_set() else SpeechTimeout)(self._reason)
        path = Path(path).resolve()
        request_id, wait = next(self._ids), _RenderWait()
        self._renders[request_id] = wait
        lang = language_key(language or self.language)
        self._send(Render(request_id, spoken(text, lang), str(path), lang,
                          _clamp_rate(rate or self.rate)))
        finished = wait.done.wait(max(0.0, deadline - time.monotonic()))
        self._renders.pop(request_id, None)
        if not finished:
            raise SpeechTimeout(f"rendering {len(text)} chars took over {timeout_s:.0f} s")
        if wait.error:
            raise SpeechUnavailable(wait.error)
        return path

    # -- lifetime -------------------------------------------------------------------------
    def close(self) -> None:
        if self._watchdog is not None:
            self._watchdog.close()
            self._watchdog = None
        self._available, self._reason, self._gone = False, "speech service closed", True

    def __enter__(self) -> SpeechService:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _hang_worker_for_test(self) -> None:
        self._send(HangForTest())

    # -- replies from the worker (on the watchdog's thread) --------------------------------
    def _on_reply(self, reply: object) -> None:
        if isinstance(reply, SpeechEvent):
            self._note_output(reply)
            self._emit(reply)
        elif isinstance(reply, Rendered):
            self._finish_render(reply.request_id, reply.error, reply.duration_s)
        elif isinstance(reply, Ready):
            self._become_ready(reply)
        elif isinstance(reply, Unavailable):
            self._give_up(reply.reason)

    def _note_output(self, event: SpeechEvent) -> None:
        """Remember (and log once) why audio failed; the details never hold spoken text."""
        if event.kind == FINISHED:
            self._output_problem = ""
        elif event.kind == ERROR and event.detail != self._output_problem:
            self._output_problem = event.detail
            log.warning("speech #%s not played: %s", event.utterance_id, event.detail)

    def _become_ready(self, ready: Ready) -> None:
        self._voices, self._chosen = ready.voices, dict(ready.chosen)
        self._available, self._reason = True, ""
        self._settled.set()
        log.info("speech ready: driver %s, output %s, %d voices, languages %s",
                 ready.driver, ready.output, len(ready.voices), ",".join(self._chosen))
        self._emit(SpeechEvent(READY, detail=ready.driver))

    def _give_up(self, reason: str) -> None:
        self._available, self._reason, self._gone = False, reason, True
        self._settled.set()
        self._fail_renders(reason)
        log.warning("speech unavailable: %s", reason)
        self._emit(SpeechEvent(UNAVAILABLE, detail=reason))

    def _on_restart(self, reason: str) -> None:
        self._available, self._reason = False, f"{STARTING} again ({reason})"
        self._settled.clear()
        self._fail_renders(f"speech worker restarted: {reason}")
        self._emit(SpeechEvent(RESTARTED, detail=reason))

    def _finish_render(self, request_id: int, error: str, duration_s: float) -> None:
        wait = self._renders.get(request_id)
        if wait:
            wait.error, wait.duration_s = error, duration_s
            wait.done.set()

    def _fail_renders(self, reason: str) -> None:
        for request_id in list(self._renders):
            self._finish_render(request_id, reason or "speech unavailable", 0.0)

    def _emit(self, event: SpeechEvent) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                log.exception("speech listener failed on a %s event", event.kind)


def _clamp_rate(rate: int) -> int:
    return max(RATE_RANGE[0], min(RATE_RANGE[1], int(rate)))


def _clamp_volume(volume: float) -> float:
    return max(0.0, min(1.0, float(volume)))


def render_to_wav(text: str, path: str | Path, language: str = "zh_CN", rate: int = 150,
                  timeout_s: float = 20.0) -> Path:
    """Render text to a WAV file with the kiosk's engine in a short-lived worker process."""
    with SpeechService(language=language, rate=rate, audio_sink="null") as service:
        return service.render_to_wav(text, path, language, rate, timeout_s)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kiosk.speech", description=__doc__.split(
        "\n", 1)[0])
    parser.add_argument("text", nargs="?", help="what to say")
    parser.add_argument("--wav", type=Path, help="write the speech to this WAV file")
    parser.add_argument("--lang", default="zh_CN", help="zh_CN (default), yue or en")
    parser.add_argument("--rate", type=int, default=150, help="words per minute")
    parser.add_argument("--list-voices", action="store_true", help="list the engine's voices")
    args = parser.parse_args(argv)
    if args.list_voices:
        return _list_voices()
    if not (args.wav and args.text):
        parser.error("give --wav OUT.wav and the text, or --list-voices")
    try:
        path = render_to_wav(args.text, args.wav, args.lang, args.rate)
    except KnownError as exc:
        print(f"no WAV written: {exc}", file=sys.stderr)
        return 1
    print(path)
    return 0


def _list_voices() -> int:
    with SpeechService(audio_sink="null") as service:
        if not service.wait_until_ready(20.0):
            print(f"speech unavailable: {service.unavailable_reason}", file=sys.stderr)
            return 1
        chosen = {service.voice_for(lang): lang for lang in service.languages}
        for voice in service.voices:
            mark = f"  <- {chosen[voice.id]}" if voice.id in chosen else ""
            print(f"{voice.id:32} {','.join(voice.languages):20} {voice.name}{mark}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
