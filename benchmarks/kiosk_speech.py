"""Speech start: a screen changes, its prompt is said; how long until the first audio sample is
handed to the output.

The kiosk window on the district store with the real speech service (espeak-ng through
pyttsx3, in its worker process, ready before timing starts), audio to the null sink (the
engine renders every prompt all the same; the sink is what a player would be handed). Each
sample is one tap of an elder's flow (scan, 助餐, 明天, 午餐, …, 回到首页): from the press
until the worker reports the prompt's audio handed to the output (its `started` event, sent
the moment the player is given the audio). Reference: espeak-ng itself, as a process,
writing the same prompt to a WAV file (the bare engine's cost for that text).

- speech_start_ms: the median over the flow's prompts, median of the rounds.
"""
from __future__ import annotations

import shutil
import statistics
import subprocess
import threading
import time
from pathlib import Path

from benchmarks import kiosk_data
from benchmarks.harness import Figure, median_figure, scratch
from benchmarks.kiosk_gui import KioskDriver, turn_loop
from benchmarks.kiosk_taps import FLOW

WAIT_S = 20


class StartedClock:
    """Notes when each utterance's audio was handed to the output (worker's `started`)."""

    def __init__(self) -> None:
        self.started: dict[int, float] = {}
        self.changed = threading.Condition()

    def __call__(self, event) -> None:  # on the speech service's thread
        if event.kind == "started":
            with self.changed:
                self.started[event.utterance_id] = time.perf_counter()
                self.changed.notify_all()


def run(rounds: int, smoke: bool) -> dict[str, Figure]:
    from kiosk.speech import SpeechService

    base = scratch("bench-speech-")
    kiosk = KioskDriver(kiosk_data.store_copy(base / "data", smoke), kiosk_data.NOW)
    clock = StartedClock()
    service = SpeechService(language="zh_CN", rate=150, listener=clock, audio_sink="null")
    try:
        if not service.wait_until_ready(60) or not service.available:
            raise RuntimeError(f"no speech engine: {service.unavailable_reason}")
        kiosk.window.set_speaker(service)
        values, references, lost = [], [], 0
        flows = 1 if smoke else 5
        for round_ in range(rounds):
            samples, prompts = [], []
            for n in range(flows):
                card = kiosk_data.card(round_ * flows + n)
                samples.append(_timed(kiosk, clock, lambda c=card: kiosk.scan(c), prompts))
                for text in FLOW:
                    samples.append(_timed(kiosk, clock, lambda t=text: kiosk.tap(t), prompts))
            lost += samples.count(None)
            samples = [sample for sample in samples if sample is not None]
            values.append(statistics.median(samples))
            references.append(statistics.median(_espeak(p, base) for p in prompts))
    finally:
        service.close()
        kiosk.close()
    return {"speech_start_ms": median_figure(
        values, references, "ms", "≤ 150",
        "tap → the prompt's audio handed to the output (null sink); espeak-ng writing the "
        f"same prompt to a WAV as reference; {lost} prompts never started")}


def _timed(kiosk: KioskDriver, clock: StartedClock, action,
           prompts: list[str]) -> float | None:
    """Milliseconds until the new prompt's audio was handed over; None if it never was."""
    said_before = kiosk.window.speaker._last_prompt
    started = time.perf_counter()
    action()
    prompt = kiosk.window.speaker._last_prompt
    if prompt is said_before or not prompt:
        raise RuntimeError(f"{kiosk.window.current.name} said nothing")
    utterance = max(clock.started, default=0) + 1
    deadline = time.monotonic() + WAIT_S
    while True:
        with clock.changed:
            clock.changed.wait(0.002)
            handed = next((at for uid, at in clock.started.items() if uid >= utterance), None)
        if handed is not None:
            break
        turn_loop()
        if time.monotonic() > deadline:
            return None
    prompts.append(prompt[0][0])
    return (handed - started) * 1000


def _espeak(text: str, base: Path) -> float:
    command = shutil.which("espeak-ng") or "espeak-ng"
    started = time.perf_counter()
    subprocess.run([command, "-v", "cmn", "-s", "150", "-w", str(base / "reference.wav"), text],
                   check=True, capture_output=True, timeout=WAIT_S)
    return (time.perf_counter() - started) * 1000
