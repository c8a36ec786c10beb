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
    # 2: capacity leases lent by the platform, the lease a booking was confirmed under, the
    # platform's kiosk id of pulled bookings, and quarantined ('failed') outbox operations.
    """
    CREATE TABLE leases (
        lease_id TEXT PRIMARY KEY,
        slot_id TEXT NOT NULL,
        places INTEGER NOT NULL CHECK (places >= 0),
        uses INTEGER NOT NULL DEFAULT 0,
        -- active: usable; returning: the kiosk stopped using it and is giving it back;
        -- returned / expired: done with
        state TEXT NOT NULL,
        used INTEGER,
        granted_at TEXT NOT NULL DEFAULT '',
        expires_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX leases_slot ON leases (slot_id, state);
    ALTER TABLE bookings ADD COLUMN lease_id TEXT;
    ALTER TABLE bookings ADD COLUMN kiosk_id TEXT;
    CREATE INDEX bookings_lease ON bookings (lease_id);
    -- Another kiosk's booking may arrive by pull while this kiosk's tentative duplicate still
    -- waits for its 'duplicate' answer, so the database rule now covers this kiosk's own bookings.
    DROP INDEX bookings_one_live_per_slot;
    CREATE UNIQUE INDEX bookings_one_live_per_slot ON bookings (elder_id, slot_id)
        WHERE status IN ('tentative', 'confirmed') AND origin = 'local';
    CREATE TABLE outbox_v2 (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        op_id TEXT NOT NULL UNIQUE,
        op_type TEXT NOT NULL,
        payload TEXT NOT NULL,
        priority INTEGER NOT NULL DEFAULT 0,
        state TEXT NOT NULL DEFAULT 'pending'
            CHECK (state IN ('pending', 'applied', 'rejected', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        result TEXT,
        created_at TEXT NOT NULL,
        done_at TEXT
    );
    INSERT INTO outbox_v2 (seq, op_id, op_type, payload, priority, state, attempts, result,
                           created_at, done_at)
        SELECT seq, op_id, op_type, payload, priority, state, attempts, result, created_at, done_at
        FROM outbox;
    DROP TABLE outbox;
    ALTER TABLE outbox_v2 RENAME TO outbox;
    CREATE INDEX outbox_pending ON outbox (state, priority DESC, seq);
    """,
]

LATEST = len(MIGRATIONS)
