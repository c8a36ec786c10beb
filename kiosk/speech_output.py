"""Where rendered speech goes: the machine's audio player, or a null sink that only keeps time.

Each playback can be cut at any moment (a new screen interrupts the old prompt), so audio is
played by a child process we can stop (Linux) or by winsound's purge (Windows), never by a
blocking call inside the speech engine.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Protocol

SINK_ENV = "KIOSK_SPEECH_SINK"
AUTO, NULL = "auto", "null"
# Players tried in order on Linux; each takes a WAV path as its last argument.
LINUX_PLAYERS = (("pw-play",), ("paplay",), ("aplay", "-q"), ("play", "-q"))
NO_DEVICE_SIGNS = ("no default audio device", "cannot find card", "connection refused",
                   "unknown pcm", "no such device", "audio open error")


class Playback(Protocol):
    def poll(self) -> str | None:
        """None while playing; "" when finished well; otherwise a plain reason it failed."""

    def cut(self) -> None:
        """Stop now."""


class TimedSilence:
    """The null sink: plays nothing but lasts as long as the audio would, and can be cut."""

    def __init__(self, duration_s: float) -> None:
        self._ends_at = time.monotonic() + duration_s

    def poll(self) -> str | None:
        return "" if time.monotonic() >= self._ends_at else None

    def cut(self) -> None:
        self._ends_at = 0.0


class PlayerProcess:
    """A command-line audio player (pw-play, paplay, aplay or sox's play) playing one file."""

    def __init__(self, command: tuple[str, ...], path: Path) -> None:
        self._process = subprocess.Popen(
            [*command, str(path)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def poll(self) -> str | None:
        if self._process.poll() is None:
            return None
        _, err = self._process.communicate()
        if self._process.returncode == 0:
            return ""
        return explain_player_failure(err.decode("utf-8", "replace"), self._process.returncode)

    def cut(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
        try:
            self._process.communicate(timeout=1.0)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.communicate()


class WindowsSound:
    """winsound playing asynchronously; it has no "done" signal, so we keep time ourselves."""

    def __init__(self, path: Path, duration_s: float) -> None:
        import winsound

        self._winsound = winsound
        self._clock = TimedSilence(duration_s)
        winsound.PlaySound(str(path), winsound.SND_FILENAME | winsound.SND_ASYNC)

    def poll(self) -> str | None:
        return self._clock.poll()

    def cut(self) -> None:
        self._winsound.PlaySound(None, self._winsound.SND_PURGE)
        self._clock.cut()


def explain_player_failure(stderr: str, returncode: int) -> str:
    lowered = stderr.lower()
    if any(sign in lowered for sign in NO_DEVICE_SIGNS):
        return "no audio output device"
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    tail = lines[-1][:160] if lines else f"exit code {returncode}"
    return f"audio player failed: {tail}"


def find_linux_player() -> tuple[str, ...] | None:
    for command in LINUX_PLAYERS:
        if shutil.which(command[0]):
            return command
    return None


class AudioOutput:
    """Starts playbacks on the chosen sink: "auto" (the real audio device) or "null"."""

    def __init__(self, sink: str | None = None) -> None:
        self.sink = sink or os.environ.get(SINK_ENV) or AUTO
        if self.sink not in (AUTO, NULL):
            raise ValueError(f"unknown audio sink {self.sink!r}")
        self._player = find_linux_player() if self.sink == AUTO and os.name != "nt" else None

    def describe(self) -> str:
        if self.sink == NULL:
            return "null sink (timed, nothing played)"
        if os.name == "nt":
            return "winsound"
        return self._player[0] if self._player else "no audio player found"

    def play(self, path: Path, duration_s: float) -> Playback:
        """Start playing; failures show up in poll(), never as an exception here."""
        if self.sink == NULL:
            return TimedSilence(duration_s)
        if sys.platform == "win32":
            return WindowsSound(path, duration_s)
        if self._player is None:
            return Failed("no audio player program found (pw-play, paplay, aplay or play)")
        try:
            return PlayerProcess(self._player, path)
        except OSError as exc:
            return Failed(f"audio player could not start: {exc.strerror}")


class Failed:
    """A playback that never started."""

    def __init__(self, reason: str) -> None:
        self._reason = reason

    def poll(self) -> str | None:
        return self._reason

    def cut(self) -> None:
        pass
