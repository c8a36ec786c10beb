"""One sync cycle: push the outbox, pull changes, renew capacity leases; a plain result back."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from kiosk import help
from kiosk.clock import Clock
from kiosk.config import Settings, address_allowed
from kiosk.outbox import pending_count, unsent
from kiosk.store import Store
from kiosk.sync import errors, status
from kiosk.sync.client import PlatformClient
from kiosk.sync.enrolment import enrol, load_token
from kiosk.sync.escrow import refresh_leases
from kiosk.sync.pull import pull_all
from kiosk.sync.push import push_all

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncResult:
    ok: bool
    applied: int = 0  # operations the platform applied (confirmed bookings among them)
    rejected: int = 0  # operations answered with a business "no" (full, closed...)
    quarantined: int = 0  # operations taken out of the queue as invalid, kept for staff
    pulled: int = 0  # changes received
    leases: int = 0  # active capacity leases after the cycle
    error_key: str = ""  # message key of what went wrong
    retry_after: float | None = None
    stopped: bool = False  # retrying cannot help until staff act
    skew_s: float | None = None
    help_waiting: bool = False  # a call asked here still waits to be taken


class SyncEngine:
    """Talks to the platform for one kiosk. One engine per thread: it owns its Store."""

    def __init__(self, settings: Settings, clock: Clock | None = None,
                 store: Store | None = None, client: PlatformClient | None = None,
                 page_limit: int = 1000, max_ops: int = 500) -> None:
        self.settings = settings
        self.clock = clock or Clock(settings.timezone)
        self._own_store = store is None
        self.store = store or Store(settings.db_path)
        self._client = client
        self.page_limit = page_limit
        self.max_ops = max_ops

    @property
    def platform_url(self) -> str:
        return self.settings.platform_url or self.store.get_state("platform_url")

    @property
    def configured(self) -> bool:
        return bool(self.platform_url or self.settings.enrolment_code)

    def sync_once(self) -> SyncResult:
        """Push, renew leases, pull. Never raises for known conditions of the world."""
        try:
            client = self.client()
            pushed = push_all(self.store, client, self.clock, max_ops=self.max_ops)
            # Pull before asking for leases, so a first sync already knows the open slots.
            pulled = pull_all(self.store, client, self.clock, self.page_limit)
            lease_count = self._renew_leases(client)
        except errors.SyncError as exc:
            return self._failed(exc)
        except Exception as exc:  # a bug: report it, keep the kiosk running
            log.exception("sync failed unexpectedly")
            return self._failed(errors.SyncError(type(exc).__name__))
        return self._succeeded(SyncResult(
            ok=True, applied=pushed.applied, rejected=pushed.rejected,
            quarantined=pushed.quarantined, pulled=pulled.changes, leases=lease_count,
            skew_s=client.skew_s,
            help_waiting=help.waiting_for_staff(self.store.conn, self.clock.now())))

    def client(self) -> PlatformClient:
        if self._client is None:
            token = load_token(self.settings.token_path)
            allow = self.settings.allow_insecure_http
            if token is None and self.settings.enrolment_code:
                enrol(self.store, self.settings.token_path, self.settings.enrolment_code,
                      self.settings.platform_url, self.settings.device_name,
                      allow_insecure_http=allow)
                token = load_token(self.settings.token_path)
            if not self.platform_url or token is None:
                raise errors.NotEnrolled()
            if not address_allowed(self.platform_url, allow):  # one kept from an older kiosk
                raise errors.InsecureAddress()
            self._client = PlatformClient(self.platform_url, token, clock=self.clock,
                                          timeout_s=self.settings.sync_timeout_s)
        if self._client.unsent is None:  # every call tells the platform what waits here
            self._client.unsent = lambda: unsent(self.store.conn)
        return self._client

    def _renew_leases(self, client: PlatformClient) -> int:
        """Leases are renewed once everything made under the old ones has reached the platform."""
        if pending_count(self.store.conn):
            return 0
        report = refresh_leases(self.store, client, self.clock, self.settings.lease_days,
                                self.settings.lease_refresh_s)
        return report.active

    def _succeeded(self, result: SyncResult) -> SyncResult:
        stamp = self.clock.now().isoformat(timespec="seconds")
        with self.store.transaction():
            self.store.set_state(status.LAST_SUCCESS, stamp)
            self.store.set_state(status.LAST_ATTEMPT, stamp)
            self.store.set_state(status.LAST_ERROR, "")
            self.store.set_state(status.STOPPED, "0")
            if result.skew_s is not None:
                self.store.set_state(status.SKEW, f"{result.skew_s:.3f}")
        log.info("sync done: %d applied, %d rejected, %d quarantined, %d changes pulled",
                 result.applied, result.rejected, result.quarantined, result.pulled)
        return result

    def _failed(self, exc: errors.SyncError) -> SyncResult:
        stopped = isinstance(exc, errors.SyncStopped)
        retry_after = getattr(exc, "retry_after", None)
        with self.store.transaction():
            self.store.set_state(status.LAST_ATTEMPT, self.clock.now().isoformat())
            self.store.set_state(status.LAST_ERROR, exc.message_key)
            self.store.set_state(status.STOPPED, "1" if stopped else "0")
        if stopped:
            self._client = None  # a new token may be enrolled before the next attempt
        log.warning("sync failed: %s (%s)", exc.message_key, exc)
        skew = self._client.skew_s if self._client else None
        return SyncResult(ok=False, error_key=exc.message_key, retry_after=retry_after,
                          stopped=stopped, skew_s=skew)

    def status(self) -> status.SyncStatus:
        return status.read_status(self.store, self.configured)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        if self._own_store:
            self.store.close()
