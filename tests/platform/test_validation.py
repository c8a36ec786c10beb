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
    "missing field": {"mode": _DROP},
    "price as text": {"price_cents": "1500"},
    "price as float": {"price_cents": 15.5},
    "price as bool": {"price_cents": True},
    "negative subsidy": {"subsidy_cents": -1},
    "elder id as number": {"elder_id": 5},
    "naive time": {"created_at": "2026-11-23T10:00:00"},
    "bad booking id": {"id": "not-a-uuid"},
    "unknown mode": {"mode": "teleport"},
    "other service": {"service": "cleaning"},
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
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
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
