"""Cleaning, the health station, my bookings, rating with a complaint, and help, by visible text."""
from __future__ import annotations

from PySide6.QtCore import QPoint, Qt

from kiosk import outbox
from tests.gui.conftest import (
    find_button,
    screen_says,
    tap,
    tap_service,
    type_card,
    visible_buttons,
)

LI, WANG = "10000002", "10000001"  # 李建国 may have home visits; 王秀英 may not


def bookings(window):
    return window.core.store.query("SELECT * FROM bookings ORDER BY created_at")


def test_li_books_a_deep_clean_with_needs_and_sees_the_price(qtbot, window, speaker):
    type_card(qtbot, window, LI)
    tap(qtbot, window, "助洁")
    assert window.current.name == "window_day"
    assert find_button(window, "今天").text().endswith("已过预约时间")
    tap(qtbot, window, "下一页")
    assert screen_says(window, "11月30日") and not screen_says(window, "11月25日")
    tap(qtbot, window, "上一页")
    tap(qtbot, window, "明天")
    assert window.current.header.title.text() == "11月25日 星期三，上午还是下午？"
    tap(qtbot, window, "上午")
    assert "您付¥90.00" in find_button(window, "深度保洁").text()
    tap(qtbot, window, "深度保洁")
    tap(qtbot, window, "家有宠物")
    assert find_button(window, "家有宠物").text().startswith("✓")
    tap(qtbot, window, "上门前打电话")
    tap(qtbot, window, "上门前打电话")  # a second tap takes it off again
    tap(qtbot, window, "好了，下一步")
    sentence = ("您要约11月25日 星期三上午的深度保洁（约4小时），到和平里 1号楼，家有宠物。"
                "补贴后您付¥90.00。")
    assert screen_says(window, sentence)
    assert not screen_says(window, "1404室")  # only part of the address on a shared screen
    assert speaker.said[-1].startswith(sentence)
    tap(qtbot, window, "确认")
    assert window.current.name == "receipt"
    assert screen_says(window, "11月25日 星期三 上午 深度保洁，您付¥90.00。")
    [booking] = bookings(window)
    assert (booking["kind"], booking["needs"], booking["units"]) == ("deep", '["pets"]', 2)


def test_a_clinic_appointment_department_day_and_half_hour(qtbot, window):
    type_card(qtbot, window, LI)
    tap(qtbot, window, "助医")
    tap(qtbot, window, "门诊挂号")
    tap(qtbot, window, "中医")
    assert find_button(window, "今天").text().endswith("这天没有")  # 中医 not on Tuesdays
    tap(qtbot, window, "今天")
    assert screen_says(window, "这一天没有这项服务。")
    tap(qtbot, window, "明天")
    assert window.current.name == "service_time"
    tap(qtbot, window, "09:00–09:30")
    assert screen_says(window, "您要约11月25日 星期三 09:00的中医门诊（周医生），挂号费¥1.00。")
    tap(qtbot, window, "确认")
    assert window.current.name == "receipt"
    [booking] = bookings(window)
    assert (booking["service"], booking["department"]) == ("clinic", "tcm")


def test_home_visit_only_for_whom_the_profile_allows(qtbot, window):
    type_card(qtbot, window, WANG)
    tap(qtbot, window, "助医")
    assert not screen_says(window, "医生上门")
    tap(qtbot, window, "首页")
    type_card(qtbot, window, LI)
    tap(qtbot, window, "助医")
    tap(qtbot, window, "医生上门")
    tap(qtbot, window, "明天")
    assert screen_says(window, "您要约医生11月25日 星期三 14:00到17:00之间上门，到和平里 1号楼")
    tap(qtbot, window, "确认")
    assert bookings(window)[0]["service"] == "home_visit"


def test_a_health_check_day(qtbot, window):
    type_card(qtbot, window, WANG)
    tap(qtbot, window, "助医")
    tap(qtbot, window, "体检")
    assert find_button(window, "今天").text().endswith("这天没有")  # Wednesdays and Saturdays
    tap(qtbot, window, "明天")
    assert screen_says(window, "您要约11月25日 星期三 07:30到10:00在服务站体检")
    tap(qtbot, window, "确认")
    assert bookings(window)[0]["service"] == "health_check"


def test_my_bookings_cancel_with_one_confirm(qtbot, window):
    core = window.core
    cleaning = core.flow("cleaning").book("elder-0002", "cleaning:2026-11-25:am", "standard")
    core.meals.book("elder-0002", "meal:2026-11-25:lunch", "pickup")
    type_card(qtbot, window, LI)
    tap_service(qtbot, window, "my_bookings")
    assert screen_says(window, "11月25日 星期三 午餐，到食堂取")
    assert screen_says(window, "11月25日 星期三 上午 日常保洁")
    assert screen_says(window, f"预订号 {cleaning.number}")
    assert screen_says(window, "待确认")
    cancels = [b for b in visible_buttons(window) if b.text() == "取消这个预订"]
    assert len(cancels) == 2
    first = min(cancels, key=lambda b: b.mapTo(window, QPoint(0, 0)).x())  # the soonest card
    qtbot.mouseClick(first, Qt.MouseButton.LeftButton)
    assert window.current.name == "booking_cancel"
    assert screen_says(window, "要取消11月25日 星期三 上午 日常保洁吗？")
    tap(qtbot, window, "确认取消")
    assert window.current.name == "my_bookings"
    assert screen_says(window, "已取消。")
    assert core.my_bookings.card("elder-0002", cleaning.id).booking.status == "cancelled"
    assert outbox.pending(core.store.conn)[-1].op_type == "booking.cancel"
    tap(qtbot, window, "返回")  # past the cancel confirm, straight back to the services
    assert window.current.name == "services"


def test_a_refused_booking_offers_the_nearest_alternative_in_one_tap(qtbot, window):
    core = window.core
    refused = core.flow("cleaning").book("elder-0002", "cleaning:2026-11-25:am", "standard")
    with core.store.transaction() as conn:
        conn.execute("UPDATE bookings SET status = 'rejected', reason = 'full' WHERE id = ?",
                     (refused.id,))
    type_card(qtbot, window, LI)
    tap_service(qtbot, window, "my_bookings")
    assert screen_says(window, "未成功：已经约满了。")
    tap(qtbot, window, "改约")
    assert window.current.name == "confirm"
    assert screen_says(window, "11月25日 星期三下午的日常保洁")
    tap(qtbot, window, "确认")
    assert window.current.name == "receipt"


def test_a_done_service_is_rated_once_and_unsatisfied_becomes_a_complaint(qtbot, window, speaker):
    core = window.core
    booking = core.flow("cleaning").book("elder-0002", "cleaning:2026-11-25:am", "standard")
    with core.store.transaction() as conn:
        conn.execute("UPDATE bookings SET status = 'completed' WHERE id = ?", (booking.id,))
    core.clock.set("2026-11-26T08:00:00")
    type_card(qtbot, window, LI)
    assert window.current.name == "rating"
    assert screen_says(window, "您对11月25日 星期三 上午 日常保洁满意吗？")
    assert "请按一张脸" in speaker.said[-1]
    for face in ("满意", "一般"):
        assert find_button(window, face)
    tap(qtbot, window, "不满意")
    tap(qtbot, window, "没打扫干净")
    tap(qtbot, window, "来晚了")
    tap(qtbot, window, "提交")
    assert window.current.name == "complaint"
    tap(qtbot, window, "投诉")
    assert window.current.name == "services"
    assert screen_says(window, "已收到您的投诉，工作人员会联系您。")
    rating = core.store.query_one("SELECT * FROM ratings")
    assert (rating["score"], rating["reasons"]) == ("unsatisfied", '["not_clean", "late"]')
    assert core.store.query_one("SELECT reasons FROM complaints")["reasons"] == \
        '["not_clean", "late"]'
    tap(qtbot, window, "首页")
    type_card(qtbot, window, LI)
    assert window.current.name == "services"  # asked once


def test_not_now_still_counts_as_asked(qtbot, window):
    core = window.core
    booking = core.meals.book("elder-0001", "meal:2026-11-24:lunch", "pickup")
    with core.store.transaction() as conn:
        conn.execute("UPDATE bookings SET status = 'confirmed' WHERE id = ?", (booking.id,))
    core.clock.set("2026-11-24T14:00:00")
    type_card(qtbot, window, WANG)
    assert window.current.name == "rating"
    tap(qtbot, window, "满意")
    assert find_button(window, "饭菜好吃")
    tap(qtbot, window, "提交")
    assert screen_says(window, "谢谢您的评价！")
    assert core.store.query_one("SELECT score FROM ratings")["score"] == "satisfied"


def test_help_on_every_screen_one_confirm_and_staff_are_told(qtbot, window, speaker):
    heard = []
    window.core.help.requested.connect(heard.append)
    tap(qtbot, window, "求助")  # before signing in, on the home screen
    tap(qtbot, window, "不用了")
    assert window.current.name == "home" and not heard
    type_card(qtbot, window, LI)
    tap(qtbot, window, "助洁")
    tap(qtbot, window, "求助")
    assert window.current.name == "help"
    assert screen_says(window, "要叫工作人员来帮您吗？")
    tap(qtbot, window, "叫工作人员")
    assert screen_says(window, "已通知这里的工作人员，请稍等。")  # demo data: no console
    assert speaker.said[-1] == "已通知这里的工作人员，请稍等。"
    assert [r.elder_id for r in heard] == ["elder-0002"]
    first = outbox.pending(window.core.store.conn)[0]
    assert first.op_type == "help.create"
    tap(qtbot, window, "好的")
    assert window.current.name == "window_day"
