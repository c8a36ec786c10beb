"""Pull: the community's changes since the saved cursor, each page applied with its cursor."""
from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from elder_wire import collector
from elder_wire.codes import LIVE, sql_list
from kiosk import catalogue, name_initials
from kiosk.bookings import booking_number, mark_moved_up
from kiosk.clock import Clock
from kiosk.leases import DONE_STATES
from kiosk.services import provider_row
from kiosk.slots import meal_slot_row, service_slot_row
from kiosk.staff import upsert_staff
from kiosk.store import Store
from kiosk.sync import errors, snapshot
from kiosk.sync.client import PlatformClient
from kiosk.sync.columns import Columns, ObjectColumns

log = logging.getLogger(__name__)

CURSOR_KEY = "pull_cursor"
HORIZON_KEY = "pull_horizon"  # the feed's horizon (§5.1) as the platform told it with the cursor
PAGE_LIMIT = 1000
JOIN_CACHE_KIB = 64 * 1024
BULK_TABLES = ("elders", "bookings")  # nearly all of a community's state
# Applied in this order within a page so a booking never arrives before its elder.
KINDS = ("service", "subsidy_level", "elder", "provider", "meal_slot", "service_slot", "booking",
         "attendance", "lease", "rating", "provider_rating", "complaint", "help_request", "staff")


@dataclass
class PullReport:
    changes: int = 0
    pages: int = 0
    cursor: int = 0
    restarted: bool = False  # pulled again from 0: the cursor was below the horizon
    snapshot: bool = False  # started from the community's current state (§5.2)


def _horizon(answer: dict) -> int:
    """The feed's horizon (§5.1); 0 from a platform that does not compact."""
    horizon = answer.get("horizon", 0) if isinstance(answer, dict) else 0
    return horizon if isinstance(horizon, int) and not isinstance(horizon, bool) else 0


def cursor(store: Store) -> int:
    return int(store.get_state(CURSOR_KEY, "0"))


def pull_all(store: Store, client: PlatformClient, clock: Clock,
             page_limit: int = PAGE_LIMIT) -> PullReport:
    """Pull until the platform says there is no more; stops anywhere, resumes from the cursor.
    A kiosk with nothing pulled yet starts from the community's current state (§5.2)."""
    report = PullReport(cursor=cursor(store))
    known = int(store.get_state(HORIZON_KEY, "0"))  # the horizon when the cursor was saved
    if report.cursor == 0:
        known = _join(store, client, clock, report, known)
    while True:
        answer = client.changes(report.cursor, page_limit)
        horizon = _horizon(answer)
        if 0 < report.cursor < horizon and horizon > known:
            # The platform compacted its feed past our cursor since we saved it (protocol
            # §5.1): take the community's current state again, as upserts.
            log.info("cursor %d is below the feed's new horizon %d: joining again",
                     report.cursor, horizon)
            report.cursor, report.restarted = 0, True
            known = _join(store, client, clock, report, horizon)
            continue
        changes, next_cursor, more = check_page(answer, report.cursor)
        try:
            apply_page(store, clock, changes, next_cursor, horizon)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise errors.PlatformAnswerInvalid(f"changes: {type(exc).__name__}") from exc
        report.changes += len(changes)
        report.pages += 1
        report.cursor = next_cursor
        if not more:
            return report


def _join(store: Store, client: PlatformClient, clock: Clock, report: PullReport,
          known: int) -> int:
    """Apply the community's current state and its cursor when the platform has it (§5.2);
    from a platform without it the feed is pulled from 0 instead. The horizon now known."""
    if not store.conn.execute("SELECT 1 FROM elders LIMIT 1").fetchone():
        name_initials.load_soon()  # the elders' initials are needed once the first part is in
    with collector.paused(), snapshot.fetch(client) as taken:  # a few million objects, no cycle
        if taken is None:
            return known
        _apply_snapshot(store, taken, clock.now().isoformat(timespec="seconds"))
    report.changes += taken.count
    report.cursor = taken.cursor
    report.snapshot = True
    return taken.horizon


def _apply_snapshot(store: Store, taken: snapshot.Snapshot, stamp: str) -> None:
    """All of it and its cursor in one transaction, or nothing (an answer cut short undoes
    what came before). A new kiosk applies each part as it comes; a kiosk in use takes all of
    them first, so its store is not held for writing while the network is slow."""
    try:
        parts = taken.parts()
        if not _bulk_tables_empty(store.conn):
            parts = iter(list(parts))
        with _settings_for_join(store.conn), store.transaction() as conn, \
                _indexes_built_after(conn, BULK_TABLES) as empty:
            for part in parts:
                if part.kind in APPLY:
                    _apply_snapshot_part(store, conn, part, empty, stamp)
            store.set_state(CURSOR_KEY, str(taken.cursor))
            store.set_state(HORIZON_KEY, str(taken.horizon))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise errors.PlatformAnswerInvalid(f"snapshot: {type(exc).__name__}") from exc
    except sqlite3.IntegrityError as exc:  # e.g. a booking of an elder not (yet) in it
        raise errors.PlatformAnswerInvalid("snapshot: IntegrityError") from exc


def _bulk_tables_empty(conn: sqlite3.Connection) -> bool:
    return all(conn.execute(f'SELECT 1 FROM "{table}" LIMIT 1').fetchone() is None
               for table in BULK_TABLES)


def check_page(answer: dict, since: int) -> tuple[list[dict], int, bool]:
    changes, next_cursor, more = answer.get("changes"), answer.get("next"), answer.get("more")
    if not isinstance(changes, list) or not isinstance(next_cursor, int) \
            or not isinstance(more, bool) or next_cursor < since:
        raise errors.PlatformAnswerInvalid("changes: not a page")
    last = since
    for change in changes:
        if not isinstance(change, dict) or not isinstance(change.get("seq"), int) \
                or change["seq"] <= last or change.get("op") not in ("upsert", "delete") \
                or not isinstance(change.get("id"), str):
            raise errors.PlatformAnswerInvalid("changes: a change is malformed")
        if change["op"] == "upsert" and not isinstance(change.get("data"), dict):
            raise errors.PlatformAnswerInvalid("changes: an upsert without data")
        last = change["seq"]
    if more and not changes:
        raise errors.PlatformAnswerInvalid("changes: more promised on an empty page")
    return changes, next_cursor, more


@contextlib.contextmanager
def _settings_for_join(conn: sqlite3.Connection) -> Iterator[None]:
    """For applying a community's state in one transaction: SQLite's page cache large enough
    for it (its default, 2 MB, spills pages to the log over and over); what each part's
    savepoint keeps to undo it in memory, not in a temporary file that reaches the disk
    (`temp_store`: 4–5 MB a join besides the 80 MB of the log and the file); and its commit
    not waiting for the disk (`synchronous=NORMAL`: in WAL mode a power cut may undo the whole
    transaction, cursor and all, never part of it, and nothing of the outbox is in it; the
    next sync takes the snapshot again). Then all three as they were."""
    settings = {name: conn.execute(f"PRAGMA {name}").fetchone()[0]
                for name in ("cache_size", "temp_store", "synchronous")}
    conn.execute(f"PRAGMA cache_size = -{JOIN_CACHE_KIB}")
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("PRAGMA synchronous = NORMAL")
    try:
        yield
    finally:
        for name, value in settings.items():
            conn.execute(f"PRAGMA {name} = {int(value)}")


@contextlib.contextmanager
def _indexes_built_after(conn: sqlite3.Connection,
                         tables: tuple[str, ...]) -> Iterator[frozenset[str]]:
    """Rows written into an empty table go in faster with its indexes made after them (sorted
    once, not kept in order row by row): an empty table's own indexes are dropped, and made
    again at the end, in the caller's transaction (on an error it undoes the drop too). The
    primary keys and UNIQUE columns (SQLite's own indexes) stay, and so do their checks; so do
    partial indexes, which hold few of the rows (making one again would read them all).
    Yields the tables that were empty."""
    empty = [table for table in tables
             if conn.execute(f'SELECT 1 FROM "{table}" LIMIT 1').fetchone() is None]
    made = conn.execute(
        "SELECT m.name, m.sql FROM sqlite_master AS m, pragma_index_list(m.tbl_name) AS i "
        "WHERE m.type = 'index' AND m.sql IS NOT NULL AND i.name = m.name AND NOT i.partial "
        f"AND m.tbl_name IN ({', '.join('?' * len(empty))})", empty).fetchall() if empty else []
    for name, _sql in made:
        conn.execute(f'DROP INDEX "{name}"')
    yield frozenset(empty)
    for _name, sql in made:
        conn.execute(sql)


def apply_page(store: Store, clock: Clock, changes: list[dict], next_cursor: int,
               horizon: int | None = None) -> None:
    """Upsert the page's entities and save the cursor (and the feed's horizon, when the
    platform told it) in one transaction."""
    latest: dict[str, dict[str, dict]] = {kind: {} for kind in KINDS}
    for change in changes:  # the last change of an entity is its current state
        if change.get("kind") in latest:
            latest[change["kind"]][change["id"]] = change  # unknown kinds are ignored (§8)
    stamp = clock.now().isoformat(timespec="seconds")
    with store.transaction() as conn:
        _apply_kinds(store, conn, {kind: list(items.values()) for kind, items in latest.items()},
                     stamp)
        store.set_state(CURSOR_KEY, str(next_cursor))
        if horizon is not None:
            store.set_state(HORIZON_KEY, str(horizon))


def _apply_snapshot_part(store: Store, conn: sqlite3.Connection, part: snapshot.Part,
                         empty: frozenset[str], stamp: str) -> None:
    """One part of the snapshot: elders and bookings straight from its columns (plain INSERTs
    into a table empty before the snapshot), every other kind as the changes a pull
    applies."""
    if part.kind == "elder":
        _save_elders(store, conn, part.upserts(), part.deleted, stamp, "elders" in empty)
    elif part.kind == "booking":
        _save_bookings(store, conn, part.upserts(), part.deleted, "bookings" in empty)
    else:
        APPLY[part.kind](store, conn, part.changes(), stamp)


def _apply_kinds(store: Store, conn: sqlite3.Connection, by_kind: dict[str, list[dict]],
                 stamp: str) -> None:
    """Each kind's changes (one per entity), kinds in the order of KINDS."""
    for kind in KINDS:
        items = by_kind.get(kind)
        if items:
            APPLY[kind](store, conn, items, stamp)


def _split(items: list[dict]) -> tuple[list[dict], list[str]]:
    upserts = [c["data"] for c in items if c["op"] == "upsert"]
    deletes = [c["id"] for c in items if c["op"] == "delete"]
    return upserts, deletes


def _subsidy_levels(store: Store, conn: sqlite3.Connection, items: list[dict], _stamp: str):
    upserts, deletes = _split(items)
    store.db["subsidy_levels"].upsert_all(
        ({"level": d["level"], "meal_subsidy_cents": int(d["meal_subsidy_cents"])}
         for d in upserts), pk="level")
    conn.executemany("DELETE FROM subsidy_levels WHERE level = ?", [(i,) for i in deletes])


ELDER_COLUMNS = ("id", "card_no", "name", "initials", "phone", "address", "subsidy_level",
                 "delivery_allowed", "home_visit_allowed", "dietary", "active", "updated_at",
                 "mobility", "emergency_name", "emergency_phone", "notify_family")
ELDER_INSERT = (f"INSERT INTO elders ({', '.join(ELDER_COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(ELDER_COLUMNS))})")
ELDER_UPSERT = (ELDER_INSERT + " ON CONFLICT (id) DO UPDATE SET "
                + ", ".join(f"{c} = excluded.{c}" for c in ELDER_COLUMNS[1:]))
# A card given to another elder: whoever holds it here lets it go (a placeholder no card reader
# can scan) until its own change brings its new number, later in the feed.
FREE_CARD = "UPDATE elders SET card_no = '#' || id WHERE card_no = ? AND id <> ?"


def _elders(store: Store, conn: sqlite3.Connection, items: list[dict], stamp: str):
    upserts, deletes = _split(items)
    _save_elders(store, conn, ObjectColumns(upserts), deletes, stamp, into_empty=False)


def _save_elders(store: Store, conn: sqlite3.Connection, upserts: Columns, deletes: list[str],
                 stamp: str, into_empty: bool) -> None:
    """Into an empty table the rows are plain INSERTs (one card twice in them: as below)."""
    rows = _elder_rows(upserts, stamp)
    if into_empty:
        try:
            with store.transaction():
                conn.executemany(ELDER_INSERT, rows)
            rows = []
        except sqlite3.IntegrityError:
            pass
    conn.executemany(FREE_CARD, [(row[1], row[0]) for row in rows])
    try:
        with store.transaction():
            conn.executemany(ELDER_UPSERT, rows)
    except sqlite3.IntegrityError:  # one card twice in the page: the later one holds it
        for row in rows:
            conn.execute(FREE_CARD, (row[1], row[0]))
            conn.execute(ELDER_UPSERT, row)
    # Bookings still refer to a removed elder: the elder can no longer sign in.
    conn.executemany("UPDATE elders SET active = 0, updated_at = ? WHERE id = ?",
                     [(stamp, i) for i in deletes])


def _elder_rows(data: Columns, stamp: str) -> list[tuple]:
    """The rows of ELDER_COLUMNS, built a column at a time."""
    names = data["name"]
    contacts = [contact or {} for contact in data.get("emergency_contact")]
    return list(zip(
        data["id"], data["card_no"], names, [name_initials.column(name) for name in names],
        _text(data.get("phone")), _text(data.get("address")),
        [level or "none" for level in data.get("subsidy_level")],
        _flags(data.get("delivery_allowed")), _flags(data.get("home_visit_allowed")),
        [json.dumps(list(diet), ensure_ascii=False) if diet else "[]"
         for diet in data.get("dietary")],
        _flags(data.get("active", True)), (stamp,) * data.count,
        data.get("mobility"), [contact.get("name") or "" for contact in contacts],
        [contact.get("phone") or "" for contact in contacts], _flags(data.get("notify_family")),
        strict=True))


def _text(values: Sequence) -> list[str]:
    return [value or "" for value in values]


def _flags(values: Sequence) -> list[int]:
    return [1 if value else 0 for value in values]


def _services(_store: Store, conn: sqlite3.Connection, items: list[dict], stamp: str):
    upserts, deletes = _split(items)
    catalogue.save(conn, upserts, deletes, stamp)


def _meal_slots(store: Store, conn: sqlite3.Connection, items: list[dict], _stamp: str):
    upserts, deletes = _split(items)
    _save_slots(store, conn, [meal_slot_row(d) for d in upserts], deletes)


def _service_slots(store: Store, conn: sqlite3.Connection, items: list[dict], _stamp: str):
    upserts, deletes = _split(items)
    _save_slots(store, conn, [service_slot_row(d) for d in upserts], deletes)


def _save_slots(store: Store, conn: sqlite3.Connection, rows: list[dict],
                deletes: list[str]) -> None:
    """Slots of every service in one table; a removed slot someone booked stays for them."""
    store.db["slots"].upsert_all(rows, pk="id")
    conn.executemany("DELETE FROM slots WHERE id = ? AND NOT EXISTS "
                     "(SELECT 1 FROM bookings WHERE slot_id = slots.id)",
                     [(i,) for i in deletes])



BOOKING_COLUMNS = ("id", "number", "elder_id", "service", "slot_id", "mode", "price_cents",
                   "subsidy_cents", "pay_cents", "status", "origin", "staff_id", "created_at",
                   "updated_at", "lease_id", "kiosk_id", "kind", "needs", "department", "units",
                   "provider_id", "waitlist_position")
BOOKING_ID, BOOKING_STATUS = BOOKING_COLUMNS.index("id"), BOOKING_COLUMNS.index("status")
BOOKING_INSERT = (f"INSERT INTO bookings ({', '.join(BOOKING_COLUMNS)}) "
                  f"VALUES ({', '.join('?' * len(BOOKING_COLUMNS))})")
BOOKING_UPSERT = BOOKING_INSERT + """
ON CONFLICT (id) DO UPDATE SET
    -- a cancellation made here and still on its way is not undone by an older confirmation
    status = CASE WHEN bookings.status = 'cancelled'
                       AND excluded.status IN ('confirmed', 'waitlisted')
                  THEN bookings.status ELSE excluded.status END,
    reason = CASE WHEN bookings.status = 'cancelled'
                       AND excluded.status IN ('confirmed', 'waitlisted')
                  THEN bookings.reason ELSE '' END,
    updated_at = excluded.updated_at,
    -- what the platform keeps (the same as sent, or the place another kiosk booked first)
    mode = excluded.mode, price_cents = excluded.price_cents,
    subsidy_cents = excluded.subsidy_cents, pay_cents = excluded.pay_cents,
    staff_id = excluded.staff_id, kind = excluded.kind, needs = excluded.needs,
    department = excluded.department,
    lease_id = COALESCE(bookings.lease_id, excluded.lease_id),
    kiosk_id = excluded.kiosk_id,
    units = excluded.units,
    provider_id = COALESCE(excluded.provider_id, bookings.provider_id),
    waitlist_position = excluded.waitlist_position
"""


def _bookings(store: Store, conn: sqlite3.Connection, items: list[dict], _stamp: str):
    upserts, deletes = _split(items)
    _save_bookings(store, conn, ObjectColumns(upserts), deletes, into_empty=False)


def _save_bookings(store: Store, conn: sqlite3.Connection, upserts: Columns,
                   deletes: list[str], into_empty: bool) -> None:
    """Into an empty table the rows are plain INSERTs: nothing there to keep or to tell."""
    rows = _booking_rows(upserts)
    if into_empty:
        try:
            with store.transaction():
                conn.executemany(BOOKING_INSERT, rows)
            rows = []
        except sqlite3.IntegrityError:  # one booking twice in them: as below
            pass
    mark_moved_up(conn, [row[BOOKING_ID] for row in rows if row[BOOKING_STATUS] == "confirmed"])
    try:
        with store.transaction():
            conn.executemany(BOOKING_UPSERT, rows)
    except sqlite3.IntegrityError:
        for row in rows:  # rare: find the one clashing with a live booking made here
            _upsert_one_booking(store, conn, row)
    conn.executemany(f"UPDATE bookings SET status = 'cancelled' WHERE id = ? "
                     f"AND status IN {sql_list(LIVE)}", [(i,) for i in deletes])


def _upsert_one_booking(store: Store, conn: sqlite3.Connection, row: tuple) -> None:
    try:
        with store.transaction():
            conn.execute(BOOKING_UPSERT, row)
    except sqlite3.IntegrityError:
        # This kiosk holds another live booking of the elder for the slot, which the platform
        # will answer 'duplicate'; keep the platform's one as a booking made elsewhere.
        log.warning("booking %s clashes with a local booking; kept as remote", row[BOOKING_ID])
        conn.execute("UPDATE bookings SET origin = 'remote' WHERE id = ?", (row[BOOKING_ID],))
        with store.transaction():
            conn.execute(BOOKING_UPSERT, row)


def _booking_rows(data: Columns) -> list[tuple]:
    """The rows of BOOKING_COLUMNS, built a column at a time. Services other than meals may
    carry no price or mode (protocol §5)."""
    ids, created = data["id"], data["created_at"]
    prices = [int(price or 0) for price in data.get("price_cents")]
    subsidies = [int(subsidy or 0) for subsidy in data.get("subsidy_cents")]
    return list(zip(
        ids, [booking_number(booking_id) for booking_id in ids], data["elder_id"],
        [service or "meal" for service in data.get("service")], data["slot_id"],
        _text(data.get("mode")), prices, subsidies,
        [max(0, price - subsidy) for price, subsidy in zip(prices, subsidies, strict=True)],
        data["status"], ("remote",) * data.count, data.get("staff_id"), created,
        [updated or made for updated, made in zip(data.get("updated_at"), created,
                                                   strict=True)],
        data.get("lease_id"), data.get("kiosk_id"), _text(data.get("kind")),
        [_needs(needs) for needs in data.get("needs")], _text(data.get("department")),
        [int(units or 1) for units in data.get("units")], data.get("provider_id"),
        [position if isinstance(position, int) else None
         for position in data.get("waitlist_position")],
        strict=True))


def _needs(needs: list | None) -> str:
    return json.dumps(list(needs)) if needs else "[]"


LEASE_UPSERT = f"""
INSERT INTO leases (lease_id, slot_id, places, uses, state, used, granted_at, expires_at,
                    updated_at)
VALUES (:lease_id, :slot_id, :places, :uses, :state, :used, :granted_at, :expires_at, :stamp)
ON CONFLICT (lease_id) DO UPDATE SET
    places = excluded.places, uses = excluded.uses, expires_at = excluded.expires_at,
    used = COALESCE(excluded.used, leases.used), updated_at = excluded.updated_at,
    -- once this kiosk stopped using a lease, an older 'active' never revives it
    state = CASE WHEN excluded.state = 'active' AND leases.state IN {DONE_STATES}
                 THEN leases.state ELSE excluded.state END
"""


def upsert_leases(conn: sqlite3.Connection, leases: list[dict], stamp: str) -> None:
    conn.executemany(LEASE_UPSERT, [_lease_row(d, stamp) for d in leases])


def _lease_row(data: dict, stamp: str) -> dict:
    state = data.get("state") if data.get("state") in ("active", "returned", "expired") \
        else "expired"
    return {"lease_id": str(data["lease_id"]).lower(), "slot_id": data["slot_id"],
            "places": int(data["places"]), "uses": int(data.get("uses") or 0), "state": state,
            "used": data.get("used"), "granted_at": data.get("granted_at") or "",
            "expires_at": data["expires_at"], "stamp": stamp}


def _staff(_store: Store, conn: sqlite3.Connection, items: list[dict], stamp: str):
    upserts, deletes = _split(items)
    upsert_staff(conn, upserts, stamp)
    conn.executemany("UPDATE staff SET active = 0 WHERE id = ?", [(i,) for i in deletes])


def _leases(_store: Store, conn: sqlite3.Connection, items: list[dict], stamp: str):
    upserts, deletes = _split(items)
    upsert_leases(conn, upserts, stamp)
    conn.executemany("UPDATE leases SET state = 'expired' WHERE lease_id = ?",
                     [(i,) for i in deletes])


def _providers(store: Store, conn: sqlite3.Connection, items: list[dict], stamp: str):
    upserts, deletes = _split(items)
    store.db["providers"].upsert_all((provider_row(d, stamp) for d in upserts), pk="id")
    conn.executemany("UPDATE providers SET active = 0 WHERE id = ?", [(i,) for i in deletes])


RATING_UPSERT = """
INSERT INTO ratings (id, booking_id, elder_id, provider_id, score, reasons, staff_id, origin,
                     created_at)
VALUES (:id, :booking_id, :elder_id, :provider_id, :score, :reasons, :staff_id, 'remote',
        :created_at)
ON CONFLICT (id) DO UPDATE SET
    score = excluded.score, reasons = excluded.reasons, provider_id = excluded.provider_id
"""


def _ratings(_store: Store, conn: sqlite3.Connection, items: list[dict], _stamp: str):
    upserts, _deletes = _split(items)
    # The platform keeps one rating per booking: its rating is the booking's rating here too,
    # in place of one made here that lost (another kiosk's reached it first).
    conn.executemany("DELETE FROM ratings WHERE booking_id = ? AND id <> ?",
                     [(d["booking_id"], d["id"]) for d in upserts])
    conn.executemany(RATING_UPSERT, [
        {"id": d["id"], "booking_id": d["booking_id"], "elder_id": d["elder_id"],
         "provider_id": d.get("provider_id"), "score": d["score"],
         "reasons": json.dumps(list(d.get("reasons") or [])), "staff_id": d.get("staff_id"),
         "created_at": d["created_at"]} for d in upserts])
    # A rating made at another kiosk means this one must not ask again.
    conn.executemany("UPDATE bookings SET rating_asked = 1 WHERE id = ?",
                     [(d["booking_id"],) for d in upserts])


def _provider_ratings(store: Store, conn: sqlite3.Connection, items: list[dict], _stamp: str):
    upserts, deletes = _split(items)
    store.db["provider_ratings"].upsert_all((
        {"provider_id": d["provider_id"], "satisfied": int(d.get("satisfied") or 0),
         "neutral": int(d.get("neutral") or 0), "unsatisfied": int(d.get("unsatisfied") or 0),
         "total": int(d.get("total") or 0),
         "reasons": json.dumps(d.get("reasons") or {}, ensure_ascii=False)}
        for d in upserts), pk="provider_id")
    conn.executemany("DELETE FROM provider_ratings WHERE provider_id = ?",
                     [(i,) for i in deletes])


COMPLAINT_UPSERT = """
INSERT INTO complaints (id, booking_id, elder_id, provider_id, reasons, state, staff_id, origin,
                        created_at, about, call_back, note, resolution, resolved_at, answer,
                        answered_at)
VALUES (:id, :booking_id, :elder_id, :provider_id, :reasons, :state, :staff_id, 'remote',
        :created_at, :about, :call_back, :note, :resolution, :resolved_at, :answer,
        :answered_at)
ON CONFLICT (id) DO UPDATE SET
    state = excluded.state,
    provider_id = excluded.provider_id,
    about = COALESCE(excluded.about, complaints.about),
    call_back = excluded.call_back,
    note = COALESCE(excluded.note, complaints.note),
    -- an answer written anew (the complaint was reopened) is shown to her again
    shown_at = CASE WHEN excluded.resolution IS NOT NULL AND complaints.answer IS NULL
                         AND excluded.resolution IS NOT complaints.resolution
                    THEN NULL ELSE complaints.shown_at END,
    resolution = COALESCE(excluded.resolution, complaints.resolution),
    resolved_at = COALESCE(excluded.resolved_at, complaints.resolved_at),
    -- her answer given here and still on its way is not undone by an older page
    answer = COALESCE(complaints.answer, excluded.answer),
    answered_at = COALESCE(complaints.answered_at, excluded.answered_at)
"""


def _complaints(_store: Store, conn: sqlite3.Connection, items: list[dict], _stamp: str):
    upserts, _deletes = _split(items)
    conn.executemany(COMPLAINT_UPSERT, [_complaint_row(d) for d in upserts])


def _complaint_row(d: dict) -> dict:
    answer = d.get("answer")
    return {"id": d["id"], "booking_id": d.get("booking_id"), "elder_id": d["elder_id"],
            "provider_id": d.get("provider_id"),
            "reasons": json.dumps(list(d.get("reasons") or [])),
            "state": d.get("state") or "open", "staff_id": d.get("staff_id"),
            "created_at": d["created_at"], "about": d.get("about"),
            "call_back": int(bool(d.get("call_back"))), "note": d.get("note"),
            "resolution": d.get("resolution") or None, "resolved_at": d.get("resolved_at"),
            "answer": answer if answer in ("satisfied", "neutral", "unsatisfied") else None,
            "answered_at": d.get("answered_at")}


HELP_UPSERT = """
INSERT INTO help_requests (id, elder_id, kind, state, staff_id, origin, kiosk_id, created_at,
                           acknowledged_by, acknowledged_at, resolved_by, resolved_at,
                           acknowledged_by_name, resolved_by_name, resolution_note, escalated_at)
VALUES (:id, :elder_id, :kind, :state, :staff_id, 'remote', :kiosk_id, :created_at,
        :acknowledged_by, :acknowledged_at, :resolved_by, :resolved_at,
        :acknowledged_by_name, :resolved_by_name, :resolution_note, :escalated_at)
ON CONFLICT (id) DO UPDATE SET
    -- states only move forward: a local acknowledgement still on its way is not undone
    state = CASE WHEN excluded.state = 'resolved' OR help_requests.state = 'open'
                 THEN excluded.state ELSE help_requests.state END,
    kiosk_id = excluded.kiosk_id,
    acknowledged_by = COALESCE(excluded.acknowledged_by, help_requests.acknowledged_by),
    acknowledged_at = COALESCE(excluded.acknowledged_at, help_requests.acknowledged_at),
    resolved_by = COALESCE(excluded.resolved_by, help_requests.resolved_by),
    resolved_at = COALESCE(excluded.resolved_at, help_requests.resolved_at),
    -- the console's side (protocol §5): an operator's name, the note, when it was escalated
    acknowledged_by_name = COALESCE(excluded.acknowledged_by_name,
                                    help_requests.acknowledged_by_name),
    resolved_by_name = COALESCE(excluded.resolved_by_name, help_requests.resolved_by_name),
    resolution_note = COALESCE(excluded.resolution_note, help_requests.resolution_note),
    escalated_at = COALESCE(excluded.escalated_at, help_requests.escalated_at)
"""


def _help_requests(_store: Store, conn: sqlite3.Connection, items: list[dict], _stamp: str):
    upserts, _deletes = _split(items)
    names = ("elder_id", "staff_id", "kiosk_id", "acknowledged_by", "acknowledged_at",
             "resolved_by", "resolved_at", "acknowledged_by_name", "resolved_by_name",
             "resolution_note", "escalated_at")
    conn.executemany(HELP_UPSERT, [
        {"id": d["id"], "kind": d.get("kind") or "urgent",
         "state": d.get("state") if d.get("state") in ("open", "acknowledged", "resolved")
         else "open", "created_at": d["created_at"], **{n: d.get(n) for n in names}}
        for d in upserts])


def _attendance(_store: Store, conn: sqlite3.Connection, items: list[dict], _stamp: str):
    upserts, _deletes = _split(items)
    # One record per elder and session: the platform's replaces one made here.
    conn.executemany("DELETE FROM attendance WHERE slot_id = ? AND elder_id = ? AND id <> ?",
                     [(d["slot_id"], d["elder_id"], d["id"]) for d in upserts])
    conn.executemany(
        "INSERT INTO attendance (id, slot_id, elder_id, booking_id, staff_id, kiosk_id, origin, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, 'remote', ?) ON CONFLICT (id) DO UPDATE SET "
        "booking_id = excluded.booking_id, kiosk_id = excluded.kiosk_id",
        [(d["id"], d["slot_id"], d["elder_id"], d.get("booking_id"), d.get("staff_id"),
          d.get("kiosk_id"), d["created_at"]) for d in upserts])


APPLY: dict[str, Callable[[Store, sqlite3.Connection, list[dict], str], None]] = {
    "service": _services, "attendance": _attendance,
    "subsidy_level": _subsidy_levels, "elder": _elders, "meal_slot": _meal_slots,
    "booking": _bookings, "lease": _leases, "staff": _staff, "provider": _providers,
    "service_slot": _service_slots, "rating": _ratings, "provider_rating": _provider_ratings,
    "complaint": _complaints, "help_request": _help_requests,
}
