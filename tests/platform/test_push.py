"""Pushing operations: exactly once, conflicts refused, rejections that do not block the queue."""
from __future__ import annotations

import json
import socket
import uuid

from tests.platform.wire import booking_op, cancel_op, confirmed_in_feed, help_op


def test_same_batch_twice_gives_same_results_and_one_booking(platform):
    community = platform.community()
    slot = platform.slot(community, capacity=10)
    kiosk = platform.kiosk(community)
    batch = [booking_op(f"elder-00{n}", slot) for n in (1, 2, 3)]
    first = kiosk.push(*batch)
    again = kiosk.push(*batch)  # the answer to the first was "lost"
    assert first == again
    assert [r["status"] for r in first] == ["applied"] * 3
    changes, _ = kiosk.pull_all()
    bookings = [c for c in changes if c["kind"] == "booking"]
    assert len(bookings) == 3
    assert confirmed_in_feed(changes, slot) == 3


def test_a_push_whose_body_comes_after_its_head_is_answered_once(platform):
    """A large batch's body comes in parts, after its head: the kiosk is admitted while it is
    still coming, and the push is answered all the same — every operation applied once, the
    same results as a retry of it gets."""
    community = platform.community()
    slot = platform.slot(community, capacity=10)
    kiosk = platform.kiosk(community)
    batch = [booking_op(f"elder-00{n}", slot) for n in (1, 2, 3)]
    body = json.dumps({"operations": batch}).encode()
    host, port = kiosk.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall((f"POST /v1/push HTTP/1.1\r\nHost: platform\r\n"
                      f"Authorization: {kiosk.headers['Authorization']}\r\n"
                      f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                      f"Connection: close\r\n\r\n").encode() + body[:10])
        assert kiosk.get("/v1/changes").status_code == 200  # the head is in meanwhile
        sock.sendall(body[10:])
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, content = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 "), answer
    results = json.loads(content)["results"]
    assert [r["status"] for r in results] == ["applied"] * 3
    assert kiosk.push(*batch) == results
    changes, _ = kiosk.pull_all()
    assert confirmed_in_feed(changes, slot) == 3


def test_same_op_twice_in_one_batch_is_applied_once(platform):
    community = platform.community()
    slot = platform.slot(community, capacity=10)
    kiosk = platform.kiosk(community)
    op = booking_op("elder-001", slot)
    first, second = kiosk.push(op, op)
    assert first == second and first["status"] == "applied"
    changes, _ = kiosk.pull_all()
    assert confirmed_in_feed(changes, slot) == 1


def test_same_op_id_with_other_payload_is_422_and_writes_nothing(platform):
    community = platform.community()
    slot = platform.slot(community, capacity=10)
    kiosk = platform.kiosk(community)
    op = booking_op("elder-001", slot)
    kiosk.push(op)
    _, cursor = kiosk.pull_all()
    changed = {**op, "payload": {**op["payload"], "elder_id": "elder-002"}}
    fresh = booking_op("elder-003", slot)
    answer = kiosk.post("/v1/push", {"operations": [fresh, changed]})
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "op_conflict"
    assert error["details"][0]["index"] == 1 and error["details"][0]["op_id"] == op["op_id"]
    assert kiosk.pull_all(cursor)[0] == []  # not even the valid operation before it


def test_rejected_operation_does_not_block_the_ones_after_it(platform):
    community = platform.community()
    slot = platform.slot(community, capacity=1)
    kiosk = platform.kiosk(community)
    results = kiosk.push(
        booking_op("elder-404", slot),          # unknown elder
        booking_op("elder-001", slot),          # the last place
        booking_op("elder-002", slot),          # full
        booking_op("elder-010", slot),          # inactive
        booking_op("elder-001", "meal:2040-12-31:lunch"),  # unknown slot
        booking_op("elder-003", slot, mode="delivery"),     # allowed here, but full
        help_op(elder_id="elder-001", kind="urgent"),
    )
    assert [(r["status"], r["reason"]) for r in results] == [
        ("rejected", "unknown_elder"), ("applied", None), ("rejected", "full"),
        ("rejected", "elder_inactive"), ("rejected", "unknown_slot"), ("rejected", "full"),
        ("applied", None)]


def test_a_second_booking_of_one_elders_meal_is_the_same_place(platform):
    community = platform.community()
    slot = platform.slot(community, capacity=10)
    kiosk, other = platform.kiosk(community), platform.kiosk(community)
    first = booking_op("elder-001", slot)
    assert kiosk.push(first)[0]["status"] == "applied"
    [again] = other.push(booking_op("elder-001", slot))
    assert (again["status"], again["data"]) == ("applied", {
        "booking_id": first["payload"]["id"], "booking_status": "confirmed",
        "within_lease": False, "merged": True})
    # The same booking again under a new op_id is not a second booking.
    resent = {**first, "op_id": str(uuid.uuid4())}
    assert kiosk.push(resent)[0]["status"] == "applied"
    changes, _ = kiosk.pull_all()
    assert confirmed_in_feed(changes, slot) == 1


def test_cancel_frees_the_place(platform):
    community = platform.community()
    slot = platform.slot(community, capacity=1)
    kiosk = platform.kiosk(community)
    booked = booking_op("elder-001", slot)
    kiosk.push(booked)
    assert kiosk.push(booking_op("elder-002", slot))[0]["reason"] == "full"
    cancelled = kiosk.push(cancel_op(booked["payload"]["id"]))[0]
    assert cancelled["data"]["booking_status"] == "cancelled"
    assert kiosk.push(cancel_op(booked["payload"]["id"]))[0]["status"] == "applied"
    assert kiosk.push(booking_op("elder-002", slot))[0]["status"] == "applied"


def test_past_cutoff_is_closed(platform):
    from service_platform import operators

    community = platform.community()
    slot = platform.slot(community, capacity=5)
    kiosk = platform.kiosk(community)
    booked = booking_op("elder-001", slot)
    kiosk.push(booked)
    operators.set_meal_slot(platform.db, community, slot, cutoff="2020-01-01T09:30:00+08:00")
    assert kiosk.push(booking_op("elder-002", slot))[0]["reason"] == "closed"
    assert kiosk.push(cancel_op(booked["payload"]["id"]))[0]["reason"] == "closed"


def test_unknown_types_are_rejected_and_do_not_block(platform):
    kiosk = platform.kiosk(platform.community())
    ops = [{"op_id": str(uuid.uuid4()), "type": kind, "payload": {"any": ["thing", 1]},
            "created_at": "2026-11-23T10:00:00+08:00"}
           for kind in ("teleport.create", "rating.delete")] + [help_op()]
    results = kiosk.push(*ops)
    assert [(r["status"], r["reason"]) for r in results] == [
        ("rejected", "unknown_type"), ("rejected", "unknown_type"), ("applied", None)]
    assert kiosk.push(*ops) == results
