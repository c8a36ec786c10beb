"""How the kiosk moves between screens and who may see which, walked from the one screen
table in kiosk/screens.py: plain Python, testable without a window."""
from __future__ import annotations

from kiosk.screens import ELDER, HELP, HOME, SCREENS, STAFF, STAFF_HOME

__all__ = ["HELP", "HOME", "STAFF_HOME", "may_see", "next_screen", "path", "seen_by",
           "staff_side"]


def next_screen(current: str, answer: str) -> str:
    try:
        return SCREENS[current].next[answer]
    except KeyError:
        raise ValueError(f"no screen follows {current!r} on {answer!r}") from None


def path(answers: list[str], start: str = HOME) -> list[str]:
    """The screens visited from `start` when the elder gives `answers` in turn."""
    screens = [start]
    for answer in answers:
        screens.append(next_screen(screens[-1], answer))
    return screens


def may_see(name: str, elder_signed_in: bool, staff_signed_in: bool) -> bool:
    """Elders' screens need a signed-in elder, staff screens a signed-in staff member; the
    rest (home, 求助, 声音, the way to sign in as staff) anyone may see."""
    who = SCREENS[name].who
    if who == ELDER:
        return elder_signed_in
    if who == STAFF:
        return staff_signed_in
    return True


def staff_side(name: str) -> bool:
    return SCREENS[name].staff_side


def seen_by(who: str) -> frozenset[str]:
    """The names of the screens for one audience (kiosk.screens.AUDIENCES)."""
    return frozenset(name for name, row in SCREENS.items() if row.who == who)
