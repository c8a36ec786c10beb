"""Sync status in plain words: one honest line for elders, precise figures for staff."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.store import Store

SKEW_LIMIT_S = 300  # protocol §7
# Keys of sync_state the engine keeps up to date.
LAST_SUCCESS = "last_success_at"
LAST_ERROR = "last_error"
LAST_ATTEMPT = "last_attempt_at"
SKEW = "clock_skew_s"
STOPPED = "sync_stopped"

Text = Callable[..., str]


@dataclass(frozen=True)
class SyncStatus:
    configured: bool  # a platform to sync with (otherwise: demo data only)
    pending: int  # operations not yet acknowledged by the platform
    tentative: int  # bookings waiting for the platform's answer
    failed: int  # operations the platform refused as invalid, kept for staff
    last_success_at: dt.datetime | None
    last_error_key: str  # message key of the last attempt's failure, '' if it succeeded
    stopped: bool  # retrying cannot help (token refused, kiosk revoked): staff must act
    skew_s: float | None

    @property
    def online(self) -> bool:
        return self.last_success_at is not None and not self.last_error_key

    @property
    def all_done(self) -> bool:
        """The only state in which anything may say "synced"."""
        return self.online and self.pending == 0 and self.tentative == 0

    @property
    def skew_too_large(self) -> bool:
        return self.skew_s is not None and abs(self.skew_s) > SKEW_LIMIT_S


def read_status(store: Store, configured: bool = True) -> SyncStatus:
    """Cheap local reads only; the UI may call it at any time."""
    counts = store.query_one(
        "SELECT (SELECT COUNT(*) FROM outbox WHERE state = 'pending') AS pending, "
        "(SELECT COUNT(*) FROM outbox WHERE state = 'failed') AS failed, "
        # Tentative bookings are found through the (short) pending outbox, not by scanning
        # every booking ever made: this runs after each tap.
        "(SELECT COUNT(*) FROM outbox o JOIN bookings b ON b.id = json_extract(o.payload, '$.id')"
        " WHERE o.state IN ('pending', 'failed') AND o.op_type = 'booking.create'"
        " AND b.status = 'tentative' AND b.origin = 'local') AS tent")
    last = store.get_state(LAST_SUCCESS)
    skew = store.get_state(SKEW)
    return SyncStatus(
        configured=configured, pending=counts["pending"], tentative=counts["tent"],
        failed=counts["failed"], last_success_at=dt.datetime.fromisoformat(last) if last else None,
        last_error_key=store.get_state(LAST_ERROR), stopped=store.get_state(STOPPED) == "1",
        skew_s=float(skew) if skew else None)


def elder_line(status: SyncStatus, t: Text) -> str:
    """What the home screen says; never "all confirmed" while anything is pending."""
    if not status.configured:
        return t("sync.demo_mode")
    if status.stopped:
        return t("sync.needs_staff", count=status.pending)
    if status.all_done:
        return t("sync.all_confirmed")
    if status.last_error_key:
        if status.tentative:
            return t("sync.offline_pending", count=status.tentative)
        if status.pending:
            return t("sync.offline_uploading", count=status.pending)
        return t("sync.offline_idle")
    if status.tentative:
        return t("sync.online_pending", count=status.tentative)
    if status.pending:
        return t("sync.online_uploading", count=status.pending)
    return t("sync.connecting")


def staff_lines(status: SyncStatus, t: Text, now: dt.datetime) -> list[str]:
    """Precise figures: what waits, when it last worked, what went wrong, the clock."""
    lines = [t("sync.staff.pending", count=status.pending, tentative=status.tentative)]
    if status.last_success_at is None:
        lines.append(t("sync.staff.never"))
    else:
        when = status.last_success_at.astimezone(now.tzinfo)
        stamp = when.strftime("%H:%M") if when.date() == now.date() \
            else when.strftime("%Y-%m-%d %H:%M")
        lines.append(t("sync.staff.last_success", time=stamp))
    if status.last_error_key:
        lines.append(t("sync.staff.last_error", error=t(status.last_error_key)))
    if status.failed:
        lines.append(t("sync.staff.failed", count=status.failed))
    if status.skew_too_large:
        lines.append(t("sync.staff.skew", seconds=round(abs(status.skew_s or 0))))
    return lines


def staff_figures(status: SyncStatus) -> dict:
    """The same figures as data, for a staff screen or a support report."""
    return {"pending": status.pending, "tentative": status.tentative, "failed": status.failed,
            "last_success_at": status.last_success_at.isoformat()
            if status.last_success_at else None,
            "last_error": status.last_error_key or None, "stopped": status.stopped,
            "clock_skew_s": status.skew_s, "clock_skew_too_large": status.skew_too_large}
