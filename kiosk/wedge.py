"""Tells a keyboard-wedge card/QR scanner (a fast burst ending in Enter) from a person typing."""
from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.cards import MAX_INPUT


@dataclass
class WedgeBuffer:
    """Feed it keystrokes with their times; it hands back a whole scan when Enter ends a burst."""

    max_gap_s: float = 0.08  # scanners type a character every few milliseconds
    min_length: int = 4
    _chars: list[str] = field(default_factory=list)
    _last: float | None = None
    _overflow: bool = False

    def feed(self, char: str, at: float) -> None:
        if self._last is not None and at - self._last > self.max_gap_s:
            self.reset()
        self._last = at
        if len(self._chars) >= MAX_INPUT:
            self._overflow = True  # keep swallowing; the whole burst is rejected at Enter
            return
        self._chars.append(char)

    def enter(self, at: float) -> str | None:
        """The scanned text, or None when the keys were a person typing or noise."""
        fast = self._last is not None and at - self._last <= self.max_gap_s
        text = "".join(self._chars)
        overflow = self._overflow
        self.reset()
        if not fast or len(text) < self.min_length:
            return None
        # Over-long bursts come back as over-long text so the caller rejects them plainly.
        return text + "…" * (MAX_INPUT + 1 - len(text)) if overflow else text

    def reset(self) -> None:
        self._chars.clear()
        self._last = None
        self._overflow = False
