"""Escalation and the webhook outbox, called directly with chosen times (no platform process)."""
from __future__ import annotations

import datetime as dt
import json
import random
import threading
import uuid
from collections.abc import Iterator

import pytest
import requests
from sqlalchemy import select, update

from elder_wire.operations import HelpCreate, HelpUpdate
from service_platform import auth, escalation, help_requests, migrations, operators, webhooks
from service_platform.db import Database
from service_platform.feed import page
from service_platform.schema import elders, notification_attempts, notifications
from tests.platform.receiver import Receiver
from tests.platform.servers import free_port, wait_until
from tests.platform.wire import TestPlatform

T0 = dt.datetime(2030, 5, 6, 1, 2, 3, 456000, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture()
def db(new_database) -> Iterator[Database]:
    database = Database(new_database())
    migrations.migrate(database)
    yield database
    database.dispose()


def _community(db: Database) -> tuple[str, auth.Kiosk]:
    community_id = TestPlatform("", db).community(elders=4)
    kiosk_id, _code = operators.add_kiosk(db, community_id, "大厅终端")
    return community_id, auth.Kiosk(kiosk_id, community_id, "大厅终端")


def _help(db: Database, kiosk: auth.Kiosk, elder_id: str | None = "elder-001",
          at: dt.datetime = T0) -> str:
    order = HelpCreate(id=uuid.uuid4(), elder_id=elder_id, kind="urgent", created_at=at)
    db.run_write(lambda conn: help_requests.create(conn, kiosk, order, at))
    return str(order.id)


def _events(db: Database, community_id: str, help_id: str) -> list[str]:
    with db.read() as conn:
        return [row["what"] for row in help_requests.timeline(conn, community_id, help_id)]


def _bodies(db: Database, help_id: str) -> list[dict]:
    with db.read() as conn:
        return [json.loads(body) for body in conn.execute(select(notifications.c.body).where(
            notifications.c.help_id == help_id).order_by(notifications.c.channel_id)).scalars()]


def test_a_request_escalates_once_only_when_more_than_the_delay_has_passed(db):
    community_id, kiosk = _community(db)
    db.run_write(lambda conn: escalation.set_delay(conn, community_id, 3))
    waiting = _help(db, kiosk)
    answered = _help(db, kiosk, "elder-002")
    db.run_write(lambda conn: help_requests.update_state(conn, kiosk, HelpUpdate(
        id=uuid.UUID(answered), state="acknowledged", staff_id="staff-1"), T0 + 2 * MINUTE))

    assert escalation.escalate_due(db, T0 + 3 * MINUTE) == 0  # not more than 3 minutes yet
    later = T0 + 3 * MINUTE + dt.timedelta(milliseconds=1)
    assert escalation.escalate_due(db, later) == 1
    assert escalation.escalate_due(db, later + MINUTE) == 0  # once

    with db.read() as conn:
        row = help_requests.get(conn, community_id, waiting)
        fed = [c for c in page(conn, community_id, kiosk.id, 0, 500)[0]
               if c["kind"] == "help_request" and c["id"] == waiting]
        assert help_requests.get(conn, community_id, answered)["escalated_at"] is None
    assert row["escalated_at"] == "2030-05-06T01:05:03.457+00:00"
    assert _events(db, community_id, waiting) == ["received", "escalated"]
    assert fed[-1]["data"]["escalated_at"] == row["escalated_at"]  # kiosks hear of it
    assert _events(db, community_id, answered) == ["received", "acknowledged"]


def test_one_notification_per_active_channel_covering_the_community(db):
    community_id, kiosk = _community(db)
    other, _ = _community(db)

    def channels(conn):
        made = [webhooks.add_channel(conn, "https://sms.example.org/a")[0],
                webhooks.add_channel(conn, "https://cc.example.org/b", community_id)[0]]
        webhooks.add_channel(conn, "https://elsewhere.example.org/c", other)
        webhooks.remove_channel(conn, webhooks.add_channel(conn, "https://gone.example.org")[0])
        return made
    covering = db.run_write(channels)
    help_id = _help(db, kiosk)
    assert escalation.escalate_due(db, T0 + 4 * MINUTE) == 1

    with db.read() as conn:
        rows = conn.execute(select(notifications).where(
            notifications.c.help_id == help_id)).mappings().all()
    assert sorted(row["channel_id"] for row in rows) == sorted(covering)
    assert {(row["state"], row["attempts"], row["event"]) for row in rows} == {
        ("pending", 0, "help.escalated")}
    body = json.loads(rows[0]["body"])
    assert body == {
        "event": "help.escalated", "id": rows[0]["id"],
        "community": {"id": community_id, "name": "测试社区"},
        "kiosk": {"id": kiosk.id, "name": "大厅终端"},
        "help": {"id": help_id, "kind": "urgent", "received_at": "2030-05-06T01:02:03.456+00:00",
                 "waited_seconds": 240},
        "elder": {"masked_name": "长*1"}, "escalate_after_min": 3,
        "sent_for": "centre_manager"}
    assert "长者1" not in rows[0]["body"]


def test_the_emergency_contact_goes_only_with_the_elders_consent(db):
    community_id, kiosk = _community(db)
    db.run_write(lambda conn: webhooks.add_channel(conn, "https://sms.example.org/a"))
    contact = json.dumps({"name": "王明", "phone": "13900000000"}, ensure_ascii=False)
    for elder_id, name, consent in (("elder-001", "王秀英", True), ("elder-002", "欧阳明华", False),
                                    ("elder-003", "李芳", True)):
        db.run_write(lambda conn, e=elder_id, n=name, c=consent: conn.execute(
            update(elders).where(elders.c.community_id == community_id, elders.c.id == e)
            .values(name=n, notify_family=c,
                    emergency_contact=contact if e != "elder-003" else None)))
    helps = [_help(db, kiosk, elder_id) for elder_id in ("elder-001", "elder-002", "elder-003")]
    anonymous = _help(db, kiosk, None)
    assert escalation.escalate_due(db, T0 + 4 * MINUTE) == 4

    assert [_bodies(db, help_id)[0]["elder"] for help_id in helps] == [
        {"masked_name": "王*英", "emergency_contact": {"name": "王明", "phone": "13900000000"}},
        {"masked_name": "欧阳*华"},  # no consent
        {"masked_name": "李*"}]  # consent, but no contact recorded
    assert _bodies(db, anonymous)[0]["elder"] is None


def test_the_delay_is_1_to_120_minutes_of_a_known_community(db):
    community_id, _kiosk = _community(db)
    for minutes in (1, 120):
        db.run_write(lambda conn, m=minutes: escalation.set_delay(conn, community_id, m))
        with db.read() as conn:
            assert escalation.delay(conn, community_id) == minutes
    for minutes in (0, 121, True, "5", 2.5):
        with pytest.raises(operators.OperatorError, match="1..120"):
            db.run_write(lambda conn, m=minutes: escalation.set_delay(conn, community_id, m))
    with pytest.raises(operators.OperatorError, match="no community"):
        db.run_write(lambda conn: escalation.set_delay(conn, "community-nowhere", 5))


def test_channels_are_listed_without_secrets_and_checked(db):
    community_id, _kiosk = _community(db)
    channel_id, secret = db.run_write(lambda conn: webhooks.add_channel(
        conn, "https://gw:hunter2-password@sms.example.org/x", community_id))
    assert len(secret) >= 40
    with db.read() as conn:
        listed = webhooks.channels(conn, [community_id])
    assert listed == [{"id": channel_id, "community_id": community_id, "kind": "webhook",
                       "url": "https://gw:***@sms.example.org/x", "active": True,
                       "created_at": listed[0]["created_at"], "pending": 0, "delivered": 0,
                       "failed": 0}]
    for url, secret in (("ftp://x.org", None), ("https://", None), ("http://x.org", "short")):
        with pytest.raises(operators.OperatorError):
            db.run_write(lambda conn, u=url, s=secret: webhooks.add_channel(conn, u, secret=s))
    with pytest.raises(operators.OperatorError, match="no community"):
        db.run_write(lambda conn: webhooks.add_channel(conn, "https://x.org", "nowhere"))
    db.run_write(lambda conn: webhooks.remove_channel(conn, channel_id))
    with pytest.raises(operators.OperatorError, match="already removed"):
        db.run_write(lambda conn: webhooks.remove_channel(conn, channel_id))


def test_a_claim_holds_a_notification_until_its_lease_runs_out(db):
    community_id, kiosk = _community(db)
    db.run_write(lambda conn: webhooks.add_channel(conn, "https://sms.example.org/a"))
    _help(db, kiosk)
    escalation.escalate_due(db, T0 + 4 * MINUTE)
    at = T0 + 5 * MINUTE
    first = db.run_write(lambda conn: webhooks.claim(conn, at, lease=60))
    assert first is not None
    assert db.run_write(lambda conn: webhooks.claim(conn, at + dt.timedelta(seconds=59), 60)) \
        is None  # another process must not send it meanwhile
    again = db.run_write(lambda conn: webhooks.claim(conn, at + dt.timedelta(seconds=60), 60))
    assert again["id"] == first["id"]  # its claimer crashed: taken again


def test_retries_double_from_10_seconds_to_15_minutes_with_jitter():
    rng = random.Random(7)
    delays = [webhooks.retry_delay(n, webhooks.Delivery(), rng) for n in range(1, 12)]
    for delay, base in zip(delays, (10, 20, 40, 80, 160, 320, 640, 900, 900, 900, 900),
                           strict=True):
        assert 0.8 * base <= delay <= 1.2 * base
    assert len(set(delays)) == len(delays)  # jittered


def test_delivery_is_retried_until_a_day_has_passed_then_given_up(db):
    community_id, kiosk = _community(db)
    with Receiver("s" * 20) as receiver, requests.Session() as session:
        receiver.answers = [503] * 3
        db.run_write(lambda conn: webhooks.add_channel(conn, receiver.url, secret="s" * 20))
        help_id = _help(db, kiosk)
        made = T0 + 4 * MINUTE
        escalation.escalate_due(db, made)
        assert webhooks.deliver_due(db, made, session) == 0
        assert webhooks.deliver_due(db, made + dt.timedelta(seconds=7), session) == 0  # not due
        assert webhooks.deliver_due(db, made + dt.timedelta(hours=23), session) == 0
        assert webhooks.deliver_due(db, made + dt.timedelta(hours=24), session) == 0
        assert webhooks.deliver_due(db, made + dt.timedelta(hours=48), session) == 0
        assert len(receiver.received) == 3
        assert all(item.signed for item in receiver.received)
    with db.read() as conn:
        row = conn.execute(select(notifications).where(
            notifications.c.help_id == help_id)).mappings().one()
        tried = conn.execute(select(notification_attempts.c.status_code).where(
            notification_attempts.c.notification_id == row["id"])).scalars().all()
    assert (row["state"], row["attempts"], tried) == ("failed", 3, [503, 503, 503])
    assert _events(db, community_id, help_id) == ["received", "escalated", "notify_failed"]


def test_an_absent_receiver_is_an_attempt_with_the_error_class(db):
    community_id, kiosk = _community(db)
    with Receiver() as receiver:
        url = receiver.url  # closed on leaving: nothing listens there any more
    db.run_write(lambda conn: webhooks.add_channel(conn, url, community_id))
    _help(db, kiosk)
    escalation.escalate_due(db, T0 + 4 * MINUTE)
    with requests.Session() as session:
        assert webhooks.deliver_due(db, T0 + 4 * MINUTE, session) == 0
    with db.read() as conn:
        attempt = conn.execute(select(notification_attempts)).mappings().one()
        pending = webhooks.outbox(conn, [community_id])
    assert (attempt["status_code"], attempt["error"]) == (None, "ConnectionError")
    assert [(n["state"], n["attempts"], n["last_error"]) for n in pending] == [
        ("pending", 1, "ConnectionError")]
    assert "body" not in pending[0]


def test_the_loop_outlives_an_absent_database(caplog):
    """Both threads of `serve`'s loop log each failed round and try again; they end on stop."""
    db = Database(f"postgresql://nobody@127.0.0.1:{free_port()}/nothing")
    stop = threading.Event()
    threads: list[threading.Thread] = []
    try:
        threads = escalation.start(db, stop, every=0.02)
        wait_until(lambda: sum("busy or away" in r.getMessage() for r in caplog.records) >= 6,
                   10, "several failed rounds")
        assert all(thread.is_alive() for thread in threads)
        assert {r.getMessage().split(" failed")[0] for r in caplog.records} == {
            "escalating help requests", "delivering notifications"}
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
        db.dispose()
    assert not any(thread.is_alive() for thread in threads)
