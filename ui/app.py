"""The `kiosk` command: settings, store and window, full-screen or in a 1280×800 window."""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from kiosk.config import load_settings

WINDOW_SIZE = (1280, 800)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="kiosk", description="Community elder-care self-service kiosk.")
    parser.add_argument("--demo", action="store_true",
                        help="local demo data only, without starting a demo platform beside it")
    parser.add_argument("--windowed", action="store_true",
                        help=f"run in a {WINDOW_SIZE[0]}x{WINDOW_SIZE[1]} window, not full-screen")
    parser.add_argument("--data-dir", type=Path, help="where the kiosk keeps its database")
    parser.add_argument("--config", type=Path, help="settings file (TOML)")
    parser.add_argument("--prompt-wav", type=Path, metavar="FILE",
                        help="write the home screen's spoken prompt to a WAV file and exit")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        settings = load_settings(args.config, data_dir=args.data_dir)
    except (ValueError, OSError) as error:
        print(f"kiosk: bad settings: {error}", file=sys.stderr)
        return 2

    if args.prompt_wav:
        return write_home_prompt(settings, args.prompt_wav)

    from PySide6.QtWidgets import QApplication

    from kiosk.core import Kiosk
    from kiosk.speech import SpeechService
    from ui.main_window import KioskWindow
    from ui.theme import Metrics, stylesheet

    app = QApplication(sys.argv[:1])
    demo_platform = None
    if not settings.platform_url and not args.demo:
        demo_platform = start_demo_platform_or_none(settings)
        if demo_platform is not None:
            settings = demo_platform.settings
    core = Kiosk(settings)
    if args.demo or core.demo:
        core.seed_demo_if_empty()
    size = app.primaryScreen().size()
    metrics = Metrics.for_screen(size.width(), size.height(), settings.screen_diagonal_inch,
                                 settings.text_size)
    app.setStyleSheet(stylesheet(metrics, settings.high_contrast))
    speech = SpeechService(language=settings.language, rate=settings.voice_rate,
                           enabled=settings.voice_enabled)
    window = KioskWindow(core, metrics, speech)
    worker = None
    if settings.platform_url or settings.enrolment_code:
        from kiosk.sync.worker import SyncWorker
        from ui.sync_bridge import SyncBridge

        worker = SyncWorker(settings, core.clock)
        window.attach_sync(SyncBridge(worker, window))
        worker.start()
    if args.windowed:
        window.resize(*WINDOW_SIZE)
        window.show()
    else:
        window.showFullScreen()
    try:
        return app.exec()
    finally:
        if worker is not None:
            worker.stop()
        speech.close()
        core.close()
        if demo_platform is not None:
            demo_platform.stop()


def start_demo_platform_or_none(settings):
    """With nothing configured, a demo platform beside the kiosk shows real sync."""
    from kiosk.demo_platform import DemoPlatformError, start_demo_platform

    try:
        return start_demo_platform(settings)
    except DemoPlatformError as error:
        logging.getLogger(__name__).warning("demo platform unavailable (%s); local demo data",
                                            error)
        return None


def write_home_prompt(settings, path: Path) -> int:
    """The home prompt as the kiosk says it, in the configured language, to a WAV file."""
    from kiosk.i18n import Translator
    from kiosk.speech import render_to_wav

    text = Translator(settings.language)("home.prompt")
    render_to_wav(text, path, language=settings.language, rate=settings.voice_rate)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
