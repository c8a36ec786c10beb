"""Escalation and webhooks through running platforms: a kiosk pushes a help call nobody answers,
a receiver on 127.0.0.1 gets it signed, at least once, across failures, kills and processes.

A "minute" of escalation delay is 1 s here (--escalation-minute-seconds).
"""
from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select, update

from service_platform import cli, escalation, help_requests, webhooks
from service_platform.db import Database
from service_platform.schema import elders, notification_attempts, notifications
from tests.platform.receiver import Receiver
from tests.platform.servers import PlatformProcess, wait_until
from tests.platform.wire import TestPlatform, help_op, help_update_op, latest


def _fast(every: float = 0.1) -> tuple[str, ...]:
    return ("--escalate-every", str(every), "--escalation-minute-seconds", "1",
            "--webhook-first-retry", "0.3", "--webhook-timeout", "5", "--webhook-lease", "3")


FAST = _fast()
DEADLINE = 30.0


def _cli(target: str, *args: str) -> str:
    """`kiosk-platform ARGS --db TARGET`, run here; what it printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main([*args, "--db", target]) == 0
    return out.getvalue()


def _notifications(db: Database, help_id: str) -> list[dict]:
    with db.read() as conn:
        return [dict(row) for row in conn.execute(select(notifications).where(
            notifications.c.help_id == help_id)).mappings()]


def _delivered(db: Database, help_id: str) -> bool:
    rows = _notifications(db, help_id)
    return bool(rows) and all(row["state"] == "delivered" for row in rows)


def _attempts(db: Database, notification_id: str) -> list[int | None]:
    with db.read() as conn:
        return list(conn.execute(select(notification_attempts.c.status_code).where(
            notification_attempts.c.notification_id == notification_id,
        ).order_by(notification_attempts.c.id)).scalars())


def _events(db: Database, community_id: str, help_id: str) -> list[str]:
    with db.read() as conn:
        return [row["what"] for row in help_requests.timeline(conn, community_id, help_id)]


@pytest.fixture()
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


@pytest.fixture(scope="module")
def hand(new_database, log_dir) -> Iterator[tuple[PlatformProcess, TestPlatform]]:
    """A platform escalating fast, shared by tests with a community of their own each, and the
    operator's hand on its database."""
    process = PlatformProcess(new_database(), log_dir, extra_args=FAST).start()
    db = Database(process.db_target)
    yield process, TestPlatform(process.base_url, db)
    db.dispose()
    process.stop()


def _community_with_webhook(setup: TestPlatform, receiver: Receiver, cli: bool = False) -> str:
    """A community escalating after 1 minute (a second here), with a webhook to `receiver`:
    added by the operator's commands, or directly (quicker)."""
    community_id = setup.community(elders=4)
    if cli:
        _cli(setup.db.url, "set-escalation", "--community", community_id, "--minutes", "1")
        out = _cli(setup.db.url, "add-webhook", receiver.url, "--community", community_id)
        receiver.secret = out.split("secret (shown once; give it to the receiver): ")[1].strip()
        return community_id

    def work(conn):
        escalation.set_delay(conn, community_id, 1)
        return webhooks.add_channel(conn, receiver.url, community_id)[1]
    receiver.secret = setup.db.run_write(work)
    return community_id


def test_an_unanswered_help_call_escalates_and_one_signed_webhook_arrives(hand, receiver):
    _process, setup = hand
    community_id = _community_with_webhook(setup, receiver, cli=True)
    setup.db.run_write(lambda conn: conn.execute(update(elders).where(
        elders.c.community_id == community_id, elders.c.id.in_(["elder-001", "elder-002"]),
    ).values(name="王秀英", notify_family=True,
             emergency_contact=json.dumps({"name": "王明", "phone": "13900000000"}))))
    setup.db.run_write(lambda conn: conn.execute(update(elders).where(
        elders.c.community_id == community_id, elders.c.id == "elder-002",
    ).values(notify_family=False)))
    kiosk = setup.kiosk(community_id, "大厅终端")
    consented, refused, answered = (help_op(elder) for elder in
                                    ("elder-001", "elder-002", "elder-003"))
    kiosk.push(consented, refused, answered,
               help_update_op(answered["payload"]["id"], "acknowledged"))  # at once
    ids = [op["payload"]["id"] for op in (consented, refused)]

    wait_until(lambda: all(_delivered(setup.db, help_id) for help_id in ids), DEADLINE,
               "both unanswered calls to be escalated and delivered")
    by_help = {item.json["help"]["id"]: item for item in receiver.received}
    assert len(receiver.received) == 2 and set(by_help) == set(ids)  # once each
    for help_id in ids:
        item = by_help[help_id]
        assert item.signed
        assert item.headers["Content-Type"] == "application/json"
        assert item.headers["Idempotency-Key"] == item.json["id"] \
            == _notifications(setup.db, help_id)[0]["id"]
        assert int(item.headers["X-Timestamp"]) > 0
        body = item.json
        assert body["event"] == "help.escalated" and body["sent_for"] == "centre_manager"
        assert body["community"] == {"id": community_id, "name": "测试社区"}
        assert body["kiosk"] == {"id": kiosk.kiosk_id, "name": "大厅终端"}
        assert body["help"]["kind"] == "urgent" and body["help"]["waited_seconds"] >= 1
        assert body["escalate_after_min"] == 1
        assert item.body == _notifications(setup.db, help_id)[0]["body"].encode()
        assert _events(setup.db, community_id, help_id) == ["received", "escalated", "notified"]
    assert by_help[ids[0]].json["elder"] == {
        "masked_name": "王*英", "emergency_contact": {"name": "王明", "phone": "13900000000"}}
    assert by_help[ids[1]].json["elder"] == {"masked_name": "王*英"}  # no consent, no contact
    assert "王秀英" not in by_help[ids[0]].body.decode()

    answered_id = answered["payload"]["id"]  # acknowledged before its delay: never escalated
    assert _notifications(setup.db, answered_id) == []
    assert _events(setup.db, community_id, answered_id) == ["received", "acknowledged"]
    fed = latest(kiosk.pull_all()[0], "help_request")
    assert all(fed[help_id]["escalated_at"] for help_id in ids)
    assert fed[answered_id]["escalated_at"] is None


def test_a_failed_delivery_is_retried_with_the_same_body_and_both_attempts_are_logged(
        hand, receiver):
    _process, setup = hand
    community_id = _community_with_webhook(setup, receiver)
    receiver.answers = [500]
    call = help_op("elder-001")
    setup.kiosk(community_id).push(call)
    help_id = call["payload"]["id"]

    wait_until(lambda: _delivered(setup.db, help_id), DEADLINE, "the retried delivery")
    first, second = receiver.received
    assert first.signed and second.signed
    assert (first.body, first.key) == (second.body, second.key)  # a repeat, recognisable
    [notification] = _notifications(setup.db, help_id)
    assert notification["attempts"] == 2
    assert _attempts(setup.db, notification["id"]) == [500, 200]
    assert _events(setup.db, community_id, help_id) == ["received", "escalated", "notified"]


def test_a_platform_killed_before_delivering_delivers_after_restart(start_platform, receiver):
    process = start_platform(None, *FAST)
    db = Database(process.db_target)
    try:
        setup = TestPlatform(process.base_url, db)
        community_id = _community_with_webhook(setup, receiver)
        receiver.hold.set()  # the first delivery is sent and never answered: the platform dies
        call = help_op("elder-001")
        setup.kiosk(community_id).push(call)
        help_id = call["payload"]["id"]
        wait_until(lambda: receiver.received, DEADLINE, "the first delivery")
        process.kill()
        receiver.release()
        [notification] = _notifications(db, help_id)
        assert (notification["state"], notification["attempts"]) == ("pending", 0)

        start_platform(process.db_target, *FAST)
        wait_until(lambda: _delivered(db, help_id), DEADLINE, "delivery after the restart")
        first, again = receiver.received
        assert again.signed and (again.key, again.body) == (first.key, first.body)
        assert _events(db, community_id, help_id) == ["received", "escalated", "notified"]
        assert _attempts(db, notification["id"]) == [200]  # the killed one was never recorded
    finally:
        db.dispose()


def test_two_platforms_on_one_database_escalate_and_deliver_each_call_once(
        start_platform, new_database, receiver):
    target = new_database()
    first = start_platform(target, *_fast(0.02))
    db = Database(target)
    try:
        setup = TestPlatform(first.base_url, db)
        community_id = _community_with_webhook(setup, receiver)
        second = start_platform(target, *_fast(0.02))
        calls = [help_op(f"elder-00{n}") for n in (1, 2, 3)]
        setup.kiosk(community_id).push(*calls[:2])
        TestPlatform(second.base_url, db).kiosk(community_id).push(calls[2])
        help_ids = [call["payload"]["id"] for call in calls]

        wait_until(lambda: all(_delivered(db, help_id) for help_id in help_ids), DEADLINE,
                   "every call delivered")
        assert sorted(item.json["help"]["id"] for item in receiver.received) == sorted(help_ids)
        assert all(item.signed for item in receiver.received)
        for help_id in help_ids:
            assert _events(db, community_id, help_id) == ["received", "escalated", "notified"]
            assert len(_notifications(db, help_id)) == 1
        with db.read() as conn:
            assert conn.execute(select(func.count()).select_from(notification_attempts)
                                ).scalar_one() == 3
    finally:
        db.dispose()


def test_webhooks_are_listed_without_their_secret_and_removed(new_database):
    target = new_database()
    out = _cli(target, "add-webhook", "https://gw:pw@sms.example.org/in")
    channel_id = out.split("webhook: ")[1].split()[0]
    secret = out.split("give it to the receiver): ")[1].strip()
    listed = _cli(target, "webhooks")
    assert channel_id in listed and "gw:***@sms.example.org" in listed
    assert secret not in listed and ":pw@" not in listed
    assert "removed; 0 unsent" in _cli(target, "remove-webhook", channel_id)
    assert f"{channel_id}\t*\thttps://gw:***@sms.example.org/in\tremoved" in _cli(target,
                                                                                  "webhooks")
