"""The kiosk speaks each screen with the real engine, cuts the old prompt, says nothing private."""
from __future__ import annotations

import threading

import pytest

from kiosk.elders import find_by_card
from kiosk.slots import get_slot
from kiosk.speech import INTERRUPTED, STARTED, SpeechService
from tests.gui.conftest import tap, type_card

FLOW = ("助餐", "明天", "午餐", "订这一餐", "到食堂取", "确认")


class Heard:
    def __init__(self) -> None:
        self.events = []
        self.lock = threading.Lock()

    def __call__(self, event) -> None:
        with self.lock:
            self.events.append(event)

    def count(self, kind: str) -> int:
        with self.lock:
            return sum(1 for e in self.events if e.kind == kind)


@pytest.fixture
def voice():
    heard = Heard()
    service = SpeechService(language="zh_CN", rate=150, audio_sink="null", listener=heard)
    assert service.wait_until_ready(20.0), service.unavailable_reason
    yield service, heard
    service.close()


def test_screens_are_spoken_and_a_new_screen_cuts_the_old_prompt(qtbot, window, voice):
    service, heard = voice
    window.speaker = service
    window.repeat_prompt()  # 再听一遍 on the home screen
    qtbot.waitUntil(lambda: heard.count(STARTED) >= 1, timeout=15000)
    type_card(qtbot, window, "10000001")  # the services prompt cuts the home prompt short
    qtbot.waitUntil(lambda: heard.count(INTERRUPTED) >= 1, timeout=15000)
    qtbot.waitUntil(lambda: heard.count(STARTED) >= 2, timeout=15000)


def test_nothing_private_is_spoken(qtbot, window, speaker):
    wang = find_by_card(window.core.store, "10000001")
    type_card(qtbot, window, wang.card_no)
    for text in FLOW:
        window.repeat_prompt()
        tap(qtbot, window, text)
    window.repeat_prompt()
    spoken = "\n".join(speaker.said)
    assert "订好了。预订号是" in spoken
    for private in (wang.name, wang.phone, wang.address, wang.card_no, wang.phone[-4:]):
        assert private not in spoken


def test_choices_dishes_and_the_price_are_said_for_those_who_cannot_read(qtbot, window, speaker):
    type_card(qtbot, window, "10000001")
    assert speaker.said[-1] == "您好！请选择：助餐、助洁、助医、文化活动、探望陪伴、我的预订。"
    for text in FLOW[:4]:
        tap(qtbot, window, text)
    core = window.core
    slot = get_slot(core.store, core.session.draft.slot_id, core.clock.tz)
    said = speaker.said[-2]  # the menu's prompt, before the next screen's
    assert said.startswith("这一餐有") and "您付¥" in said
    assert slot.menu and all(dish.name in said for dish in slot.menu)
