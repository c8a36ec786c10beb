"""`GET /v1/snapshot` (protocol §5.2): a community's current state with the feed cursor it holds
— the same as pulling the feed from 0 up to that cursor, whatever was being written while it
was read — so a kiosk applying it and then pulling the feed after the cursor misses nothing.
In one answer, or streamed a part a line to a kiosk that accepts it: the same state."""
from __future__ import annotations

import gzip
import json
import threading

import requests

from service_platform import catalogue, compaction, feed
from service_platform import snapshot as made
from tests.platform.wire import booking_op, cancel_op

STREAMED = {"Accept": "application/x-ndjson"}


def _snapshot(kiosk, streamed: bool = False) -> dict:
    """The whole answer, or the streamed one's lines put together as the whole answer is."""
    if not streamed:
        answer = kiosk.get("/v1/snapshot")
        assert answer.status_code == 200, answer.text
        return answer.json()
    return _put_together(_lines(kiosk))


def _lines(kiosk, headers: dict | None = None) -> list[dict]:
    answer = requests.get(kiosk.base_url + "/v1/snapshot", timeout=30,
                          headers={**kiosk.headers, **STREAMED, **(headers or {})})
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"] == "application/x-ndjson"
    assert answer.text.endswith("\n")
    return [json.loads(line) for line in answer.text.splitlines()]


def _put_together(lines: list[dict]) -> dict:
    """The lines of a streamed snapshot, checked: the cursor's first, the parts in the order
    a kiosk applies them, a kind's parts together, and the end counting them."""
    head, *parts, end = lines
    assert set(head) == {"cursor", "horizon", "server_time"}
    assert end == {"end": {"parts": len(parts)}}
    ranks = [_rank(part["kind"]) for part in parts]
    assert ranks == sorted(ranks)
    kinds: dict[str, dict] = {}
    for part in parts:
        assert set(part) == {"kind", "columns", "rows", "deleted"}
        entry = kinds.setdefault(part["kind"], {"columns": part["columns"], "rows": [],
                                                "deleted": []})
        assert list(kinds)[-1] == part["kind"]  # not interleaved with another kind
        assert part["columns"] == entry["columns"]
        entry["rows"] += part["rows"]
        entry["deleted"] += part["deleted"]
    return {**head, "kinds": kinds}


def _rank(kind: str) -> int:
    first = made.APPLY_FIRST
    return first.index(kind) if kind in first else len(first)


def _state_of_snapshot(snapshot: dict) -> dict[str, list[str]]:
    """Each kind's entities (their data, as JSON) and removals, comparable with the feed's."""
    state: dict[str, list[str]] = {}
    for kind, entry in snapshot["kinds"].items():
        rows = [json.dumps(dict(zip(entry["columns"], row, strict=True)), sort_keys=True)
                for row in entry["rows"]]
        state[kind] = sorted(rows + [f"deleted {i}" for i in entry.get("deleted", [])])
    return {kind: items for kind, items in state.items() if items}


def _state_of_feed(changes: list[dict], up_to: int | None = None) -> dict[str, list[str]]:
    """What pulling the feed (up to a seq) leaves: each entity's last change."""
    last: dict[tuple[str, str], dict | None] = {}
    for change in changes:
        if up_to is None or change["seq"] <= up_to:
            last[(change["kind"], change["id"])] = change["data"]
    state: dict[str, list[str]] = {}
    for (kind, entity_id), data in last.items():
        item = f"deleted {entity_id}" if data is None else json.dumps(data, sort_keys=True)
        state.setdefault(kind, []).append(item)
    return {kind: sorted(items) for kind, items in state.items()}


def _busy_community(platform):
    """Elders (one renamed, one inactive), slots (one removed), bookings made and cancelled,
    leases of two kiosks."""
    community = platform.community(elders=12)
    slot, other = platform.slot(community, capacity=20), platform.slot(community, capacity=5)
    gone = platform.slot(community, capacity=5)
    kiosk, neighbour = platform.kiosk(community), platform.kiosk(community)
    results = kiosk.push(*(booking_op(f"elder-{n:03d}", slot) for n in range(1, 9)))
    neighbour.push(*(booking_op(f"elder-{n:03d}", other) for n in range(1, 4)))
    kiosk.push(*(cancel_op(r["data"]["booking_id"]) for r in results[:3]))
    kiosk.leases(want=[{"slot_id": slot, "places": 2}])
    neighbour.leases(want=[{"slot_id": other, "places": 1}])
    person = {"id": "elder-002", "card_no": "90000002", "name": "改了名", "phone": "",
              "address": "", "subsidy_level": "basic", "delivery_allowed": False,
              "home_visit_allowed": False, "dietary": ["low_salt"], "active": True}
    platform.db.run_write(lambda conn: catalogue.put_elders(conn, community, [person]))
    platform.db.run_write(lambda conn: catalogue.remove_meal_slots(conn, community, [gone]))
    return community, kiosk


def test_the_snapshot_is_what_the_feed_from_0_leaves(platform):
    _community, kiosk = _busy_community(platform)

    snapshot = _snapshot(kiosk)

    changes, last = kiosk.pull_all()
    assert snapshot["cursor"] == last and snapshot["horizon"] == 0
    assert _state_of_snapshot(snapshot) == _state_of_feed(changes)
    assert len(snapshot["kinds"]["lease"]["rows"]) == 1  # its own lease, not its neighbour's
    assert len(snapshot["kinds"]["meal_slot"]["deleted"]) == 1
    elders = snapshot["kinds"]["elder"]
    renamed = dict(zip(elders["columns"], elders["rows"][1], strict=True))
    assert (renamed["id"], renamed["name"], renamed["dietary"]) == \
        ("elder-002", "改了名", ["low_salt"])


def test_a_compacted_feed_and_the_snapshot_hold_the_same(platform):
    community, kiosk = _busy_community(platform)
    done = platform.db.run_write(lambda conn: compaction.compact(conn, community))
    assert done.superseded > 0

    snapshot = _snapshot(kiosk)

    changes, last = kiosk.pull_all()  # the compacted feed, from 0
    assert snapshot["cursor"] == last
    assert _state_of_snapshot(snapshot) == _state_of_feed(changes)


def test_writes_during_the_snapshot_are_in_it_or_after_its_cursor(platform):
    """Bookings and cancellations pushed while snapshots are read: each snapshot holds
    exactly the feed up to its cursor (one state of the database, on PostgreSQL too), so the
    feed after the cursor brings the rest."""
    community = platform.community(elders=41)  # the last one is inactive
    slot = platform.slot(community, capacity=100)
    kiosk, writer = platform.kiosk(community), platform.kiosk(community)
    done = threading.Event()
    failures: list[BaseException] = []

    def write() -> None:
        try:
            for n in range(1, 41):
                [result] = writer.push(booking_op(f"elder-{n:03d}", slot))
                if n % 4 == 0:
                    writer.push(cancel_op(result["data"]["booking_id"]))
        except BaseException as exc:  # reported by the test's thread
            failures.append(exc)
        finally:
            done.set()

    thread = threading.Thread(target=write)
    thread.start()
    snapshots = []
    while not done.is_set() or len(snapshots) < 2:
        snapshots.append(_snapshot(kiosk, streamed=len(snapshots) % 2 == 1))
    thread.join()
    snapshots.append(_snapshot(kiosk, streamed=True))

    assert not failures, failures
    changes, last = kiosk.pull_all()
    final = _state_of_feed(changes)
    assert len(final["booking"]) == 40
    for snapshot in snapshots:
        cursor = snapshot["cursor"]
        assert _state_of_snapshot(snapshot) == _state_of_feed(changes, up_to=cursor)
        after = [c for c in changes if c["seq"] > cursor]
        applied = _state_of_feed([*_as_changes(snapshot), *after])
        assert applied == final
    assert snapshots[-1]["cursor"] == last


def _as_changes(snapshot: dict) -> list[dict]:
    """A snapshot as changes at its cursor (for applying it and the feed after it)."""
    keys = {"subsidy_level": "level", "service": "key", "lease": "lease_id",
            "provider_rating": "provider_id"}
    out = []
    for kind, entry in snapshot["kinds"].items():
        for row in entry["rows"]:
            data = dict(zip(entry["columns"], row, strict=True))
            out.append({"seq": snapshot["cursor"], "kind": kind,
                        "id": data[keys.get(kind, "id")], "data": data})
        out += [{"seq": snapshot["cursor"], "kind": kind, "id": i, "data": None}
                for i in entry.get("deleted", [])]
    return out


def test_the_snapshot_is_gzipped_for_a_client_that_takes_it(platform):
    _community, kiosk = _busy_community(platform)
    url = platform.base_url + "/v1/snapshot"
    zipped = requests.get(url, headers={**kiosk.headers, "Accept-Encoding": "gzip"},
                          timeout=30, stream=True)
    plain = requests.get(url, headers={**kiosk.headers, "Accept-Encoding": "identity"},
                         timeout=30)
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in plain.headers
    unzipped = json.loads(gzip.decompress(zipped.raw.read()))
    assert {**unzipped, "server_time": ""} == {**plain.json(), "server_time": ""}


def test_the_snapshot_needs_a_device_token(platform):
    assert platform.anonymous().get("/v1/snapshot").status_code == 401


def test_the_streamed_snapshot_is_the_same_state_in_parts(platform):
    _community, kiosk = _busy_community(platform)

    whole = _snapshot(kiosk)
    streamed = _snapshot(kiosk, streamed=True)

    assert {**streamed, "server_time": ""} == {**whole, "server_time": ""}
    zipped = requests.get(kiosk.base_url + "/v1/snapshot", timeout=30, stream=True,
                          headers={**kiosk.headers, **STREAMED, "Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    lines = gzip.decompress(zipped.raw.read()).decode().splitlines()
    assert {**_put_together([json.loads(line) for line in lines]), "server_time": ""} == \
        {**whole, "server_time": ""}


def test_the_two_big_kinds_come_in_parts_with_their_removals_last(platform, monkeypatch):
    """Elders and bookings are read and sent PART_ROWS at a time (here 5); a kind's removals
    come in its last part, less those there again since."""
    community, kiosk = _busy_community(platform)
    person = {"id": "elder-003", "card_no": "80000003", "name": "回来了", "phone": "",
              "address": "", "subsidy_level": "basic", "delivery_allowed": False,
              "home_visit_allowed": False, "dietary": [], "active": True}

    def remove_and_bring_back(conn) -> None:
        feed.append(conn, community, [feed.Change("elder", "elder-gone", None),
                                      feed.Change("elder", "elder-003", None)])
        catalogue.put_elders(conn, community, [person])
    platform.db.run_write(remove_and_bring_back)
    monkeypatch.setattr(made, "PART_ROWS", 5)

    with platform.db.read_consistent() as conn:
        parts = list(made.parts(conn, community, kiosk.kiosk_id))
        whole = made.snapshot(conn, community, kiosk.kiosk_id)

    elders = [part for part in parts[1:] if part["kind"] == "elder"]
    bookings = [part for part in parts[1:] if part["kind"] == "booking"]
    assert [len(part["rows"]) for part in elders] == [5, 5, 2, 0]  # 12 elders, then removals
    assert [part["deleted"] for part in elders] == [[], [], [], ["elder-gone"]]
    assert [len(part["rows"]) for part in bookings] == [5, 5, 1]
    timed = json.loads(json.dumps({**whole, "server_time": ""}))  # rows as lists
    assert _put_together([{**parts[0], "server_time": ""}, *parts[1:],
                          {"end": {"parts": len(parts) - 1}}]) == {**whole, "server_time": ""}
    assert {**_snapshot(kiosk), "server_time": ""} == timed


def test_kiosks_that_go_away_mid_stream_leave_nothing_held(platform):
    """More streams abandoned after their first line than the platform process has database
    connections: each one's transaction ends, so writes and later snapshots go on."""
    community, kiosk = _busy_community(platform)
    for _ in range(20):
        with requests.get(kiosk.base_url + "/v1/snapshot", timeout=30, stream=True,
                          headers={**kiosk.headers, **STREAMED}) as answer:
            assert answer.status_code == 200
            assert "cursor" in json.loads(next(answer.iter_lines()))
    slot = platform.slot(community, capacity=5)
    [result] = kiosk.push(booking_op("elder-010", slot))
    assert result["status"] == "applied"

    streamed = _snapshot(kiosk, streamed=True)

    assert result["data"]["booking_id"] in {
        row[0] for row in streamed["kinds"]["booking"]["rows"]}
