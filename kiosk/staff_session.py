"""Who is signed in as staff at this kiosk, and whether she has been idle too long.

Apart from kiosk/staff.py (the staff register, PINs, lockouts), which the window needs only
once a staff member comes to sign in: the window asks this at every screen from its first.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.clock import Clock
    from kiosk.staff import StaffMember

IDLE_S = 120


class StaffSession:
    """Who is signed in as staff, and whether she has been idle too long (IDLE_S)."""

    def __init__(self, clock: Clock, idle_s: int = IDLE_S) -> None:
        self.clock = clock
        self.idle_s = idle_s
        self.member: StaffMember | None = None
        self._last = clock.monotonic()

    @property
    def signed_in(self) -> bool:
        return self.member is not None

    @property
    def staff_id(self) -> str | None:
        return self.member.id if self.member else None

    def sign_in(self, member: StaffMember) -> None:
        self.member = member
        self.touch()

    def sign_out(self) -> None:
        self.member = None

    def touch(self) -> None:
        self._last = self.clock.monotonic()

    def idle_s_so_far(self) -> float:
        return self.clock.monotonic() - self._last

    def expired(self) -> bool:
        return self.signed_in and self.idle_s_so_far() >= self.idle_s
