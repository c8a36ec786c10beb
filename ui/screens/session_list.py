"""A service booked by session (文化活动), after its day: that day's sessions, each with its time,
title and place, and its places left — or, when full, that she can wait for a place (候补)."""
from __future__ import annotations

from kiosk.my_bookings import service_reason_key
from ui.screens.paged import Choice
from ui.screens.window_day import ServiceScreen


def places_text(t, view) -> str:
    if view.mine:
        return t("session.mine")
    if view.closed:
        return t("session.closed")
    if view.free_units > 0:
        return t("session.places", count=view.free_units)
    return t("session.full_waitlist", count=view.waiting) if view.waiting \
        else t("session.full_waitlist_first")


class SessionListScreen(ServiceScreen):
    name = "session_list"
    columns = 1  # a session's words take the screen's width

    def choices(self) -> list[Choice]:
        core, t = self.core, self.t
        day = core.session.draft.day
        self.set_title(self.words("list.title", day=t.day(day, "format.day_short")))
        waitlist = self.entry is not None and self.entry.policy.waitlist
        items = []
        for view in self.flow.times(core.session.elder.id, None, day):
            slot = view.slot
            text = t("session.tile", time=t.time(slot.start), end=t.time(slot.end),
                     title=slot.title, place=slot.place, places=places_text(t, view))
            open_to_her = not view.closed and not view.mine and (view.free_units > 0 or waitlist)
            refusal = "" if open_to_her else t(service_reason_key(view.refusal or "full"))
            items.append(Choice(text, open_to_her, slot.id, refusal))
        return items

    def prompt(self) -> str:
        return self.words("list.prompt")

    def chosen(self, value) -> None:
        self.core.session.draft.slot_id = value
        self.shell.answer("chosen")
