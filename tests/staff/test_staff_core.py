"""Staff mode's core on a real SQLite file: PINs and lockout, idle, search, elder records,
day lists, attention list and audit."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from kiosk import attention, audit, day_lists, elder_registry, staff
from kiosk.elder_registry import ElderForm, ElderInvalid
from kiosk.staff_search import search
from kiosk.staff_session import StaffSession
from kiosk.sync.push import apply_results, pending_rows


@pytest.fixture
def desk(core):
    staff.seed_demo_staff(core.store, core.clock)
    return core


def ops(store, op_type):
    return [json.loads(r["payload"]) for r in store.query(
        "SELECT payload FROM outbox WHERE op_type = ? ORDER BY seq", (op_type,))]


def test_pins_are_slow_salted_hashes_and_never_stored(desk):
    rows = desk.store.query("SELECT * FROM staff_pins")
    assert {r["staff_id"] for r in rows} == {"staff-zhang", "staff-liu"}
    assert rows[0]["salt"] != rows[1]["salt"] and rows[0]["hash"] != rows[1]["hash"]
    assert rows[0]["scheme"].startswith("scrypt")
    dump = "\n".join(desk.store.conn.iterdump())
    assert "1234" not in dump.replace("2026", "")  # the PIN itself is nowhere
    assert staff.verify_pin(desk.store, desk.clock, "staff-zhang", "1234").name == "张社工"


def test_five_wrong_pins_lock_for_five_minutes_even_across_a_restart(desk, settings):
    for left in (4, 3, 2, 1):
        with pytest.raises(staff.WrongPin) as wrong:
            staff.verify_pin(desk.store, desk.clock, "staff-zhang", "0000")
        assert wrong.value.params["tries_left"] == left
    with pytest.raises(staff.StaffLocked):
        staff.verify_pin(desk.store, desk.clock, "staff-zhang", "0000")
    from kiosk.store import Store
    reopened = Store(settings.db_path)  # a restart: the lock is in the database
    with pytest.raises(staff.StaffLocked) as locked:
        staff.verify_pin(reopened, desk.clock, "staff-zhang", "1234")
    assert locked.value.params["minutes"] == 5
    assert staff.verify_pin(reopened, desk.clock, "staff-liu", "1234")  # only her is locked
    desk.clock.advance(minutes=4, seconds=59)
    with pytest.raises(staff.StaffLocked):
        staff.verify_pin(reopened, desk.clock, "staff-zhang", "1234")
    desk.clock.advance(seconds=1)
    assert staff.verify_pin(reopened, desk.clock, "staff-zhang", "1234").id == "staff-zhang"
    reopened.close()


def test_a_new_pin_replaces_the_old_and_bad_pins_are_refused(desk):
    staff.set_pin(desk.store, desk.clock, "staff-liu", "857204")
    with pytest.raises(staff.WrongPin):
        staff.verify_pin(desk.store, desk.clock, "staff-liu", "1234")
    assert staff.verify_pin(desk.store, desk.clock, "staff-liu", "857204")
    for bad in ("12", "12a4", "123456789", "１２３４"):
        with pytest.raises(ValueError):
            staff.set_pin(desk.store, desk.clock, "staff-liu", bad)
    with pytest.raises(staff.NoPin):
        staff.verify_pin(desk.store, desk.clock, "staff-nobody", "1234")


def test_staff_session_ends_after_two_minutes_idle(desk):
    session = StaffSession(desk.clock)
    session.sign_in(staff.get_staff(desk.store, "staff-zhang"))
    desk.clock.advance(seconds=119)
    assert not session.expired()
    session.touch()
    desk.clock.advance(seconds=119)
    assert not session.expired()
    desk.clock.advance(seconds=1)
    assert session.expired()


@pytest.mark.parametrize("query", ["wxy", "WX", "王秀", "10000001", "6633"])
def test_search_by_initials_name_card_and_phone_last_four(desk, query):
    found = search(desk.store, query)
    assert "王秀英" in [e.name for e in found]
    assert all(e.masked_phone.count("*") == 4 for e in found)


def test_search_finds_nothing_for_nonsense(desk):
    assert search(desk.store, "qqqqq") == [] and search(desk.store, "  ") == []


def newcomer(**changes) -> ElderForm:
    form = ElderForm(name=" 赵桂兰 ", card_no="EK1:10000051", phone="138-0000-0000",
                     address="幸福里 3号楼 2单元 501室", subsidy_level="basic",
                     delivery_allowed=True, dietary=["low_salt"], mobility="walker",
                     emergency_name="赵明", emergency_phone="13900000000")
    for key, value in changes.items():
        setattr(form, key, value)
    return form


def test_registering_an_elder_writes_the_record_and_its_upsert_op_together(desk):
    saved = elder_registry.save(desk.store, desk.clock, newcomer(), "staff-zhang")
    assert saved.id.startswith("elder-") and saved.card_no == "10000051"
    [payload] = ops(desk.store, "elder.upsert")
    assert payload == {
        "id": saved.id, "card_no": "10000051", "name": "赵桂兰", "phone": "13800000000",
        "address": "幸福里 3号楼 2单元 501室", "subsidy_level": "basic",
        "delivery_allowed": True, "home_visit_allowed": False, "dietary": ["low_salt"],
        "mobility": "walker", "emergency_contact": {"name": "赵明", "phone": "13900000000"},
        "notify_family": False, "active": True, "staff_id": "staff-zhang"}
    assert [e.name for e in search(desk.store, "zgl")] == ["赵桂兰"]


@pytest.mark.parametrize(("changes", "field", "key"), [
    ({"name": ""}, "name", "elder.error.name"),
    ({"card_no": "12"}, "card_no", "elder.error.card"),
    ({"card_no": "10000001"}, "card_no", "elder.error.card_in_use"),
    ({"phone": "12ab"}, "phone", "elder.error.phone"),
    ({"address": ""}, "address", "elder.error.address_for_delivery"),
    ({"subsidy_level": "gold"}, "subsidy_level", "elder.error.subsidy"),
    ({"mobility": "flying"}, "mobility", "elder.error.mobility"),
    ({"emergency_phone": ""}, "emergency", "elder.error.emergency"),
])
def test_validation_names_the_field_and_saves_nothing(desk, changes, field, key):
    with pytest.raises(ElderInvalid) as invalid:
        elder_registry.save(desk.store, desk.clock, newcomer(**changes), "staff-zhang")
    assert invalid.value.problems[field] == key
    assert ops(desk.store, "elder.upsert") == []


def test_deactivate_instead_of_delete(desk):
    elder_registry.set_active(desk.store, desk.clock, "elder-0001", False, "staff-liu")
    row = desk.store.query_one("SELECT active FROM elders WHERE id = 'elder-0001'")
    assert row["active"] == 0
    assert ops(desk.store, "elder.upsert")[-1]["active"] is False


def refuse(store, clock, op_type, reason):
    """The platform's answer 'rejected' for the first pending op of that type."""
    row = next(r for r in pending_rows(store, 500) if r.op_type == op_type)
    apply_results(store, clock, [row], [{"op_id": row.op_id, "status": "rejected",
                                         "reason": reason, "data": {}}])
    return row.op_id


def test_a_refused_edit_is_taken_back_and_shown_to_staff(desk):
    form = elder_registry.load(desk.store, "elder-0001")
    form.card_no = "20000001"
    elder_registry.save(desk.store, desk.clock, form, "staff-zhang")
    desk.clock.advance(minutes=1)
    op_id = refuse(desk.store, desk.clock, "elder.upsert", "card_in_use")
    assert elder_registry.load(desk.store, "elder-0001").card_no == "10000001"
    [item] = [i for i in attention.items(desk.store) if i.kind == "elder"]
    assert (item.item_id, item.detail, item.elder_name) == (op_id, "card_in_use", "王秀英")


def book(core, elder_id, day, meal, mode, staff_id=None):
    return core.meals.book(elder_id, f"meal:{day}:{meal}", mode, staff_id=staff_id)


def test_the_canteen_list_equals_the_live_bookings_in_the_store(desk):
    day = dt.date(2026, 11, 25)
    made = [book(desk, "elder-0001", day, "lunch", "pickup"),
            book(desk, "elder-0002", day, "lunch", "delivery", "staff-zhang"),
            book(desk, "elder-0003", day, "dinner", "dine_in"),
            book(desk, "elder-0004", day, "lunch", "dine_in")]
    book(desk, "elder-0005", day + dt.timedelta(1), "lunch", "pickup")  # another day
    desk.meals.cancel(made[3].id)
    desk.store.conn.execute("UPDATE bookings SET status = 'confirmed' WHERE id = ?",
                            (made[2].id,))
    lists = day_lists.day_lists(desk.store, day)
    live = desk.store.query(
        "SELECT b.id FROM bookings b JOIN slots s ON s.id = b.slot_id "
        "WHERE s.day = ? AND b.status IN ('tentative', 'confirmed')", (day.isoformat(),))
    assert sorted(line.booking_id for line in lists.meals) == sorted(r["id"] for r in live)
    assert len(lists.meals) == 3
    lunch = lists.totals["lunch"]
    assert lunch.total == 2 and lunch.by_mode["pickup"] == 1 and lunch.by_mode["delivery"] == 1
    assert lunch.by_diet["low_salt"] == 1 and lunch.by_diet["soft"] == 1
    assert lists.totals["dinner"].total == 1 and lunch.dishes
    path = day_lists.export_csv(lists, day_lists.export_folder(desk.settings.data_dir),
                                desk.text)
    text = path.read_text(encoding="utf-8-sig")
    assert path.parent.name == "exports" and "王秀英" in text and "李建国" in text
    assert len(text.strip().splitlines()) == 1 + len(lists.meals)


def test_nothing_an_elder_asked_for_falls_through(desk):
    day = dt.date(2026, 11, 25)
    refused = book(desk, "elder-0001", day, "lunch", "pickup")
    refuse(desk.store, desk.clock, "booking.create", "full")
    from kiosk.help import HelpDesk
    desk_help = HelpDesk(desk.store, desk.clock)
    urgent = desk_help.ask("elder-0002", "urgent")
    desk.store.conn.execute(
        "INSERT INTO complaints (id, elder_id, reasons, created_at) "
        "VALUES ('c1', 'elder-0003', '[\"late\"]', '2026-11-24T07:00:00+08:00')")
    found = attention.items(desk.store)
    assert [i.kind for i in found] == ["help", "complaint", "booking"]
    assert found[0].item_id == urgent.id and found[2].item_id == refused.id
    assert attention.elders_with_failed_bookings(desk.store) == [("elder-0001", "王秀英", 1)]
    desk_help.update(urgent.id, "acknowledged", "staff-zhang")
    assert attention.items(desk.store)[0].state == "acknowledged"  # still there
    desk_help.update(urgent.id, "resolved", "staff-zhang")
    attention.mark_done(desk.store, desk.clock, found[1], "staff-zhang")
    attention.mark_done(desk.store, desk.clock, found[2], "staff-zhang")
    assert attention.items(desk.store) == []
    assert [p["state"] for p in ops(desk.store, "help.update")] == ["acknowledged", "resolved"]


def test_every_staff_action_is_audited_and_synced(desk):
    book(desk, "elder-0001", "2026-11-25", "lunch", "pickup", "staff-zhang")
    book(desk, "elder-0002", "2026-11-25", "lunch", "pickup")  # the elder alone: not audited
    elder_registry.set_active(desk.store, desk.clock, "elder-0003", False, "staff-liu")
    audit.log(desk.store, desk.clock, "staff-zhang", "staff.sign_in", "staff-zhang")
    assert audit.record_staff_work(desk.store, desk.clock) == 2
    assert audit.record_staff_work(desk.store, desk.clock) == 0  # each op once
    entries = audit.recent(desk.store)
    assert sorted((e.staff_name, e.action) for e in entries) == [
        ("刘社工", "elder.upsert"), ("张社工", "booking.create"), ("张社工", "staff.sign_in")]
    appended = ops(desk.store, "audit.append")
    assert sorted(a["id"] for a in appended) == sorted(e.id for e in entries)
    assert set(appended[0]) == {"id", "staff_id", "action", "subject", "created_at"}


def test_staff_arrive_by_pull_and_keep_their_pins(desk):
    from kiosk.sync.pull import apply_page
    apply_page(desk.store, desk.clock, [
        {"seq": 1, "kind": "staff", "id": "staff-liu", "op": "upsert",
         "data": {"id": "staff-liu", "name": "刘社工", "active": False}},
        {"seq": 2, "kind": "staff", "id": "staff-wu", "op": "upsert",
         "data": {"id": "staff-wu", "name": "吴社工", "active": True}}], 2)
    assert [m.name for m in staff.list_staff(desk.store)] == ["吴社工", "张社工"]
    with pytest.raises(staff.NoPin):  # deactivated: may no longer sign in
        staff.verify_pin(desk.store, desk.clock, "staff-liu", "1234")


def test_settings_file_is_validated_and_keeps_secrets_out(desk, tmp_path):
    from kiosk.settings_file import write_settings
    path = tmp_path / "kiosk.toml"
    path.write_text('[kiosk]\nenrolment_code = "K7QM-3XPA"\nscreen_diagonal_inch = 15.6\n')
    new = write_settings(path, desk.settings, {"voice_rate": 120, "high_contrast": True,
                                               "platform_url": "https://p.example.org"})
    assert new.voice_rate == 120
    text = path.read_text()
    assert "K7QM" not in text and "screen_diagonal_inch = 15.6" in text
    from kiosk.config import load_settings
    again = load_settings(path, data_dir=tmp_path)
    assert again.high_contrast and again.platform_url == "https://p.example.org"
    for bad in ({"idle_timeout_s": 5}, {"voice_rate": 1000}, {"platform_url": "ftp://x"},
                {"language": "xx"}, {"device_token": "secret"}):
        with pytest.raises(ValueError):
            write_settings(path, desk.settings, bad)
    assert "ftp" not in path.read_text()


def test_set_staff_pin_command_reads_the_pin_twice(desk, settings, capsys):
    from ui.app import set_staff_pin
    answers = iter(["482913", "482913"])
    assert set_staff_pin(settings, "staff-liu", read_pin=lambda _prompt: next(answers)) == 0
    assert staff.verify_pin(desk.store, desk.clock, "staff-liu", "482913")
    mismatch = iter(["482913", "000000"])
    assert set_staff_pin(settings, "staff-liu", read_pin=lambda _prompt: next(mismatch)) == 2
    assert set_staff_pin(settings, "staff-nobody", read_pin=lambda _prompt: "1234") == 2
    assert "482913" not in capsys.readouterr().out
