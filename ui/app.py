"""The `kiosk` command: settings, store and window, full-screen or in a 1280×800 window."""
from __future__ import annotations

import gc
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

WINDOW_SIZE = (1280, 800)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    import argparse

    parser = argparse.ArgumentParser(
        prog="kiosk", description="Community elder-care self-service kiosk.")
    parser.add_argument("--demo", action="store_true",
                        help="local demo data only, without starting a demo platform beside it")
    parser.add_argument("--windowed", action="store_true",
                        help=f"run in a {WINDOW_SIZE[0]}x{WINDOW_SIZE[1]} window, not full-screen")
    parser.add_argument("--data-dir", type=Path, help="where the kiosk keeps its database")
    parser.add_argument("--config", type=Path, help="settings file (TOML)")
    parser.add_argument("--quit-after-start", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--set-staff-pin", metavar="STAFF_ID",
                        help="set a staff member's PIN (read from the terminal) and exit")
    parser.add_argument("--prompt-wav", type=Path, metavar="FILE",
                        help="write the home screen's spoken prompt to a WAV file and exit")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    # Start-up allocates a great deal and frees little: the cyclic collector's passes (some
    # 8 ms of it) wait until the first frame is up, where run() turns collecting back on.
    # Hence this module imports little before this line (argparse, logging: where used).
    gc.disable()
    try:
        return run(argv)
    finally:
        gc.enable()


def run(argv: list[str] | None = None) -> int:
    import logging

    from kiosk.config import load_settings

    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        settings = load_settings(args.config, data_dir=args.data_dir)
    except (ValueError, OSError) as error:
        print(f"kiosk: bad settings: {error}", file=sys.stderr)
        return 2

    if args.prompt_wav:
        return write_home_prompt(settings, args.prompt_wav)
    if args.set_staff_pin:
        return set_staff_pin(settings, args.set_staff_pin)

    # The core, and the Qt-free modules the window needs for its first frame, before PySide6:
    # once it is loaded, its import hook reads the source of each module an import statement
    # names (looking for "PySide6" in it): imported now, their own imports (typing, datetime,
    # sqlite3…) are not read; only the window's own names are.
    import kiosk.cards
    import kiosk.events
    import kiosk.flow
    import kiosk.staff_session  # noqa: F401
    import ui.theme  # noqa: F401  (Qt-free until its fonts are added, by the window)
    from kiosk.core import Kiosk

    core = Kiosk(settings)

    # The window's module loads PySide6: its own standard imports (logging, pathlib…) come
    # before its PySide6 import, so the hook does not read them either.
    from ui.main_window import KioskWindow  # isort: skip

    from PySide6.QtWidgets import QApplication

    from ui.first_frame import FirstFrame
    from ui.gui_post import GuiPost
    from ui.theme import Metrics, stylesheet

    app = QApplication(sys.argv[:1])
    # A demo kiosk (no platform, no enrolment code) fills its store on its first start; later
    # starts only add the service slots of the days ahead, right after the first frame. A
    # kiosk given a platform never gets demo data: what it shows comes from the platform.
    configured = bool(settings.platform_url or settings.enrolment_code)
    seeded = configured or core.store.query_one("SELECT 1 FROM elders") is not None
    if not seeded:
        seed_demo(core)
    size = app.primaryScreen().size()
    metrics = Metrics.for_screen(size.width(), size.height(), settings.screen_diagonal_inch,
                                 settings.text_size)
    app.setStyleSheet(stylesheet(metrics, settings.high_contrast))
    post = GuiPost()  # background news (sync, speech, help) to the GUI thread
    # args.config: where the staff settings screen saves
    window = KioskWindow(core, metrics, listen=False, post=post,
                         config_path=args.config)
    first_frame = FirstFrame(window)
    if args.quit_after_start:  # start-up benchmark: leave as soon as the first frame is up
        from ui.first_frame import report_and_quit

        first_frame.then(report_and_quit(app))
    # What the first frame does not show waits for it, in this order.
    first_frame.then(gc.enable)
    first_frame.then(window.listen)  # card reader, idle watch, staff mode
    first_frame.then(lambda: stop_on_signals(app))  # a service manager's stop closes in order
    if not configured and seeded:
        first_frame.then(lambda: seed_demo(core))
    if settings.platform_url or settings.enrolment_code:
        window.refresh_sync_line()  # as the last sync left it, before the worker's first word
        first_frame.then(lambda: window.sync.start_worker_soon(settings))
    elif not args.demo:
        first_frame.then(lambda: window.sync.start_demo_platform(settings))
    first_frame.then(lambda: window.set_speaker(start_speech(settings)))
    first_frame.then(warm_up)
    if args.windowed:
        window.resize(*WINDOW_SIZE)
        window.show()
    else:
        show_full_screen(window, app.primaryScreen())
    try:
        return app.exec()
    finally:
        window.stop_sync()
        window.speaker.close()
        core.close()


def show_full_screen(window, screen) -> None:
    """Full screen even where nothing obeys the request: on a bare X server or under a kiosk
    compositor that does not resize windows, the window takes the screen's geometry itself."""
    window.setGeometry(screen.geometry())
    window.showFullScreen()


def stop_on_signals(app) -> None:
    """Once the first frame is up (its sockets and signals wait for it): SIGTERM and SIGINT
    end the event loop as closing the window does."""
    from ui.shutdown import quit_on_signals

    quit_on_signals(app)


def seed_demo(core) -> None:
    """Demo only: the demo community, or on a store that has it the service slots of the days
    ahead; the demo staff 张社工 and 刘社工 (PIN 1234). A demo platform holds the same."""
    from kiosk.staff import seed_demo_staff

    core.seed_demo_if_empty(finished=True)  # yesterday's lunch of 曹建国, to rate
    seed_demo_staff(core.store, core.clock)


def warm_up() -> None:
    """Once the first frame is up: the rest of the core and the first screens an elder or
    staff member reaches, so the first tap does not wait for their imports."""
    import importlib
    import linecache

    from kiosk.screens import SCREENS

    for module in ("kiosk.elders", "kiosk.bookings", "kiosk.service_flows",
                   "kiosk.my_bookings", "kiosk.ratings", "kiosk.help", "kiosk.alternatives",
                   "kiosk.sync.status", "kiosk.audit"):
        importlib.import_module(module)
    for name in ("services", "staff_login"):
        importlib.import_module(SCREENS[name].cls.partition(":")[0])
    # PySide6's import hook reads the source of every module imported after it (looking for
    # its feature switch) through linecache, which keeps it all: some 5 MB never read again
    # (a traceback reads what it needs anew). Freed now, before the kiosk settles.
    linecache.clearcache()


def start_speech(settings):
    """The speech worker starts once the first frame is up: the screen never waits for it."""
    from kiosk.languages import language
    from kiosk.speech import SpeechService

    return SpeechService(language=language(settings.language).voice, rate=settings.voice_rate,
                         enabled=settings.voice_enabled)


def write_home_prompt(settings, path: Path) -> int:
    """The home prompt as the kiosk says it, in the configured language, to a WAV file."""
    from kiosk.i18n import Translator
    from kiosk.languages import language
    from kiosk.speech import render_to_wav

    choice = language(settings.language)
    text = Translator(choice.text)("home.prompt")
    render_to_wav(text, path, language=choice.voice, rate=settings.voice_rate)
    print(path)
    return 0


def set_staff_pin(settings, staff_id: str, read_pin=None) -> int:
    """`kiosk --set-staff-pin STAFF_ID`: the PIN is read twice without echo, stored hashed."""
    import getpass

    from kiosk.clock import Clock
    from kiosk.staff import get_staff, set_pin, valid_pin
    from kiosk.store import Store

    read_pin = read_pin or getpass.getpass
    store = Store(settings.db_path)
    try:
        if get_staff(store, staff_id) is None:
            print(f"kiosk: no staff member {staff_id!r} (sync first)", file=sys.stderr)
            return 2
        pin = read_pin("New PIN (4-8 digits): ")
        if not valid_pin(pin) or read_pin("Again: ") != pin:
            print("kiosk: PIN not set: 4 to 8 digits, the same twice", file=sys.stderr)
            return 2
        set_pin(store, Clock(settings.timezone), staff_id, pin)
    finally:
        store.close()
    print(f"PIN set for {staff_id}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
