"""Kiosks as a fleet: what each one reported when it last called (protocol §2.1: app version,
unsent operations, its clock), and which ones went quiet."""
from __future__ import annotations

import datetime as dt
import functools
import logging
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, Update, bindparam, select, update
from sqlalchemy.exc import SQLAlchemyError

from service_platform import clock
from service_platform.auth import Kiosk
from service_platform.db import Database
from service_platform.schema import communities, kiosks

log = logging.getLogger(__name__)

SILENT_AFTER = dt.timedelta(hours=1)  # an enrolled kiosk not heard of for longer went quiet
WRITE_EVERY = dt.timedelta(minutes=1)  # a kiosk's unchanged report is stored no more often
FLUSH_EVERY = 1.0  # seconds a due report is held in a process (Reports) before it is written

APP_VERSION = "Kiosk-App-Version"
OUTBOX_PENDING = "Kiosk-Outbox-Pending"
OUTBOX_OLDEST = "Kiosk-Outbox-Oldest"
KIOSK_TIME = "Kiosk-Time"
HEADERS = {  # name → what it says (the OpenAPI document repeats these)
    APP_VERSION: "The kiosk software's version (informative).",
    OUTBOX_PENDING: "How many of the kiosk's operations the platform has not yet acknowledged.",
    OUTBOX_OLDEST: "When the oldest of them was made (kiosk clock, ISO 8601 with offset); "
                   "absent when there are none.",
    KIOSK_TIME: "The kiosk clock's now (ISO 8601 with offset), to measure its skew.",
}
_VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.+_-]{0,39}$")
_MAX_PENDING = 10**9
_MAX_SKEW = dt.timedelta(days=3650)
_KEEP = object()  # a figure the report did not give: the stored one stays


@dataclass(frozen=True)
class Report:
    """What one call said; `_KEEP` where a header was absent or malformed."""
    app_version: object = _KEEP
    outbox_pending: object = _KEEP
    outbox_oldest_at: object = _KEEP  # a UTC stamp, or None: nothing unsent
    kiosk_time: dt.datetime | None = None


def read_report(headers: Mapping[str, str | None]) -> Report:
    """The report in a call's headers; a value that does not parse is as good as absent."""
    version = (headers.get(APP_VERSION) or "").strip()
    pending = _count(headers.get(OUTBOX_PENDING))
    oldest = _moment(headers.get(OUTBOX_OLDEST))
    if oldest is not None:
        oldest_at: object = clock.stamp(oldest.astimezone(dt.UTC))
    elif pending == 0 and headers.get(OUTBOX_OLDEST) is None:
        oldest_at = None  # an empty outbox sends no oldest
    else:
        oldest_at = _KEEP
    return Report(app_version=version if _VERSION.match(version) else _KEEP,
                  outbox_pending=_KEEP if pending is None else pending,
                  outbox_oldest_at=oldest_at, kiosk_time=_moment(headers.get(KIOSK_TIME)))


def _count(value: str | None) -> int | None:
    text = (value or "").strip()
    if not text.isascii() or not text.isdigit() or int(text) > _MAX_PENDING:
        return None
    return int(text)


def _moment(value: str | None) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat((value or "").strip())
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def record_contact(db: Database, kiosk: Kiosk, headers: Mapping[str, str | None],
                   now: dt.datetime, row: Mapping | None = None) -> bool:
    """Note that `kiosk` called at `now`, with what its headers report, and write it at once
    (`Reports` holds reports to write many together). Written at most once every WRITE_EVERY
    unless its version or unsent operations changed; never raises (a sync call must not fail
    for its report). `row`: the kiosk's row if the call read it already. True if written."""
    reports = Reports(db)
    return reports.note(kiosk, headers, now, row) and reports.flush() == 1


class Reports:
    """Kiosks' reports that are due, held in this process for up to FLUSH_EVERY seconds and
    then written together, in one transaction that does not wait for the disk: a kiosk heard
    several times meanwhile is one row written, many kiosks one commit, and no kiosk call waits
    for a write lock for its report. So "last seen" and the figures reach the database (and
    the console, and any other platform process) about a second after the call. Reports held
    when the process dies are lost, as a write that failed would be: the kiosk's next call
    reports again. Its writer runs from `start` (the app's start) to `stop`, which writes
    what is still held."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._held: dict[str, tuple[str, dict]] = {}  # kiosk id → (seen, figures)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._writer: threading.Thread | None = None

    def note(self, kiosk: Kiosk, headers: Mapping[str, str | None], now: dt.datetime,
             row: Mapping | None = None) -> bool:
        """Hold the report of `kiosk`'s call if it is due (or one of it is held already);
        True if held. `row`: the kiosk's row as the call read it; read here when None."""
        figures = _figures(read_report(headers), now)
        if row is None:
            row = self._row(kiosk)
            if row is None:
                return False
        seen = clock.stamp(now)
        with self._lock:
            held = self._held.get(kiosk.id)
            if held is None and not _due(row, figures, now):
                return False
            if held is not None:  # the later call's figures win, whichever came first
                seen, figures = ((seen, {**held[1], **figures}) if held[0] <= seen
                                 else (held[0], {**figures, **held[1]}))
            self._held[kiosk.id] = (seen, figures)
        return True

    def flush(self) -> int:
        """Write what is held, in one transaction; how many kiosks' rows were written."""
        with self._lock:
            held, self._held = self._held, {}
        if not held:
            return 0
        try:
            with self.db.write(durable=False) as conn:  # one try: lost, the next call reports
                return sum(
                    conn.execute(_update(tuple(sorted(figures))),
                                 {"kiosk_id": kiosk_id, "seen": seen,
                                  **{f"new_{name}": value for name, value in figures.items()}}
                                 ).rowcount
                    for kiosk_id, (seen, figures) in sorted(held.items()))  # one lock order
        except SQLAlchemyError as exc:
            log.warning("%d kiosks' contact was not recorded (%s)", len(held),
                        type(exc).__name__)
            return 0

    def start(self) -> Reports:
        self._writer = threading.Thread(target=self._write_held, name="fleet-reports",
                                        daemon=True)
        self._writer.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._writer is not None:
            self._writer.join()
        self.flush()

    def _write_held(self) -> None:
        while not self._stopping.wait(FLUSH_EVERY):
            self.flush()

    def _row(self, kiosk: Kiosk) -> Mapping | None:
        try:
            with self.db.read() as conn:
                return conn.execute(_ROW, {"kiosk_id": kiosk.id}).mappings().first()
        except SQLAlchemyError as exc:
            log.warning("kiosk %s: its contact was not recorded (%s)", kiosk.id,
                        type(exc).__name__)
            return None


_ROW = select(kiosks.c.last_seen_at, kiosks.c.app_version, kiosks.c.outbox_pending,
              kiosks.c.outbox_oldest_at).where(kiosks.c.id == bindparam("kiosk_id"))


@functools.cache
def _update(names: tuple[str, ...]) -> Update:
    """The report's UPDATE for these figures, built once for each set of them."""
    return update(kiosks).where(
        kiosks.c.id == bindparam("kiosk_id"),
        # a slower call that began earlier never overwrites a later one's report
        kiosks.c.last_seen_at.is_(None) | (kiosks.c.last_seen_at <= bindparam("seen")),
    ).values(last_seen_at=bindparam("seen"),
             **{name: bindparam(f"new_{name}") for name in names})


def _figures(report: Report, now: dt.datetime) -> dict:
    """The columns a report gives besides last_seen_at."""
    figures = {name: getattr(report, name) for name in
               ("app_version", "outbox_pending", "outbox_oldest_at")}
    values = {name: value for name, value in figures.items() if value is not _KEEP}
    if report.kiosk_time is not None and abs(report.kiosk_time - now) < _MAX_SKEW:
        values["clock_skew_ms"] = round((report.kiosk_time - now).total_seconds() * 1000)
    return values


def _due(row, figures: dict, now: dt.datetime) -> bool:
    """Whether a report is worth a write: a figure changed, or none written for a while."""
    last = row["last_seen_at"]
    changed = any(row[name] != value for name, value in figures.items()
                  if name != "clock_skew_ms")
    return last is None or changed or now - clock.parse(last) >= WRITE_EVERY


def state(row) -> str:
    """`waiting` (for enrolment), `enrolled` or `revoked`."""
    if row["revoked_at"] is not None:
        return "revoked"
    return "enrolled" if row["enrolled_at"] is not None else "waiting"


def listing(conn: Connection, community_ids: list[str] | None,
            now: dt.datetime) -> list[dict]:
    """Every kiosk of these communities (None: of all), by community then name, with how it
    was when it last called. Ages are in whole seconds; `oldest_unsent_s` is measured on the
    kiosk's clock, so a kiosk whose clock is wrong still shows how long its work has waited."""
    query = (select(kiosks, communities.c.name.label("community_name"))
             .join(communities, communities.c.id == kiosks.c.community_id)
             .order_by(kiosks.c.community_id, kiosks.c.name, kiosks.c.id))
    if community_ids is not None:
        query = query.where(kiosks.c.community_id.in_(community_ids))
    return [_entry(row, now) for row in conn.execute(query).mappings()]


def _entry(row, now: dt.datetime) -> dict:
    kiosk_state = state(row)
    heard = row["last_seen_at"] or row["enrolled_at"]  # enrolling is a contact too
    since = _seconds(now, heard)
    skew = row["clock_skew_ms"]
    oldest_age = _seconds(now, row["outbox_oldest_at"])
    if oldest_age is not None and skew is not None:
        oldest_age = max(0, oldest_age + round(skew / 1000))
    return {
        "id": row["id"], "name": row["name"], "community_id": row["community_id"],
        "community_name": row["community_name"], "state": kiosk_state,
        "last_seen_at": row["last_seen_at"],
        "seconds_since_contact": since,
        "silent": kiosk_state == "enrolled" and since is not None
        and since > SILENT_AFTER.total_seconds(),
        "app_version": row["app_version"], "outbox_pending": row["outbox_pending"],
        "oldest_unsent_s": oldest_age, "clock_skew_ms": skew,
    }


def _seconds(now: dt.datetime, stamp: str | None) -> int | None:
    if stamp is None:
        return None
    return max(0, int((now - clock.parse(stamp)).total_seconds()))
