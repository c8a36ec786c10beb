"""Bad requests: a clear 4xx, never a 5xx, and never a partial write."""
from __future__ import annotations

import json
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.platform.wire import booking_op

MiB = 1024 * 1024


@pytest.fixture()
def kiosk_and_slot(platform):
    community = platform.community()
    slot = platform.slot(community, capacity=10)
    return platform.kiosk(community), slot


def _assert_nothing_written(kiosk, cursor):
    assert kiosk.pull_all(since=cursor)[0] == []


def _with(op: dict, **payload_changes) -> dict:
    payload = {**op["payload"], **payload_changes}
    return {**op, "payload": {k: v for k, v in payload.items() if v is not _DROP}}


_DROP = object()

BAD_PAYLOADS = {
    "unknown field": {"colour": "red"},
    "missing field": {"slot_id": _DROP},
    "price as text": {"price_cents": "1500"},
    "price as float": {"price_cents": 15.5},
    "price as bool": {"price_cents": True},
    "negative subsidy": {"subsidy_cents": -1},
    "elder id as number": {"elder_id": 5},
    "naive time": {"created_at": "2026-11-23T10:00:00"},
    "bad booking id": {"id": "not-a-uuid"},
    "mode not a code": {"mode": "Teleport!"},
    "service not a code": {"service": "Cleaning"},
    "bad lease id": {"lease_id": "lease-1"},
    "huge slot id": {"slot_id": "x" * 500},
}


@pytest.mark.parametrize("case", sorted(BAD_PAYLOADS))
def test_bad_booking_payload_refuses_the_whole_batch(kiosk_and_slot, case):
    kiosk, slot = kiosk_and_slot
    _, cursor = kiosk.pull_all()
    good = booking_op("elder-001", slot)
    bad = _with(booking_op("elder-002", slot), **BAD_PAYLOADS[case])
    answer = kiosk.post("/v1/push", {"operations": [good, bad]})
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "invalid_request"
    assert {(d["index"], d["op_id"]) for d in error["details"]} == {(1, bad["op_id"])}
    _assert_nothing_written(kiosk, cursor)


BAD_ENVELOPES = {
    "unknown top-level field": lambda op: {"operations": [op], "force": True},
    "unknown operation field": lambda op: {"operations": [{**op, "priority": 1}]},
    "missing op_id": lambda op: {"operations": [{k: v for k, v in op.items() if k != "op_id"}]},
    "bad op_id": lambda op: {"operations": [{**op, "op_id": "1"}]},
    "payload is a list": lambda op: {"operations": [{**op, "payload": [1, 2]}]},
    "naive created_at": lambda op: {"operations": [{**op, "created_at": "2026-11-23 10:00"}]},
    "no operations": lambda op: {"operations": []},
    "too many operations": lambda op: {"operations": [
        {**op, "op_id": str(uuid.uuid4())} for _ in range(501)]},
    "a list": lambda op: [op],
    "null": lambda op: None,
}


@pytest.mark.parametrize("case", sorted(BAD_ENVELOPES))
def test_bad_envelope_is_422(kiosk_and_slot, case):
    kiosk, slot = kiosk_and_slot
    _, cursor = kiosk.pull_all()
    answer = kiosk.post("/v1/push", BAD_ENVELOPES[case](booking_op("elder-001", slot)))
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] == "invalid_request"
    _assert_nothing_written(kiosk, cursor)


@pytest.mark.parametrize("body", [b"", b"{", b"\xff\xfe", b"operations=1"])
def test_body_that_is_not_json_is_422(kiosk_and_slot, body):
    kiosk, _ = kiosk_and_slot
    answer = kiosk.post("/v1/push", data=body)
    assert answer.status_code == 422, answer.text


def test_huge_bodies_are_413_and_write_nothing(kiosk_and_slot):
    kiosk, slot = kiosk_and_slot
    _, cursor = kiosk.pull_all()
    op = booking_op("elder-001", slot)
    big = {"operations": [{**op, "type": "audit.append", "payload": {"log": "x" * (2 * MiB)}}]}
    answer = kiosk.post("/v1/push", big)
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "payload_too_large"

    def chunks():  # no Content-Length: the limit is counted as the body streams in
        yield json.dumps(big).encode()[: 3 * MiB // 2]

    streamed = kiosk.post("/v1/push", data=chunks(),
                          headers={"Content-Type": "application/json"})
    assert streamed.status_code == 413
    _assert_nothing_written(kiosk, cursor)


def test_bad_lease_and_enrol_requests_are_422(platform, kiosk_and_slot):
    kiosk, slot = kiosk_and_slot
    for body in ({"want": [{"slot_id": slot, "places": -1}]},
                 {"want": [{"slot_id": slot, "colour": "red"}]},
                 {"return": [{"lease_id": "x", "used": 1}]},
                 {"returns": []}):
        assert kiosk.post("/v1/leases", body).status_code == 422, body
    enrol = platform.anonymous().post("/v1/enrol", {"code": "AAAA", "serial": "1"})
    assert enrol.status_code == 422


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)  # JSON has neither
    | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=6)


@settings(max_examples=40, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(["id", "elder_id", "service", "slot_id", "mode", "price_cents",
                              "subsidy_cents", "staff_id", "created_at", "lease_id", "extra"]),
       value=JSON_VALUES)
def test_random_payload_values_never_cause_a_5xx(kiosk_and_slot, field, value):
    kiosk, slot = kiosk_and_slot
    answer = kiosk.post("/v1/push", {"operations": [_with(booking_op("elder-001", slot),
                                                          **{field: value})]})
    assert answer.status_code in (200, 422), answer.text


def _service(**fields) -> dict:
    payload = {"id": str(uuid.uuid4()), "elder_id": "elder-001", "service": "cleaning",
               "slot_id": "cleaning:2040-01-01:am", "kind": "standard", "price_cents": 0,
               "subsidy_cents": 0, "staff_id": None, "created_at": "2026-11-23T10:00:00+08:00"}
    payload.update(fields)
    return {"op_id": str(uuid.uuid4()), "type": "booking.create",
            "payload": {k: v for k, v in payload.items() if v is not _DROP},
            "created_at": "2026-11-23T10:00:00+08:00"}


def _other(op_type: str, **payload) -> dict:
    return {"op_id": str(uuid.uuid4()), "type": op_type, "payload": payload,
            "created_at": "2026-11-23T10:00:00+08:00"}


_UUID = "7d0c0000-0000-4000-8000-000000000000"
_AT = "2026-11-23T10:00:00+08:00"
BAD_OTHER_OPS = {
    "eleven needs": _service(needs=[f"n{i}" for i in range(11)]),
    "rating score": _other("rating.create", id=_UUID, booking_id=_UUID, elder_id="e",
                           score="happy", reasons=[], created_at=_AT),
    "rating reason not a code": _other("rating.create", id=_UUID, booking_id=_UUID,
                                       elder_id="e", score="neutral", reasons=["太慢"],
                                       created_at=_AT),
    "help kind not a code": _other("help.create", id=_UUID, kind="Urgent!", created_at=_AT),
    "help state": _other("help.update", id=_UUID, state="open", staff_id="s"),
    "help update without staff": _other("help.update", id=_UUID, state="resolved"),
    "complaint naive time": _other("complaint.create", id=_UUID, elder_id="e", reasons=[],
                                   created_at="2026-11-23T10:00:00"),
    "audit action": _other("audit.append", id=_UUID, staff_id="s", action="Delete Elder!",
                           subject="x", created_at=_AT),
}


@pytest.mark.parametrize("case", sorted(BAD_OTHER_OPS))
def test_bad_payloads_of_the_new_types_are_422(kiosk_and_slot, case):
    kiosk, slot = kiosk_and_slot
    _, cursor = kiosk.pull_all()
    good, bad = booking_op("elder-001", slot), BAD_OTHER_OPS[case]
    answer = kiosk.post("/v1/push", {"operations": [good, bad]})
    assert answer.status_code == 422, answer.text
    details = answer.json()["error"]["details"]
    assert {(d["index"], d["op_id"]) for d in details} == {(1, bad["op_id"])}
    assert all(d["loc"][:4] == ["body", "operations", 1, "payload"] for d in details)
    _assert_nothing_written(kiosk, cursor)
