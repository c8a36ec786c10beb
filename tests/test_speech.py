"""Tests of the speech service with the real engine (pyttsx3 + espeak-ng), rendered to WAV files.

Speaking tests use the null audio sink: the real engine renders each prompt and the sink keeps
time for as long as the audio lasts, so started / interrupted / finished mean what they would
with a loudspeaker. One test uses the real audio output, which on a machine without a sound
card must report an error event and leave the service usable. Nothing here sleeps: tests wait
on events with deadlines.
"""
from __future__ import annotations

import math
import shutil
import subprocess
import sys
import threading
import time
import wave
from array import array
from pathlib import Path

import pytest

from kiosk.speech import (
    ERROR,
    FINISHED,
    INTERRUPTED,
    READY,
    RESTARTED,
    STARTED,
    SpeechEvent,
    SpeechService,
    SpeechUnavailable,
    WatchdogTiming,
    render_to_wav,
)
from kiosk.speech_engine import VoiceInfo, choose_voice, explain_start_failure

READY_S = 20.0
HOME_PROMPT = "您好，请刷卡或输入卡号"
TEN_CHARS = "请选择您要预订的午餐"
SILENCE_RMS = 300  # int16 RMS; espeak-ng speech at volume 1.0 measures in the thousands


class EventLog:
    """A speech listener that tests can wait on."""

    def __init__(self) -> None:
        self.events: list[SpeechEvent] = []
        self._changed = threading.Condition()

    def __call__(self, event: SpeechEvent) -> None:
        with self._changed:
            self.events.append(event)
            self._changed.notify_all()

    def wait_for(self, kind: str, utterance_id: int | None = None,
                 timeout: float = 15.0) -> SpeechEvent:
        with self._changed:
            found = self._changed.wait_for(lambda: self._find(kind, utterance_id), timeout)
        assert found, f"no {kind} event for #{utterance_id} within {timeout} s: {self.events}"
        return found

    def wait_for_end(self, utterance_id: int, timeout: float = 15.0) -> SpeechEvent:
        ends = (FINISHED, ERROR, INTERRUPTED)
        with self._changed:
            found = self._changed.wait_for(
                lambda: next((e for e in self.events if e.utterance_id == utterance_id
                              and e.kind in ends), None), timeout)
        assert found, f"#{utterance_id} never ended within {timeout} s: {self.events}"
        return found

    def kinds_for(self, utterance_id: int) -> list[str]:
        with self._changed:
            return [e.kind for e in self.events if e.utterance_id == utterance_id]

    def _find(self, kind: str, utterance_id: int | None) -> SpeechEvent | None:
        return next((e for e in reversed(self.events) if e.kind == kind
                     and (utterance_id is None or e.utterance_id == utterance_id)), None)


def wav_stats(path: Path) -> tuple[float, float]:
    """(duration in seconds, RMS of the int16 samples) of a mono 16-bit WAV file."""
    with wave.open(str(path), "rb") as wav:
        assert wav.getsampwidth() == 2 and wav.getnchannels() == 1
        frames = wav.readframes(wav.getnframes())
        duration = wav.getnframes() / wav.getframerate()
    samples = array("h", frames)
    if sys.byteorder == "big":
        samples.byteswap()
    rms = math.sqrt(sum(s * s for s in samples) / len(samples)) if samples else 0.0
    return duration, rms


@pytest.fixture(scope="module")
def log() -> EventLog:
    return EventLog()


@pytest.fixture(scope="module")
def speech(log: EventLog):
    service = SpeechService(listener=log, audio_sink="null")
    assert service.wait_until_ready(READY_S), service.unavailable_reason
    yield service
    service.close()


@pytest.fixture
def fresh(speech: SpeechService) -> SpeechService:
    speech.reset_session()
    speech.set_language("zh_CN")
    return speech


@pytest.fixture(scope="module")
def wavs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("speech")


# -- rendering with the real engine ----------------------------------------------------------
def test_ten_mandarin_characters_are_audible_and_last_a_plausible_time(fresh, wavs):
    path = fresh.render_to_wav(TEN_CHARS, wavs / "ten.wav", "zh_CN", rate=150)
    duration, rms = wav_stats(path)
    print(f"10 chars zh_CN @150: {duration:.2f} s, RMS {rms:.0f}")
    assert 1.0 <= duration <= 10.0
    assert rms > SILENCE_RMS


def test_a_two_character_prompt_is_not_clipped_to_silence(fresh, wavs):
    # pyttsx3 2.99 drops the final synth buffer; without our fix this file is empty.
    duration, rms = wav_stats(fresh.render_to_wav("您好", wavs / "short.wav"))
    assert duration > 0.5 and rms > SILENCE_RMS


def test_longer_text_takes_longer(fresh, wavs):
    short, _ = wav_stats(fresh.render_to_wav("您好", wavs / "a.wav"))
    long, _ = wav_stats(fresh.render_to_wav(HOME_PROMPT + "。" + TEN_CHARS, wavs / "b.wav"))
    assert long > short * 2


def test_a_slower_rate_gives_a_longer_file(fresh, wavs):
    slow, _ = wav_stats(fresh.render_to_wav(HOME_PROMPT, wavs / "slow.wav", rate=100))
    quick, _ = wav_stats(fresh.render_to_wav(HOME_PROMPT, wavs / "quick.wav", rate=200))
    print(f"home prompt: {slow:.2f} s at 100 wpm, {quick:.2f} s at 200 wpm")
    assert slow > quick * 1.4


def test_back_to_back_renders_each_keep_their_own_rate_and_voice(fresh, wavs):
    # pyttsx3 2.99 cancels the next render while espeak-ng finishes the last one; we stop that.
    durations: dict[tuple[str, int], list[float]] = {}
    for i in range(12):
        lang, rate = ("zh_CN", "en", "zh_CN")[i % 3], (100, 150, 200, 120)[i % 4]
        path = fresh.render_to_wav("您好，请刷卡", wavs / f"burst-{i}.wav", lang, rate)
        durations.setdefault((lang, rate), []).append(wav_stats(path)[0])
    for key, found in durations.items():
        assert max(found) < min(found) * 1.05, (key, found)
    assert durations[("zh_CN", 100)][0] > durations[("zh_CN", 200)][0] * 1.4


def test_each_language_gets_its_own_voice_from_the_engine_list(fresh):
    voices = {voice.id: voice for voice in fresh.voices}
    assert fresh.voice_for("zh_CN").endswith("cmn-latn-pinyin")  # not the pinyin-as-English one
    assert "yue" in voices[fresh.voice_for("yue")].languages
    assert voices[fresh.voice_for("en")].languages[0].startswith("en")
    assert set(fresh.languages) == {"zh_CN", "yue", "en"}


# What each language is heard saying, and the espeak-ng voice that says it right.
SPOKEN = {"zh_CN": ("您好，请刷卡", "cmn-latn-pinyin"), "yue": ("您好，请刷卡", "yue"),
          "en": ("Hello, scan your card", "en")}


def espeak_phonemes(voice: str, text: str) -> str:
    return subprocess.run(["espeak-ng", "-q", "-x", "-v", voice, text], check=True,
                          capture_output=True, text=True).stdout


@pytest.mark.skipif(not shutil.which("espeak-ng"), reason="espeak-ng command not installed")
def test_the_reference_voices_speak_chinese_as_chinese():
    """The plain cmn voice reads characters as English-spoken pinyin ("nin two hao three");
    the reference voices must not switch to English for Chinese text."""
    assert "(en)" in espeak_phonemes("cmn", "您好")  # the fault this guards against is real
    for language in ("zh_CN", "yue"):
        text, voice = SPOKEN[language]
        assert "(en)" not in espeak_phonemes(voice, text)


@pytest.mark.skipif(not shutil.which("espeak-ng"), reason="espeak-ng command not installed")
def test_mandarin_cantonese_and_english_renders_match_the_right_espeak_ng_voices(fresh, wavs):
    ours = {lang: wav_stats(fresh.render_to_wav(text, wavs / f"{lang}.wav", lang))[0]
            for lang, (text, _voice) in SPOKEN.items()}
    for lang, (text, voice) in SPOKEN.items():
        reference = wavs / f"reference-{lang}.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(reference), text],
                       check=True, capture_output=True)
        assert ours[lang] == pytest.approx(wav_stats(reference)[0], rel=0.03), lang
    print("rendered: " + ", ".join(f"{lang} {seconds:.2f} s" for lang, seconds in ours.items()))
    assert abs(ours["zh_CN"] - ours["yue"]) > 0.1  # the same words, another voice


def test_prices_and_times_are_rendered_as_said_not_as_shown(fresh, wavs):
    shown = wav_stats(fresh.render_to_wav("您付¥12.50，09:30–10:00", wavs / "shown.wav"))[0]
    said = wav_stats(fresh.render_to_wav("您付12元5角，9点30分到10点", wavs / "said.wav"))[0]
    assert shown == pytest.approx(said, rel=0.02)


def test_module_render_to_wav_uses_a_short_lived_worker(tmp_path):
    duration, rms = wav_stats(render_to_wav(HOME_PROMPT, tmp_path / "home.wav", "zh_CN"))
    assert 1.0 <= duration <= 10.0 and rms > SILENCE_RMS


def test_the_documented_command_writes_the_home_prompt(tmp_path):
    out = tmp_path / "out.wav"
    result = subprocess.run(
        [sys.executable, "-m", "kiosk.speech", "--wav", str(out), "--lang", "zh_CN", HOME_PROMPT],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr
    duration, rms = wav_stats(out)
    assert duration > 1.0 and rms > SILENCE_RMS


# -- speaking ----------------------------------------------------------------------------------
def test_say_interrupts_and_the_second_prompt_is_spoken(fresh, log):
    first = fresh.say(HOME_PROMPT + TEN_CHARS)
    log.wait_for(STARTED, first)
    second = fresh.say("好")
    log.wait_for(FINISHED, second)
    assert log.kinds_for(first) == [STARTED, INTERRUPTED]
    assert log.kinds_for(second) == [STARTED, FINISHED]


def test_queue_speaks_after_the_current_prompt(fresh, log):
    first = fresh.say("您好")
    second = fresh.queue("再见")
    log.wait_for(FINISHED, second)
    assert log.kinds_for(first) == [STARTED, FINISHED]
    ends = [e for e in log.events if e.utterance_id in (first, second) and e.kind == FINISHED]
    assert [e.utterance_id for e in ends] == [first, second]


def test_repeat_says_the_last_prompt_again(fresh, log):
    first = fresh.say("请刷卡")
    spoken = log.wait_for(STARTED, first)
    again = fresh.repeat()
    assert again is not None and again != first
    assert log.wait_for(STARTED, again).duration_s == pytest.approx(spoken.duration_s, rel=0.02)
    log.wait_for(FINISHED, again)


def test_mute_makes_say_a_no_op(fresh, log):
    fresh.set_muted(True)
    assert fresh.say(HOME_PROMPT) is None
    assert fresh.queue(HOME_PROMPT) is None
    fresh.set_muted(False)
    spoken = fresh.say("好")
    log.wait_for(FINISHED, spoken)
    assert fresh.repeat() is not None  # unmuted, the last prompt is still there to repeat


def test_stop_cuts_the_prompt(fresh, log):
    prompt = fresh.say(HOME_PROMPT)
    log.wait_for(STARTED, prompt)
    fresh.stop()
    log.wait_for(INTERRUPTED, prompt)


def test_a_language_without_a_voice_reports_an_error_and_keeps_working(fresh, log):
    fresh.set_language("tlh")
    lost = fresh.say("nuqneH")
    assert "no voice" in log.wait_for(ERROR, lost).detail
    fresh.set_language("en")
    log.wait_for(FINISHED, fresh.say("Hello"))


def test_reset_session_restores_defaults_and_forgets_the_prompt(fresh):
    fresh.set_rate(90)
    fresh.set_volume(0.2)
    fresh.set_muted(True)
    fresh.say("张秀英，您好")
    fresh.reset_session()
    assert (fresh.rate, fresh.volume, fresh.muted) == (150, 1.0, False)
    assert fresh.repeat() is None


def test_rate_and_volume_are_kept_in_range(fresh):
    fresh.set_rate(10)
    fresh.set_volume(3.0)
    assert (fresh.rate, fresh.volume) == (80, 1.0)


def test_public_calls_return_within_30_ms(fresh, log):
    slowest = 0.0
    for _ in range(20):
        for call in (lambda: fresh.say(HOME_PROMPT), lambda: fresh.queue("好"), fresh.stop,
                     lambda: fresh.set_rate(120), fresh.repeat, lambda: fresh.set_muted(False)):
            began = time.perf_counter()
            call()
            slowest = max(slowest, time.perf_counter() - began)
    print(f"slowest public call: {slowest * 1000:.2f} ms")
    assert slowest < 0.030
    log.wait_for(FINISHED, fresh.say("好"))  # and the worker is still in step


def test_spoken_text_is_never_logged(fresh, log, caplog):
    caplog.set_level("DEBUG")
    spoken = fresh.say("张秀英您好")
    log.wait_for(FINISHED, spoken)
    assert not [r for r in caplog.records if "张秀英" in r.getMessage()]


# -- when things go wrong ----------------------------------------------------------------------
def test_missing_driver_is_a_silent_no_op_with_a_reason(tmp_path, monkeypatch):
    monkeypatch.setenv("KIOSK_SPEECH_DRIVER", "no_such_engine")
    with SpeechService(audio_sink="null") as silent:
        assert not silent.wait_until_ready(READY_S)
        assert not silent.available
        assert silent.unavailable_reason == "speech driver 'no_such_engine' is not available"
        assert silent.say(HOME_PROMPT) is None
        assert silent.queue(HOME_PROMPT) is None and silent.repeat() is None
        silent.stop()
        silent.set_muted(True)
        silent.set_rate(100)
        silent.reset_session()
        with pytest.raises(SpeechUnavailable):
            silent.render_to_wav(HOME_PROMPT, tmp_path / "none.wav", timeout_s=5)


def test_reasons_for_staff_are_plain_english():
    missing = RuntimeError("This means you probably do not have eSpeak or eSpeak-ng installed!")
    assert explain_start_failure(missing, "espeak") == "espeak-ng is not installed"
    no_pyttsx3 = ModuleNotFoundError("No module named 'pyttsx3'", name="pyttsx3")
    assert explain_start_failure(no_pyttsx3, None) == "pyttsx3 is not installed"


def test_speech_turned_off_starts_no_worker():
    with SpeechService(enabled=False) as off:
        assert off.worker_pid is None
        assert not off.available and off.unavailable_reason == "speech is turned off in settings"
        assert off.say(HOME_PROMPT) is None


def test_watchdog_restarts_a_hung_worker():
    log = EventLog()
    timing = WatchdogTiming(heartbeat_s=0.1, deadline_s=0.6)
    with SpeechService(listener=log, audio_sink="null", timing=timing) as speech:
        log.wait_for(READY, timeout=READY_S)
        hung_pid = speech.worker_pid
        speech._hang_worker_for_test()
        assert log.wait_for(RESTARTED).detail == "worker stopped answering"
        assert speech.worker_pid != hung_pid
        log.wait_for(FINISHED, speech.say("好"), timeout=READY_S)
        assert speech.available


def test_without_a_sound_card_say_reports_and_the_service_stays_usable(tmp_path):
    log = EventLog()
    with SpeechService(listener=log, audio_sink="auto") as speech:
        first = speech.say("您好")
        end = log.wait_for_end(first, timeout=READY_S)
        print(f"real audio output: {end.kind} {end.detail!r}")
        assert end.kind in (FINISHED, ERROR)
        assert speech.output_problem == (end.detail if end.kind == ERROR else "")
        assert log.wait_for_end(speech.say("好"), timeout=READY_S).kind == end.kind
        assert speech.render_to_wav("好", tmp_path / "still.wav").exists()


# -- voice choice on other engines -------------------------------------------------------------
def test_voice_choice_works_with_windows_style_voices():
    huihui = VoiceInfo("HKEY\\Tokens\\TTS_MS_ZH-CN_HUIHUI_11.0",
                       "Microsoft Huihui Desktop - Chinese (Simplified)", ("zh-CN",))
    zira = VoiceInfo("HKEY\\Tokens\\TTS_MS_EN-US_ZIRA_11.0", "Microsoft Zira Desktop", ("en-US",))
    assert choose_voice([zira, huihui], "zh_CN") is huihui
    assert choose_voice([zira, huihui], "en") is zira
    assert choose_voice([zira, huihui], "yue") is None


def test_voice_choice_falls_back_to_plain_zh():
    old_espeak = VoiceInfo("zh", "Mandarin", ("zh",))
    english = VoiceInfo("en", "English", ("en",))
    assert choose_voice([english, old_espeak], "zh_CN") is old_espeak
