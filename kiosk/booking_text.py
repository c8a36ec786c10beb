"""A booking in words, for every service, built one way: the whole booking as one sentence for
the confirm screen, and in a few words for a receipt or a card of 我的预订.

A service with its own wording has keys `<service>.confirm.sentence` and `card.<service>`;
any other (a service the platform added) is worded by its slot kind with its catalogue name,
so it needs no code and no new text."""
from __future__ import annotations

from elder_wire.catalogue import Service
from kiosk.bookings import Booking, Quote
from kiosk.slots import Slot


def confirm_sentence(t, quote: Quote) -> str:
    """您要订…的…，…: what, when, where and what she pays (or that a place is waited for)."""
    words = _words(t, quote.service, quote.slot, quote.mode, quote.kind)
    words.update(address=quote.elder.partial_address, pay=pay_words(t, quote.pay_cents),
                 hours=quote.extra.get("hours", ""),
                 needs=t("list.separator").join(t("need." + code) for code in quote.needs)
                 or t("cleaning.needs.nothing"))
    sentence = t(_key(t, quote.service, "{}.confirm.sentence", "slot.{}.confirm.sentence"),
                 **words)
    return sentence + (t("confirm.waitlist_note") if quote.waitlisted else "")


def pay_words(t, cents: int) -> str:
    """¥12.00, or 0元（免费） for a free service (an activity, a volunteer's visit)."""
    return t.price(cents) if cents else t("price.free")


def card_text(t, booking: Booking, slot: Slot, service: Service | None) -> str:
    """The booking in a few words: 11月26日 星期四 上午 日常保洁."""
    if service is None:  # a service this kiosk no longer (or never) had an entry for
        return t("card.unknown", day=t.day(slot.day), time=t.time(slot.start))
    words = _words(t, service, slot, booking.mode, booking.kind)
    return t(_key(t, service, "card.{}", "card.slot.{}"), **words)


def service_words(t, entry: Service | None, what: str, first: bool = False, **params) -> str:
    """A screen's words for a service: its own (`<service>.<what>`), or on the first screen
    of its flow (`first`) the prompt of its catalogue entry, or its slot kind's
    (`slot.<slot kind>.<what>`) with its catalogue name as {name}."""
    if entry is None:
        return ""
    own = f"{entry.key}.{what}"
    if t.has(own):
        return t(own, **params)
    if first and what.endswith("prompt") and entry.prompt(t.language):
        return entry.prompt(t.language)
    return t(f"slot.{entry.slot_kind}.{what}", name=entry.name(t.language), **params)


def _key(t, service: Service, own: str, by_kind: str) -> str:
    key = own.format(service.key)
    return key if t.has(key) else by_kind.format(service.slot_kind)


def _words(t, service: Service, slot: Slot, mode: str, kind: str) -> dict[str, str]:
    """The parts any sentence may use."""
    def named(prefix: str, code: str) -> str:
        return t(prefix + code) if code and t.has(prefix + code) else code

    return {"name": service.name(t.language), "day": t.day(slot.day),
            "time": t.time(slot.start), "end": t.time(slot.end), "title": slot.title,
            "place": slot.place, "host": slot.host, "doctor": slot.doctor,
            "meal": named("meal.", slot.part) if service.slot_kind == "meal" else "",
            "window": named("window.", slot.part) if service.slot_kind == "window" else "",
            "department": named("department.", slot.department),
            "mode": named("mode.", mode), "kind": named("kind.", kind)}
