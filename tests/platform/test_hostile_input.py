"""What a fuzzer or an attacker sends (issue 14): refused as the protocol says, never a 5xx,
never an answer before the token is checked, nothing written."""
from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
import requests

from elder_wire.operations import Operation
from service_platform import auth, operations
from tests.platform.wire import SHANGHAI, booking_op, elder_op, op, stamp, statuses

GUARDED = [("post", "/v1/push"), ("post", "/v1/leases"), ("get", "/v1/me"),
           ("get", "/v1/changes"), ("get", "/v1/push"), ("post", "/v1/nothing-here")]


@pytest.fixture()
def kiosk_and_slot(platform):
    community = platform.community()
    slot = platform.slot(community, capacity=10)
    return platform.kiosk(community), slot


def _raw(kiosk, path: str, body: bytes, headers: dict | None = None) -> requests.Response:
    return requests.post(kiosk.base_url + path, data=body, timeout=30, headers={
        **kiosk.headers, "Content-Type": "application/json", **(headers or {})})


def _push_text(ops: list[dict]) -> bytes:
    """A push body as JSON text, with non-ASCII written as \\u escapes (lone surrogates too)."""
    return json.dumps({"operations": ops}, ensure_ascii=True).encode()


def _refused(answer: requests.Response, *bad: tuple[int, dict], code: str = "invalid_request"):
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == code
    assert {(d["index"], d["op_id"]) for d in error["details"]} == {
        (index, item["op_id"]) for index, item in bad}


# 1. Text the databases cannot keep: a 422 naming the operation, which the kiosk then sets
# aside (§4.4) so that the rest of its outbox goes through.

BAD_TEXT = {"lone surrogate": "\ud800", "low surrogate": "a\udfffb", "NUL": "a\u0000b"}


@pytest.mark.parametrize("text", sorted(BAD_TEXT))
def test_text_no_database_keeps_is_422_for_its_operation(kiosk_and_slot, text):
    kiosk, slot = kiosk_and_slot
    bad = BAD_TEXT[text]
    _, cursor = kiosk.pull_all()
    good = booking_op("elder-001", slot)
    cases = [
        booking_op("elder-002", slot, staff_id=bad),
        booking_op("elder-002", slot.replace("meal", bad)),
        elder_op("elder-777", "77777777", name=f"赵{bad}兰"),
        elder_op("elder-778", "77777778", emergency_contact={"name": bad, "phone": "1"}),
        op("help.create", {"id": str(uuid.uuid4()), "elder_id": None, "kind": "urgent",
                           "created_at": stamp(), bad: 1}),
        op("future.type", {"note": [{"deep": bad}]}),
        {**op("future.type", {}), "type": f"x{bad}"},
    ]
    for case in cases:
        _refused(_raw(kiosk, "/v1/push", _push_text([good, case])), (1, case))
    assert kiosk.pull_all(since=cursor)[0] == []
    help_call = op("help.create", {"id": str(uuid.uuid4()), "elder_id": None, "kind": "urgent",
                                   "created_at": stamp()})
    assert statuses(kiosk.push(good, help_call)) == [("applied", None)] * 2


@pytest.mark.parametrize("text", sorted(BAD_TEXT))
def test_bad_text_elsewhere_in_a_request_is_422(platform, kiosk_and_slot, text):
    kiosk, slot = kiosk_and_slot
    bad = BAD_TEXT[text]
    answers = [
        _raw(kiosk, "/v1/push", json.dumps({"operations": [booking_op("elder-001", slot)],
                                            bad: 1}).encode()),
        _raw(kiosk, "/v1/leases", json.dumps({"want": [{"slot_id": f"{slot}{bad}"}]}).encode()),
        _raw(kiosk, "/v1/leases", json.dumps({"want": [{"slot_id": slot, bad: 1}]}).encode()),
        _raw(platform.anonymous(), "/v1/enrol",
             json.dumps({"code": "AAAA-BBBB-CCCC", "device_name": f"大厅{bad}"}).encode()),
    ]
    for answer in answers:
        assert answer.status_code == 422, answer.text
        assert answer.json()["error"]["code"] == "invalid_request"


def test_a_surrogate_in_a_service_tag_is_422_not_500(kiosk_and_slot):
    kiosk, slot = kiosk_and_slot
    bad = booking_op("elder-002", slot, service="\ud800")
    _refused(_raw(kiosk, "/v1/push", _push_text([bad])), (0, bad))


# 2. The token first: without one, nothing about the body, its size or the path is told.

@pytest.mark.parametrize("body", [b"{", b'{"operations": "\xff"}', b"[" * 100_000, b"x" * 10])
def test_without_a_token_a_bad_body_is_401_and_nothing_else(platform, body):
    for method, path in GUARDED:
        answer = requests.request(method, platform.base_url + path, data=body, timeout=30,
                                  headers={"Content-Type": "application/json"})
        assert answer.status_code == 401, (method, path, answer.text)
        body = answer.json()
        assert body.pop("server_time")
        assert body == {"error": {
            "code": "unauthorized", "message": "a valid device token is required", "details": []}}
        assert answer.headers["WWW-Authenticate"] == "Bearer"


def test_without_a_token_a_huge_body_is_401(platform):
    answer = requests.post(platform.base_url + "/v1/push", data=b"x" * (3 * 1024 * 1024),
                           timeout=30, headers={"Content-Type": "application/json"})
    assert answer.status_code == 401, answer.text


def test_a_revoked_kiosk_with_a_bad_body_is_403(platform, kiosk_and_slot):
    kiosk, _ = kiosk_and_slot
    platform.db.run_write(lambda conn: auth.revoke_kiosk(conn, kiosk.kiosk_id))
    for method, path in GUARDED:
        answer = requests.request(method, platform.base_url + path, data=b"{", timeout=30,
                                  headers={**kiosk.headers, "Content-Type": "application/json"})
        assert answer.status_code == 403, (method, path, answer.text)
        assert answer.json()["error"]["code"] == "kiosk_revoked"


# 3. Answers as documented: only the protocol's error codes; timestamps as ISO 8601 text
# with an offset; integers as JSON numbers without a fraction (2.0 is 2, 2.5 is not).

@pytest.mark.parametrize("body", [b'{"operations": "\xff\xfe\xfd"}', b"[" * 100_000,
                                  b'{"operations": [' + b"[" * 5000 + b"]" * 5000 + b"]}"])
def test_an_unreadable_body_is_422_invalid_request(kiosk_and_slot, body):
    kiosk, _ = kiosk_and_slot
    answer = _raw(kiosk, "/v1/push", body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] == "invalid_request"


UNIX = 1_795_000_000


@pytest.mark.parametrize("where", ["envelope", "payload"])
@pytest.mark.parametrize("moment", [UNIX, UNIX + 0.5, str(UNIX), "2026-12-01", "2026-12-01T10:00",
                                    "2026-12-01 10:00:00+08:00", "20261201T100000+0800"])
def test_a_timestamp_is_iso_8601_text_with_an_offset(kiosk_and_slot, where, moment):
    kiosk, slot = kiosk_and_slot
    bad = booking_op("elder-001", slot)
    if where == "envelope":
        bad["created_at"] = moment
    else:
        bad["payload"]["created_at"] = moment
    answer = kiosk.post("/v1/push", {"operations": [bad]})
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] == "invalid_request"


def test_whole_numbers_written_with_a_fraction_are_integers(kiosk_and_slot):
    kiosk, slot = kiosk_and_slot
    whole = booking_op("elder-001", slot, price_cents=1500.0, subsidy_cents=3e2)
    assert statuses(kiosk.push(whole)) == [("applied", None)]
    granted = kiosk.leases(want=[{"slot_id": slot, "places": 2.0}])["leases"]
    assert [lease["places"] for lease in granted] == [2]
    for value in (2.5, "2", True, 1e300):
        answer = kiosk.post("/v1/leases", {"want": [{"slot_id": slot, "places": value}]})
        assert answer.status_code == 422, (value, answer.text)


def test_openapi_says_what_the_platform_answers(platform):
    document = requests.get(platform.base_url + "/openapi.json", timeout=10).json()
    answers = {(path, method): set(item["responses"])
               for path, methods in document["paths"].items() if path.startswith("/v1/")
               for method, item in methods.items()}
    assert answers == {
        ("/v1/time", "get"): {"200", "503"},
        ("/v1/enrol", "post"): {"200", "401", "413", "422", "429", "503"},
        ("/v1/me", "get"): {"200", "401", "403", "422", "503"},
        ("/v1/push", "post"): {"200", "401", "403", "413", "422", "500", "503"},
        ("/v1/changes", "get"): {"200", "401", "403", "409", "422", "503"},
        ("/v1/snapshot", "get"): {"200", "401", "403", "422", "503"},
        ("/v1/leases", "post"): {"200", "401", "403", "413", "422", "503"},
    }
    assert "HTTPValidationError" not in document["components"]["schemas"]  # 422s are ours
    schemas = document["components"]["schemas"]
    assert schemas["BookingCreateOp"]["properties"]["created_at"]["format"] == "date-time"
    assert schemas["LeaseWantIn"]["properties"]["places"]["anyOf"][0]["type"] == "integer"
    assert schemas["EnrolRequest"]["properties"]["install_id"]


# 8. A booking id is the kiosk's own within its community (§3.1).

def test_a_booking_id_again_with_other_content_is_a_duplicate(kiosk_and_slot):
    kiosk, slot = kiosk_and_slot
    first = booking_op("elder-001", slot)
    assert statuses(kiosk.push(first)) == [("applied", None)]
    same = {**booking_op("elder-001", slot), "payload": first["payload"]}
    assert statuses(kiosk.push(same)) == [("applied", None)]
    for change in ({"mode": "dine_in"}, {"price_cents": 1600}, {"subsidy_cents": 0},
                   {"staff_id": "staff-zhang"}, {"created_at": stamp(dt.datetime(
                       2026, 11, 30, tzinfo=SHANGHAI))}):
        again = {**booking_op("elder-001", slot),
                 "payload": {**first["payload"], **change}}
        assert statuses(kiosk.push(again)) == [("rejected", "duplicate")], change


def test_another_communitys_booking_id_tells_nothing(platform):
    ours, theirs = platform.community(), platform.community()
    our_slot, their_slot = platform.slot(ours, capacity=5), platform.slot(theirs, capacity=5)
    our_kiosk, their_kiosk = platform.kiosk(ours), platform.kiosk(theirs)
    booked = booking_op("elder-001", our_slot)
    assert statuses(our_kiosk.push(booked)) == [("applied", None)]
    probe = booking_op("elder-002", their_slot)
    probe["payload"]["id"] = booked["payload"]["id"]
    fresh = booking_op("elder-003", their_slot)
    got, control = their_kiosk.push(probe, fresh)
    assert (got["status"], got["reason"], set(got["data"])) == (
        control["status"], control["reason"], set(control["data"]))
    assert got["data"]["booking_id"] == probe["payload"]["id"]
    changes, _ = our_kiosk.pull_all()
    ours_now = [c["data"] for c in changes if c["kind"] == "booking"]
    assert [(b["elder_id"], b["slot_id"], b["status"]) for b in ours_now] == [
        ("elder-001", our_slot, "confirmed")]


# 9. Amounts and times a kiosk could not have meant.

def test_a_subsidy_above_the_price_is_422(kiosk_and_slot):
    kiosk, slot = kiosk_and_slot
    bad = booking_op("elder-001", slot, price_cents=1500, subsidy_cents=1501)
    _refused(kiosk.post("/v1/push", {"operations": [bad]}), (0, bad))
    assert statuses(kiosk.push(booking_op("elder-001", slot, price_cents=1500,
                                          subsidy_cents=1500))) == [("applied", None)]


def _made_at(item: dict, moment: dt.datetime, where: str) -> dict:
    (item if where == "envelope" else item["payload"])["created_at"] = stamp(moment)
    return item


@pytest.mark.parametrize("where", ["envelope", "payload"])
def test_created_at_is_bounded_by_the_platforms_clock(kiosk_and_slot, where):
    kiosk, slot = kiosk_and_slot
    now = dt.datetime.now(SHANGHAI)
    offline_for_weeks = _made_at(booking_op("elder-001", slot), now - dt.timedelta(days=40), where)
    assert statuses(kiosk.push(offline_for_weeks)) == [("applied", None)]
    for moment in (now + dt.timedelta(hours=25), now - dt.timedelta(days=400),
                   dt.datetime(1970, 1, 1, tzinfo=dt.UTC)):
        bad = _made_at(booking_op("elder-002", slot), moment, where)
        _refused(kiosk.post("/v1/push", {"operations": [bad]}), (0, bad))
    ahead = _made_at(booking_op("elder-002", slot), now + dt.timedelta(hours=23), where)
    assert statuses(kiosk.push(ahead)) == [("applied", None)]


def test_an_operation_stored_long_ago_is_still_answered_from_its_result():
    """The time bound is not applied to an operation already stored with the same content:
    a kiosk's retry must get its stored result back whenever it comes."""
    old = Operation.model_validate(booking_op("elder-001", "meal:2024-01-01:lunch",
                                              created_at="2024-01-01T10:00:00+08:00"))
    stored = {str(old.op_id): operations.digest(old)}
    assert [item.op_id for item in operations.validate([old], stored)] == [str(old.op_id)]
    with pytest.raises(Exception) as refused:
        operations.validate([old], {})
    assert getattr(refused.value, "status", None) == 422
