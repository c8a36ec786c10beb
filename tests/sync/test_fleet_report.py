"""Every sync call tells the platform how the kiosk is (protocol §2.1): its version, what
waits in its outbox and since when, its clock; read from indexes, however long the outbox."""
from __future__ import annotations

import datetime as dt
from importlib import metadata

from sqlalchemy import select

from kiosk import outbox
from kiosk.help import HelpDesk
from kiosk.store import Store
from service_platform.schema import kiosks
from tests.platform.servers import wait_until


def platform_view(platform, kiosk_id: str) -> dict:
    with platform.db.read() as conn:
        return dict(conn.execute(select(kiosks).where(kiosks.c.id == kiosk_id)).mappings().one())


def reported(platform, kiosk_id: str, condition) -> dict:
    """The kiosk's record once it shows the report (written about a second after the call)."""
    def shown() -> dict | None:
        seen = platform_view(platform, kiosk_id)
        return seen if condition(seen) else None
    return wait_until(shown, 10, "the kiosk's report written")


def test_the_platform_sees_the_kiosks_version_unsent_work_and_clock(platform, make_kiosk):
    community = platform.community(elders=3)
    slot = platform.slot(community, capacity=10, days_ahead=3)  # beyond the lease window
    kiosk = make_kiosk(platform.url, platform.enrolment_code(community), lease_days=1)
    kiosk.sync_ok()
    kiosk_id = kiosk.store.get_state("kiosk_id")
    seen = reported(platform, kiosk_id, lambda seen: seen["last_seen_at"] is not None)
    assert seen["app_version"] == metadata.version("elder-kiosk")
    assert seen["outbox_pending"] == 0 and seen["outbox_oldest_at"] is None
    assert abs(seen["clock_skew_ms"]) < 5_000 and seen["last_seen_at"] is not None

    first = kiosk.book("elder-001", slot)
    kiosk.book("elder-002", slot)
    made = kiosk.store.query_one("SELECT created_at FROM outbox WHERE state = 'pending' "
                                 "ORDER BY seq LIMIT 1")["created_at"]
    kiosk.engine.client().me()  # any call with the token carries the report
    seen = reported(platform, kiosk_id, lambda seen: seen["outbox_pending"] != 0)
    assert seen["outbox_pending"] == 2
    assert dt.datetime.fromisoformat(seen["outbox_oldest_at"]) == \
        dt.datetime.fromisoformat(made)
    assert kiosk.booking(first.id).status == "tentative"

    kiosk.sync_ok()
    seen = reported(platform, kiosk_id, lambda seen: seen["outbox_pending"] != 2)
    assert seen["outbox_pending"] == 0 and seen["outbox_oldest_at"] is None


def test_the_outbox_figures_come_from_indexes_and_the_first_made_is_the_oldest(tmp_path,
                                                                               clock):
    store = Store(tmp_path / "kiosk.sqlite3")
    rows = [(f"op-{n}", "{}", "2026-11-01T08:00:00+08:00") for n in range(20_000)]
    with store.transaction() as conn:
        conn.executemany("INSERT INTO outbox (op_id, op_type, payload, state, created_at) "
                         "VALUES (?, 'booking.create', ?, 'applied', ?)", rows)
        outbox.enqueue(conn, "booking.create", {}, "2026-11-24T08:00:00+08:00")
    HelpDesk(store, clock).ask("elder-0001")  # urgent, goes first, but was made later
    assert outbox.unsent(store.conn) == (2, "2026-11-24T08:00:00+08:00")

    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    outbox.unsent(store.conn)
    store.conn.set_trace_callback(None)
    assert len(statements) == 2
    for statement in statements:
        plan = " / ".join(r["detail"] for r in store.conn.execute(
            "EXPLAIN QUERY PLAN " + statement))
        assert "INDEX outbox_" in plan and "TEMP B-TREE" not in plan, plan
    with store.transaction() as conn:
        conn.execute("UPDATE outbox SET state = 'applied'")
    assert outbox.unsent(store.conn) == (0, None)
    store.close()
