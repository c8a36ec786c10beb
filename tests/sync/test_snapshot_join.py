"""A kiosk joining takes the community's current state in one snapshot (protocol §5.2), then
the feed after its cursor; it ends where a kiosk that followed the feed all along is. A kiosk
whose cursor fell below the horizon joins again the same way and keeps what it has not sent.
The snapshot is streamed a part a line and applied as it comes, all or nothing: one cut short
leaves nothing applied, and the next sync takes it again. From a platform that answers in one
object it joins the same; from a platform without the snapshot it pulls the feed from 0."""
from __future__ import annotations

import datetime as dt
import json

from kiosk.complaints import Complaints
from kiosk.store import Store
from kiosk.sync.pull import CURSOR_KEY, HORIZON_KEY, pull_all
from service_platform import compaction, feed, snapshot
from tests.sync.conftest import SHANGHAI
from tests.sync.proxy import DROP, FORWARD, cut, respond
from tests.sync.test_compaction import _busy_community, _state
from tests.sync.test_complaints_sync import _feed_resolved

OFFLINE, BAD_ANSWER = "sync.error.offline", "sync.error.bad_answer"


def _schema(kiosk_or_store) -> list[tuple]:
    store = getattr(kiosk_or_store, "store", kiosk_or_store)
    return [tuple(row) for row in store.query(
        "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name")]


def _settings(store: Store) -> list:
    return [store.query_one(f"PRAGMA {name}")[0]
            for name in ("synchronous", "temp_store", "cache_size", "foreign_keys")]


def _head(platform, community: str) -> tuple[int, int]:
    with platform.db.read() as conn:
        return feed.head(conn, community)


def test_a_new_kiosk_joins_by_snapshot_and_matches_a_follower(platform, make_kiosk,
                                                              make_proxy, tmp_path):
    community, _soon, later, follower, _stopped = _busy_community(platform, make_kiosk)
    proxy = make_proxy(platform)
    newcomer = make_kiosk(proxy.url, platform.enrolment_code(community))
    head = _head(platform, community)[0]

    joined = newcomer.sync_ok()

    # one snapshot, then one page of the feed after its cursor: empty
    assert proxy.count("/v1/snapshot") == 1 and proxy.count("/v1/changes") == 1
    assert newcomer.store.get_state(CURSOR_KEY) == str(head)  # (its leases came after it)
    assert joined.pulled > len(_state(newcomer)["elders"])
    follower.sync_ok()
    assert _state(newcomer) == _state(follower)
    fresh = Store(tmp_path / "fresh.sqlite3")
    assert _schema(newcomer) == _schema(fresh)  # its indexes made again after the rows
    # the join's own settings undone: its commits wait for the disk again, as a fresh store's
    assert _settings(newcomer.store) == _settings(fresh)
    fresh.close()
    assert newcomer.store.query_one("PRAGMA integrity_check")[0] == "ok"
    # what it books now goes out and comes back as at any kiosk
    booking = newcomer.book("elder-011", later)
    newcomer.sync_ok()
    follower.sync_ok()
    assert newcomer.booking(booking.id).status == "confirmed"
    assert _state(newcomer) == _state(follower)
    assert newcomer.sync_ok().pulled == 0 and proxy.count("/v1/snapshot") == 1


def test_a_snapshot_lost_on_the_way_leaves_nothing_half_applied(platform, make_kiosk,
                                                                  make_proxy):
    community, _soon, _later, follower, _stopped = _busy_community(platform, make_kiosk)
    proxy = make_proxy(platform)
    proxy.rule = lambda request: DROP if request.path == "/v1/snapshot" else FORWARD
    newcomer = make_kiosk(proxy.url, platform.enrolment_code(community))

    _fails_applying_nothing(newcomer)
    proxy.rule = lambda _request: FORWARD
    newcomer.sync_ok()
    follower.sync_ok()
    assert _state(newcomer) == _state(follower)


def test_a_kiosk_joins_by_the_feed_when_the_platform_has_no_snapshot(platform, make_kiosk,
                                                                     make_proxy):
    community, _soon, _later, follower, _stopped = _busy_community(platform, make_kiosk)
    proxy = make_proxy(platform)  # an older platform: no such call
    proxy.rule = lambda request: respond(404, b'{"error": {"code": "not_found"}}') \
        if request.path == "/v1/snapshot" else FORWARD
    newcomer = make_kiosk(proxy.url, platform.enrolment_code(community))
    newcomer.engine.page_limit = 3

    newcomer.sync_ok()

    assert proxy.count("/v1/snapshot") == 1 and proxy.count("/v1/changes") > 3
    follower.sync_ok()
    assert _state(newcomer) == _state(follower)


def test_a_kiosk_below_the_horizon_joins_again_keeping_what_it_has_not_sent(
        platform, make_kiosk):
    community, soon, later, follower, stopped = _busy_community(platform, make_kiosk)
    # Her complaint resolved on the platform and fed to this kiosk, which she answers here.
    desk = Complaints(stopped.store, stopped.clock)
    complaint = desk.file("elder-006", about="centre", reasons=("long_wait",))
    stopped.sync_ok()
    _resolve(platform, community, complaint.id)
    stopped.sync_ok()
    due = desk.answer_due("elder-006")
    desk.mark_shown(due.id)
    desk.answer("elder-006", due.id, "satisfied")
    # A booking made here and a cancellation made here, neither sent yet.
    made_here = stopped.book("elder-012", later)
    confirmed = stopped.store.query_one(  # not cancelled at the follower
        "SELECT id FROM bookings WHERE elder_id = 'elder-003' AND slot_id = ?", (later,))
    assert stopped.booking(confirmed["id"]).status == "confirmed"
    stopped.meals.cancel(confirmed["id"])
    pending = stopped.pending()
    assert pending == 3
    follower.book("elder-010", soon)
    follower.sync_ok()
    in_45_days = dt.datetime.now(SHANGHAI) + dt.timedelta(days=45)
    done = compaction.compact_all(platform.db, now=in_45_days)[community]
    assert done.horizon > int(stopped.store.get_state(CURSOR_KEY))
    _feed_resolved(platform, community, complaint.id)  # in the snapshot, without her answer

    report = pull_all(stopped.store, stopped.engine.client(), stopped.clock)  # no push first

    assert report.restarted and report.snapshot
    head, horizon = _head(platform, community)
    assert stopped.store.get_state(CURSOR_KEY) == str(head)
    assert stopped.store.get_state(HORIZON_KEY) == str(horizon) == str(done.horizon)
    assert stopped.pending() == pending  # the outbox as it was
    assert stopped.booking(made_here.id).status == "tentative"
    assert stopped.booking(confirmed["id"]).status == "cancelled"
    assert stopped.store.query_one("SELECT answer FROM complaints WHERE id = ?",
                                   (complaint.id,))["answer"] == "satisfied"
    newcomer = make_kiosk(platform.url, platform.enrolment_code(community))
    newcomer.sync_ok()

    stopped.sync_ok()  # now it sends them

    assert stopped.pending() == 0
    follower.sync_ok()
    newcomer.sync_ok()
    assert stopped.booking(made_here.id).status == "confirmed"
    assert follower.booking(made_here.id).status == "confirmed"
    assert follower.booking(confirmed["id"]).status == "cancelled"

    def now_and_ahead(state: dict) -> dict:
        return {**state, "bookings": [b for b in state["bookings"] if b[2] != soon],
                "slots": [s for s in state["slots"] if s != soon]}
    assert now_and_ahead(_state(stopped)) == now_and_ahead(_state(follower)) \
        == _state(newcomer)


def _resolve(platform, community: str, complaint_id: str) -> None:
    from sqlalchemy import update

    from service_platform.schema import complaints
    resolved_at = dt.datetime.now(SHANGHAI).isoformat(timespec="seconds")
    platform.db.run_write(lambda conn: conn.execute(update(complaints).where(
        complaints.c.community_id == community, complaints.c.id == complaint_id).values(
        state="resolved", resolution="已经加了一位工作人员。", resolved_at=resolved_at)))
    _feed_resolved(platform, community, complaint_id)


def _answering_snapshot(proxy, whole: dict) -> None:
    """The proxy answers the snapshot in one object, as an older platform does."""
    body = json.dumps(whole).encode()
    proxy.rule = lambda request: respond(200, body, {"Content-Type": "application/json"}) \
        if request.path == "/v1/snapshot" else FORWARD


def _streaming(proxy, lines: list[dict]) -> None:
    """The proxy answers the snapshot with these lines, streamed as the platform does."""
    body = b"".join(json.dumps(line).encode() + b"\n" for line in lines)
    proxy.rule = lambda request: respond(200, body, {
        "Content-Type": "application/x-ndjson"}) if request.path == "/v1/snapshot" \
        else FORWARD


def _platforms_lines(platform, community: str) -> list[dict]:
    """The platform's snapshot for a kiosk with no leases, as streamed (parts of 3 rows)."""
    with platform.db.read_consistent() as conn:
        made = [json.loads(json.dumps(part)) for part in snapshot.parts(conn, community, "-")]
    return [{**made[0], "server_time": "2026-01-01T00:00:00+00:00"}, *made[1:],
            {"end": {"parts": len(made) - 1}}]


ELDER_COLUMNS = ["id", "card_no", "name", "phone", "address", "subsidy_level",
                 "delivery_allowed", "home_visit_allowed", "dietary", "active"]


def _elder(elder_id: str, card_no: str) -> list:
    return [elder_id, card_no, "长者", "", "", "basic", True, False, [], True]


def test_a_card_twice_in_a_snapshot_goes_to_the_later_elder(platform, make_kiosk, make_proxy):
    community = platform.community(elders=2)
    proxy = make_proxy(platform)
    cursor, horizon = _head(platform, community)
    # Into an empty store elders are plain INSERTs; a clash falls back to the upserts.
    _answering_snapshot(proxy, {"cursor": cursor, "horizon": horizon, "kinds": {"elder": {
        "columns": ELDER_COLUMNS,
        "rows": [_elder("elder-001", "90000009"), _elder("elder-002", "90000009")]}}})
    newcomer = make_kiosk(proxy.url, platform.enrolment_code(community))

    newcomer.sync_ok()

    cards = {row["id"]: row["card_no"] for row in newcomer.store.query(
        "SELECT id, card_no FROM elders")}
    assert cards == {"elder-001": "#elder-001", "elder-002": "90000009"}
    assert newcomer.store.get_state(CURSOR_KEY) == str(cursor)


def test_a_snapshot_row_without_a_needed_field_applies_nothing(platform, make_kiosk,
                                                                make_proxy):
    community = platform.community(elders=2)
    proxy = make_proxy(platform)
    cursor, horizon = _head(platform, community)
    booking = {"id": "b-1", "elder_id": "elder-001", "slot_id": "s-1", "status": "confirmed",
               "created_at": None}  # a booking must say when it was made
    _answering_snapshot(proxy, {"cursor": cursor, "horizon": horizon, "kinds": {
        "elder": {"columns": ELDER_COLUMNS, "rows": [_elder("elder-001", "90000001")]},
        "booking": {"columns": list(booking), "rows": [list(booking.values())]}}})
    newcomer = make_kiosk(proxy.url, platform.enrolment_code(community))

    _fails_applying_nothing(newcomer)
    proxy.rule = lambda _request: FORWARD
    newcomer.sync_ok()
    assert newcomer.store.query_one("SELECT COUNT(*) AS n FROM elders")["n"] == 2


def _fails_applying_nothing(kiosk, error_key: str | None = None) -> None:
    """Its sync fails (with this error, when given), and nothing of the snapshot is in its
    store: no cursor, no elder."""
    result = kiosk.sync()
    assert not result.ok
    assert error_key is None or result.error_key == error_key
    assert kiosk.store.get_state(CURSOR_KEY, "0") == "0"
    assert kiosk.store.query_one("SELECT COUNT(*) AS n FROM elders")["n"] == 0


def test_a_streamed_snapshot_in_many_parts_joins_as_a_follower(platform, make_kiosk,
                                                              make_proxy, monkeypatch):
    community, _soon, _later, follower, _stopped = _busy_community(platform, make_kiosk)
    monkeypatch.setattr(snapshot, "PART_ROWS", 3)
    lines = _platforms_lines(platform, community)
    assert [line.get("kind") for line in lines].count("elder") == 4
    proxy = make_proxy(platform)
    _streaming(proxy, lines)
    newcomer = make_kiosk(proxy.url, platform.enrolment_code(community))

    newcomer.sync_ok()

    assert newcomer.store.get_state(CURSOR_KEY) == str(lines[0]["cursor"])
    follower.sync_ok()
    assert _state(newcomer) == _state(follower)
    assert newcomer.store.query_one("PRAGMA integrity_check")[0] == "ok"


def test_a_streamed_snapshot_cut_short_applies_nothing_and_is_taken_again(
        platform, make_kiosk, make_proxy):
    community, _soon, _later, follower, _stopped = _busy_community(platform, make_kiosk)
    proxy = make_proxy(platform)
    proxy.rule = lambda request: cut(-40) if request.path == "/v1/snapshot" else FORWARD
    newcomer = make_kiosk(proxy.url, platform.enrolment_code(community))

    _fails_applying_nothing(newcomer, OFFLINE)  # its end lost on the way
    lines = _platforms_lines(platform, community)
    _streaming(proxy, lines[:-1])  # every part, but no end: the platform stopped before it
    _fails_applying_nothing(newcomer, OFFLINE)
    _streaming(proxy, lines[:4] + lines[5:])  # a part missing
    _fails_applying_nothing(newcomer, BAD_ANSWER)

    proxy.rule = lambda _request: FORWARD
    newcomer.sync_ok()
    assert proxy.count("/v1/snapshot") == 4
    follower.sync_ok()
    assert _state(newcomer) == _state(follower)


def test_a_streamed_snapshot_out_of_order_applies_nothing(platform, make_kiosk, make_proxy):
    community, _soon, _later, _follower, _stopped = _busy_community(platform, make_kiosk)
    lines = _platforms_lines(platform, community)
    assert lines[1]["kind"] == "service"
    at = next(n for n, line in enumerate(lines) if line.get("kind") == "booking")
    proxy = make_proxy(platform)
    newcomer = make_kiosk(proxy.url, platform.enrolment_code(community))

    _streaming(proxy, [lines[0], *lines[2:-1], lines[1], lines[-1]])  # the catalogue last
    _fails_applying_nothing(newcomer, BAD_ANSWER)
    _streaming(proxy, [lines[0], lines[at], *lines[1:at], *lines[at + 1:]])  # bookings first
    _fails_applying_nothing(newcomer, BAD_ANSWER)


def test_a_platform_answering_in_one_object_is_joined_the_same(platform, make_kiosk,
                                                               make_proxy):
    community, _soon, _later, follower, _stopped = _busy_community(platform, make_kiosk)
    with platform.db.read_consistent() as conn:
        whole = json.loads(json.dumps(snapshot.snapshot(conn, community, "-")))
    proxy = make_proxy(platform)
    _answering_snapshot(proxy, {**whole, "server_time": "2026-01-01T00:00:00+00:00"})
    newcomer = make_kiosk(proxy.url, platform.enrolment_code(community))

    newcomer.sync_ok()

    assert newcomer.store.get_state(CURSOR_KEY) == str(whole["cursor"])
    follower.sync_ok()
    assert _state(newcomer) == _state(follower)
