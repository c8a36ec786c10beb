"""The platform's tables (latest schema version), as SQLAlchemy Core metadata for both dialects.

Version 1 is frozen in schema_v1.py; every later column or table here is added by a step in
migrations.py, so a new database and an upgraded one end up the same.
"""
from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

metadata = MetaData()

ID = 64  # length of community, kiosk, elder and slot ids
STAMP = 40  # ISO 8601 timestamps are stored as text: same on both dialects, offsets kept

schema_version = Table(
    "schema_version", metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("applied_at", String(STAMP), nullable=False),
)

platform_meta = Table(
    "platform_meta", metadata,
    Column("key", String(ID), primary_key=True),
    Column("value", Text, nullable=False),
)

communities = Table(
    "communities", metadata,
    Column("id", String(ID), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("tz", String(ID), nullable=False),
    Column("created_at", String(STAMP), nullable=False),
    # v3: a help request not acknowledged within this many minutes is escalated
    Column("escalate_after_min", Integer, nullable=False, server_default=text("3")),
    # v6: a complaint is due this many working days (Mon–Fri) after it was received
    Column("complaint_days", Integer, nullable=False, server_default=text("3")),
)

# One row per community; updating it serialises appends to that community's change feed.
feed_heads = Table(
    "feed_heads", metadata,
    Column("community_id", String(ID), ForeignKey("communities.id"), primary_key=True),
    Column("last_seq", BigInteger, nullable=False),
    # v6: the highest seq of a change taken out for its age (feed.compact); a kiosk whose
    # cursor is below it pulls again from 0 (protocol §5.1)
    Column("horizon", BigInteger, nullable=False, server_default=text("0")),
)

kiosks = Table(
    "kiosks", metadata,
    Column("id", String(ID), primary_key=True),
    Column("community_id", String(ID), ForeignKey("communities.id"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("code_hash", String(64), unique=True),
    Column("code_expires_at", String(STAMP), nullable=False),
    Column("code_used_at", String(STAMP)),
    Column("token_hash", String(64), unique=True),
    Column("enrolled_at", String(STAMP)),
    Column("revoked_at", String(STAMP)),
    Column("created_at", String(STAMP), nullable=False),
    # v3: what the kiosk reported the last time it called (see fleet.py)
    Column("last_seen_at", String(STAMP)),
    Column("app_version", String(40)),
    Column("outbox_pending", Integer),
    Column("outbox_oldest_at", String(STAMP)),  # its oldest unsent operation, NULL if none
    Column("clock_skew_ms", BigInteger),  # kiosk clock minus platform clock
    # v4: sha256 of the install id the code was redeemed with; only it may redeem it again
    Column("install_hash", String(64)),
)

subsidy_levels = Table(
    "subsidy_levels", metadata,
    Column("community_id", String(ID), ForeignKey("communities.id"), nullable=False),
    Column("level", String(32), nullable=False),
    Column("meal_subsidy_cents", Integer, nullable=False),
    PrimaryKeyConstraint("community_id", "level"),
)

elders = Table(
    "elders", metadata,
    Column("community_id", String(ID), ForeignKey("communities.id"), nullable=False),
    Column("id", String(ID), nullable=False),
    Column("card_no", String(32), nullable=False),
    Column("name", String(100), nullable=False),
    Column("phone", String(32), nullable=False),
    Column("address", String(200), nullable=False),
    Column("subsidy_level", String(32), nullable=False),
    Column("delivery_allowed", Boolean, nullable=False),
    Column("home_visit_allowed", Boolean, nullable=False),
    Column("dietary", Text, nullable=False),  # JSON list of tags
    Column("active", Boolean, nullable=False),
    Column("updated_at", String(STAMP), nullable=False),
    Column("mobility", String(32)),  # v2
    Column("emergency_contact", Text),  # v2: JSON {name, phone} or NULL
    Column("updated_by", String(ID)),  # v2: staff id of the last elder.upsert
    # v3: the elder agreed that their emergency contact may be told of an escalated help call
    Column("notify_family", Boolean, nullable=False, server_default=text("FALSE")),
    PrimaryKeyConstraint("community_id", "id"),
    UniqueConstraint("community_id", "card_no"),
)

meal_slots = Table(
    "meal_slots", metadata,
    Column("community_id", String(ID), ForeignKey("communities.id"), nullable=False),
    Column("id", String(ID), nullable=False),
    Column("day", String(10), nullable=False),
    Column("meal", String(10), nullable=False),
    Column("cutoff", String(STAMP), nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("price_cents", Integer, nullable=False),
    Column("menu", Text, nullable=False),  # JSON list of {name, tags}
    Column("updated_at", String(STAMP), nullable=False),
    PrimaryKeyConstraint("community_id", "id"),
)

bookings = Table(
    "bookings", metadata,
    Column("id", String(36), nullable=False),  # v4: unique within its community (was: at all)
    Column("community_id", String(ID), ForeignKey("communities.id"), nullable=False),
    Column("elder_id", String(ID), nullable=False),
    Column("service", String(32), nullable=False),  # v5: a catalogue key (was 16)
    Column("slot_id", String(ID), nullable=False),
    Column("mode", String(16), nullable=False),
    Column("price_cents", Integer, nullable=False),
    Column("subsidy_cents", Integer, nullable=False),
    Column("staff_id", String(ID)),
    Column("status", String(16), nullable=False),
    Column("kiosk_id", String(ID), nullable=False),
    Column("lease_id", String(36)),
    Column("op_id", String(36), nullable=False),
    Column("cancel_reason", String(200)),
    Column("created_at", String(STAMP), nullable=False),
    Column("received_at", String(STAMP), nullable=False),
    Column("updated_at", String(STAMP), nullable=False),
    Column("kind", String(32)),  # v2: cleaning kind
    Column("needs", Text),  # v2: JSON list of need codes (cleaning)
    Column("department", String(32)),  # v2: clinic department
    Column("units", Integer, nullable=False, server_default=text("1")),  # v2: capacity used
    Column("provider_id", String(ID)),  # v2
    Column("completed_at", String(STAMP)),  # v2
    Column("waitlist_position", Integer),  # v5: 1 = next, while waitlisted; else NULL
    PrimaryKeyConstraint("community_id", "id"),  # v4
    Index("bookings_slot_status", "community_id", "slot_id", "status"),
    # One confirmed booking per elder and slot, held by the database itself.
    Index(
        "bookings_one_confirmed", "community_id", "elder_id", "slot_id", unique=True,
        sqlite_where=text("status = 'confirmed'"), postgresql_where=text("status = 'confirmed'"),
    ),
)

applied_ops = Table(
    "applied_ops", metadata,
    Column("community_id", String(ID), ForeignKey("communities.id"), nullable=False),
    Column("op_id", String(36), nullable=False),
    Column("kiosk_id", String(ID), nullable=False),
    Column("type", String(40), nullable=False),
    Column("digest", String(64), nullable=False),
    Column("payload", Text, nullable=False),
    Column("created_at", String(STAMP), nullable=False),
    Column("received_at", String(STAMP), nullable=False),
    Column("status", String(10), nullable=False),
    Column("reason", String(40)),
    Column("data", Text, nullable=False),
    PrimaryKeyConstraint("community_id", "op_id"),
    # v4: a kiosk's operations of unknown types, fewest kept (operations.UNKNOWN_KEPT)
    Index("applied_ops_unknown", "kiosk_id", "received_at",
          sqlite_where=text("reason = 'unknown_type'"),
          postgresql_where=text("reason = 'unknown_type'")),
)

leases = Table(
    "leases", metadata,
    Column("id", String(36), primary_key=True),
    Column("community_id", String(ID), ForeignKey("communities.id"), nullable=False),
    Column("kiosk_id", String(ID), ForeignKey("kiosks.id"), nullable=False),
    Column("slot_id", String(ID), nullable=False),
    Column("places", Integer, nullable=False),
    Column("uses", Integer, nullable=False),
    Column("used_final", Integer),
    Column("state", String(10), nullable=False),  # active | returned
    Column("granted_at", String(STAMP), nullable=False),
    Column("expires_at", String(STAMP), nullable=False),
    Column("returned_at", String(STAMP)),
    Index("leases_slot_state", "community_id", "slot_id", "state"),
    Index("leases_kiosk_state", "kiosk_id", "state"),
)

changes = Table(
    "changes", metadata,
    Column("community_id", String(ID), ForeignKey("communities.id"), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("entity_id", String(ID), nullable=False),
    Column("op", String(10), nullable=False),
    Column("data", Text),
    Column("kiosk_id", String(ID)),  # set when only that kiosk may see it (its leases)
    Column("created_at", String(STAMP), nullable=False),
    PrimaryKeyConstraint("community_id", "seq"),
    # No index by entity (v8 dropped v7's changes_entity): compaction sorts the feed once an
    # hour instead, and a push writes one B-tree fewer for each change (docs/performance.md).
)


# Version 2: services beyond meals, feedback, help, staff and the audit log.

providers = Table(
    "providers", metadata,
    Column("community_id", String(ID), ForeignKey("communities.id"), nullable=False),
    Column("id", String(ID), nullable=False),
    Column("name", String(200), nullable=False),
    Column("services", Text, nullable=False),  # JSON list of services
    Column("teams", Integer),
    Column("details", Text, nullable=False),  # JSON {kinds, subsidy_cents, needs, departments}
    Column("active", Boolean, nullable=False),
    Column("updated_at", String(STAMP), nullable=False),
    PrimaryKeyConstraint("community_id", "id"),
)

service_slots = Table(
    "service_slots", metadata,
    Column("community_id", String(ID), ForeignKey("communities.id"), nullable=False),
    Column("id", String(ID), nullable=False),
    Column("service", String(32), nullable=False),  # v5: a catalogue key (was 16)
    Column("provider_id", String(ID), nullable=False),
    Column("day", String(10), nullable=False),
    Column("window", String(4)),
    Column("department", String(32)),
    Column("doctor", String(100)),
    Column("start_at", String(STAMP), nullable=False),
    Column("end_at", String(STAMP), nullable=False),
    Column("cutoff", String(STAMP), nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("price_cents", Integer),
    Column("updated_at", String(STAMP), nullable=False),
    Column("title", String(100)),  # v5: a session's title, place and host (书法, 二楼, 王老师)
    Column("place", String(100)),
    Column("host", String(100)),
    PrimaryKeyConstraint("community_id", "id"),
    Index("service_slots_end", "end_at"),
)

staff = Table(
    "staff", metadata,
    Column("community_id", String(ID), ForeignKey("communities.id"), nullable=False),
    Column("id", String(ID), nullable=False),
    Column("name", String(100), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", String(STAMP), nullable=False),
    Column("updated_at", String(STAMP), nullable=False),
    PrimaryKeyConstraint("community_id", "id"),
)

ratings = Table(
    "ratings", metadata,
    Column("community_id", String(ID), ForeignKey("communities.id"), nullable=False),
    Column("id", String(36), nullable=False),
    Column("booking_id", String(36), nullable=False),
    Column("elder_id", String(ID), nullable=False),
    Column("provider_id", String(ID)),
    Column("score", String(16), nullable=False),
    Column("reasons", Text, nullable=False),  # JSON list of codes
    Column("staff_id", String(ID)),
    Column("kiosk_id", String(ID), nullable=False),
    Column("created_at", String(STAMP), nullable=False),
    Column("received_at", String(STAMP), nullable=False),
    PrimaryKeyConstraint("community_id", "id"),
    UniqueConstraint("community_id", "booking_id"),  # one rating per booking
    Index("ratings_provider", "community_id", "provider_id"),
)

complaints = Table(
    "complaints", metadata,
    Column("community_id", String(ID), ForeignKey("communities.id"), nullable=False),
    Column("id", String(36), nullable=False),
    Column("booking_id", String(36)),
    Column("elder_id", String(ID), nullable=False),
    Column("provider_id", String(ID)),
    Column("reasons", Text, nullable=False),
    Column("staff_id", String(ID)),
    Column("state", String(16), nullable=False),  # elder_wire.codes.ComplaintState
    Column("kiosk_id", String(ID), nullable=False),
    Column("created_at", String(STAMP), nullable=False),
    Column("received_at", String(STAMP), nullable=False),
    # v6: what it is about, the elder's wishes, and its handling to the end
    Column("about", String(16)),  # elder_wire.codes.ComplaintAbout
    Column("call_back", Boolean, nullable=False, server_default=text("FALSE")),
    Column("note", String(200)),  # staff's note on the elder's behalf
    Column("owner_id", String(ID)),  # the operator answering for it
    Column("due_at", String(STAMP)),  # received + the community's complaint_days working days
    Column("resolution", String(500)),  # plain words for the elder
    Column("resolved_at", String(STAMP)),
    Column("resolved_by", String(ID)),
    Column("closed_at", String(STAMP)),
    Column("answer", String(16)),  # the elder's view of the handling: satisfied/neutral/...
    Column("answered_at", String(STAMP)),
    Column("provider_reply", String(500)),  # the provider's own reply, seen by operators
    Column("provider_replied_at", String(STAMP)),
    PrimaryKeyConstraint("community_id", "id"),
    Index("complaints_state", "community_id", "state", "due_at"),
)

# The timeline of each complaint: received, taken, replied, resolved, answered, closed, ...
complaint_events = Table(
    "complaint_events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("community_id", String(ID), nullable=False),
    Column("complaint_id", String(36), nullable=False),
    Column("at", String(STAMP), nullable=False),
    Column("what", String(32), nullable=False),
    Column("operator_id", String(ID)),
    Column("actor_name", String(100)),
    Column("note", String(500)),
    Index("complaint_events_complaint", "community_id", "complaint_id"),
)

help_requests = Table(
    "help_requests", metadata,
    Column("community_id", String(ID), ForeignKey("communities.id"), nullable=False),
    Column("id", String(36), nullable=False),
    Column("elder_id", String(ID)),
    Column("kind", String(32), nullable=False),
    Column("state", String(16), nullable=False),
    Column("staff_id", String(ID)),
    Column("kiosk_id", String(ID), nullable=False),
    Column("created_at", String(STAMP), nullable=False),
    Column("received_at", String(STAMP), nullable=False),
    Column("acknowledged_by", String(ID)),
    Column("acknowledged_at", String(STAMP)),
    Column("resolved_by", String(ID)),
    Column("resolved_at", String(STAMP)),
    # v3: the console's side of the chain
    Column("acknowledged_by_name", String(100)),  # an operator's name; NULL for kiosk staff
    Column("resolved_by_name", String(100)),
    Column("resolution_note", String(500)),
    Column("escalated_at", String(STAMP)),
    PrimaryKeyConstraint("community_id", "id"),
    Index("help_requests_state", "state", "received_at"),
)

audit_log = Table(
    "audit_log", metadata,
    Column("community_id", String(ID), ForeignKey("communities.id"), nullable=False),
    Column("id", String(36), nullable=False),
    Column("staff_id", String(ID), nullable=False),
    Column("action", String(64), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("kiosk_id", String(ID), nullable=False),
    Column("created_at", String(STAMP), nullable=False),
    Column("received_at", String(STAMP), nullable=False),
    PrimaryKeyConstraint("community_id", "id"),
)

V2_TABLES = (providers, service_slots, staff, ratings, complaints, help_requests, audit_log)


# Version 3: the operator console (accounts, sessions, audit), the help chain (timeline,
# escalation, outbound notifications) and timetable uploads.

ROLES = ("district_admin", "centre_manager", "duty_worker", "provider")

operators = Table(
    "operators", metadata,
    Column("id", String(ID), primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(100), nullable=False),
    Column("role", String(20), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("failed_logins", Integer, nullable=False),
    Column("locked_until", String(STAMP)),
    Column("created_at", String(STAMP), nullable=False),
    Column("updated_at", String(STAMP), nullable=False),
)

# Which communities an operator works in (none for a district admin); a provider's row also
# names the provider whose bookings, ratings and complaints it may see.
operator_scopes = Table(
    "operator_scopes", metadata,
    Column("operator_id", String(ID), ForeignKey("operators.id"), nullable=False),
    Column("community_id", String(ID), ForeignKey("communities.id"), nullable=False),
    Column("provider_id", String(ID)),
    PrimaryKeyConstraint("operator_id", "community_id"),
)

operator_sessions = Table(
    "operator_sessions", metadata,
    Column("id_hash", String(64), primary_key=True),  # sha256 of the cookie's secret
    Column("operator_id", String(ID), ForeignKey("operators.id"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", String(STAMP), nullable=False),
    Column("last_seen_at", String(STAMP), nullable=False),
    Column("expires_at", String(STAMP), nullable=False),  # the absolute limit
    Column("ended_at", String(STAMP)),
    Index("operator_sessions_operator", "operator_id"),
)

# Everything an operator does (and every sign-in attempt), never changed or removed.
operator_audit = Table(
    "operator_audit", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", String(STAMP), nullable=False),
    Column("operator_id", String(ID)),  # NULL: a sign-in attempt for an unknown name
    Column("username", String(64), nullable=False),
    Column("action", String(64), nullable=False),
    Column("community_id", String(ID)),
    Column("subject", String(200), nullable=False),
    Column("detail", Text),  # JSON, never personal data
    Index("operator_audit_at", "at"),
)

# The timeline of each help request: received, escalated, notified, opened, acknowledged, ...
help_events = Table(
    "help_events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("community_id", String(ID), nullable=False),
    Column("help_id", String(36), nullable=False),
    Column("at", String(STAMP), nullable=False),
    Column("what", String(32), nullable=False),
    Column("operator_id", String(ID)),
    Column("actor_name", String(100)),
    Column("note", String(500)),
    Index("help_events_help", "community_id", "help_id"),
)

# Where outbound notifications go: signed webhooks (a district's SMS gateway, a call centre).
notification_channels = Table(
    "notification_channels", metadata,
    Column("id", String(ID), primary_key=True),
    Column("community_id", String(ID), ForeignKey("communities.id")),  # NULL: every community
    Column("kind", String(16), nullable=False),  # webhook
    Column("url", String(500), nullable=False),
    Column("secret", String(200), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", String(STAMP), nullable=False),
)

# The outbox of notifications: each delivered at least once, across restarts and processes.
notifications = Table(
    "notifications", metadata,
    Column("id", String(36), primary_key=True),  # also the receiver's idempotency key
    Column("channel_id", String(ID), ForeignKey("notification_channels.id"), nullable=False),
    Column("event", String(40), nullable=False),
    Column("community_id", String(ID), nullable=False),
    Column("help_id", String(36)),
    Column("body", Text, nullable=False),  # the exact bytes signed and sent
    Column("state", String(12), nullable=False),  # pending | delivered | failed
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", String(STAMP), nullable=False),
    Column("claimed_until", String(STAMP)),
    Column("created_at", String(STAMP), nullable=False),
    Column("delivered_at", String(STAMP)),
    Index("notifications_due", "state", "next_attempt_at"),
)

notification_attempts = Table(
    "notification_attempts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("notification_id", String(36), ForeignKey("notifications.id"), nullable=False),
    Column("at", String(STAMP), nullable=False),
    Column("status_code", Integer),
    Column("error", String(300)),
    Column("duration_ms", Integer, nullable=False),
    Index("notification_attempts_notification", "notification_id"),
)

# A timetable file uploaded in the console, kept between its dry-run preview and its loading.
timetable_uploads = Table(
    "timetable_uploads", metadata,
    Column("id", String(36), primary_key=True),
    Column("community_id", String(ID), ForeignKey("communities.id"), nullable=False),
    Column("operator_id", String(ID), ForeignKey("operators.id"), nullable=False),
    Column("filename", String(200), nullable=False),
    Column("content", Text, nullable=False),
    Column("created_at", String(STAMP), nullable=False),
    Column("loaded_at", String(STAMP)),
)

V3_TABLES = (operators, operator_scopes, operator_sessions, operator_audit, help_events,
             notification_channels, notifications, notification_attempts, timetable_uploads)


# Version 4 (issue 14): failed enrolments counted per client address, across processes.
enrol_failures = Table(
    "enrol_failures", metadata,
    Column("address", String(64), primary_key=True),  # an IPv4 address or an IPv6 /64
    Column("since", String(STAMP), nullable=False),  # the start of its counting window
    Column("failures", Integer, nullable=False),
)

V4_TABLES = (enrol_failures,)


# Version 5 (issue 12): services as data — each community's catalogue, and attendance.

# A community's catalogue: one entry per service key, in the wire shape of the `service` kind
# (elder_wire.catalogue.Service.to_wire()).
service_catalogue = Table(
    "service_catalogue", metadata,
    Column("community_id", String(ID), ForeignKey("communities.id"), nullable=False),
    Column("key", String(32), nullable=False),
    Column("data", Text, nullable=False),  # JSON, the entry as fed
    Column("updated_at", String(STAMP), nullable=False),
    PrimaryKeyConstraint("community_id", "key"),
)

# Attendance taken at the door by card (签到): one record per elder and slot.
attendance = Table(
    "attendance", metadata,
    Column("community_id", String(ID), ForeignKey("communities.id"), nullable=False),
    Column("id", String(36), nullable=False),
    Column("slot_id", String(ID), nullable=False),
    Column("elder_id", String(ID), nullable=False),
    Column("booking_id", String(36)),  # the elder's confirmed booking of the slot; NULL: walk-in
    Column("staff_id", String(ID)),
    Column("kiosk_id", String(ID), nullable=False),
    Column("created_at", String(STAMP), nullable=False),
    Column("received_at", String(STAMP), nullable=False),
    PrimaryKeyConstraint("community_id", "id"),
    UniqueConstraint("community_id", "slot_id", "elder_id", name="attendance_one_per_slot"),
)

V5_TABLES = (service_catalogue, attendance)


# Version 6 (issue 13): complaints handled to the end (owner, due date, resolution, the
# elder's answer, the provider's reply) with their timeline; a community's complaint_days.
V6_TABLES = (complaint_events,)
