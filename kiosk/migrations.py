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
    # 3: services beyond meals (protocol §10): providers, cleaning/clinic/home-visit/health-check
    # slots, what a booking of them carries, ratings (one per booking), complaints, help requests.
    """
    CREATE TABLE providers (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        services TEXT NOT NULL DEFAULT '[]',
        teams INTEGER,
        kinds TEXT NOT NULL DEFAULT '{}',
        subsidy_cents TEXT NOT NULL DEFAULT '{}',
        needs TEXT NOT NULL DEFAULT '[]',
        departments TEXT NOT NULL DEFAULT '{}',
        active INTEGER NOT NULL DEFAULT 1,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE service_slots (
        id TEXT PRIMARY KEY,
        service TEXT NOT NULL
            CHECK (service IN ('cleaning', 'clinic', 'home_visit', 'health_check')),
        provider_id TEXT NOT NULL,
        day TEXT NOT NULL,
        -- the feed's window (am/pm), start and end, renamed off SQL keywords
        day_part TEXT NOT NULL DEFAULT '',
        department TEXT NOT NULL DEFAULT '',
        doctor TEXT NOT NULL DEFAULT '',
        starts_at TEXT NOT NULL,
        ends_at TEXT NOT NULL,
        cutoff TEXT NOT NULL,
        capacity INTEGER NOT NULL CHECK (capacity >= 0),
        price_cents INTEGER
    );
    CREATE INDEX service_slots_day ON service_slots (service, day, department, starts_at);
    ALTER TABLE bookings ADD COLUMN kind TEXT NOT NULL DEFAULT '';
    ALTER TABLE bookings ADD COLUMN needs TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE bookings ADD COLUMN department TEXT NOT NULL DEFAULT '';
    ALTER TABLE bookings ADD COLUMN units INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE bookings ADD COLUMN provider_id TEXT;
    -- set when the elder was asked to rate a done booking, so the question comes only once
    ALTER TABLE bookings ADD COLUMN rating_asked INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE ratings (
        id TEXT PRIMARY KEY,
        booking_id TEXT NOT NULL UNIQUE,
        elder_id TEXT NOT NULL,
        provider_id TEXT,
        score TEXT NOT NULL CHECK (score IN ('satisfied', 'neutral', 'unsatisfied')),
        reasons TEXT NOT NULL DEFAULT '[]',
        staff_id TEXT,
        origin TEXT NOT NULL DEFAULT 'local',
        created_at TEXT NOT NULL
    );
    CREATE TABLE provider_ratings (
        provider_id TEXT PRIMARY KEY,
        satisfied INTEGER NOT NULL DEFAULT 0,
        neutral INTEGER NOT NULL DEFAULT 0,
        unsatisfied INTEGER NOT NULL DEFAULT 0,
        total INTEGER NOT NULL DEFAULT 0,
        reasons TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TABLE complaints (
        id TEXT PRIMARY KEY,
        booking_id TEXT,
        elder_id TEXT NOT NULL,
        provider_id TEXT,
        reasons TEXT NOT NULL DEFAULT '[]',
        state TEXT NOT NULL DEFAULT 'open',
        staff_id TEXT,
        origin TEXT NOT NULL DEFAULT 'local',
        created_at TEXT NOT NULL
    );
    CREATE INDEX complaints_state ON complaints (state, created_at);
    CREATE TABLE help_requests (
        id TEXT PRIMARY KEY,
        elder_id TEXT,
        kind TEXT NOT NULL DEFAULT 'urgent',
        state TEXT NOT NULL DEFAULT 'open'
            CHECK (state IN ('open', 'acknowledged', 'resolved')),
        staff_id TEXT,
        origin TEXT NOT NULL DEFAULT 'local',
        kiosk_id TEXT,
        created_at TEXT NOT NULL,
        acknowledged_by TEXT,
        acknowledged_at TEXT,
        resolved_by TEXT,
        resolved_at TEXT
    );
    CREATE INDEX help_requests_state ON help_requests (state, created_at);
    """,
    # 4: staff mode: the community's staff, their PIN hashes and lockouts (PINs never leave the
    # kiosk), the staff audit log, elders' mobility and emergency contact, local elder edits
    # (so a rejected elder.upsert can be taken back) and attention items staff have dealt with.
    """
    ALTER TABLE elders ADD COLUMN mobility TEXT;
    ALTER TABLE elders ADD COLUMN emergency_name TEXT NOT NULL DEFAULT '';
    ALTER TABLE elders ADD COLUMN emergency_phone TEXT NOT NULL DEFAULT '';
    CREATE TABLE staff (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        active INTEGER NOT NULL DEFAULT 1,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE staff_pins (
        staff_id TEXT PRIMARY KEY,
        scheme TEXT NOT NULL,
        salt BLOB NOT NULL,
        hash BLOB NOT NULL,
        failures INTEGER NOT NULL DEFAULT 0,
        locked_until TEXT NOT NULL DEFAULT '',
        updated_at TEXT NOT NULL
    );
    CREATE TABLE audit_log (
        id TEXT PRIMARY KEY,
        staff_id TEXT NOT NULL,
        action TEXT NOT NULL,
        subject TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
    );
    CREATE INDEX audit_log_time ON audit_log (created_at);
    CREATE TABLE elder_edits (
        op_id TEXT PRIMARY KEY,
        elder_id TEXT NOT NULL,
        previous TEXT,
        stamp TEXT NOT NULL,
        settled INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE attention_done (
        kind TEXT NOT NULL,
        item_id TEXT NOT NULL,
        staff_id TEXT NOT NULL,
        done_at TEXT NOT NULL,
        PRIMARY KEY (kind, item_id)
    );
    """,
    # 5: the help chain and fleet reporting: elders' consent to their family being told of an
    # escalated help call, the console's side of help requests (operators' names, the note,
    # when it was escalated), and the oldest unsent operation found at once for every sync call.
    """
    ALTER TABLE elders ADD COLUMN notify_family INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE help_requests ADD COLUMN acknowledged_by_name TEXT;
    ALTER TABLE help_requests ADD COLUMN resolved_by_name TEXT;
    ALTER TABLE help_requests ADD COLUMN resolution_note TEXT;
    ALTER TABLE help_requests ADD COLUMN escalated_at TEXT;
    CREATE INDEX outbox_unsent ON outbox (seq) WHERE state = 'pending';
    """,
    # 6: PIN lockouts that grow: how many rounds of wrong tries in a row (each locks twice as
    # long as the last), and the wrong tries since the last sign-in, told at the next one.
    """
    ALTER TABLE staff_pins ADD COLUMN lock_rounds INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE staff_pins ADD COLUMN failed_since_sign_in INTEGER NOT NULL DEFAULT 0;
    """,
    # 7: services as data (docs/services.md): the community's service catalogue, one table of
    # slots for every service (meals too: their menu, lunch/dinner as the slot's part), no list
    # of services or statuses in a CHECK (a newer platform's are kept, not refused), a booking's
    # place on a waiting list, and attendance taken at the door (签到).
    """
    CREATE TABLE services (
        key TEXT PRIMARY KEY,
        data TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE slots (
        id TEXT PRIMARY KEY,
        service TEXT NOT NULL,
        provider_id TEXT,
        day TEXT NOT NULL,
        part TEXT NOT NULL DEFAULT '',
        department TEXT NOT NULL DEFAULT '',
        doctor TEXT NOT NULL DEFAULT '',
        title TEXT NOT NULL DEFAULT '',
        place TEXT NOT NULL DEFAULT '',
        host TEXT NOT NULL DEFAULT '',
        starts_at TEXT NOT NULL,
        ends_at TEXT NOT NULL,
        cutoff TEXT NOT NULL,
        capacity INTEGER NOT NULL CHECK (capacity >= 0),
        price_cents INTEGER,
        menu TEXT NOT NULL DEFAULT '[]'
    );
    CREATE INDEX slots_by_day ON slots (service, day, department, starts_at);
    CREATE INDEX slots_day ON slots (day, starts_at);
    INSERT INTO slots (id, service, provider_id, day, part, starts_at, ends_at, cutoff, capacity,
                       price_cents, menu)
        SELECT id, 'meal', NULL, day, meal,
               day || CASE meal WHEN 'lunch' THEN 'T11:00:00' ELSE 'T17:00:00' END
                   || CASE WHEN length(cutoff) = 25 THEN substr(cutoff, 20) ELSE '' END,
               day || CASE meal WHEN 'lunch' THEN 'T13:00:00' ELSE 'T19:00:00' END
                   || CASE WHEN length(cutoff) = 25 THEN substr(cutoff, 20) ELSE '' END,
               cutoff, capacity, price_cents, menu
        FROM meal_slots;
    INSERT INTO slots (id, service, provider_id, day, part, department, doctor, starts_at,
                       ends_at, cutoff, capacity, price_cents)
        SELECT id, service, provider_id, day, day_part, department, doctor, starts_at, ends_at,
               cutoff, capacity, price_cents
        FROM service_slots;
    DROP TABLE meal_slots;
    DROP TABLE service_slots;
    CREATE TABLE bookings_v7 (
        id TEXT PRIMARY KEY,
        number TEXT NOT NULL,
        elder_id TEXT NOT NULL REFERENCES elders(id),
        service TEXT NOT NULL,
        slot_id TEXT NOT NULL,
        mode TEXT NOT NULL DEFAULT '',
        price_cents INTEGER NOT NULL,
        subsidy_cents INTEGER NOT NULL,
        pay_cents INTEGER NOT NULL,
        status TEXT NOT NULL,
        reason TEXT NOT NULL DEFAULT '',
        origin TEXT NOT NULL DEFAULT 'local',
        staff_id TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        lease_id TEXT,
        kiosk_id TEXT,
        kind TEXT NOT NULL DEFAULT '',
        needs TEXT NOT NULL DEFAULT '[]',
        department TEXT NOT NULL DEFAULT '',
        units INTEGER NOT NULL DEFAULT 1,
        provider_id TEXT,
        rating_asked INTEGER NOT NULL DEFAULT 0,
        waitlist_position INTEGER,
        -- 1 once a waiting booking moved up to confirmed, until the elder is told at sign-in
        moved_up INTEGER NOT NULL DEFAULT 0
    );
    INSERT INTO bookings_v7 (id, number, elder_id, service, slot_id, mode, price_cents,
                             subsidy_cents, pay_cents, status, reason, origin, staff_id,
                             created_at, updated_at, lease_id, kiosk_id, kind, needs, department,
                             units, provider_id, rating_asked)
        SELECT id, number, elder_id, service, slot_id, mode, price_cents, subsidy_cents,
               pay_cents, status, reason, origin, staff_id, created_at, updated_at, lease_id,
               kiosk_id, kind, needs, department, units, provider_id, rating_asked
        FROM bookings;
    DROP TABLE bookings;
    ALTER TABLE bookings_v7 RENAME TO bookings;
    CREATE INDEX bookings_elder ON bookings (elder_id, created_at);
    CREATE INDEX bookings_slot ON bookings (slot_id, status);
    CREATE INDEX bookings_lease ON bookings (lease_id);
    CREATE UNIQUE INDEX bookings_one_live_per_slot ON bookings (elder_id, slot_id)
        WHERE status IN ('tentative', 'confirmed', 'waitlisted') AND origin = 'local';
    CREATE TABLE attendance (
        id TEXT PRIMARY KEY,
        slot_id TEXT NOT NULL,
        elder_id TEXT NOT NULL,
        booking_id TEXT,
        staff_id TEXT,
        kiosk_id TEXT,
        origin TEXT NOT NULL DEFAULT 'local',
        created_at TEXT NOT NULL,
        UNIQUE (slot_id, elder_id)
    );
    """,
    # 8: complaints (意见/投诉) about a booking, a provider or the centre, a call-back, a staff
    # note; the answer written for the elder once resolved, when it was shown to her, and her
    # view of how it was handled (protocol §3.5).
    """
    ALTER TABLE complaints ADD COLUMN about TEXT;
    ALTER TABLE complaints ADD COLUMN call_back INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE complaints ADD COLUMN note TEXT;
    ALTER TABLE complaints ADD COLUMN resolution TEXT;
    ALTER TABLE complaints ADD COLUMN resolved_at TEXT;
    ALTER TABLE complaints ADD COLUMN answer TEXT
        CHECK (answer IN ('satisfied', 'neutral', 'unsatisfied'));
    ALTER TABLE complaints ADD COLUMN answered_at TEXT;
    -- set when the resolution was shown at her sign-in, so it is shown once
    ALTER TABLE complaints ADD COLUMN shown_at TEXT;
    CREATE INDEX complaints_elder ON complaints (elder_id, state);
    """,
    # 9: staff search answered by the store: each name's pinyin initials (kiosk.name_initials;
    # set when a row is written, rows already here are filled when the store is opened), and
    # one index in the order results are shown holding all a search looks at, so a search
    # reads that index alone, stops at the rows it shows and reads only those rows.
    """
    ALTER TABLE elders ADD COLUMN initials TEXT NOT NULL DEFAULT '';
    CREATE INDEX elders_search ON elders (active DESC, name, id, initials, card_no, phone);
    -- rows still to be given their initials: empty but for a moment after a bulk write
    CREATE INDEX elders_without_initials ON elders (id) WHERE initials = '';
    """,
    # 10: the bookings' two indexes of this kiosk's own bookings hold those alone, and say so
    # with `origin` first: every booking written is checked against their WHERE, and a
    # booking made elsewhere (nearly all of them, a whole community's when a kiosk joins) is
    # then told apart by one comparison (`status IN (...)` first cost a third of each row's
    # INSERT). A lease is only ever looked up among this kiosk's bookings (kiosk.leases).
    """
    DROP INDEX bookings_one_live_per_slot;
    CREATE UNIQUE INDEX bookings_one_live_per_slot ON bookings (elder_id, slot_id)
        WHERE origin = 'local' AND status IN ('tentative', 'confirmed', 'waitlisted');
    DROP INDEX bookings_lease;
    CREATE INDEX bookings_lease ON bookings (lease_id) WHERE origin = 'local';
    """,
]

LATEST = len(MIGRATIONS)
