"""Schema version 1, frozen: what migration step 1 creates. Never edit; later steps ALTER."""
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
)

# One row per community; updating it serialises appends to that community's change feed.
feed_heads = Table(
    "feed_heads", metadata,
    Column("community_id", String(ID), ForeignKey("communities.id"), primary_key=True),
    Column("last_seq", BigInteger, nullable=False),
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
    Column("id", String(36), primary_key=True),
    Column("community_id", String(ID), ForeignKey("communities.id"), nullable=False),
    Column("elder_id", String(ID), nullable=False),
    Column("service", String(16), nullable=False),
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
)
