"""Help (求助): an urgent request saved with its outbox operation in one transaction, pushed
ahead of everything else, and announced at once to whoever listens (the staff screen); and
the answer coming back: staff (at a kiosk or on the platform's console) acknowledged it,
resolved it — announced once to whoever asked here (the help screen)."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from kiosk import outbox
from kiosk.clock import Clock
from kiosk.errors import KnownError
from kiosk.events import Event
from kiosk.store import Store

KINDS = ("urgent", "assist")
STATES = ("open", "acknowledged", "resolved")
# While a call asked here waits to be taken, the kiosk syncs this often (seconds), so the elder
# hears that someone is coming soon after it happens; a call older than WAITING_FOR counts no
# more (nobody stands at the kiosk for an hour).
WAITING_POLL_S = 5.0
WAITING_FOR = dt.timedelta(hours=1)


def waiting_for_staff(conn, now: dt.datetime) -> bool:
    """Whether a call asked at this kiosk in the last hour is still open."""
    since = (now - WAITING_FOR).isoformat(timespec="seconds")
    return conn.execute(
        "SELECT 1 FROM help_requests WHERE state = 'open' AND origin = 'local' "
        "AND created_at >= ? LIMIT 1", (since,)).fetchone() is not None


@dataclass(frozen=True)
class HelpRequest:
    id: str
    elder_id: str | None
    kind: str
    state: str
    created_at: str
    origin: str = "local"

    @classmethod
    def from_row(cls, row) -> HelpRequest:
        return cls(row["id"], row["elder_id"], row["kind"], row["state"], row["created_at"],
                   row["origin"])


class UnknownHelp(KnownError):
    message_key = "error.generic"


class HelpDesk:
    """`requested` fires with the new HelpRequest right after it is saved, `updated` after
    staff here moved one on, `answered` when a pull brought a request asked here further
    (acknowledged, resolved): once for each step, after `look_again()`."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        self.requested = Event()
        self.updated = Event()
        self.answered = Event()
        self._asked: dict[str, str] = {}  # requests asked here, not yet resolved → state told

    def ask(self, elder_id: str | None, kind: str = "urgent",
            staff_id: str | None = None) -> HelpRequest:
        stamp = self.clock.now().isoformat(timespec="seconds")
        request = HelpRequest(str(uuid.uuid4()), elder_id, kind, "open", stamp)
        with self.store.transaction() as conn:
            conn.execute(
                "INSERT INTO help_requests (id, elder_id, kind, state, staff_id, origin, "
                "created_at) VALUES (?, ?, ?, 'open', ?, 'local', ?)",
                (request.id, elder_id, kind, staff_id, stamp))
            outbox.enqueue(conn, "help.create",
                           {"id": request.id, "elder_id": elder_id, "kind": kind,
                            "staff_id": staff_id, "created_at": stamp},
                           stamp, priority=outbox.PRIORITY_URGENT)
        self._asked[request.id] = request.state
        self.requested.emit(request)
        return request

    def update(self, help_id: str, state: str, staff_id: str) -> HelpRequest:
        """Staff acknowledge or resolve; states only move forward (protocol §3.6)."""
        if state not in STATES[1:]:
            raise ValueError(state)
        stamp = self.clock.now().isoformat(timespec="seconds")
        column = "acknowledged" if state == "acknowledged" else "resolved"
        with self.store.transaction() as conn:
            row = self.store.query_one("SELECT * FROM help_requests WHERE id = ?", (help_id,))
            if row is None:
                raise UnknownHelp(help_id)
            if STATES.index(state) > STATES.index(row["state"]):
                conn.execute(f"UPDATE help_requests SET state = ?, {column}_by = ?, "
                             f"{column}_at = ? WHERE id = ?", (state, staff_id, stamp, help_id))
            # Same priority as help.create: after it in seq order, ahead of bookings.
            outbox.enqueue(conn, "help.update",
                           {"id": help_id, "state": state, "staff_id": staff_id}, stamp,
                           priority=outbox.PRIORITY_URGENT)
            row = self.store.query_one("SELECT * FROM help_requests WHERE id = ?", (help_id,))
        request = HelpRequest.from_row(row)
        self._note(request)  # seen here already: not announced again after a pull
        self.updated.emit(request)
        return request

    def look_again(self) -> list[HelpRequest]:
        """After a pull: the requests asked here whose state moved on since, each announced
        through `answered` (a request resolved at once skips acknowledged)."""
        if not self._asked:
            return []
        marks = ", ".join("?" * len(self._asked))
        rows = self.store.query(f"SELECT * FROM help_requests WHERE id IN ({marks})",
                                tuple(self._asked))
        moved = [HelpRequest.from_row(r) for r in rows
                 if STATES.index(r["state"]) > STATES.index(self._asked[r["id"]])]
        for request in moved:
            self._note(request)
            self.answered.emit(request)
        return moved

    def _note(self, request: HelpRequest) -> None:
        if request.id not in self._asked:
            return
        if request.state == "resolved":
            del self._asked[request.id]  # nothing more can happen to it
        else:
            self._asked[request.id] = request.state

    def delivered(self, help_id: str) -> bool:
        """The platform has the request (its help.create applied): its console's duty social
        workers see it."""
        return self.store.query_one(
            "SELECT 1 FROM outbox WHERE op_type = 'help.create' AND state = 'applied' "
            "AND json_extract(payload, '$.id') = ?", (help_id,)) is not None

    def open_requests(self) -> list[HelpRequest]:
        rows = self.store.query("SELECT * FROM help_requests WHERE state != 'resolved' "
                                "ORDER BY created_at DESC")
        return [HelpRequest.from_row(r) for r in rows]
