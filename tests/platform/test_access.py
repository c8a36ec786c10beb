"""Enrolment, device tokens and who may see what: none, unknown, revoked, other community."""
from __future__ import annotations

import json
import subprocess
import sys

import requests

from service_platform import operators
from tests.platform.servers import ROOT
from tests.platform.wire import booking_op, cancel_op

GUARDED = [("get", "/v1/me"), ("get", "/v1/changes"), ("post", "/v1/push"),
           ("post", "/v1/leases")]


def _call(client, method: str, path: str) -> requests.Response:
    if method == "get":
        return client.get(path)
    body = {"operations": [booking_op("elder-001", "x")]} if path == "/v1/push" else {}
    return client.post(path, body)


def test_openapi_document_describes_the_api(platform):
    document = requests.get(platform.base_url + "/openapi.json", timeout=10).json()
    assert {"/v1/enrol", "/v1/push", "/v1/changes", "/v1/leases", "/v1/time"} <= set(
        document["paths"])


def test_enrolment_code_gives_a_token_once(platform):
    community = platform.community()
    kiosk_id, code = operators.add_kiosk(platform.db, community, "大厅")
    install = {"install_id": "kiosk-install-0001"}  # the kiosk's own id (protocol §2)
    first = requests.post(platform.base_url + "/v1/enrol",
                          json={"code": code.lower().replace("-", " "), **install}, timeout=10)
    assert first.status_code == 200
    body = first.json()
    assert body["kiosk_id"] == kiosk_id and body["community"]["id"] == community
    me = platform.anonymous(body["token"]).get("/v1/me")
    assert me.status_code == 200 and me.json()["kiosk_id"] == kiosk_id

    # A lost answer: the code works again for a while, for the same install only, and the
    # earlier token stops working.
    again = requests.post(platform.base_url + "/v1/enrol", json={"code": code, **install},
                          timeout=10)
    assert again.status_code == 200
    assert platform.anonymous(body["token"]).get("/v1/me").status_code == 401
    assert platform.anonymous(again.json()["token"]).get("/v1/me").status_code == 200


def test_unknown_enrolment_code_is_refused(platform):
    answer = requests.post(platform.base_url + "/v1/enrol", json={"code": "AAAA-BBBB-CCCC"},
                           timeout=10)
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "invalid_code"


def test_no_token_or_unknown_token_gets_nothing(platform):
    for client in (platform.anonymous(), platform.anonymous("ek1_not-a-real-token"),
                   platform.anonymous("garbage")):
        for method, path in GUARDED:
            answer = _call(client, method, path)
            assert answer.status_code == 401, (path, answer.text)
            assert set(answer.json()) == {"error", "server_time"}  # nothing of the community
            assert answer.headers["WWW-Authenticate"] == "Bearer"


def test_revoked_kiosk_gets_nothing(platform):
    community = platform.community()
    kiosk = platform.kiosk(community)
    slot = platform.slot(community, capacity=5)
    granted = kiosk.leases(want=[{"slot_id": slot}])["leases"]
    assert granted
    done = subprocess.run(
        [sys.executable, "-m", "service_platform.cli", "revoke-kiosk", kiosk.kiosk_id,
         "--db", platform.db.url], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    for method, path in GUARDED:
        answer = _call(kiosk, method, path)
        assert answer.status_code == 403, (path, answer.text)
        assert answer.json()["error"]["code"] == "kiosk_revoked"
    # Its unused places flowed back: another kiosk can take them all.
    other = platform.kiosk(community)
    assert other.leases(want=[{"slot_id": slot}])["leases"][0]["places"] == 5


def test_other_community_sees_and_changes_nothing(platform):
    home, away = platform.community(), platform.community()
    slot = platform.slot(home, capacity=5)
    ours = platform.kiosk(home)
    theirs = platform.kiosk(away)
    booked = booking_op("elder-001", slot)
    assert ours.push(booked)[0]["status"] == "applied"

    changes, _ = theirs.pull_all()
    assert all(c["kind"] in ("service", "elder", "subsidy_level") for c in changes)
    assert {c["id"] for c in changes if c["kind"] == "booking"} == set()
    assert slot not in {c["id"] for c in changes}
    results = theirs.push(booking_op("elder-001", slot),
                          cancel_op(booked["payload"]["id"]))
    assert [r["reason"] for r in results] == ["unknown_slot", "unknown_booking"]
    still, _ = ours.pull_all()
    assert still[-1]["data"]["status"] == "confirmed"


def test_add_kiosk_command_prints_code_and_qr(platform):
    community = platform.community()
    done = subprocess.run(
        [sys.executable, "-m", "service_platform.cli", "add-kiosk", "--community", community,
         "--name", "二楼", "--db", platform.db.url, "--url", platform.base_url],
        cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    code = next(line.split(": ")[1] for line in done.stdout.splitlines()
                if line.startswith("enrolment code: "))
    assert "█" in done.stdout  # the QR code
    answer = requests.post(platform.base_url + "/v1/enrol", json={"code": code}, timeout=10)
    assert answer.status_code == 200
    assert answer.json()["kiosk_name"] == "二楼"
    assert json.loads(json.dumps(answer.json()))["community"]["id"] == community
