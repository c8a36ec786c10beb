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
    # Issue 4: cleaning, the health station, my bookings, ratings and complaints.
    ("services", "cleaning"): "cleaning_day",
    ("cleaning_day", "chosen"): "cleaning_window",
    ("cleaning_window", "chosen"): "cleaning_kind",
    ("cleaning_kind", "chosen"): "cleaning_needs",
    ("cleaning_needs", "chosen"): "cleaning_confirm",
    ("cleaning_confirm", "confirmed"): "receipt",
    ("services", "medical"): "medical",
    ("medical", "clinic"): "clinic_department",
    ("clinic_department", "chosen"): "clinic_day",
    ("clinic_day", "chosen"): "clinic_time",
    ("clinic_time", "chosen"): "medical_confirm",
    ("medical", "home_visit"): "home_visit_day",
    ("home_visit_day", "chosen"): "medical_confirm",
    ("medical", "health_check"): "health_check_day",
    ("health_check_day", "chosen"): "medical_confirm",
    ("medical_confirm", "confirmed"): "receipt",
    ("services", "my_bookings"): "my_bookings",
    ("my_bookings", "cancel"): "booking_cancel",
    ("my_bookings", "alternative_meal"): "meal_confirm",
    ("my_bookings", "alternative_cleaning"): "cleaning_confirm",
    ("my_bookings", "alternative_medical"): "medical_confirm",
    ("home", "rate"): "rating",
    ("rating", "chosen"): "rating_reasons",
    ("rating", "later"): "services",
    ("rating_reasons", "done"): "services",
    ("rating_reasons", "complain"): "complaint",
    ("complaint", "done"): "services",
}

# Screens an elder may see before signing in; every other screen needs a signed-in elder.
PUBLIC = frozenset({HOME, "help", "voice"})  # 求助 and 声音 work before signing in too

# Staff mode (issue 5): its own screens, leading into the elders' screens.
from kiosk.staff_flow import STAFF_NEXT  # noqa: E402

NEXT.update(STAFF_NEXT)


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
