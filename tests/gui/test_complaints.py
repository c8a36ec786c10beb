"""意见/投诉 from the services screen (about a recent service, a provider, the centre), a staff
note, and the answer that comes back once at the next sign-in; by visible text, on a real
window and store (Tuesday 2026-11-24 08:00 on demo data, the clock moved on as needed)."""
from __future__ import annotations

import pytest

from kiosk import outbox, staff
from kiosk.sync.pull import CURSOR_KEY, apply_page
from tests.gui.conftest import find_button, screen_says, tap, type_card, visible_buttons

LI, WANG = "10000002", "10000001"
LI_ID = "elder-0002"


def complaint_ops(core) -> list[dict]:
    return [op.payload for op in outbox.pending(core.store.conn)
            if op.op_type == "complaint.create"]


@pytest.fixture
def done_cleaning(window):
    """李建国's cleaning of Wednesday morning is done; it is Thursday, the rating already put."""
    core = window.core
    booking = core.flow("cleaning").book(LI_ID, "cleaning:2026-11-25:am", "standard")
    with core.store.transaction() as conn:
        conn.execute("UPDATE bookings SET status = 'completed', rating_asked = 1 WHERE id = ?",
                     (booking.id,))
    core.clock.set("2026-11-26T09:00:00")
    return booking


def test_a_complaint_about_a_recent_service_from_the_services_screen(
        qtbot, window, speaker, done_cleaning):
    type_card(qtbot, window, LI)
    assert window.current.name == "services"
    tap(qtbot, window, "意见 / 投诉")
    assert window.current.name == "complaint_about"
    assert speaker.said[-1].startswith("关于什么？请按一个")
    tap(qtbot, window, "最近的服务")
    assert window.current.name == "complaint_booking"
    assert screen_says(window, "11月25日 星期三 上午 日常保洁")
    tap(qtbot, window, "11月25日 星期三 上午 日常保洁")
    assert window.current.name == "complaint_reasons"
    assert "添加备注" not in [b.text() for b in visible_buttons(window)]  # staff only
    tap(qtbot, window, "来晚了")
    tap(qtbot, window, "态度不好")
    tap(qtbot, window, "态度不好")  # flipped back off
    tap(qtbot, window, "请给我回电话")
    assert find_button(window, "请给我回电话").isChecked()
    tap(qtbot, window, "下一步")
    assert window.current.name == "complaint_confirm"
    sentence = "您要对11月25日 星期三 上午 日常保洁提意见：来晚了。工作人员会给您回电话。"
    assert screen_says(window, sentence) and sentence in speaker.said[-1]
    tap(qtbot, window, "确认提交")
    assert window.current.name == "services"
    assert screen_says(window, "已收到您的意见，工作人员会给您回电话。")
    row = window.core.store.query_one("SELECT * FROM complaints")
    assert (row["booking_id"], row["provider_id"], row["call_back"], row["reasons"]) == \
        (done_cleaning.id, "provider-sunshine", 1, '["late"]')
    [payload] = complaint_ops(window.core)
    assert payload["call_back"] is True and payload["reasons"] == ["late"]
    assert "about" not in payload and "note" not in payload  # a booking's: the platform infers
    tap(qtbot, window, "返回")  # the flow is done: back leaves, it does not walk into it again
    assert window.current.name == "home"


def test_a_complaint_about_a_provider(qtbot, window, done_cleaning):
    type_card(qtbot, window, LI)
    tap(qtbot, window, "意见 / 投诉")
    tap(qtbot, window, "服务商")
    assert window.current.name == "complaint_provider"
    tap(qtbot, window, "阳光家政")
    assert find_button(window, "没打扫干净")  # the cleaning provider's reasons
    tap(qtbot, window, "没打扫干净")
    tap(qtbot, window, "下一步")
    assert screen_says(window, "您要对阳光家政提意见：没打扫干净。")
    tap(qtbot, window, "确认提交")
    assert screen_says(window, "已收到您的意见，谢谢您。")
    [payload] = complaint_ops(window.core)
    assert (payload["about"], payload["provider_id"], payload["booking_id"]) == \
        ("provider", "provider-sunshine", None)
    assert "call_back" not in payload


def test_a_complaint_about_the_centre_and_nothing_recent_said_plainly(qtbot, window, speaker):
    type_card(qtbot, window, WANG)  # no service done for her yet
    tap(qtbot, window, "意见 / 投诉")
    tap(qtbot, window, "最近的服务")
    assert window.current.name == "complaint_about"
    assert screen_says(window, "最近30天没有做完的服务。")
    assert speaker.said[-1] == "最近30天没有做完的服务。"
    tap(qtbot, window, "服务中心")
    assert window.current.name == "complaint_reasons"
    for reason in ("等太久", "不好用", "太吵", "态度不好", "其他", "请给我回电话"):
        assert find_button(window, reason)
    tap(qtbot, window, "返回")  # a clear way back, one step at a time
    assert window.current.name == "complaint_about"
    tap(qtbot, window, "服务中心")
    tap(qtbot, window, "太吵")
    tap(qtbot, window, "下一步")
    assert screen_says(window, "您要对服务中心提意见：太吵。")
    tap(qtbot, window, "确认提交")
    [payload] = complaint_ops(window.core)
    assert payload["booking_id"] is None and payload["reasons"] == ["noisy"]
    assert not {"about", "provider_id", "call_back", "note"} & set(payload)


def staff_acts_for_li(qtbot, window) -> None:
    staff.seed_demo_staff(window.core.store, window.core.clock)
    tap(qtbot, window, "工作人员")
    tap(qtbot, window, "张社工")
    for digit in "1234":
        tap(qtbot, window, digit)
    tap(qtbot, window, "确定")
    for key in ("l", "j", "g"):
        tap(qtbot, window, key)
    tap(qtbot, window, "李建国")
    tap(qtbot, window, window.core.text("staff.elder.services"))
    assert window.current.name == "services"


def test_staff_beside_her_add_a_note(qtbot, window, done_cleaning, pinyin_index_file):
    staff_acts_for_li(qtbot, window)
    tap(qtbot, window, "意见 / 投诉")
    tap(qtbot, window, "服务中心")
    tap(qtbot, window, "等太久")
    tap(qtbot, window, "添加备注")
    assert window.current.name == "complaint_note"
    note = window.current.edit
    assert note.hasFocus() or window.current.target.current is note
    for key in "paidui":  # in pinyin on the staff keyboard
        tap(qtbot, window, key)
    tap(qtbot, window, "排队")
    tap(qtbot, window, "3")
    tap(qtbot, window, "0")
    assert note.text() == "排队30"
    note.setText("x" * 201)  # too long: said plainly, and nothing typed is lost
    tap(qtbot, window, "保存备注")
    assert window.current.name == "complaint_note"
    assert screen_says(window, "备注太长了，最多200个字。") and note.text() == "x" * 201
    note.setText("排队等了40分钟，\n腿不好")
    tap(qtbot, window, "保存备注")
    assert window.current.name == "complaint_confirm"
    assert screen_says(window, "备注：排队等了40分钟， 腿不好")
    tap(qtbot, window, "确认提交")
    [payload] = complaint_ops(window.core)
    assert (payload["note"], payload["staff_id"]) == ("排队等了40分钟， 腿不好", "staff-zhang")


def resolve(window, complaint_id: str, resolution: str, state: str = "resolved") -> None:
    """The platform's operators resolved it: the feed brings it, as a sync would."""
    store = window.core.store
    row = store.query_one("SELECT * FROM complaints WHERE id = ?", (complaint_id,))
    cursor = int(store.get_state(CURSOR_KEY, "0")) + 1
    data = {"id": row["id"], "booking_id": row["booking_id"], "elder_id": row["elder_id"],
            "provider_id": row["provider_id"], "reasons": ["late"], "staff_id": None,
            "state": state, "created_at": row["created_at"], "kiosk_id": None,
            "resolution": resolution, "resolved_at": "2026-12-04T10:00:00+08:00"}
    apply_page(store, window.core.clock, [{"seq": cursor, "kind": "complaint",
                                           "id": row["id"], "op": "upsert", "data": data}],
               cursor)


@pytest.fixture
def resolved(window):
    """李建国 complained on 3 December about the centre; an operator resolved it."""
    core = window.core
    core.clock.set("2026-12-03T09:00:00")
    complaint = core.complaints.file(LI_ID, about="centre", reasons=("long_wait",))
    resolve(window, complaint.id, "已经加了一位工作人员，以后排队会快一些。")
    core.clock.set("2026-12-05T09:00:00")
    return complaint


SAID = "您12月3日的意见已处理：已经加了一位工作人员，以后排队会快一些。"


def test_the_answer_comes_back_once_and_hers_is_recorded(qtbot, window, speaker, resolved):
    type_card(qtbot, window, LI)
    assert window.current.name == "complaint_answer"
    assert screen_says(window, SAID)
    assert speaker.said[-1].startswith(SAID.rstrip("。"))
    assert "请按一张脸" in speaker.said[-1]
    tap(qtbot, window, "一般")
    assert window.current.name == "services" and screen_says(window, "谢谢您告诉我们。")
    [answer] = [op.payload for op in outbox.pending(window.core.store.conn)
                if op.op_type == "complaint.answer"]
    assert (answer["complaint_id"], answer["elder_id"], answer["score"], answer["staff_id"]) \
        == (resolved.id, LI_ID, "neutral", None)
    row = window.core.store.query_one("SELECT answer, shown_at FROM complaints")
    assert row["answer"] == "neutral" and row["shown_at"]
    tap(qtbot, window, "首页")
    type_card(qtbot, window, LI)
    assert window.current.name == "services"  # once


def test_skipping_sends_nothing_and_is_not_asked_again(qtbot, window, resolved):
    type_card(qtbot, window, LI)
    assert window.current.name == "complaint_answer"
    tap(qtbot, window, "跳过")
    assert window.current.name == "services"
    assert not [op for op in outbox.pending(window.core.store.conn)
                if op.op_type == "complaint.answer"]
    tap(qtbot, window, "首页")
    type_card(qtbot, window, LI)
    assert window.current.name == "services"


def test_a_rating_waiting_is_asked_after_the_answer(qtbot, window, resolved):
    core = window.core
    booking = core.flow("cleaning").book(LI_ID, "cleaning:2026-12-06:am", "standard")
    with core.store.transaction() as conn:
        conn.execute("UPDATE bookings SET status = 'completed' WHERE id = ?", (booking.id,))
    core.clock.set("2026-12-06T14:00:00")
    type_card(qtbot, window, LI)
    assert window.current.name == "complaint_answer"
    tap(qtbot, window, "满意")
    assert window.current.name == "rating"


def test_a_long_answer_is_shown_a_page_at_a_time_and_said_whole(qtbot, window, speaker):
    core = window.core
    core.clock.set("2026-12-03T09:00:00")
    complaint = core.complaints.file(LI_ID, about="centre", reasons=("long_wait",))
    long = "已经加派了工作人员，上午九点到十一点人多的时候会多开一个窗口。" * 6
    resolve(window, complaint.id, long)
    type_card(qtbot, window, LI)
    window.set_text_size("largest")
    assert window.current.name == "complaint_answer"
    screen = window.current
    assert len(screen.chunks) > 1 and "".join(screen.chunks) == SAID[:13] + long
    assert screen.sentence.text() == screen.chunks[0]
    assert not find_button(window, "下一页").isHidden()
    tap(qtbot, window, "下一页")
    assert screen.sentence.text() == screen.chunks[1]
    assert long[-10:] in window.current.prompt()  # all of it is said
    for face in ("满意", "一般", "不满意"):
        assert find_button(window, face)  # on every page
