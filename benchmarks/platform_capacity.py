"""How many kiosks one platform process serves with p99 ≤ 200 ms (SQLite, the default).

Simulated kiosks, 20 to a community of 50 elders each, call as real ones do: each pulls the
changes since its cursor every 30 s and pushes one booking a minute, each call on a new
connection (nothing is kept open between calls half a minute apart), at times spread evenly
over the period. The load is open: a call is sent when its time comes whether or not earlier
ones were answered, and its latency counts from that time, so a queue shows in the figure.

For a number of kiosks, the load runs for a while; it passes when the 99th percentile latency
is within 200 ms and nothing was refused or failed. The figure is the most kiosks that pass on
a ladder of counts. Reference: the same search calling `GET /v1/time` (no token, no database)
in place of the kiosk calls — what the HTTP stack alone does on this machine.

Beside it: the platform's CPU per kiosk call at the figure's load (`platform_cpu_ms_per_request`),
and the load generator's own CPU, in cores (`loadgen_cpu_share`): on a 2-core machine the load
generator competes with the platform for the same cores.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import random
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from benchmarks import district, harness
from benchmarks.names import people
from benchmarks.proc import cpu_seconds
from service_platform import migrations, operators
from service_platform.db import Database
from service_platform.schema import feed_heads
from tests.platform.servers import PlatformProcess

PER_COMMUNITY = 20
ELDERS = 50
PULL_EVERY_S, PUSH_EVERY_S = 30.0, 60.0
P99_BUDGET_S = 0.200
LADDER = (250, 500, 1_000, 2_000, 3_000, 4_000, 5_000, 6_000, 7_000, 8_000, 10_000, 12_000,
          15_000, 20_000, 25_000, 30_000)
STEADY = 500  # kiosks: the load at which CPU per call is measured


@dataclass
class Step:
    kiosks: int
    latencies: list[float] = field(default_factory=list)
    failed: int = 0
    refused: int = 0
    server_cpu_s: float = 0.0
    loadgen_cpu_s: float = 0.0
    wall_s: float = 0.0

    @property
    def p99(self) -> float:
        return harness.percentile(self.latencies, 0.99) if self.latencies else float("inf")

    @property
    def passed(self) -> bool:
        return not self.failed and not self.refused and self.p99 <= P99_BUDGET_S


def run(rounds: int, smoke: bool) -> dict[str, harness.Figure]:
    most = 600 if smoke else 10_000  # beyond, kiosks share tokens (_enough)
    seconds = 2.0 if smoke else 10.0
    ladder = (100, 200) if smoke else LADDER
    # In memory (tmpfs): the figure is the platform's, not this machine's disk's, whose fsync
    # may stall for most of a second when other work shares it (docs/performance.md).
    memory = "/dev/shm" if Path("/dev/shm").is_dir() else None
    with tempfile.TemporaryDirectory(prefix="bench-capacity-", dir=memory) as tmp:
        target = str(Path(tmp) / "capacity.sqlite3")
        kiosks = _district(target, most)
        process = PlatformProcess(target, Path(tmp), demo=False,
                                  extra_args=("--compact-every", "0", "--complete-every", "0",
                                              "--escalate-every", "0")).start()
        try:
            url = process.base_url
            asyncio.run(_load(url, kiosks[:50], 2.0, plain=False))  # warm
            found, plain, steady, steady_plain = [], [], [], []
            for _ in range(rounds):  # interleaved: kiosk calls, then the plain call
                steady.append(asyncio.run(_measured(url, process, kiosks, min(STEADY, most),
                                                    seconds, plain=False)))
                steady_plain.append(asyncio.run(_measured(url, process, kiosks,
                                                          min(STEADY, most), seconds,
                                                          plain=True)))
                found.append(_search(url, process, kiosks, ladder, seconds, plain=False))
                plain.append(_search(url, process, kiosks, ladder, seconds, plain=True))
        finally:
            process.stop()
    best = [step.kiosks if step else 0 for step in found]
    note = (f"one process, SQLite in tmpfs; each kiosk pulls every 30 s, pushes a minute; "
            f"{seconds:g} s a step; p99 ≤ 200 ms, nothing refused")
    cpu = [s.server_cpu_s * 1000 / max(1, len(s.latencies)) for s in steady]
    share = [s.loadgen_cpu_s / s.wall_s for s in steady]
    plain_cpu = [s.server_cpu_s * 1000 / max(1, len(s.latencies)) for s in steady_plain]
    plain_share = [s.loadgen_cpu_s / s.wall_s for s in steady_plain]
    per_kiosk = 1 / PULL_EVERY_S + 1 / PUSH_EVERY_S  # calls a second
    return {
        "platform_kiosks": harness.median_figure(
            best, [step.kiosks if step else 0 for step in plain], "kiosks", "≥ 5000", note),
        "platform_cpu_ms_per_request": harness.median_figure(
            cpu, plain_cpu, "ms",
            note=f"platform process CPU (user + system) per kiosk call at {STEADY} kiosks; "
                 "reference: per GET /v1/time at the same rate"),
        "platform_kiosks_per_core": harness.median_figure(
            [1000 / (ms * per_kiosk) for ms in cpu],
            [1000 / (ms * per_kiosk) for ms in plain_cpu], "kiosks",
            note="projected: one core's second over the CPU a kiosk's calls take a second "
                 "(a pull per 30 s, a push per minute)"),
        "loadgen_cpu_share": harness.median_figure(
            share, plain_share, "cores",
            note=f"the load generator's own CPU at {STEADY} kiosks (of 2 cores)"),
    }


def _district(target: str, kiosks: int) -> list[dict]:
    """Communities of ELDERS elders and an open slot; PER_COMMUNITY enrolled kiosks each."""
    db = Database(target)
    migrations.migrate(db)
    names = list(people(ELDERS, seed=3))
    communities = [f"bench-c{n:04d}" for n in range(-(-kiosks // PER_COMMUNITY))]
    slots = {}
    for community_id in communities:
        operators.add_community(db, community_id, "社区")
        district._put_elders(db, community_id, [
            {"id": f"elder-{p.number:03d}", "card_no": p.card, "name": p.name,
             "phone": p.phone, "address": p.address, "subsidy_level": "basic",
             "delivery_allowed": True, "home_visit_allowed": False, "dietary": [],
             "active": True} for p in names])
        slots[community_id] = district.open_slot(db, community_id)
    tokens = district.enrolled_kiosks(db, communities, PER_COMMUNITY)
    with db.read() as conn:
        heads = dict(conn.execute(select(feed_heads.c.community_id, feed_heads.c.last_seq)).all())
    db.dispose()
    made = []
    for n, token in enumerate(tokens):
        community_id = communities[n // PER_COMMUNITY]
        made.append({"token": token, "slot": slots[community_id],
                     "cursor": heads[community_id], "elder": n % PER_COMMUNITY})
    random.Random(4).shuffle(made)
    return made


def _search(url: str, process: PlatformProcess, kiosks: list[dict], ladder: tuple,
            seconds: float, plain: bool) -> Step | None:
    """The last step of the ladder that passed (stopping at the first that does not)."""
    passed = None
    for count in ladder:
        step = asyncio.run(_measured(url, process, kiosks, count, seconds, plain))
        if not step.passed:
            break
        passed = step
    return passed


async def _measured(url: str, process: PlatformProcess, kiosks: list[dict], count: int,
                    seconds: float, plain: bool) -> Step:
    pid = process.proc.pid
    cpu_before, own_before = cpu_seconds(pid), time.process_time()
    began = time.perf_counter()
    step = await _load(url, _enough(kiosks, count), seconds, plain)
    step.wall_s = time.perf_counter() - began
    step.server_cpu_s, step.loadgen_cpu_s = cpu_seconds(pid) - cpu_before, \
        time.process_time() - own_before
    step.kiosks = count
    return step


def _enough(kiosks: list[dict], count: int) -> list[dict]:
    """`count` kiosks; beyond those prepared, the same ones again (tokens shared)."""
    return [kiosks[n % len(kiosks)] for n in range(count)]


async def _load(url: str, kiosks: list[dict], seconds: float, plain: bool) -> Step:
    """Every call due within `seconds`, each at its time; waits for the last answer."""
    host, port = url.rsplit("//", 1)[1].rsplit(":", 1)
    calls: list[tuple[float, dict, str]] = []
    rng = random.Random(len(kiosks))
    for kiosk in kiosks:
        for every, kind in ((PULL_EVERY_S, "pull"), (PUSH_EVERY_S, "push")):
            start = rng.uniform(0, every)
            at = start
            while at < seconds:
                calls.append((at, kiosk, kind))
                at += every
            # kiosks whose next call falls after the window are idle in it
    calls.sort(key=lambda call: call[0])
    step = Step(len(kiosks))
    origin = time.perf_counter() + 0.1
    tasks = []
    for at, kiosk, kind in calls:
        delay = origin + at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        request = _request(host, kiosk, kind, plain)
        tasks.append(asyncio.create_task(_call(host, int(port), request, origin + at, step,
                                               kiosk, kind)))
    await asyncio.gather(*tasks)
    return step


def _request(host: str, kiosk: dict, kind: str, plain: bool) -> bytes:
    auth = f"Authorization: Bearer {kiosk['token']}\r\n"
    if plain:
        return f"GET /v1/time HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()
    if kind == "pull":
        return (f"GET /v1/changes?since={kiosk['cursor']}&limit=1000 HTTP/1.1\r\n"
                f"Host: {host}\r\n{auth}Connection: close\r\n\r\n").encode()
    created = dt.datetime.now(district.TZ).isoformat(timespec="seconds")
    kiosk["elder"] = (kiosk["elder"] + PER_COMMUNITY) % ELDERS
    body = json.dumps({"operations": [{
        "op_id": str(uuid.uuid4()), "type": "booking.create", "created_at": created,
        "payload": {"id": str(uuid.uuid4()), "elder_id": f"elder-{kiosk['elder']:03d}",
                    "service": "meal", "slot_id": kiosk["slot"], "mode": "pickup",
                    "price_cents": 1500, "subsidy_cents": 300, "staff_id": None,
                    "created_at": created}}]}).encode()
    return (f"POST /v1/push HTTP/1.1\r\nHost: {host}\r\n{auth}Content-Type: application/json"
            f"\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body


async def _call(host: str, port: int, request: bytes, due: float, step: Step, kiosk: dict,
                kind: str) -> None:
    try:
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(request)
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), 30)
        writer.close()
    except (TimeoutError, OSError):
        step.failed += 1
        return
    step.latencies.append(time.perf_counter() - due)
    status = answer[9:12]
    if status == b"503":
        step.refused += 1
    elif status != b"200":
        step.failed += 1
    elif kind == "pull":
        cursor = answer.rfind(b'"next":')
        if cursor > 0:
            kiosk["cursor"] = int(answer[cursor + 7:answer.index(b",", cursor)])
