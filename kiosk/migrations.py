"""Forward-only schema migrations of the kiosk's local store; index + 1 is the schema version."""
from __future__ import annotations

MIGRATIONS: list[str] = [
    # 1: elders, meal slots, bookings and the outbox that sync drains.
    """
    CREATE TABLE subsidy_levels (
        level TEXT PRIMARY KEY,
        meal_subsidy_cents INTEGER NOT NULL CHECK (meal_subsidy_cents >= 0)
    );
    CREATE TABLE elders (
        id TEXT PRIMARY KEY,
        card_no TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        phone TEXT NOT NULL DEFAULT '',
        address TEXT NOT NULL DEFAULT '',
        subsidy_level TEXT NOT NULL DEFAULT 'none',
        delivery_allowed INTEGER NOT NULL DEFAULT 0,
        home_visit_allowed INTEGER NOT NULL DEFAULT 0,
        dietary TEXT NOT NULL DEFAULT '[]',
        active INTEGER NOT NULL DEFAULT 1,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE meal_slots (
        id TEXT PRIMARY KEY,
        day TEXT NOT NULL,
        meal TEXT NOT NULL CHECK (meal IN ('lunch', 'dinner')),
        cutoff TEXT NOT NULL,
        capacity INTEGER NOT NULL CHECK (capacity >= 0),
        price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
        menu TEXT NOT NULL DEFAULT '[]',
        UNIQUE (day, meal)
    );
    CREATE TABLE bookings (
        id TEXT PRIMARY KEY,
        number TEXT NOT NULL,
        elder_id TEXT NOT NULL REFERENCES elders(id),
        service TEXT NOT NULL,
        slot_id TEXT NOT NULL,
        mode TEXT NOT NULL DEFAULT '',
        price_cents INTEGER NOT NULL,
        subsidy_cents INTEGER NOT NULL,
        pay_cents INTEGER NOT NULL,
        status TEXT NOT NULL
            CHECK (status IN ('tentative', 'confirmed', 'rejected', 'cancelled', 'completed')),
        reason TEXT NOT NULL DEFAULT '',
        origin TEXT NOT NULL DEFAULT 'local',
        staff_id TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX bookings_elder ON bookings (elder_id, created_at);
    CREATE INDEX bookings_slot ON bookings (slot_id, status);
    -- One live booking per elder per slot: the duplicate rule, held by the database itself.
    CREATE UNIQUE INDEX bookings_one_live_per_slot ON bookings (elder_id, slot_id)
        WHERE status IN ('tentative', 'confirmed');
    CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        op_id TEXT NOT NULL UNIQUE,
        op_type TEXT NOT NULL,
        payload TEXT NOT NULL,
        priority INTEGER NOT NULL DEFAULT 0,
        state TEXT NOT NULL DEFAULT 'pending'
            CHECK (state IN ('pending', 'applied', 'rejected')),
        attempts INTEGER NOT NULL DEFAULT 0,
        result TEXT,
        created_at TEXT NOT NULL,
        done_at TEXT
    );
    CREATE INDEX outbox_pending ON outbox (state, priority DESC, seq);
    CREATE TABLE sync_state (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
]

LATEST = len(MIGRATIONS)
