"""Which screen follows which, on which answer: the kiosk's flow as plain data."""
from __future__ import annotations

HOME = "home"

NEXT: dict[tuple[str, str], str] = {
    ("home", "identified"): "services",
    ("services", "meal"): "meal_day",
    ("meal_day", "chosen"): "meal_choice",
    ("meal_choice", "chosen"): "meal_menu",
    ("meal_menu", "book"): "meal_mode",
    ("meal_mode", "chosen"): "meal_confirm",
    ("meal_confirm", "confirmed"): "receipt",
    ("receipt", "done"): HOME,
}

# Screens an elder may see before signing in; every other screen needs a signed-in elder.
PUBLIC = frozenset({HOME})


def next_screen(current: str, answer: str) -> str:
    try:
        return NEXT[(current, answer)]
    except KeyError:
        raise ValueError(f"no screen follows {current!r} on {answer!r}") from None


def path(answers: list[str], start: str = HOME) -> list[str]:
    """The screens visited from `start` when the elder gives `answers` in turn."""
    screens = [start]
    for answer in answers:
        screens.append(next_screen(screens[-1], answer))
    return screens
