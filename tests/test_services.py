"""Rules of cleaning, the health station, my bookings, ratings and help, on a real SQLite file
with the demo community (Tuesday 2026-11-24 08:00, Asia/Shanghai)."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from kiosk import outbox
from kiosk.elders import get_elder
from kiosk.errors import BookingRejected
from kiosk.sync.pull import apply_page

WANG, LI, YANG = "elder-0001", "elder-0002", "elder-0003"  # Wang: no home visits
TOMORROW = "2026-11-25"
AM = f"cleaning:{TOMORROW}:am"


def test_cleaning_days_have_two_windows_and_close_the_evening_before(core):
    days = core.flow("cleaning").days(LI)
    assert len(days) == 14 and days[0].day == dt.date(2026, 11, 24)
    assert [w.slot.window for w in days[1].slots] == ["am", "pm"]
    assert not days[0].open  # today's cut-off was yesterday 18:00
    assert days[1].open
    core.clock.set("2026-11-24T18:00:00")
    with pytest.raises(BookingRejected) as refused:
        core.flow("cleaning").book(LI, AM, "standard")
    assert refused.value.reason == "closed"


def test_a_day_that_cannot_be_booked_says_why(core):
    core.flow("cleaning").book(LI, AM, "deep")
    core.flow("cleaning").book(YANG, AM, "standard")  # the morning's three units are gone
    core.flow("cleaning").book(YANG, f"cleaning:{TOMORROW}:pm", "deep")
    core.flow("cleaning").book(LI, f"cleaning:{TOMORROW}:pm", "standard")  # and the afternoon's
    today, tomorrow = core.flow("cleaning").days(WANG)[:2]
    assert (today.refusal, tomorrow.refusal) == ("closed", "full")
    assert core.flow("cleaning").days(LI)[1].refusal == "duplicate"
    assert core.flow("cleaning").days(LI)[2].refusal is None
    with core.store.transaction() as conn:
        conn.execute("DELETE FROM slots WHERE service = 'cleaning' AND day = ?",
                     ("2026-11-26",))
    assert core.flow("cleaning").days(WANG)[2].refusal == "no_service"


def test_a_deep_clean_takes_two_units_of_the_windows_three(core):
    core.flow("cleaning").book(LI, AM, "deep")
    window = core.flow("cleaning").windows(WANG, dt.date(2026, 11, 25))["am"]
    assert window.free_units == 1
    elder = get_elder(core.store, WANG)
    kinds = {k.kind.code: k.available for k in core.flow("cleaning").kinds(elder, window)}
    assert kinds == {"standard": True, "deep": False}
    with pytest.raises(BookingRejected) as refused:
        core.flow("cleaning").book(WANG, AM, "deep")
    assert refused.value.reason == "full"
    core.flow("cleaning").book(WANG, AM, "standard")
    with pytest.raises(BookingRejected) as refused:
        core.flow("cleaning").book(YANG, AM, "standard")
    assert refused.value.reason == "full"


def test_cleaning_price_after_subsidy_needs_and_the_exact_payload(core):
    booking = core.flow("cleaning").book(LI, AM, "deep", ["pets", "pets", "quiet"])  # 李: enhanced
    assert (booking.price_cents, booking.subsidy_cents, booking.pay_cents) == (15000, 6000, 9000)
    op = outbox.pending(core.store.conn)[0]
    assert op.payload == {"id": booking.id, "elder_id": LI, "service": "cleaning",
                          "slot_id": AM, "kind": "deep", "needs": ["pets", "quiet"],
                          "price_cents": 15000, "subsidy_cents": 6000, "staff_id": None,
                          "created_at": "2026-11-24T08:00:00+08:00"}
    with pytest.raises(BookingRejected) as refused:
        core.flow("cleaning").book(WANG, AM, "standard", ["singing"])
    assert refused.value.reason == "unknown_need"
    with pytest.raises(BookingRejected) as refused:
        core.flow("cleaning").book(LI, f"cleaning:{TOMORROW}:pm", "polish")
    assert refused.value.reason == "unknown_kind"


def test_clinic_slots_are_thirty_minutes_one_per_department_and_day(core):
    times = core.flow("clinic").times(LI, "general", dt.date(2026, 11, 25))
    assert [t.slot.start.strftime("%H:%M") for t in times][:3] == ["08:30", "09:00", "09:30"]
    assert all(t.slot.end - t.slot.start == dt.timedelta(minutes=30) for t in times)
    booking = core.flow("clinic").book(LI, times[0].slot.id)
    assert booking.department == "general" and booking.price_cents == 100
    assert outbox.pending(core.store.conn)[0].payload["department"] == "general"
    with pytest.raises(BookingRejected) as refused:
        core.flow("clinic").book(LI, times[1].slot.id)
    assert refused.value.reason == "duplicate"
    with pytest.raises(BookingRejected) as refused:  # capacity 1
        core.flow("clinic").book(WANG, times[0].slot.id)
    assert refused.value.reason == "full"
    # 中医 only on Mon, Wed, Fri: Wednesday the 25th has it, Tuesday not
    tcm = {d.day.isoformat(): bool(d.slots) for d in core.flow("clinic").days(LI, department="tcm")}
    assert tcm["2026-11-25"] and not tcm["2026-11-24"]
    # one hour before the start is the cut-off
    core.clock.set("2026-11-25T08:00:00")
    with pytest.raises(BookingRejected) as refused:
        core.flow("clinic").book(WANG, times[1].slot.id)
    assert refused.value.reason == "closed"


def test_home_visits_only_where_the_profile_allows(core):
    with pytest.raises(BookingRejected) as refused:
        core.flow("home_visit").book(WANG, f"home_visit:{TOMORROW}")
    assert refused.value.reason == "not_allowed"
    assert core.flow("home_visit").book(LI, f"home_visit:{TOMORROW}").status == "tentative"
    op = outbox.pending(core.store.conn)[0]
    assert set(op.payload) == {"id", "elder_id", "service", "slot_id", "price_cents",
                               "subsidy_cents", "staff_id", "created_at"}
    checks = [d.day.weekday() for d in core.flow("health_check").days(WANG) if d.slots]
    assert set(checks) == {2, 5}  # Wednesdays and Saturdays
    check = core.flow("health_check").book(WANG, f"health_check:{TOMORROW}")
    assert check.service == "health_check"


def test_cancel_before_the_cut_off_only_one_way_for_every_service(core):
    cleaning = core.flow("cleaning").book(LI, AM, "standard")
    meal = core.meals.book(LI, "meal:2026-11-25:lunch", "pickup")
    assert core.my_bookings.cancel(cleaning.id).status == "cancelled"
    assert core.flow("cleaning").windows(LI, dt.date(2026, 11, 25))["am"].free_units == 3
    ops = [(o.op_type, o.payload.get("booking_id")) for o in outbox.pending(core.store.conn)]
    assert ("booking.cancel", cleaning.id) in ops
    core.clock.set("2026-11-24T18:00:00")  # cleaning cut-off; the meal's is 09:30 tomorrow
    assert core.meals.cancel(meal.id).status == "cancelled"


def test_cancel_after_the_cut_off_is_refused(core):
    booking = core.flow("cleaning").book(LI, AM, "standard")
    core.clock.set("2026-11-24T18:00:00")
    with pytest.raises(BookingRejected) as refused:
        core.my_bookings.cancel(booking.id)
    assert refused.value.reason == "closed"
    card = core.my_bookings.card(LI, booking.id)
    assert card.upcoming and not card.can_cancel


def test_my_bookings_upcoming_first_with_status_and_alternative(core):
    cleaning = core.flow("cleaning").book(LI, AM, "deep")
    times = core.flow("clinic").times(LI, "general", dt.date(2026, 11, 24))
    clinic = core.flow("clinic").book(LI, times[-1].slot.id)
    # the platform refused the cleaning: the card says why and offers the nearest window
    with core.store.transaction() as conn:
        conn.execute("UPDATE bookings SET status = 'rejected', reason = 'full' WHERE id = ?",
                     (cleaning.id,))
    cards = core.my_bookings.cards(LI)
    assert [c.booking.id for c in cards] == [clinic.id, cleaning.id]
    refused = cards[1]
    assert refused.status_key == "booking.state.rejected"
    assert refused.reason_key == "service.reason.full"
    assert refused.alternative.slot_id == f"cleaning:{TOMORROW}:pm"  # the nearest other window
    assert refused.icon == "no" and cards[0].icon == "wait"


def _done_booking(core, elder=LI):
    booking = core.flow("cleaning").book(elder, AM, "standard")
    with core.store.transaction() as conn:
        conn.execute("UPDATE bookings SET status = 'confirmed' WHERE id = ?", (booking.id,))
    return booking


def test_a_done_service_is_asked_about_once_and_rated_once(core):
    booking = _done_booking(core)
    assert core.ratings.due(LI) is None  # not done before its window ends
    with pytest.raises(BookingRejected) as refused:
        core.ratings.rate(LI, booking.id, "satisfied")
    assert refused.value.reason == "not_done"
    core.clock.set("2026-11-25T12:00:00")
    assert core.ratings.due(LI).id == booking.id
    core.ratings.mark_asked(booking.id)
    assert core.ratings.due(LI) is None  # asked once, even unanswered
    core.ratings.rate(LI, booking.id, "neutral", ("on_time",))
    with pytest.raises(BookingRejected) as refused:
        core.ratings.rate(LI, booking.id, "satisfied")
    assert refused.value.reason == "duplicate"
    with pytest.raises(BookingRejected) as refused:
        core.ratings.rate(WANG, booking.id, "satisfied")
    assert refused.value.reason in ("not_allowed", "duplicate")
    rating = [o for o in outbox.pending(core.store.conn) if o.op_type == "rating.create"]
    assert len(rating) == 1 and rating[0].payload["score"] == "neutral"
    assert set(rating[0].payload) == {"id", "booking_id", "elder_id", "score", "reasons",
                                      "staff_id", "created_at"}


def test_a_complaint_reaches_staff_and_the_outbox(core):
    booking = _done_booking(core)
    heard = []
    core.complaints.filed.connect(heard.append)
    complaint = core.complaints.file(LI, booking_id=booking.id, reasons=("not_clean", "late"))
    assert heard == [complaint]
    row = core.store.query_one("SELECT * FROM complaints")
    assert (row["provider_id"], row["state"]) == ("provider-sunshine", "open")
    op = outbox.pending(core.store.conn)[-1]
    assert op.op_type == "complaint.create" and op.payload["reasons"] == ["not_clean", "late"]
    with pytest.raises(BookingRejected):
        core.complaints.file(WANG, booking_id=booking.id)


def test_help_goes_first_in_the_outbox_and_is_heard_at_once(core):
    core.meals.book(WANG, "meal:2026-11-25:lunch", "pickup")
    core.flow("cleaning").book(LI, AM, "standard")
    heard = []
    core.help.requested.connect(heard.append)
    request = core.help.ask(None)  # before anyone signed in
    first = outbox.pending(core.store.conn)[0]
    assert first.op_type == "help.create" and first.payload["id"] == request.id
    assert first.payload == {"id": request.id, "elder_id": None, "kind": "urgent",
                             "staff_id": None, "created_at": "2026-11-24T08:00:00+08:00"}
    assert heard == [request]
    assert [r.id for r in core.help.open_requests()] == [request.id]
    core.help.update(request.id, "acknowledged", "staff-zhang")
    ops = [o.op_type for o in outbox.pending(core.store.conn)]
    assert ops[:2] == ["help.create", "help.update"]


def pulled_help(core, seq: int, request, state: str, **fields) -> None:
    """The platform's state of a help request, applied as a pull applies it."""
    data = {"id": request.id, "elder_id": request.elder_id, "kind": request.kind,
            "state": state, "staff_id": None, "created_at": request.created_at,
            "kiosk_id": "k", **fields}
    apply_page(core.store, core.clock, [{"seq": seq, "kind": "help_request", "id": request.id,
                                         "op": "upsert", "data": data}], seq)


def test_an_answer_to_help_asked_here_is_announced_once_per_step(core):
    answered = []
    core.help.answered.connect(answered.append)
    mine, other = core.help.ask(WANG), core.help.ask(LI)
    assert core.help.look_again() == [] and answered == []
    pulled_help(core, 1, mine, "acknowledged", acknowledged_by="operator-liu",
                acknowledged_by_name="值班员小刘", escalated_at="2026-11-24T00:03:00.000+00:00")
    [news] = core.help.look_again()
    assert (news.id, news.state) == (mine.id, "acknowledged") and answered == [news]
    assert core.help.look_again() == []  # said once
    row = core.store.query_one("SELECT * FROM help_requests WHERE id = ?", (mine.id,))
    assert (row["acknowledged_by_name"], row["escalated_at"]) == (
        "值班员小刘", "2026-11-24T00:03:00.000+00:00")
    core.help.update(other.id, "acknowledged", "staff-zhang")  # staff here: seen here already
    pulled_help(core, 2, other, "acknowledged", acknowledged_by="staff-zhang")
    assert core.help.look_again() == []
    pulled_help(core, 3, other, "resolved", resolved_by="operator-liu",
                resolved_by_name="值班员小刘", resolution_note="已陪同就医")
    pulled_help(core, 4, other, "acknowledged")  # an older state arriving late changes nothing
    assert [(r.id, r.state) for r in core.help.look_again()] == [(other.id, "resolved")]
    row = core.store.query_one("SELECT * FROM help_requests WHERE id = ?", (other.id,))
    assert (row["state"], row["resolution_note"]) == ("resolved", "已陪同就医")
    assert (row["acknowledged_by_name"], row["resolved_by_name"]) == (None, "值班员小刘")


def test_pull_applies_providers_slots_ratings_complaints_and_help(core):
    booking = _done_booking(core)
    changes = [
        {"seq": 1, "kind": "service_slot", "id": "clinic:2026-11-26:rehab:1400", "op": "upsert",
         "data": {"id": "clinic:2026-11-26:rehab:1400", "service": "clinic",
                  "provider_id": "provider-xingfu-station", "day": "2026-11-26", "window": "pm",
                  "department": "rehab", "doctor": "吴医生",
                  "start": "2026-11-26T14:00:00+08:00", "end": "2026-11-26T14:30:00+08:00",
                  "cutoff": "2026-11-26T13:00:00+08:00", "capacity": 2, "price_cents": 100}},
        {"seq": 2, "kind": "rating", "id": "r-1", "op": "upsert",
         "data": {"id": "r-1", "booking_id": booking.id, "elder_id": LI,
                  "provider_id": "provider-sunshine", "score": "satisfied", "reasons": [],
                  "staff_id": None, "created_at": "2026-11-25T12:00:00+08:00", "kiosk_id": "k"}},
        {"seq": 3, "kind": "provider_rating", "id": "provider-sunshine", "op": "upsert",
         "data": {"provider_id": "provider-sunshine", "satisfied": 1, "neutral": 0,
                  "unsatisfied": 0, "total": 1, "reasons": {}}},
        {"seq": 4, "kind": "complaint", "id": "c-1", "op": "upsert",
         "data": {"id": "c-1", "booking_id": None, "elder_id": WANG, "provider_id": None,
                  "reasons": ["other"], "staff_id": None, "state": "open",
                  "created_at": "2026-11-24T07:00:00+08:00", "kiosk_id": "k"}},
        {"seq": 5, "kind": "help_request", "id": "h-1", "op": "upsert",
         "data": {"id": "h-1", "elder_id": WANG, "kind": "urgent", "state": "acknowledged",
                  "staff_id": None, "created_at": "2026-11-24T07:00:00+08:00", "kiosk_id": "k",
                  "acknowledged_by": "staff-liu", "acknowledged_at": "x", "resolved_by": None,
                  "resolved_at": None}},
        {"seq": 6, "kind": "provider", "id": "provider-sunshine", "op": "upsert",
         "data": {"id": "provider-sunshine", "name": "阳光家政", "services": ["cleaning"],
                  "teams": 3, "kinds": {"standard": {"name": "日常保洁", "hours": 2, "units": 1,
                                                     "price_cents": 7000}},
                  "subsidy_cents": {}, "needs": ["pets"], "departments": {}, "active": True}},
    ]
    apply_page(core.store, core.clock, changes, 6)
    rehab = core.flow("clinic").times(LI, "rehab", dt.date(2026, 11, 26))
    assert [v.slot.capacity for v in rehab if v.slot.start.hour == 14][0] == 2
    assert core.store.query_one("SELECT score FROM ratings WHERE booking_id = ?",
                                (booking.id,))["score"] == "satisfied"
    core.clock.set("2026-11-25T12:00:00")
    assert core.ratings.due(LI) is None  # rated at another kiosk: not asked here
    assert core.store.query_one("SELECT total FROM provider_ratings")["total"] == 1
    assert core.store.query_one("SELECT origin FROM complaints")["origin"] == "remote"
    assert core.store.query_one("SELECT state FROM help_requests")["state"] == "acknowledged"
    provider = core.flow("cleaning").provider()
    assert list(provider.kinds) == ["standard"] and provider.kinds["standard"].price_cents == 7000
    assert json.loads(core.store.query_one("SELECT needs FROM providers WHERE id = ?",
                                           ("provider-sunshine",))["needs"]) == ["pets"]

