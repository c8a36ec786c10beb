"""Staff mode's screen flow as plain data, merged into kiosk/flow.py's NEXT."""
from __future__ import annotations

STAFF_NEXT: dict[tuple[str, str], str] = {
    ("staff_login", "chosen"): "staff_pin",
    ("staff_pin", "signed_in"): "staff_home",
    ("staff_home", "identified"): "staff_elder",  # a card held to the scanner
    ("staff_home", "elder"): "staff_elder",
    ("staff_home", "register"): "staff_elder_form",
    ("staff_home", "day_lists"): "staff_day_lists",
    ("staff_home", "attention"): "staff_attention",
    ("staff_home", "sync"): "staff_sync",
    ("staff_home", "settings"): "staff_settings",
    ("staff_home", "audit"): "staff_audit",
    ("staff_elder", "services"): "services",  # the elders' own screens, with staff_id set
    ("staff_elder", "meal"): "meal_mode",  # a quick meal: day and meal chosen on the card
    ("staff_elder", "edit"): "staff_elder_form",
    ("staff_elder_form", "next"): "staff_elder_needs",
    ("staff_elder_needs", "saved"): "staff_elder",
    ("staff_settings", "enrol"): "staff_enrol",
}

# Reachable before a staff member signs in; every other staff screen needs one.
STAFF_PUBLIC = frozenset({"staff_login", "staff_pin"})
STAFF_SCREENS = frozenset({s for pair in STAFF_NEXT for s in pair[:1]}
                          | set(STAFF_NEXT.values())) - {"services", "meal_mode"}
STAFF_ONLY = STAFF_SCREENS - STAFF_PUBLIC
