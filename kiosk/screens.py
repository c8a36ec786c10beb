"""Every screen of the kiosk in one table: its name, its class, who may see it, and which
screen follows it on which answer. Nothing else lists screens.

The table is plain data with no Qt: kiosk/flow.py walks it (tests do so without a window),
and the window (ui/main_window.py) imports a screen's class from `cls` the first time the
screen is shown, so start-up pays only for the home screen.

To add a screen:
1. write its class in ui/screens/ (elders) or ui/staff/ (staff), a `Screen` subclass whose
   `name` is the new row's name, answering with `self.shell.answer("...")`;
2. add one `row(...)` below: name, "module:Class", who may see it, and its answers as
   keywords (answer="next screen"); `HOME` as the next screen signs out;
3. give the screen(s) leading to it an answer naming it, in their rows.
tests/test_screen_table.py checks that every next screen exists; tests/gui/test_screen_classes.py
that every class imports and carries its row's name.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

# Who may see a screen.
PUBLIC = "public"  # anyone at the kiosk, signed in or not
ELDER = "elder"  # a signed-in elder, or staff acting for one
STAFF = "staff"  # a signed-in staff member (社工)
STAFF_SIGN_IN = "staff_sign_in"  # staff's own screens that lead to signing in: anyone
AUDIENCES = (PUBLIC, ELDER, STAFF, STAFF_SIGN_IN)

HOME = "home"  # the elders' home; showing it signs out
HELP = "help"  # 求助, offered on every screen
STAFF_HOME = "staff_home"  # where a signed-in staff member goes home to


class ScreenRow(NamedTuple):
    name: str
    cls: str  # "module:Class", imported on first show
    who: str  # one of AUDIENCES
    next: Mapping[str, str]  # answer -> next screen

    @property
    def staff_side(self) -> bool:
        """A staff screen: never headed "acting for" an elder."""
        return self.who in (STAFF, STAFF_SIGN_IN)


def row(name: str, cls: str, who: str, /, **next_screens: str) -> ScreenRow:
    """One row: the answers as keywords, answer="next screen"."""
    return ScreenRow(name, cls, who, next_screens)


_E = "ui.screens."
_SERVICE_TILES = {"meal": "meal_day", "window": "window_day", "departments": "service_department",
                  "days": "service_day", "group": "service_group",
                  "my_bookings": "my_bookings"}
_S = "ui.staff."

SCREENS: dict[str, ScreenRow] = {r.name: r for r in (
    # --- before signing in -------------------------------------------------------------
    row(HOME, _E + "home:HomeScreen", PUBLIC, identified="services", rate="rating",
        answer_back="complaint_answer", voice="voice", staff="staff_login"),
    row(HELP, _E + "help:HelpScreen", PUBLIC),  # reached from every screen's 求助
    row("voice", _E + "voice:VoiceScreen", PUBLIC),  # 声音 works before signing in too
    # --- the elders' services ----------------------------------------------------------
    # A tile answers by how its service is booked (elder_wire.catalogue slot kinds): a service
    # the platform adds that fits a slot kind needs no row of its own.
    row("services", _E + "services:ServicesScreen", ELDER, **_SERVICE_TILES,
        complaint="complaint_about"),
    row("service_group", _E + "services:ServiceGroupScreen", ELDER, **_SERVICE_TILES),
    row("meal_day", _E + "meal_day:MealDayScreen", ELDER, chosen="meal_choice"),
    row("meal_choice", _E + "meal_choice:MealChoiceScreen", ELDER, chosen="meal_menu"),
    row("meal_menu", _E + "meal_menu:MealMenuScreen", ELDER, book="meal_mode"),
    row("meal_mode", _E + "meal_mode:MealModeScreen", ELDER, chosen="confirm"),
    row("window_day", _E + "window_day:WindowDayScreen", ELDER, chosen="window_part"),
    row("window_part", _E + "window_part:WindowPartScreen", ELDER, kind="window_kind",
        confirm="confirm"),
    row("window_kind", _E + "window_kind:WindowKindScreen", ELDER, needs="window_needs",
        confirm="confirm"),
    row("window_needs", _E + "window_needs:WindowNeedsScreen", ELDER, chosen="confirm"),
    row("service_department", _E + "service_department:ServiceDepartmentScreen", ELDER,
        chosen="service_day"),
    row("service_day", _E + "service_day:ServiceDayScreen", ELDER, time="service_time",
        sessions="session_list", confirm="confirm"),
    row("service_time", _E + "service_time:ServiceTimeScreen", ELDER, chosen="confirm"),
    row("session_list", _E + "session_list:SessionListScreen", ELDER, chosen="confirm"),
    row("confirm", _E + "confirm:ConfirmScreen", ELDER, confirmed="receipt"),
    row("receipt", _E + "receipt:ReceiptScreen", ELDER, done=HOME),
    row("my_bookings", _E + "my_bookings:MyBookingsScreen", ELDER, cancel="booking_cancel",
        alternative="confirm"),
    row("booking_cancel", _E + "booking_cancel:BookingCancelScreen", ELDER),
    row("rating", _E + "rating:RatingScreen", ELDER, chosen="rating_reasons",
        later="services"),
    row("rating_reasons", _E + "rating_reasons:RatingReasonsScreen", ELDER, done="services",
        complain="complaint"),
    row("complaint", _E + "complaint:ComplaintScreen", ELDER, done="services"),
    # 意见/投诉 from the services screen: about what, which one, the reasons, confirm; staff
    # beside her may add a note. A resolved complaint's answer comes back after sign-in.
    row("complaint_about", _E + "complaint_subject:ComplaintAboutScreen", ELDER,
        booking="complaint_booking", provider="complaint_provider", centre="complaint_reasons"),
    row("complaint_booking", _E + "complaint_subject:ComplaintBookingScreen", ELDER,
        chosen="complaint_reasons"),
    row("complaint_provider", _E + "complaint_subject:ComplaintProviderScreen", ELDER,
        chosen="complaint_reasons"),
    row("complaint_reasons", _E + "complaint_reasons:ComplaintReasonsScreen", ELDER,
        next="complaint_confirm", note="complaint_note"),
    row("complaint_note", _S + "complaint_note:StaffComplaintNoteScreen", STAFF,
        saved="complaint_confirm"),
    row("complaint_confirm", _E + "complaint_confirm:ComplaintConfirmScreen", ELDER,
        sent="services"),
    row("complaint_answer", _E + "complaint_answer:ComplaintAnswerScreen", ELDER,
        done="services", rate="rating"),
    # --- staff mode (社工) ---------------------------------------------------------------
    row("staff_login", _S + "login:StaffLoginScreen", STAFF_SIGN_IN, chosen="staff_pin"),
    row("staff_pin", _S + "pin:StaffPinScreen", STAFF_SIGN_IN, signed_in=STAFF_HOME),
    row(STAFF_HOME, _S + "home:StaffHomeScreen", STAFF,
        identified="staff_elder",  # a card held to the scanner
        elder="staff_elder", register="staff_elder_form", day_lists="staff_day_lists",
        attendance="staff_attendance", attention="staff_attention", sync="staff_sync",
        settings="staff_settings",
        audit="staff_audit"),
    row("staff_elder", _S + "elder:StaffElderScreen", STAFF,
        services="services",  # the elders' own screens, with staff_id set
        meal="meal_mode",  # a quick meal: day and meal chosen on the card
        edit="staff_elder_form"),
    row("staff_elder_form", _S + "elder_form:StaffElderFormScreen", STAFF,
        next="staff_elder_needs"),
    row("staff_elder_needs", _S + "elder_needs:StaffElderNeedsScreen", STAFF,
        saved="staff_elder"),
    row("staff_day_lists", _S + "day_lists:StaffDayListsScreen", STAFF),
    row("staff_attendance", _S + "attendance:StaffAttendanceScreen", STAFF),
    row("staff_attention", _S + "attention:StaffAttentionScreen", STAFF),
    row("staff_sync", _S + "sync:StaffSyncScreen", STAFF),
    row("staff_settings", _S + "settings:StaffSettingsScreen", STAFF, enrol="staff_enrol"),
    row("staff_enrol", _S + "enrol:StaffEnrolScreen", STAFF),
    row("staff_audit", _S + "audit:StaffAuditScreen", STAFF),
)}
