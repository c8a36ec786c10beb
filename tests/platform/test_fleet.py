"""The fleet view: what each kiosk reports on its calls (protocol §2.1), stored sparingly, and
which kiosks went quiet — on the platform's database of each backend, and over HTTP."""
from __future__ import annotations

import datetime as dt

import pytest
import requests
from sqlalchemy import select

from service_platform import auth, fleet, migrations, operators
from service_platform.auth import Kiosk
from service_platform.db import Database
from service_platform.schema import kiosks
from tests.platform.servers import wait_until

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture()
def db(new_database):
    database = Database(new_database())
    migrations.migrate(database)
    yield database
    database.dispose()


def enrolled(db: Database, community_id: str, name: str) -> Kiosk:
    kiosk_id, code = operators.add_kiosk(db, community_id, name)
    db.run_write(lambda conn: auth.enrol(conn, code, None))
    return Kiosk(kiosk_id, community_id, name)


def row(db: Database, kiosk_id: str) -> dict:
    with db.read() as conn:
        return dict(conn.execute(select(kiosks).where(kiosks.c.id == kiosk_id)).mappings().one())


def report(now: dt.datetime, pending: int = 3, ahead_s: float = 90,
           oldest: dt.datetime | None = None, **extra) -> dict:
    """Headers as a kiosk on Shanghai time sends them, its clock `ahead_s` fast, its oldest
    unsent operation made at `oldest` (by its clock; default 20 minutes before `now`)."""
    kiosk_now = (now + dt.timedelta(seconds=ahead_s)).astimezone(SHANGHAI)
    headers = {fleet.APP_VERSION: "1.4.2", fleet.OUTBOX_PENDING: str(pending),
               fleet.KIOSK_TIME: kiosk_now.isoformat(timespec="milliseconds")}
    if pending:
        oldest = oldest or kiosk_now - dt.timedelta(minutes=20)
        headers[fleet.OUTBOX_OLDEST] = oldest.astimezone(SHANGHAI).isoformat(timespec="seconds")
    return {**headers, **extra}


def test_a_call_stores_version_unsent_work_and_clock_skew(db):
    operators.add_community(db, "c", "幸福里")
    kiosk = enrolled(db, "c", "一楼大厅")
    now = dt.datetime(2040, 3, 1, 2, 0, 0, 250000, tzinfo=dt.UTC)
    assert fleet.record_contact(db, kiosk, report(now), now) is True
    stored = row(db, kiosk.id)
    assert stored["last_seen_at"] == "2040-03-01T02:00:00.250+00:00"
    assert stored["app_version"] == "1.4.2" and stored["outbox_pending"] == 3
    # the kiosk's own stamp (its clock 90 s fast, 20 minutes earlier), kept in UTC
    assert stored["outbox_oldest_at"] == "2040-03-01T01:41:30.000+00:00"
    assert stored["clock_skew_ms"] == 90_000


def test_an_unchanged_report_is_written_about_once_a_minute(db):
    operators.add_community(db, "c", "幸福里")
    kiosk = enrolled(db, "c", "一楼大厅")
    start = dt.datetime(2040, 3, 1, 2, 0, tzinfo=dt.UTC)

    def call(after_s: float, **kwargs) -> bool:
        now = start + dt.timedelta(seconds=after_s)
        return fleet.record_contact(db, kiosk, report(now, oldest=start, **kwargs), now)

    assert call(0)
    assert [call(s) for s in (5, 20, 59)] == [False] * 3  # the same report: not written
    assert call(60)  # a minute on: written, so operators see it is alive
    assert call(61, pending=4)  # more work waiting: written at once
    assert call(62, pending=0)  # the outbox emptied: written at once, oldest gone
    assert row(db, kiosk.id)["outbox_oldest_at"] is None
    assert call(63, pending=0, **{fleet.APP_VERSION: "1.5.0"})  # a new version: at once
    assert not call(64, pending=0, **{fleet.APP_VERSION: "1.5.0"})
    assert row(db, kiosk.id)["last_seen_at"] == fleet.clock.stamp(
        start + dt.timedelta(seconds=63))


def test_older_kiosks_and_malformed_reports_change_no_figure(db):
    operators.add_community(db, "c", "幸福里")
    kiosk = enrolled(db, "c", "一楼大厅")
    now = dt.datetime(2040, 3, 1, 2, 0, tzinfo=dt.UTC)
    fleet.record_contact(db, kiosk, report(now), now)
    before = row(db, kiosk.id)
    later = now + dt.timedelta(minutes=2)
    assert fleet.record_contact(db, kiosk, {}, later)  # an older kiosk: only seen
    garbage = {fleet.APP_VERSION: "x" * 41, fleet.OUTBOX_PENDING: "-1",
               fleet.OUTBOX_OLDEST: "2040-03-01T09:00:00", fleet.KIOSK_TIME: "yesterday"}
    for junk in (garbage, {fleet.APP_VERSION: "1.4.2\n2", fleet.OUTBOX_PENDING: "３",
                           fleet.KIOSK_TIME: "99999-01-01T00:00:00+00:00"}):
        later += dt.timedelta(minutes=2)
        assert fleet.record_contact(db, kiosk, junk, later)
    after = row(db, kiosk.id)
    figures = ("app_version", "outbox_pending", "outbox_oldest_at", "clock_skew_ms")
    assert {k: after[k] for k in figures} == {k: before[k] for k in figures}
    assert after["last_seen_at"] == fleet.clock.stamp(later)


def test_held_reports_are_written_together_the_latest_figures_winning(db):
    operators.add_community(db, "c", "幸福里")
    first, second = enrolled(db, "c", "一楼大厅"), enrolled(db, "c", "二楼")
    start = dt.datetime(2040, 3, 1, 2, 0, tzinfo=dt.UTC)
    fleet.record_contact(db, first, report(start, pending=3, oldest=start), start)
    reports = fleet.Reports(db)
    at = [start + dt.timedelta(seconds=s) for s in range(4)]
    # nothing new: not held
    assert not reports.note(first, report(at[1], pending=3, oldest=start), at[1])
    assert reports.note(first, report(at[2], pending=5, oldest=start), at[2])  # more waiting: held
    # back to the stored figure while one is held: held too, so the 5 is not what stays
    assert reports.note(first, report(at[3], pending=3, oldest=start), at[3])
    # a slower call that began earlier
    assert reports.note(first, report(at[1], pending=9, oldest=start), at[1])
    assert reports.note(second, report(at[2], pending=1), at[2])
    assert row(db, first.id)["outbox_pending"] == 3 and row(db, second.id)["last_seen_at"] is None
    assert reports.flush() == 2 and reports.flush() == 0
    assert (row(db, first.id)["outbox_pending"], row(db, first.id)["last_seen_at"]) == (
        3, fleet.clock.stamp(at[3]))
    assert row(db, second.id)["outbox_pending"] == 1


def test_held_reports_are_written_by_the_writer_and_when_it_stops(db):
    operators.add_community(db, "c", "幸福里")
    kiosk, other = enrolled(db, "c", "一楼大厅"), enrolled(db, "c", "二楼")
    now = dt.datetime.now(dt.UTC)
    reports = fleet.Reports(db).start()
    try:
        assert reports.note(kiosk, report(now, pending=2), now)
        wait_until(lambda: row(db, kiosk.id)["outbox_pending"] == 2, 10, "the report written")
    finally:
        assert reports.note(other, report(now, pending=4), now)
        reports.stop()
    assert row(db, other.id)["outbox_pending"] == 4


def test_a_report_about_an_unknown_or_vanished_kiosk_writes_nothing(db):
    now = dt.datetime(2040, 3, 1, tzinfo=dt.UTC)
    assert fleet.record_contact(db, Kiosk("kiosk-gone", "c", "?"), report(now), now) is False


def test_listing_shows_states_and_which_kiosks_went_silent(db):
    operators.add_community(db, "c", "幸福里社区")
    operators.add_community(db, "d", "长乐社区")
    waiting_id, _code = operators.add_kiosk(db, "c", "A 待注册")
    recent = enrolled(db, "c", "B 59 分钟前")
    quiet = enrolled(db, "c", "C 61 分钟前")
    revoked = enrolled(db, "c", "D 已停用")
    elsewhere = enrolled(db, "d", "E 别的社区")
    now = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=3)).replace(microsecond=0)
    for kiosk, minutes in ((recent, 59), (quiet, 61), (revoked, 300), (elsewhere, 1)):
        then = now - dt.timedelta(minutes=minutes)
        fleet.record_contact(db, kiosk, report(then, ahead_s=-30), then)
    operators.revoke_kiosk(db, revoked.id)
    with db.read() as conn:
        listed = {k["id"]: k for k in fleet.listing(conn, ["c"], now)}
        everyone = fleet.listing(conn, None, now)
    assert {k["id"] for k in everyone} == set(listed) | {elsewhere.id}
    assert list(listed) == [waiting_id, recent.id, quiet.id, revoked.id]  # by name
    assert {k: v["state"] for k, v in listed.items()} == {
        waiting_id: "waiting", recent.id: "enrolled", quiet.id: "enrolled",
        revoked.id: "revoked"}
    assert {k: v["silent"] for k, v in listed.items()} == {
        waiting_id: False, recent.id: False, quiet.id: True, revoked.id: False}
    b = listed[recent.id]
    assert b["community_id"] == "c" and b["community_name"] == "幸福里社区"
    assert b["name"] == "B 59 分钟前" and b["app_version"] == "1.4.2"
    assert b["seconds_since_contact"] == 59 * 60 and b["outbox_pending"] == 3
    assert b["clock_skew_ms"] == -30_000
    # made 20 minutes before that call by the kiosk's clock: 79 minutes ago now
    assert b["oldest_unsent_s"] == 79 * 60
    assert listed[waiting_id]["last_seen_at"] is None
    assert listed[waiting_id]["seconds_since_contact"] is None


def test_an_enrolled_kiosk_never_heard_from_goes_silent_an_hour_after_enrolling(db):
    operators.add_community(db, "c", "幸福里")
    kiosk = enrolled(db, "c", "新终端")
    enrolled_at = fleet.clock.parse(row(db, kiosk.id)["enrolled_at"])
    with db.read() as conn:
        soon = fleet.listing(conn, None, enrolled_at + dt.timedelta(minutes=59))
        late = fleet.listing(conn, None, enrolled_at + dt.timedelta(minutes=61))
    assert (soon[0]["silent"], late[0]["silent"]) == (False, True)
    assert late[0]["last_seen_at"] is None and late[0]["seconds_since_contact"] == 61 * 60


def test_sync_calls_carry_the_report_and_never_fail_for_it(platform):
    community = platform.community(elders=1)
    kiosk = platform.kiosk(community)

    def get(path: str, headers: dict) -> requests.Response:
        return requests.get(platform.base_url + path, headers={**kiosk.headers, **headers},
                            timeout=30)

    for junk in ({}, {fleet.OUTBOX_PENDING: "lots", fleet.KIOSK_TIME: "soon",
                      fleet.OUTBOX_OLDEST: "a while", fleet.APP_VERSION: "\u00e9" * 80}):
        assert get("/v1/changes", junk).status_code == 200
    now = dt.datetime.now(dt.UTC)
    answer = get("/v1/me", report(now, pending=2, ahead_s=300))
    assert answer.status_code == 200, answer.text
    # held about a second (fleet.Reports), then written
    stored = wait_until(lambda: (found := row(platform.db, kiosk.kiosk_id))["app_version"]
                        and found, 10, "the report written")
    assert stored["app_version"] == "1.4.2" and stored["outbox_pending"] == 2
    assert stored["outbox_oldest_at"] is not None
    assert abs(stored["clock_skew_ms"] - 300_000) < 5_000


def test_the_report_headers_are_documented_as_optional(platform):
    document = platform.anonymous().get("/openapi.json").json()
    for path, method in (("/v1/changes", "get"), ("/v1/push", "post"), ("/v1/me", "get")):
        parameters = {p["name"]: p for p in document["paths"][path][method]["parameters"]
                      if p["in"] == "header"}
        for name, meaning in fleet.HEADERS.items():
            assert parameters[name]["required"] is False
            assert meaning in parameters[name]["description"]
