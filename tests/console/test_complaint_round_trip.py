"""A complaint's whole way, with every part real: an elder complains at a kiosk window (offscreen
Qt, its own store, syncing in the background) to a platform process; a duty worker resolves it in
plain words in the console (chromium); the same elder signs in again and the kiosk shows and says
the answer once; her three-faces answer reaches the platform and closes the complaint, and the
console shows it."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from kiosk.config import load_settings
from kiosk.core import Kiosk
from kiosk.sync.worker import SyncWorker
from service_platform import operators
from service_platform.console import i18n
from service_platform.schema import complaints
from tests.console.signin import sign_in
from tests.gui.conftest import (
    RecordingSpeaker,
    screen_says,
    shown_window,
    sync_cycle,
    tap,
    type_card,
)

COMMUNITY = "community-xingfu"  # the demo community
CARD, ELDER = "10000001", "elder-0001"  # 王秀英 of the demo community
WAIT_MS = 10_000  # the most a sync cycle may take here; most take milliseconds
ZH = i18n.messages("zh_CN")
WORDS = "已经加了一位工作人员，以后排队会快一些。"


@pytest.fixture
def speaker():
    return RecordingSpeaker()


@pytest.fixture
def kiosk(qtbot, tmp_path, clock, speaker, console_platform, db):
    """The kiosk window as ui/app.py runs it against a platform: enrolled to the demo
    community, no demo data of its own, syncing in the background (or when nudged)."""
    code = operators.add_kiosk(db, COMMUNITY, "意见往返终端")[1]
    settings = load_settings(tmp_path / "none.toml", data_dir=tmp_path / "data",
                             screen_diagonal_inch=15.6, platform_url=console_platform.base_url,
                             enrolment_code=code, sync_interval_s=600)
    core = Kiosk(settings, clock=clock)
    with shown_window(qtbot, core, speaker) as win:
        worker = SyncWorker(settings, clock)
        win.sync.follow(worker)
        with qtbot.waitSignal(win.post.arrived, timeout=WAIT_MS,
                              check_params_cb=sync_cycle(lambda result: result.ok)):
            worker.start()
        yield win
        worker.stop()


def synced_until(qtbot, win, done) -> None:
    """Nudge the kiosk's sync until `done()`: a cycle's news may still wait in the event queue
    from while the browser had the thread, so it is what arrived that counts, not a signal."""
    def arrived() -> bool:
        if done():
            return True
        win.sync.nudge()  # a cycle already running takes this as a wish for another
        return False

    win.sync.nudge()
    qtbot.waitUntil(arrived, timeout=WAIT_MS)


def _kiosk_row(win, complaint_id: str) -> dict:
    return dict(win.core.store.query_one("SELECT * FROM complaints WHERE id = ?",
                                         (complaint_id,)))


def on_platform(db, complaint_id: str) -> dict | None:
    with db.read() as conn:
        row = conn.execute(select(complaints).where(
            complaints.c.community_id == COMMUNITY,
            complaints.c.id == complaint_id)).mappings().first()
    return None if row is None else dict(row)


def test_a_complaint_goes_from_the_kiosk_to_the_console_and_its_answer_comes_back_once(
        qtbot, kiosk, speaker, new_page, console_platform, db, clock):
    # The elder complains about the centre and asks to be called back.
    type_card(qtbot, kiosk, CARD)
    assert kiosk.current.name == "services"
    tap(qtbot, kiosk, "意见 / 投诉")
    tap(qtbot, kiosk, "服务中心")
    tap(qtbot, kiosk, "等太久")
    tap(qtbot, kiosk, "请给我回电话")
    tap(qtbot, kiosk, "下一步")
    tap(qtbot, kiosk, "确认提交")
    assert screen_says(kiosk, "已收到您的意见，工作人员会给您回电话。")
    complaint_id = kiosk.core.store.query_one("SELECT id FROM complaints")["id"]
    tap(qtbot, kiosk, "首页")
    synced_until(qtbot, kiosk, lambda: on_platform(db, complaint_id) is not None)
    row = on_platform(db, complaint_id)
    assert (row["elder_id"], row["about"], row["call_back"], row["state"]) == \
        (ELDER, "centre", True, "open")

    # A duty worker takes it and writes the answer for her in plain words.
    page = new_page(locale="zh-CN")
    sign_in(page, console_platform.base_url, "duty",
            then=f"/console/complaints/{COMMUNITY}/{complaint_id}")
    expect(page.locator("#call-back")).to_contain_text(ZH["console.complaint.call_back_yes"])
    page.click("#take")
    expect(page.locator("#state")).to_have_text(ZH["console.complaint.state.in_progress"])
    page.fill("#resolution", WORDS)
    day = clock.now().date()  # the day she complained, as the kiosk will say it
    said = f"您{day.month}月{day.day}日的意见已处理：{WORDS}"
    expect(page.locator("#preview")).to_have_text(said)
    page.click("#resolve")
    expect(page.locator("#state")).to_have_text(ZH["console.complaint.state.resolved"])

    # Her kiosk learns of it; at her next sign-in it shows and says the answer, once.
    synced_until(qtbot, kiosk, lambda: _kiosk_row(kiosk, complaint_id)["resolution"] == WORDS)
    assert _kiosk_row(kiosk, complaint_id)["state"] == "resolved"
    type_card(qtbot, kiosk, CARD)
    assert kiosk.current.name == "complaint_answer"
    assert screen_says(kiosk, said)
    assert speaker.said[-1].startswith(said.rstrip("。"))
    tap(qtbot, kiosk, "满意")
    assert kiosk.current.name == "services"
    tap(qtbot, kiosk, "首页")
    type_card(qtbot, kiosk, CARD)
    assert kiosk.current.name == "services"  # told once, not at every sign-in
    assert sum(line.startswith(said.rstrip("。")) for line in speaker.said) == 1

    # Her answer reaches the platform, closes the complaint, and the console shows it.
    synced_until(qtbot, kiosk, lambda: on_platform(db, complaint_id)["answer"] is not None)
    row = on_platform(db, complaint_id)
    assert (row["answer"], row["state"]) == ("satisfied", "closed")
    page.reload()
    expect(page.locator("#state")).to_have_text(ZH["console.complaint.state.closed"])
    expect(page.locator("#answer")).to_have_text(ZH["console.provider.score.satisfied"])
    assert [item.get_attribute("data-what") for item in page.locator("#timeline li").all()] == [
        "received", "taken", "resolved", "answered", "closed"]
