"""The platform killed mid-push and mid-pull: after a restart all resumes, nothing is lost."""
from __future__ import annotations

from tests.platform.servers import wait_until
from tests.sync.proxy import DROP, FORWARD, Action, respond

ELDERS = 50
MEALS = (("lunch", 3), ("dinner", 3), ("lunch", 4), ("dinner", 4))  # (meal, days ahead)
BATCH = 20


def test_killed_mid_push_then_mid_pull_resumes_and_loses_nothing(own_platform, make_kiosk,
                                                                  make_proxy):
    community = own_platform.community(elders=ELDERS)
    slots = [own_platform.slot(community, capacity=ELDERS, days_ahead=d, meal=m)
             for m, d in MEALS]
    proxy = make_proxy(own_platform)
    writer = make_kiosk(proxy.url, own_platform.enrolment_code(community), lease_days=1)
    writer.sync_ok()
    writer.engine.max_ops = BATCH
    made = [writer.book(f"elder-{n:03d}", slot).id
            for slot in slots for n in range(1, ELDERS + 1)]

    def kill_during_third_batch():
        wait_until(lambda: own_platform.applied_ops(community) > 2 * BATCH, 30,
                   "the third batch to start", interval=0.002)
        own_platform.process.kill()

    pushes = []

    def mid_push(request):
        if request.path == "/v1/push":
            pushes.append(request)
            if len(pushes) == 3:
                return Action(after_forward=kill_during_third_batch)
        return FORWARD

    proxy.rule = mid_push
    assert not writer.sync().ok
    applied_before = own_platform.applied_ops(community)
    assert 2 * BATCH < applied_before < len(made)
    own_platform.restart()
    proxy.upstream_port = own_platform.port
    proxy.rule = lambda _request: FORWARD
    writer.sync_ok()

    on_platform = own_platform.bookings(community)
    assert sorted(on_platform) == sorted(made)
    assert own_platform.applied_ops(community) == len(made)
    assert writer.status().pending == writer.status().tentative == 0

    # A second kiosk makes its first sync of the whole community by the feed (a platform
    # without the snapshot, protocol §5.2); the platform dies mid-pull.
    reader = make_kiosk(proxy.url, own_platform.enrolment_code(community), lease_days=1)
    reader.engine.page_limit = 40
    pulls = []

    def mid_pull(request):
        if request.path == "/v1/snapshot":
            return respond(404, b'{"error": {"code": "not_found"}}')
        if request.path == "/v1/changes":
            pulls.append(request)
            if len(pulls) == 3:
                own_platform.process.kill()
                return DROP
        return FORWARD

    proxy.rule = mid_pull
    assert not reader.sync().ok
    cursor = int(reader.store.get_state("pull_cursor"))
    assert cursor > 0
    own_platform.restart()
    proxy.upstream_port = own_platform.port
    proxy.rule = lambda request: mid_pull(request) if request.path == "/v1/snapshot" \
        else FORWARD
    reader.sync_ok()

    rows = reader.store.query("SELECT id, status, origin FROM bookings")
    assert sorted(r["id"] for r in rows) == sorted(made)
    assert {(r["status"], r["origin"]) for r in rows} == {("confirmed", "remote")}
    assert reader.store.query_one("SELECT COUNT(*) AS n FROM elders")["n"] == ELDERS
    assert int(reader.store.get_state("pull_cursor")) > cursor
