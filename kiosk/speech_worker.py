"""The speech worker process: owns the one pyttsx3 engine and plays prompts one after another.

The kiosk talks to it only through two queues: commands in, replies out. It renders each
prompt to a WAV file with the engine, then hands it to the audio output, and keeps reading
commands while audio plays so a new prompt can cut the old one at once.
Never logs or sends back the text it speaks (elders' names may be in it): only ids and lengths.
"""
from __future__ import annotations

import logging
import queue
import threading
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

STARTED, FINISHED, INTERRUPTED, ERROR = "started", "finished", "interrupted", "error"
READY, UNAVAILABLE, RESTARTED = "ready", "unavailable", "restarted"
PLAYBACK_POLL_S = 0.02


# Commands, kiosk -> worker.
@dataclass(frozen=True)
class Speak:
    utterance_id: int
    text: str
    language: str
    rate: int
    volume: float
    interrupt: bool  # True for say(): cut what is playing and drop what is waiting


@dataclass(frozen=True)
class Stop:
    pass


@dataclass(frozen=True)
class Render:
    request_id: int
    text: str
    path: str
    language: str
    rate: int
    volume: float = 1.0


@dataclass(frozen=True)
class Ping:
    seq: int


@dataclass(frozen=True)
class HangForTest:
    """Makes the worker stop answering, so tests can see the watchdog restart it."""


@dataclass(frozen=True)
class Shutdown:
    pass


# Replies, worker -> kiosk.
@dataclass(frozen=True)
class SpeechEvent:
    """What happened to an utterance (or to the engine). Never carries the spoken text."""

    kind: str
    utterance_id: int | None = None
    detail: str = ""
    duration_s: float | None = None


@dataclass(frozen=True)
class Ready:
    driver: str
    output: str
    voices: tuple = ()  # VoiceInfo items
    chosen: dict = field(default_factory=dict)  # language -> voice id


@dataclass(frozen=True)
class Unavailable:
    reason: str


@dataclass(frozen=True)
class Pong:
    seq: int


@dataclass(frozen=True)
class Rendered:
    request_id: int
    error: str = ""
    duration_s: float = 0.0


class EngineBroken(Exception):
    """The engine failed in a way only a fresh process can cure."""


def run_worker(commands, replies, driver: str | None, sink: str | None, scratch: str) -> None:
    """Entry point of the worker process (spawned, so it starts clean of the kiosk's threads)."""
    from kiosk.speech_engine import SpeechEngine, explain_start_failure
    from kiosk.speech_output import AudioOutput

    try:
        engine = SpeechEngine(driver)
        output = AudioOutput(sink)
    except Exception as exc:  # any engine failure means "no speech", never a crash
        replies.put(Unavailable(explain_start_failure(exc, driver)))
        return
    replies.put(Ready(engine.driver_name, output.describe(), tuple(engine.voices),
                      engine.chosen_voices()))
    try:
        SpeechDesk(engine, output, replies, Path(scratch)).serve(commands)
    except EngineBroken as exc:
        replies.put(SpeechEvent(ERROR, detail=f"speech engine failed: {exc}"))
        raise SystemExit(3) from None


class SpeechDesk:
    """The worker's loop: a queue of utterances, the one playing now, and the commands."""

    def __init__(self, engine, output, replies, scratch: Path) -> None:
        self._engine = engine
        self._output = output
        self._replies = replies
        self._scratch = scratch
        self._waiting: deque[Speak] = deque()
        self._playing: tuple[Speak, object, Path] | None = None

    def serve(self, commands) -> None:
        while True:
            timeout = None if self._idle() else PLAYBACK_POLL_S
            for command in _receive(commands, timeout):
                if isinstance(command, Shutdown):
                    self._cut(INTERRUPTED)
                    return
                self._apply(command)
            self._advance()

    def _idle(self) -> bool:
        return self._playing is None and not self._waiting

    def _apply(self, command: object) -> None:
        if isinstance(command, Speak):
            if command.interrupt:
                self._cut(INTERRUPTED)
            self._waiting.append(command)
        elif isinstance(command, Stop):
            self._cut(INTERRUPTED)
        elif isinstance(command, Render):
            self._render_file(command)
        elif isinstance(command, Ping):
            self._replies.put(Pong(command.seq))
        elif isinstance(command, HangForTest):
            threading.Event().wait()

    def _cut(self, kind: str) -> None:
        """Stop the utterance playing now and drop the ones waiting."""
        if self._playing:
            utterance, playback, path = self._playing
            playback.cut()
            self._done_playing(SpeechEvent(kind, utterance.utterance_id, "cut while playing"))
        while self._waiting:
            dropped = self._waiting.popleft()
            self._emit(SpeechEvent(kind, dropped.utterance_id, "dropped before playing"))

    def _advance(self) -> None:
        if self._playing:
            utterance, playback, _ = self._playing
            outcome = playback.poll()
            if outcome is None:
                return
            kind = FINISHED if outcome == "" else ERROR
            self._done_playing(SpeechEvent(kind, utterance.utterance_id, outcome))
        if self._waiting:
            self._start(self._waiting.popleft())

    def _start(self, utterance: Speak) -> None:
        from kiosk.speech_engine import NoVoiceForLanguage

        path = self._scratch / f"utterance-{utterance.utterance_id}.wav"
        try:
            duration = self._engine.render(utterance.text, path, utterance.language,
                                           utterance.rate, utterance.volume)
        except NoVoiceForLanguage:
            self._emit(SpeechEvent(ERROR, utterance.utterance_id,
                                   f"no voice for language {utterance.language}"))
            return
        except Exception as exc:
            raise EngineBroken(f"{type(exc).__name__}: {exc}") from exc
        log.debug("utterance %s: %d chars, %.2f s", utterance.utterance_id,
                  len(utterance.text), duration)
        playback = self._output.play(path, duration)
        self._playing = (utterance, playback, path)
        self._emit(SpeechEvent(STARTED, utterance.utterance_id, self._output.sink, duration))

    def _done_playing(self, event: SpeechEvent) -> None:
        _, _, path = self._playing
        self._playing = None
        path.unlink(missing_ok=True)
        self._emit(event)

    def _render_file(self, request: Render) -> None:
        try:
            duration = self._engine.render(request.text, Path(request.path), request.language,
                                           request.rate, request.volume)
        except Exception as exc:
            self._replies.put(Rendered(request.request_id, _render_failure(exc, request)))
            return
        self._replies.put(Rendered(request.request_id, "", duration))

    def _emit(self, event: SpeechEvent) -> None:
        self._replies.put(event)


def _render_failure(exc: Exception, request: Render) -> str:
    from kiosk.speech_engine import NoVoiceForLanguage

    if isinstance(exc, NoVoiceForLanguage):
        return f"no voice for language {request.language}"
    return f"could not render: {type(exc).__name__}"


def _receive(commands, timeout: float | None) -> list:
    """Everything waiting in the queue, after waiting up to `timeout` for the first one."""
    try:
        received = [commands.get(timeout=timeout)]
    except queue.Empty:
        return []
    while True:
        try:
            received.append(commands.get_nowait())
        except queue.Empty:
            return received
