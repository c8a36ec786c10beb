"""Screenshots of the real kiosk for the docs: run under Xvfb by scripts/screenshots.sh."""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QApplication

from kiosk.clock import FixedClock
from kiosk.config import load_settings
from kiosk.core import Kiosk
from kiosk.speech import SpeechService
from ui.main_window import KioskWindow
from ui.theme import Metrics, stylesheet
from ui.widgets import BigButton

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
SIZE = (1280, 800)


def tap(app: QApplication, window: KioskWindow, text: str) -> None:
    buttons = [b for b in window.findChildren(BigButton) if b.isVisible()]
    for match in (lambda b: b.text().split("\n")[0] == text, lambda b: text in b.text()):
        found = [b for b in buttons if match(b)]
        if found:
            found[0]._last_tap = -1e9
            # A finger's tap is activity the idle watch sees (its event filter); click() is not.
            # Without this, after the clock is moved on past the idle time (home-signed-out),
            # the next of its 1 s ticks could sign out whoever is on screen: a flaky run.
            window.idle.restart()
            found[0].click()
            app.processEvents()
            return
    raise SystemExit(f"no button says {text!r}")


def shoot(app: QApplication, window: KioskWindow, name: str) -> None:
    app.processEvents()
    path = OUT / f"{name}.png"
    window.grab().save(str(path))
    print(path.relative_to(OUT.parent.parent))


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    data = Path(tempfile.mkdtemp(prefix="kiosk-shots-"))
    settings = load_settings(data / "none.toml", data_dir=data, screen_diagonal_inch=15.6)
    core = Kiosk(settings, clock=FixedClock("2026-11-24T08:00:00"))
    core.seed_demo_if_empty(finished=True)  # as `kiosk` seeds it: a lunch eaten, to rate
    metrics = Metrics.for_screen(*SIZE, settings.screen_diagonal_inch, settings.text_size)
    app.setStyleSheet(stylesheet(metrics, settings.high_contrast))
    window = KioskWindow(core, metrics)
    window.resize(*SIZE)
    window.show()
    # The real voice (heard by no one): the home screen then offers 粤语 and 声音 as it would.
    speech = SpeechService(language="zh_CN", rate=settings.voice_rate, audio_sink="null")
    window.set_speaker(speech)
    if not speech.wait_until_ready(30.0):
        print(f"speech: {speech.unavailable_reason}", file=sys.stderr)
    app.processEvents()
    shoot(app, window, "home")
    tap(app, window, "声音")
    tap(app, window, "慢一点")
    shoot(app, window, "voice")
    window.go_home()
    for digit in "99999999":
        tap(app, window, digit)
    tap(app, window, "确定")
    shoot(app, window, "unknown-card")
    for digit in "10000001":
        tap(app, window, digit)
    tap(app, window, "确定")
    steps = [("services", "助餐"), ("meal-day", "明天"), ("meal-choice", "午餐"),
             ("meal-menu", "订这一餐"), ("meal-mode", "到食堂取"), ("meal-confirm", "确认")]
    for name, text in steps:
        shoot(app, window, name)
        tap(app, window, text)
    shoot(app, window, "receipt")
    shoot_services(app, window)
    shoot_staff(app, window)
    shoot_complaints(app, window)
    shoot_text_sizes(app, window, metrics)
    shoot_english(app, window)
    window.close()
    window.speaker.close()
    core.close()
    return 0


def shoot_text_sizes(app: QApplication, window: KioskWindow, metrics: Metrics) -> None:
    """The main screens at 超大 and in the high-contrast theme (issue 6)."""
    if window.staff_mode.signed_in:
        window.staff_mode.sign_out()
    for suffix, size, contrast in (("largest", "largest", False), ("contrast", "large", True),
                                   ("contrast-largest", "largest", True)):
        window.go_home()
        window.metrics = metrics.with_text_size(size)
        app.setStyleSheet(stylesheet(window.metrics, contrast))
        window.screen("home").show_text_size(size)
        shoot(app, window, f"home-{suffix}")
        for digit in "10000001":
            tap(app, window, digit)
        tap(app, window, "确定")
        window.metrics = metrics.with_text_size(size)
        app.setStyleSheet(stylesheet(window.metrics, contrast))
        shoot(app, window, f"services-{suffix}")
        if size == "largest":  # four tiles a page: the other two on the next
            tap(app, window, "下一页")
            shoot(app, window, f"services-page-2-{suffix}")
            tap(app, window, "上一页")
        for name, text in (("", "助餐"), ("meal-day", "后天"), ("meal-choice", "晚餐"),
                           ("meal-menu", "订这一餐"), ("meal-mode", "到食堂取")):
            if name:
                shoot(app, window, f"{name}-{suffix}")
            tap(app, window, text)
        shoot(app, window, f"meal-confirm-{suffix}")
    window.go_home()
    app.setStyleSheet(stylesheet(metrics))


def shoot_english(app: QApplication, window: KioskWindow) -> None:
    """English, one tap on the home screen, through a lunch booking."""
    window.go_home()
    tap(app, window, "English")
    shoot(app, window, "home-en")
    for digit in "10000002":
        tap(app, window, digit)
    tap(app, window, "OK")
    for name, text in (("services-en", "Meals"), ("meal-day-en", "Tomorrow"),
                       ("meal-choice-en", "Lunch"), ("meal-menu-en", "Book this meal"),
                       ("meal-mode-en", "Delivery")):
        shoot(app, window, name)
        tap(app, window, text)
    shoot(app, window, "meal-confirm-en")
    window.go_home()


def shoot_services(app: QApplication, window: KioskWindow) -> None:
    """Issue 4: cleaning, the health station, my bookings, rating, complaint and help."""
    core = window.core

    def sign_in(card: str) -> None:
        window.go_home()
        for digit in card:
            tap(app, window, digit)
        tap(app, window, "确定")

    def walk(steps: list[tuple[str, str]]) -> None:
        for name, text in steps:
            if name:
                shoot(app, window, name)
            tap(app, window, text)

    sign_in("10000002")  # 李建国: enhanced subsidy, home visits allowed
    walk([("services-all", "助洁"), ("cleaning-day", "明天"), ("cleaning-window", "上午"),
          ("cleaning-kind", "深度保洁"), ("", "家有宠物"), ("", "行动不便需协助"),
          ("cleaning-needs", "好了，下一步"), ("cleaning-confirm", "确认")])
    shoot(app, window, "cleaning-receipt")
    sign_in("10000002")
    walk([("", "助医"), ("medical", "门诊挂号"), ("clinic-department", "全科"),
          ("clinic-day", "明天"), ("clinic-time", "09:30–10:00"), ("clinic-confirm", "确认")])
    sign_in("10000002")
    walk([("", "助医"), ("", "医生上门"), ("home-visit-day", "明天")])
    shoot(app, window, "home-visit-confirm")
    sign_in("10000001")
    walk([("", "助医"), ("", "体检"), ("health-check-day", "明天")])
    shoot(app, window, "health-check-confirm")
    refused = core.meals.book("elder-0002", "meal:2026-11-26:lunch", "pickup")
    with core.store.transaction() as conn:
        conn.execute("UPDATE bookings SET status = 'rejected', reason = 'full' WHERE id = ?",
                     (refused.id,))
    sign_in("10000002")
    walk([("", "我的预订"), ("my-bookings", "下一页"), ("my-bookings-page-2", "上一页"),
          ("", "取消这个预订"), ("booking-cancel", "确认取消")])
    shoot(app, window, "my-bookings-cancelled")
    sign_in("10000010")  # 曹建国 ate yesterday's lunch (the demo's finished meal)
    walk([("rating", "不满意"), ("", "饭菜凉了"), ("rating-reasons", "提交"),
          ("complaint", "投诉"), ("complaint-filed", "求助"), ("help-confirm", "叫工作人员")])
    shoot(app, window, "help-sent")
    shoot_activities_and_visits(app, window, sign_in, walk)
    sign_in("10000002")
    core.clock.advance(seconds=core.settings.idle_timeout_s + core.settings.idle_warning_s)
    window.idle.tick()  # nobody tapped: signed out, and the home screen says so
    shoot(app, window, "home-signed-out")
    window.go_home()


def shoot_activities_and_visits(app: QApplication, window: KioskWindow, sign_in, walk) -> None:
    """文化活动: the calendar, a session with places, a full one with its waiting list;
    探望陪伴: a window service with no screens of its own."""
    core = window.core
    sign_in("10000002")
    walk([("", "文化活动"), ("activity-days", "明天"), ("activity-sessions", "09:00–10:30 书法"),
          ("activity-confirm", "确认")])
    shoot(app, window, "activity-receipt")
    with core.store.transaction() as conn:  # Thursday's choir is full: a waiting-list place
        conn.execute("UPDATE slots SET capacity = 0 WHERE service = 'activity' "
                     "AND title = '合唱' AND day = '2026-11-26'")
    sign_in("10000001")
    walk([("", "文化活动"), ("", "后天"), ("activity-sessions-full", "14:30–16:00 合唱"),
          ("activity-waitlist-confirm", "确认")])
    shoot(app, window, "activity-waitlisted-receipt")
    sign_in("10000002")
    walk([("", "探望陪伴"), ("visit-day", "明天"), ("visit-window", "上午")])
    shoot(app, window, "visit-confirm")
    window.go_home()


def shoot_staff(app: QApplication, window: KioskWindow) -> None:
    """Staff mode (demo PIN 1234), with a help request and a refused booking waiting."""
    from kiosk.staff import seed_demo_staff

    core = window.core
    seed_demo_staff(core.store, core.clock)
    core.help.ask("elder-0002", "urgent")
    core.meals.book("elder-0003", "meal:2026-11-24:lunch", "delivery")
    core.flow("clinic").book("elder-0004", "clinic:2026-11-25:general:1400")
    core.flow("cleaning").book("elder-0005", "cleaning:2026-11-25:am", "standard")
    window.go_home()
    tap(app, window, "工作人员")
    shoot(app, window, "staff-login")
    tap(app, window, "刘社工")
    for _ in range(5):  # five wrong PINs: her name is locked, its keys off
        for digit in "9999":
            tap(app, window, digit)
        tap(app, window, "确定")
    shoot(app, window, "staff-pin-locked")
    window.go_home()
    tap(app, window, "工作人员")
    tap(app, window, "张社工")
    for digit in "12":
        tap(app, window, digit)
    shoot(app, window, "staff-pin")
    for digit in "34":
        tap(app, window, digit)
    tap(app, window, "确定")
    for key in "wxy":
        tap(app, window, key)
    shoot(app, window, "staff-search")
    tap(app, window, "王秀英")
    shoot(app, window, "staff-elder")
    tap(app, window, "修改资料")
    shoot(app, window, "staff-elder-form")
    tap(app, window, "下一步")
    shoot(app, window, "staff-elder-needs")
    window.go_home()
    for key in "wxy":  # staff book for her: every step names her
        tap(app, window, key)
    tap(app, window, "王秀英")
    tap(app, window, "明天晚餐")  # her lunch tomorrow is booked already
    tap(app, window, "到食堂取")
    shoot(app, window, "staff-acting-confirm")
    window.go_home()
    shoot_pinyin(app, window)
    for name, text in (("staff-day-lists", "每日名单"), ("staff-attendance", "活动签到"),
                       ("staff-attention", "待处理"),
                       ("staff-sync", "同步"), ("staff-settings", "设置"),
                       ("staff-audit", "操作记录")):
        tap(app, window, text)
        shoot(app, window, name)
        window.go_home()
    tap(app, window, "每日名单")
    tap(app, window, "明天")
    tap(app, window, "门诊")
    tap(app, window, "导出表格 CSV")
    shoot(app, window, "staff-day-lists-exported")
    window.go_home()
    window.speaker._output_problem = "no audio output device"  # as with no speaker plugged in
    tap(app, window, "同步")
    shoot(app, window, "staff-sync-no-speaker")
    window.speaker._output_problem = ""
    window.go_home()


def shoot_complaints(app: QApplication, window: KioskWindow) -> None:
    """Issue 13: 意见/投诉 from the services screen, at 大 and 超大; a staff member's note; the
    answer that comes back at the next sign-in."""
    from kiosk.sync.pull import CURSOR_KEY, apply_page

    core = window.core
    if window.staff_mode.signed_in:
        window.staff_mode.sign_out()
    with core.store.transaction() as conn:  # 曹建国's lunch yesterday: rated already
        conn.execute("UPDATE bookings SET rating_asked = 1 WHERE elder_id = 'elder-0010'")

    def sign_in(size: str) -> None:
        window.go_home()
        for digit in "10000010":
            tap(app, window, digit)
        tap(app, window, "确定")
        window.set_text_size(size)

    for size, suffix in (("large", ""), ("largest", "-largest")):
        sign_in(size)
        shoot(app, window, f"complaint-services{suffix}")
        for name, text in (("complaint-about", "意见 / 投诉"), ("complaint-booking", "最近的服务"),
                           ("complaint-reasons", "11月23日")):
            tap(app, window, text)
            shoot(app, window, f"{name}{suffix}")
        tap(app, window, "饭菜凉了")
        tap(app, window, "请给我回电话")
        shoot(app, window, f"complaint-reasons-chosen{suffix}")
        tap(app, window, "下一步")
        shoot(app, window, f"complaint-confirm{suffix}")
        tap(app, window, "确认提交")
        shoot(app, window, f"complaint-sent{suffix}")
        tap(app, window, "意见 / 投诉")
        tap(app, window, "服务商")
        shoot(app, window, f"complaint-provider{suffix}")
        row = core.store.query_one("SELECT * FROM complaints ORDER BY created_at DESC, "
                                   "rowid DESC LIMIT 1")
        cursor = int(core.store.get_state(CURSOR_KEY, "0")) + 1
        data = {**dict(row), "reasons": [], "state": "resolved", "kiosk_id": None,
                "call_back": bool(row["call_back"]), "answer": None,
                "resolution": "食堂已经换了保温箱，以后送到时饭菜是热的。",
                "resolved_at": row["created_at"]}
        apply_page(core.store, core.clock, [{"seq": cursor, "kind": "complaint",
                                             "id": row["id"], "op": "upsert", "data": data}],
                   cursor)
        sign_in(size)
        shoot(app, window, f"complaint-answer{suffix}")
        tap(app, window, "跳过")
    window.go_home()
    tap(app, window, "工作人员")  # staff beside him add a note
    tap(app, window, "张社工")
    for digit in "1234":
        tap(app, window, digit)
    tap(app, window, "确定")
    for key in "cjg":
        tap(app, window, key)
    tap(app, window, "曹建国")
    tap(app, window, core.text("staff.elder.services"))
    for text in ("意见 / 投诉", "服务中心", "等太久", "添加备注"):
        tap(app, window, text)
    window.activateWindow()
    for key in "paidui":
        tap(app, window, key)
    shoot(app, window, "complaint-note")
    tap(app, window, "排队")
    tap(app, window, "保存备注")
    shoot(app, window, "complaint-confirm-note")
    window.staff_mode.sign_out()


def shoot_pinyin(app: QApplication, window: KioskWindow) -> None:
    """登记老人 with a name and an address typed in pinyin on the staff keyboard."""
    window.activateWindow()  # fields take the focus only in the active window
    app.processEvents()
    tap(app, window, "登记老人")
    form = window.current
    for key in "wangxiuying":
        tap(app, window, key)
    shoot(app, window, "staff-pinyin")
    tap(app, window, "王")
    tap(app, window, "秀英")
    form.edits["card_no"].setFocus()
    for key in "10000060":
        tap(app, window, key)
    form.edits["address"].setFocus()
    for key in "xingfuli":
        tap(app, window, key)
    tap(app, window, "幸福")  # li still waits for its character
    shoot(app, window, "staff-pinyin-address")
    window.go_home()


if __name__ == "__main__":
    sys.exit(main())
