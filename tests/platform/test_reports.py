"""The reports' figures (service_platform/reports.py) against fixtures in a real database, on
SQLite and PostgreSQL: each expected figure is a literal or a plain sum over the fixture lists
of tests/report_data.py, never something the code under test computed."""
from __future__ import annotations

import datetime as dt
import statistics

import pytest

from service_platform import reports
from service_platform.reports import Period, ReportError, Scope
from tests import report_data as data
from tests.report_data import CANTEEN, HOME, A, B

NOV = Period(dt.date(2025, 11, 1), dt.date(2025, 11, 30))
DEC = Period(dt.date(2025, 12, 1), dt.date(2025, 12, 31))
NOW = dt.datetime(2026, 1, 10, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def db(platform):
    platform.db.run_write(data.seed)
    return platform.db


def _report(db, scope: Scope, period: Period) -> reports.Report:
    with db.read() as conn:
        return reports.make(conn, scope, period, NOW)


def _served(community=None, month=None, provider=None, service=None):
    return [b for b in data.BOOKINGS if b.status in ("confirmed", "completed")
            and (community is None or b.community in community)
            and (month is None or b.day.startswith(month))
            and (provider is None or b.provider == provider)
            and (service is None or b.service == service)]


def test_meals_count_on_their_slot_day_by_level_and_mode(db):
    for period, month in ((NOV, "2025-11"), (DEC, "2025-12")):
        report = _report(db, Scope((A,)), period)
        levels = dict((e[0], e[4]) for e in data.ELDERS)
        expected = {}
        for b in _served((A,), month, service="meal"):
            key = (b.day, levels[b.elder], b.mode)
            expected[key] = expected.get(key, 0) + 1
        assert {(m.day, m.subsidy_level, m.mode): m.meals for m in report.meals} == expected
    # literally: December has b3, b5 and b6 (b4 was cancelled); b3 was booked in November
    assert sum(m.meals for m in _report(db, Scope((A,)), DEC).meals) == 3
    assert sum(m.meals for m in _report(db, Scope((A,)), NOV).meals) == 2


def test_the_settlement_owes_no_subsidy_for_a_cancelled_booking_and_refunds_the_elder(db):
    report = _report(db, Scope((A,)), DEC)
    rows = {(s.provider_id, s.subsidy_level): s for s in report.settlement}
    canteen_basic = rows[(CANTEEN, "basic")]  # b6 served; b4 cancelled
    assert (canteen_basic.served, canteen_basic.price_cents, canteen_basic.paid_cents,
            canteen_basic.subsidy_cents) == (1, 1200, 900, 300)
    assert (canteen_basic.cancelled, canteen_basic.refunded_cents) == (1, 1500 - 300)
    home_special = rows[(HOME, "special")]  # c2 cancelled
    assert (home_special.served, home_special.subsidy_cents, home_special.cancelled,
            home_special.refunded_cents) == (0, 0, 1, 6000 - 4000)
    paid = [b for b in _served((A,), "2025-12") if b.price or b.subsidy]
    assert sum(s.paid_cents for s in report.settlement) == sum(b.price - b.subsidy for b in paid)
    assert sum(s.subsidy_cents for s in report.settlement) == sum(b.subsidy for b in paid)
    cancelled = [b for b in data.BOOKINGS if b.status == "cancelled" and b.community == A
                 and b.day.startswith("2025-12")]
    assert sum(s.refunded_cents for s in report.settlement) == \
        sum(b.price - b.subsidy for b in cancelled) == 3200
    # free activities are no part of the settlement
    assert {s.provider_id for s in report.settlement} == {CANTEEN, HOME}
    assert sum(s.served for s in report.settlement) == len(paid) == 4


def test_bookings_cancellations_and_no_shows_per_service(db):
    report = _report(db, Scope((A,)), DEC)
    rows = {s.service: s for s in report.services}
    assert (rows["meal"].booked, rows["meal"].cancelled, rows["meal"].no_shows) == (3, 1, None)
    assert (rows["cleaning"].booked, rows["cleaning"].cancelled) == (1, 1)
    activity = rows["activity"]
    assert (activity.booked, activity.waitlisted, activity.attended, activity.no_shows,
            activity.not_over) == (2, 1, 1, 1, 0)
    # before the session ended, the one who has not come yet is not a no-show
    with db.read() as conn:
        early = reports.make(conn, Scope((A,)), DEC,
                             dt.datetime(2025, 12, 2, 2, 0, tzinfo=dt.UTC))
    activity = {s.service: s for s in early.services}["activity"]
    assert (activity.attended, activity.no_shows, activity.not_over) == (1, 0, 1)


def test_satisfaction_per_provider_and_its_trend_by_month(db):
    report = _report(db, Scope((A,)), DEC)
    by_key = {b.key: b for b in data.BOOKINGS}
    for provider in (CANTEEN, HOME):
        scores = [s for k, s in data.RATINGS if by_key[k].provider == provider
                  and by_key[k].day.startswith("2025-12")]
        row = next(s for s in report.satisfaction if s.provider_id == provider)
        assert row.total == len(scores)
        assert row.satisfied == scores.count("satisfied")
        assert row.share == pytest.approx(scores.count("satisfied") / len(scores))
    assert report.trend_months == ["2025-07", "2025-08", "2025-09", "2025-10", "2025-11",
                                   "2025-12"]
    trend = {(s.month, s.provider_id): s.share for s in report.trend}
    assert trend == {("2025-11", CANTEEN): 0.5, ("2025-11", HOME): 1.0,
                     ("2025-12", CANTEEN): pytest.approx(2 / 3), ("2025-12", HOME): 0.0}


def test_complaints_count_on_the_local_day_received(db):
    report = _report(db, Scope((A,)), DEC)
    rows = {c.provider_id: c for c in report.complaints}
    # k1 reached the platform at 00:30 on 1 December in Shanghai: December's; k4 November's
    assert (rows[CANTEEN].received, rows[CANTEEN].resolved, rows[CANTEEN].overdue) == (2, 2, 1)
    assert rows[CANTEEN].median_resolve_s == statistics.median([86400, 5 * 86400])
    assert (rows[HOME].received, rows[HOME].resolved, rows[HOME].overdue) == (1, 0, 1)
    november = _report(db, Scope((A,)), NOV)
    assert [(c.provider_id, c.received, c.median_resolve_s) for c in november.complaints] == \
        [(CANTEEN, 1, 7200.0)]


def test_help_calls_median_and_slowest_time_to_acknowledge(db):
    report = _report(db, Scope((A,)), DEC)
    december = [s for k, when, s in data.HELP if k != "h5"]
    (row,) = report.help
    assert (row.requests, row.acknowledged) == (len(december), 4)
    assert row.median_ack_s == statistics.median([s for s in december if s is not None]) == 120
    assert row.slowest_ack_s == 600
    assert _report(db, Scope((A,), CANTEEN), DEC).help == []  # not a provider's


def test_a_provider_and_several_communities(db):
    only = _report(db, Scope((A,), HOME), DEC)
    assert {s.provider_id for s in only.settlement} == {HOME}
    assert {s.service for s in only.services} == {"cleaning", "activity"}
    assert {c.provider_id for c in only.complaints} == {HOME}
    both = _report(db, Scope((A, B)), DEC)
    served = _served((A, B), "2025-12", service="meal")
    assert sum(m.meals for m in both.meals) == len(served) == 4
    paid = [b for b in _served((A, B), "2025-12") if b.price]
    assert sum(s.subsidy_cents for s in both.settlement) == sum(b.subsidy for b in paid) == 1600


def test_bad_input_and_a_month_without_data(db):
    today = dt.date(2026, 1, 5)
    with pytest.raises(ReportError) as backwards:
        reports.parse_period(None, "2025-12-31", "2025-12-01", today)
    assert backwards.value.code == "backwards"
    for month in ("2025-13", "next", "2025-1-1"):
        with pytest.raises(ReportError):
            reports.parse_period(month, None, None, today)
    with pytest.raises(ReportError) as too_long:
        reports.parse_period(None, "2020-01-01", "2025-01-01", today)
    assert too_long.value.code == "too_long"
    with db.read() as conn, pytest.raises(ReportError) as unknown:
        reports.check_scope(conn, Scope((A,), "prov-nobody"))
    assert unknown.value.code == "provider"
    assert _report(db, Scope((A,)), Period(dt.date(2024, 2, 1), dt.date(2024, 2, 29))).empty


def test_the_kitchen_sheet_counts_portions_by_dish_diet_and_mode(db):
    with db.read() as conn:
        sheet = reports.kitchen_sheet(conn, A, None, dt.date(2025, 12, 1))
        canteen = reports.kitchen_sheet(conn, A, CANTEEN, dt.date(2025, 12, 1))
        home = reports.kitchen_sheet(conn, A, HOME, dt.date(2025, 12, 1))
    assert sheet.meals == {"lunch": (0, 1, 0), "dinner": (1, 0, 1)}  # dine-in, pickup, delivery
    diets = {e[0]: tuple(sorted(e[5])) for e in data.ELDERS}
    expected = {}
    for b in _served((A,), service="meal"):
        if b.day == "2025-12-01":
            for dish in data.MENUS[(b.day, b.meal)]:
                key = (b.meal, dish, diets[b.elder], b.mode)
                expected[key] = expected.get(key, 0) + 1
    got = {(p.meal, p.dish, p.diet, mode): n for p in sheet.portions
           for mode, n in zip(("dine_in", "pickup", "delivery"), p.by_mode, strict=True) if n}
    assert got == expected
    # b4 (a delivery) was cancelled: only b5 is delivered, to 李建国
    assert [(d.meal, d.elder, d.address, d.phone_tail) for d in sheet.deliveries] == [
        ("dinner", "李*国", "幸福里 5号楼 1单元 102室", "6871")]
    assert canteen.portions == sheet.portions
    assert home.empty and home.deliveries == []
