"""What every screen shares: the header, a body with generous margins, a spoken prompt."""
from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from ui.widgets import Header, label, restyle


def set_message_role(message, role: str) -> None:
    if message.property("role") != role:
        restyle(message, role)


class Screen(QWidget):
    """A screen reads from the core through `shell` and answers with `shell.answer(...)`."""

    name = ""
    navigation = True  # back and home buttons; only the home screen goes without
    can_go_back = True  # False where going back would undo nothing and only confuse
    offers_help = True  # the 求助 button; only the help screen itself goes without
    offers_repeat = True  # 再听一遍; staff screens, not spoken, go without
    skip_on_back = False  # a one-time question (rating, a confirm done): 返回 goes past it

    def __init__(self, shell) -> None:
        super().__init__()
        self.shell = shell
        self.core = shell.core
        self.t = shell.core.text
        self.metrics = shell.metrics
        gap = self.metrics.gap
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.header = Header(self.t, gap, self.navigation)
        self.header.back.connect(shell.back)
        self.header.home.connect(shell.go_home)
        self.header.repeat.connect(shell.repeat_prompt)
        self.header.help.connect(shell.ask_help)
        self.header.help_button.setVisible(self.offers_help)
        self.header.back_button.setVisible(self.navigation and self.can_go_back)
        outer.addWidget(self.header)
        self.body = QVBoxLayout()
        self.body.setContentsMargins(gap * 3, gap, gap * 3, gap)
        self.body.setSpacing(gap * 2)
        outer.addLayout(self.body, 1)
        self.message = label("", "message")
        self.message.hide()
        self.build()

    def build(self) -> None:
        """Create the widgets once; `enter` fills them each time the screen is shown."""

    def enter(self) -> None:
        """Refresh from the session and the store before the screen is shown."""

    def prompt(self) -> str:
        """What the kiosk says when the screen appears."""
        return ""

    def clear(self) -> None:
        """Forget everything about the elder (sign-out)."""
        self.hide_message()

    def leave(self) -> None:
        """Another screen is about to be shown instead of this one."""

    def hear(self, news) -> None:
        """News from background work (kiosk.events.News) while this screen is on show."""

    def refit(self) -> None:
        """Lay out again after a change of text size (paged staff screens)."""

    def card_scanned(self, text: str) -> bool:
        """A card scanned while staff are signed in and this screen shows; True if the screen
        took it (a form waiting for a card number), False to identify the elder as usual."""
        return False

    def show_acting_for(self, name: str) -> None:
        """Staff are booking for this elder (a name), or not (empty): said in the header, in
        the place of 再听一遍 (staff read; the prompts are for an elder on her own)."""
        shown = self.header.acting_for
        shown.setText(self.t("staff.acting_for", name=name) if name else "")
        shown.setVisible(bool(name))
        self.header.repeat_button.setVisible(self.offers_repeat and not name)

    def set_title(self, text: str) -> None:
        self.header.title.setText(text)
        self.header.title.setAccessibleName(text)

    def show_message(self, text: str, role: str = "message") -> None:
        """A message in the error style, or (role) as news: status_ok for something done."""
        set_message_role(self.message, role)
        self.message.setText(text)
        self.message.setAccessibleName(text)
        self.message.show()
        self.shell.speak(text)

    def hide_message(self) -> None:
        self.message.hide()
        self.message.setText("")
