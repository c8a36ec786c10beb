"""意见/投诉, steps 1–2: what it is about (最近的服务 / 服务商 / 服务中心), then which booking
or which provider, as big cards a page at a time."""
from __future__ import annotations

from elder_wire.codes import ComplaintAbout
from kiosk.my_bookings import describe
from ui.screens.paged import Choice, PagedChoiceScreen


class ComplaintAboutScreen(PagedChoiceScreen):
    name = "complaint_about"
    columns = 1  # three wide choices, one under another, each with its hint
    big_text = True

    def build(self) -> None:
        super().build()
        self.set_title(self.t("complaint.about.title"))

    @property
    def per_page(self) -> int:
        return 3  # all three on one page at every text size: none hides behind 下一页

    def choices(self) -> list[Choice]:
        core = self.core
        elder_id = core.session.elder.id
        has_booking = bool(core.complaints.recent_bookings(elder_id))
        has_provider = bool(core.complaints.providers(elder_id))
        return [
            self._choice(ComplaintAbout.BOOKING, has_booking, "complaint.about.no_booking"),
            self._choice(ComplaintAbout.PROVIDER, has_provider, "complaint.about.no_provider"),
            self._choice(ComplaintAbout.CENTRE, True, ""),
        ]

    def _choice(self, about: str, available: bool, refusal: str) -> Choice:
        text = f"{self.t(f'complaint.about.{about}')}\n{self.t(f'complaint.about.{about}.hint')}"
        return Choice(text, available, about, self.t(refusal) if refusal else "")

    def prompt(self) -> str:
        return self.t("complaint.about.prompt")

    def chosen(self, value) -> None:
        draft = self.core.session.complaint
        draft.about = str(value)
        draft.booking_id = draft.provider_id = None
        draft.service = draft.what = ""
        draft.reasons.clear()
        if value == ComplaintAbout.CENTRE:
            draft.what = self.t("complaint.centre")
        self.shell.answer(str(value))


class ComplaintBookingScreen(PagedChoiceScreen):
    """Her bookings of the last 30 days, done or cancelled by the provider, newest first."""

    name = "complaint_booking"

    def build(self) -> None:
        super().build()
        self.set_title(self.t("complaint.booking.title"))

    def choices(self) -> list[Choice]:
        cards = self.core.complaints.recent_bookings(self.core.session.elder.id)
        return [Choice(f"{describe(self.t, card)}\n{self._state(card)}", True, card)
                for card in cards]

    def _state(self, card) -> str:
        """已完成 for a done service (its slot over, even if not yet marked so), or 已取消."""
        cancelled = card.booking.status == "cancelled"
        return self.t("booking.state.cancelled" if cancelled else "booking.state.completed")

    def prompt(self) -> str:
        return self.t("complaint.booking.prompt")

    def chosen(self, value) -> None:
        draft = self.core.session.complaint
        draft.booking_id = value.booking.id
        draft.service = value.booking.service
        draft.what = describe(self.t, value)
        draft.reasons.clear()
        self.shell.answer("chosen")


class ComplaintProviderScreen(PagedChoiceScreen):
    """The providers she had services from."""

    name = "complaint_provider"

    def build(self) -> None:
        super().build()
        self.set_title(self.t("complaint.provider.title"))

    def choices(self) -> list[Choice]:
        providers = self.core.complaints.providers(self.core.session.elder.id)
        return [Choice(provider.name, True, provider) for provider in providers]

    def prompt(self) -> str:
        return self.t("complaint.provider.prompt")

    def chosen(self, value) -> None:
        draft = self.core.session.complaint
        draft.provider_id = value.id
        draft.service = value.services[0] if value.services else ""
        draft.what = value.name
        draft.reasons.clear()
        self.shell.answer("chosen")
