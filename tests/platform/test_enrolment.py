"""Enrolment codes (issue 14): a redeemed code serves only the install that redeemed it, and
failed attempts are limited per client address, in the database, and logged without codes."""
from __future__ import annotations

import datetime as dt
import http.client
import json
import uuid

import requests
from sqlalchemy import update

from kiosk.sync.client import PlatformClient
from kiosk.sync.enrolment import request_enrolment
from service_platform import auth, clock, enrol_attempts, operators
from service_platform.db import Database
from service_platform.schema import enrol_failures, kiosks


def _enrol(base_url: str, code: str, install_id: str | None = None,
           source: str = "127.0.0.1") -> tuple[int, dict, dict]:
    """POST /v1/enrol from `source` (any 127.x address reaches the platform on 127.0.0.1)."""
    host, port = base_url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10, source_address=(source, 0))
    body = {"code": code, **({"install_id": install_id} if install_id else {})}
    try:
        conn.request("POST", "/v1/enrol", json.dumps(body),
                     {"Content-Type": "application/json"})
        answer = conn.getresponse()
        return answer.status, json.loads(answer.read()), dict(answer.getheaders())
    finally:
        conn.close()


def _works(base_url: str, token: str) -> bool:
    answer = requests.get(base_url + "/v1/me", timeout=10,
                          headers={"Authorization": f"Bearer {token}"})
    return answer.status_code == 200


def _used_minutes_ago(db: Database, kiosk_id: str, minutes: float) -> None:
    moment = clock.stamp(clock.now() - dt.timedelta(minutes=minutes))
    db.run_write(lambda conn: conn.execute(update(kiosks).where(kiosks.c.id == kiosk_id).values(
        code_used_at=moment)))


def test_a_redeemed_code_serves_only_the_install_that_redeemed_it(platform):
    kiosk_id, code = operators.add_kiosk(platform.db, platform.community(), "大厅")
    ours, theirs = uuid.uuid4().hex, uuid.uuid4().hex
    status, first, _ = _enrol(platform.base_url, code, ours)
    assert status == 200 and _works(platform.base_url, first["token"])
    for other in (theirs, None):  # someone who saw the code: nothing, and ours still works
        status, refused, _ = _enrol(platform.base_url, code, other)
        assert (status, refused["error"]["code"]) == (401, "invalid_code")
        assert _works(platform.base_url, first["token"])
    # Our answer was lost: the same install asks again and gets a token that works.
    status, again, _ = _enrol(platform.base_url, code, ours)
    assert status == 200 and again["kiosk_id"] == kiosk_id
    assert _works(platform.base_url, again["token"])
    assert not _works(platform.base_url, first["token"])  # the lost one is no one's
    _used_minutes_ago(platform.db, kiosk_id, 11)
    status, late, _ = _enrol(platform.base_url, code, ours)
    assert (status, late["error"]["code"]) == (401, "invalid_code")
    assert _works(platform.base_url, again["token"])


def test_a_code_redeemed_without_an_install_id_is_used_once(platform):
    _, code = operators.add_kiosk(platform.db, platform.community(), "大厅")
    status, first, _ = _enrol(platform.base_url, code)
    assert status == 200
    for install_id in (None, uuid.uuid4().hex):
        assert _enrol(platform.base_url, code, install_id)[0] == 401
    assert _works(platform.base_url, first["token"])


def test_the_kiosk_retries_with_its_install_id(platform):
    """kiosk.sync.enrolment sends the install's id: a retry after a lost answer still works."""
    _, code = operators.add_kiosk(platform.db, platform.community(), "大厅")
    sent: list[dict] = []
    client = PlatformClient(platform.base_url)
    original = client.session.request

    def spy(method, url, **kwargs):
        if url.endswith("/v1/enrol"):
            sent.append(json.loads(kwargs["data"]))
        return original(method, url, **kwargs)
    client.session.request = spy
    first = request_enrolment(code, platform.base_url, client=client)
    again = request_enrolment(code, platform.base_url, client=client)  # the first was "lost"
    assert first.enrolment.kiosk_id == again.enrolment.kiosk_id
    assert _works(platform.base_url, again.token)
    assert len({body["install_id"] for body in sent}) == 1 and len(sent[0]["install_id"]) >= 16


def test_failed_enrolments_are_limited_per_address_across_processes(start_platform):
    first = start_platform()  # with the demo community
    db = Database(first.db_target)
    try:
        _, good = operators.add_kiosk(db, "community-xingfu", "大厅")
        wrong = "AAAA-BBBB-CCCC"
        for _ in range(enrol_attempts.ALLOWED):
            assert _enrol(first.base_url, wrong)[0] == 401
        status, body, headers = _enrol(first.base_url, good)  # even a good code, now
        assert (status, body["error"]["code"]) == (429, "rate_limited"), body
        assert 0 < int(headers["retry-after"]) <= 15 * 60
        second = start_platform(first.db_target)  # another process of the district, one database
        assert _enrol(second.base_url, good)[0] == 429
        assert _enrol(second.base_url, good, source="127.0.0.2")[0] == 200  # another address
        db.run_write(lambda conn: conn.execute(update(enrol_failures).values(
            since=clock.stamp(clock.now() - enrol_attempts.WINDOW))))
        _, later = operators.add_kiosk(db, "community-xingfu", "二楼")
        assert _enrol(first.base_url, later)[0] == 200  # the window is over
        log = first.log() + second.log()
        assert "enrolment refused for 127.0.0.1: invalid_code" in log
        assert "enrolment refused for 127.0.0.1: rate_limited" in log
        assert good not in log and wrong not in log and auth.normalise_code(good) not in log
    finally:
        db.dispose()


def test_an_ipv6_client_is_counted_by_its_64_bit_prefix():
    assert enrol_attempts.client_key("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64"
    assert enrol_attempts.client_key("2001:db8:1:2:ffff::1") == "2001:db8:1:2::/64"
    assert enrol_attempts.client_key("192.0.2.7") == "192.0.2.7"
    assert enrol_attempts.client_key(None) == "unknown"
