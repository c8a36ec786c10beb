"""Every screen, at every text size, on both reference screens, measured against the rules."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from kiosk.elders import find_by_card
from kiosk.sync.engine import SyncResult
from kiosk.sync.pull import CURSOR_KEY, apply_page
from tests.gui.conftest import (
    LANGUAGES,
    VoiceStandIn,
    cycle_ended,
    tap,
    tap_key,
    tap_service,
    type_card,
    visible_buttons,
)
from tests.gui.measure import SCREENS, all_problems, on_screen, window_problems
from ui.screens.home import MAX_TYPED_DIGITS
from ui.theme import TEXT_SIZES, Metrics, stylesheet


def walk(qtbot, window):
    """Every screen and state an elder can reach, yielded after it shows. Buttons are tapped by
    message key, so the same walk runs in every language."""
    window.set_speaker(VoiceStandIn())  # as with a real engine: 粤语 and 声音 on the home screen
    window.screen("home").show_sync_line(longest_sync_line(window.core.text))
    yield "home, offline with bookings waiting"
    for digit in "1" * MAX_TYPED_DIGITS:
        tap(qtbot, window, digit)
    yield "home, the longest card number typed"
    tap_key(qtbot, window, "home.key.clear")
    tap_key(qtbot, window, "voice.entry")
    yield "sound"
    tap_key(qtbot, window, "voice.mute")
    tap_key(qtbot, window, "voice.slow")
    yield "sound, muted and slower"
    tap_key(qtbot, window, "voice.done")
    type_card(qtbot, window, "99999999")
    yield "home with an unknown card"
    type_card(qtbot, window, "10000002")  # 李建国: delivery allowed, so three modes show
    yield "services"
    tap_service(qtbot, window, "meal")
    yield "days"
    tap_key(qtbot, window, "day.today")
    yield "lunch or dinner"
    tap_key(qtbot, window, "meal.lunch")
    yield "menu"
    tap_key(qtbot, window, "menu.book")
    yield "how to eat"
    tap_key(qtbot, window, "mode.delivery")
    yield "confirm"
    tap_key(qtbot, window, "confirm.ok")
    yield "receipt"
    tap_key(qtbot, window, "receipt.home")
    type_card(qtbot, window, "10000002")
    tap_service(qtbot, window, "meal")
    tap_key(qtbot, window, "day.today")
    tap_key(qtbot, window, "meal.lunch")
    yield "lunch or dinner, already booked, with its message"
    yield from walk_services(qtbot, window)
    window.core.clock.advance(seconds=window.core.settings.idle_timeout_s + 1)
    window.idle.tick()
    yield "still there?"


def tap_first(qtbot, window, key: str) -> None:
    """The first (leftmost) of several visible buttons saying message `key`, e.g. on booking
    cards."""
    text = window.core.text(key)
    found = [b for b in visible_buttons(window) if b.text() == text]
    first = min(found, key=lambda b: b.mapTo(window, QPoint(0, 0)).x())
    first._last_tap = -1e9
    qtbot.mouseClick(first, Qt.MouseButton.LeftButton)


def staff_answer(window, state: str) -> None:
    """Staff answered the help call just made: it comes back by pull, as the sync worker
    applies it, and the cycle ends."""
    store = window.core.store
    call = store.query_one("SELECT * FROM help_requests ORDER BY created_at DESC LIMIT 1")
    cursor = int(store.get_state(CURSOR_KEY, "0")) + 1
    data = {"id": call["id"], "elder_id": call["elder_id"], "kind": call["kind"],
            "state": state, "created_at": call["created_at"],
            "acknowledged_by_name": "值班员小刘"}
    apply_page(store, window.core.clock, [{"seq": cursor, "kind": "help_request",
                                           "id": call["id"], "op": "upsert", "data": data}],
               cursor)
    cycle_ended(window, SyncResult(ok=True, pulled=1))
    assert window.current.prompt() == window.core.text(f"help.{state}")


def to_services(window) -> None:
    """Straight back to the services screen in the same session: signing out and in again
    restyles every screen twice, which the walk need not pay for each service."""
    window.history.clear()
    window.show_screen("services")


def walk_activities_and_visits(qtbot, window):
    """文化活动: the calendar, a session's confirm, a full one's waiting-list confirm and
    receipt; 探望陪伴: its days, windows and confirm."""
    tap_service(qtbot, window, "activity")
    yield "activity days"
    tap_key(qtbot, window, "day.tomorrow")
    yield "activity sessions of a day"
    first = next(b for b in visible_buttons(window) if "\n" in b.text()
                 and b.property("role") == "choice")
    tap(qtbot, window, first.text().split("\n")[0])
    yield "activity confirm"
    with window.core.store.transaction() as conn:  # the session fills up meanwhile
        conn.execute("UPDATE slots SET capacity = 0 WHERE id = ?",
                     (window.core.session.draft.slot_id,))
    window.show_screen("confirm")
    yield "activity confirm, a waiting-list place"
    tap_key(qtbot, window, "confirm.ok")
    yield "activity receipt, on the waiting list"
    to_services(window)
    tap_service(qtbot, window, "visit")
    yield "companion visit days"
    tap_key(qtbot, window, "day.tomorrow")
    yield "companion visit windows"
    tap_key(qtbot, window, "window.am")
    yield "companion visit confirm"


def walk_services(qtbot, window):
    """Help, cleaning, the health station, my bookings and rating (issue 4)."""
    tap_key(qtbot, window, "nav.home")
    tap_key(qtbot, window, "nav.help")
    yield "help, before signing in"
    tap_key(qtbot, window, "help.yes")
    yield "help, staff told"
    staff_answer(window, "acknowledged")
    yield "help, staff on their way"
    staff_answer(window, "resolved")
    yield "help, dealt with"
    tap_key(qtbot, window, "help.back")
    type_card(qtbot, window, "10000002")
    tap_service(qtbot, window, "cleaning")
    yield "cleaning days"
    tap_key(qtbot, window, "page.next")
    yield "cleaning days, page 2"
    tap_key(qtbot, window, "page.next")
    yield "cleaning days, last page"
    tap_key(qtbot, window, "page.previous")
    tap_key(qtbot, window, "page.previous")
    tap_key(qtbot, window, "day.tomorrow")
    yield "cleaning window"
    tap_key(qtbot, window, "window.am")
    yield "cleaning kind"
    tap_key(qtbot, window, "kind.deep")
    yield "cleaning needs"
    tap_key(qtbot, window, "need.pets")
    tap_key(qtbot, window, "need.mobility_help")
    yield "cleaning needs, two chosen"
    tap_key(qtbot, window, "cleaning.needs.next")
    yield "cleaning confirm"
    tap_key(qtbot, window, "confirm.ok")
    yield "cleaning receipt"
    window.core.flow("cleaning").book("elder-0003", "cleaning:2026-11-25:pm", "deep")  # 1 unit left
    to_services(window)
    tap_service(qtbot, window, "cleaning")
    tap_key(qtbot, window, "day.tomorrow")
    tap_key(qtbot, window, "window.pm")
    yield "cleaning kind, deep clean too big for the window"
    tap_key(qtbot, window, "kind.deep")
    yield "cleaning kind, deep clean refused with its message"
    to_services(window)
    tap_service(qtbot, window, "medical")
    yield "medical"
    tap_service(qtbot, window, "clinic")
    yield "departments"
    tap_key(qtbot, window, "department.general")
    yield "clinic days"
    tap_key(qtbot, window, "day.tomorrow")
    yield "clinic times"
    tap_key(qtbot, window, "page.next")
    yield "clinic times, afternoon page"
    tap(qtbot, window, "14:00–14:30")
    yield "clinic confirm"
    tap_key(qtbot, window, "confirm.ok")
    yield "clinic receipt"
    to_services(window)
    tap_service(qtbot, window, "medical")
    tap_service(qtbot, window, "home_visit")
    yield "home visit days"
    tap_key(qtbot, window, "day.tomorrow")
    yield "home visit confirm"
    to_services(window)
    tap_service(qtbot, window, "medical")
    tap_service(qtbot, window, "health_check")
    yield "health check days"
    tap_key(qtbot, window, "day.tomorrow")
    yield "health check confirm"
    tap_key(qtbot, window, "confirm.ok")
    to_services(window)
    if window.current.next_page.isVisible():  # 超大: four tiles a page, the rest on the next
        tap_key(qtbot, window, "page.next")
        yield "services, second page"
        tap_key(qtbot, window, "page.previous")
    yield from walk_activities_and_visits(qtbot, window)
    to_services(window)
    yield "services, before my bookings"
    tap_service(qtbot, window, "my_bookings")
    yield "my bookings"
    tap_key(qtbot, window, "page.next")
    yield "my bookings, page 2"
    tap_first(qtbot, window, "my.cancel")
    yield "cancel confirm"
    tap_key(qtbot, window, "cancel.ok")
    yield "my bookings after cancelling"
    with window.core.store.transaction() as conn:  # the lunch booked above is over
        conn.execute("UPDATE bookings SET status = 'completed' WHERE service = 'meal'")
    tap_key(qtbot, window, "nav.home")
    type_card(qtbot, window, "10000002")
    yield "rating faces"
    tap_key(qtbot, window, "rating.unsatisfied")
    yield "rating reasons"
    tap_key(qtbot, window, "rating.reason.cold_food")
    yield "rating reasons, one chosen"
    tap_key(qtbot, window, "rating.send")
    yield "complaint"
    tap_key(qtbot, window, "complaint.file")
    yield "services, complaint received"
    yield from walk_complaints(qtbot, window)
    tap_service(qtbot, window, "meal")  # where the walk above measured the idle warning
    tap_key(qtbot, window, "day.today")
    tap_key(qtbot, window, "meal.lunch")


def walk_complaints(qtbot, window):
    """意见/投诉 from the services screen (issue 13), then its answer at the next sign-in."""
    tap_key(qtbot, window, "service.complaint")
    yield "complaint, about what"
    tap_key(qtbot, window, "complaint.about.booking")
    yield "complaint, which service"
    first = next(b for b in visible_buttons(window) if "\n" in b.text()
                 and b.property("role") == "choice")
    tap(qtbot, window, first.text().split("\n")[0])
    yield "complaint reasons"
    tap_key(qtbot, window, "rating.reason.wrong_item")
    tap_key(qtbot, window, "complaint.call_back")
    yield "complaint reasons, two chosen"
    tap_key(qtbot, window, "complaint.next")
    yield "complaint confirm"
    tap_key(qtbot, window, "complaint.confirm.ok")
    yield "services, complaint sent"
    tap_key(qtbot, window, "service.complaint")
    tap_key(qtbot, window, "complaint.about.provider")
    yield "complaint, which provider"
    tap_key(qtbot, window, "nav.back")
    tap_key(qtbot, window, "complaint.about.centre")
    yield "complaint reasons, the centre"
    resolve_last_complaint(window)
    tap_key(qtbot, window, "nav.home")
    type_card(qtbot, window, "10000002")
    yield "complaint answer"
    tap_key(qtbot, window, "complaint.answer.skip")


# Operators write up to 500 characters: a long answer pages, at every size.
LONG_RESOLUTION = ("我们和食堂谈过了：以后午餐装在保温箱里送，送到您家时还是热的。"
                   "送餐员每天十一点半出发，如果晚到半小时以上，会先给您打电话说明。"
                   "这次饭菜凉了，食堂向您道歉，下个月送您一次免费的午餐。"
                   "如果以后还有问题，请在这台机器上再提意见，或者直接找社工小刘，"
                   "电话在服务中心门口的牌子上。") * 2


def resolve_last_complaint(window) -> None:
    """An operator resolved the complaint just sent, with a long answer; the kiosk pulled it."""
    store = window.core.store
    row = store.query_one("SELECT * FROM complaints ORDER BY created_at DESC, rowid DESC")
    cursor = int(store.get_state(CURSOR_KEY, "0")) + 1
    data = {"id": row["id"], "booking_id": row["booking_id"], "elder_id": row["elder_id"],
            "provider_id": row["provider_id"], "reasons": [], "staff_id": None,
            "state": "resolved", "created_at": row["created_at"], "kiosk_id": None,
            "resolution": LONG_RESOLUTION,
            "resolved_at": row["created_at"]}
    apply_page(store, window.core.clock, [{"seq": cursor, "kind": "complaint", "id": row["id"],
                                           "op": "upsert", "data": data}], cursor)


def longest_sync_line(t) -> str:
    """The longest thing the home screen's sync line can say."""
    keys = ("sync.demo_mode", "sync.needs_staff", "sync.all_confirmed", "sync.offline_pending",
            "sync.offline_uploading", "sync.offline_idle", "sync.online_pending",
            "sync.online_uploading", "sync.connecting")
    return max((t(key, count=128) for key in keys), key=len)


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("size", TEXT_SIZES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_screen_meets_the_rules(qtbot, window, language, screen, size):
    """English words are much wider than Chinese ones: the same walk, in both."""
    assert window.core.text.language == language
    metrics = on_screen(window, screen, size)
    problems = []
    for state in walk(qtbot, window):  # signing out returns to the default size: kept at size
        problems += [f"{state}: {p}" for p in window_problems(window, screen, metrics)]
        if state.startswith("home"):
            assert window.current.prompt()
        else:
            assert window.current.prompt() or window.idle.warning.isVisible()
    assert not problems, "\n".join(problems)


def test_text_size_is_one_tap_on_the_home_screen_and_resets_at_sign_out(qtbot, window):
    tap(qtbot, window, "超大")
    assert window.metrics.text_size == "largest"
    big = window.current.display.font().pixelSize()
    type_card(qtbot, window, "10000001")
    assert window.metrics.text_size == "largest"
    tap(qtbot, window, "首页")
    assert window.metrics.text_size == "large"
    assert window.current.display.font().pixelSize() < big
    assert find_by_card(window.core.store, "10000001")  # nothing else was touched


def test_the_measures_notice_small_targets_and_clipped_text(qtbot):
    from PySide6.QtWidgets import QVBoxLayout, QWidget

    from ui.widgets import BigButton, label

    metrics = Metrics.for_screen(1280, 800, 15.6)
    QApplication.instance().setStyleSheet(stylesheet(metrics))
    page = QWidget()
    qtbot.addWidget(page)
    layout = QVBoxLayout(page)
    tiny = BigButton("小", "choice")
    tiny.setStyleSheet("min-height: 0; min-width: 0; font-size: 10px")
    tiny.setFixedSize(30, 30)
    squeezed = label("这一行字太长了放不下" * 3, wrap=False)
    squeezed.setFixedWidth(100)
    flattened = label("压扁了", wrap=False)  # a layout short of height squashes a line too
    flattened.setFixedHeight(10)
    nameless = BigButton("", "choice")
    nameless.setAccessibleName("")
    for widget in (tiny, squeezed, flattened, nameless):
        layout.addWidget(widget)
    page.resize(600, 600)
    page.show()
    qtbot.waitExposed(page)
    problems = "\n".join(all_problems(page, metrics))
    assert "target under" in problems and "primary under" in problems
    assert "text clipped" in problems and "no accessible name" in problems
    assert "'压扁了' in" in problems
