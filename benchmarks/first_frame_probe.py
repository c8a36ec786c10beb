"""For a process started to be measured: what runs at its first frame, put in place of
ui/first_frame.py's `report_and_quit` as that module is imported, so that the probe itself
imports nothing (PySide6 above all) before the kiosk does. The start-up benchmark
(benchmarks/kiosk_startup.py) and the start-up test (tests/gui/test_startup.py) use it."""
from __future__ import annotations

import importlib.machinery
import sys
from collections.abc import Callable


def at_first_frame(report: Callable[[object], Callable[[], object]]) -> None:
    """`report(app)` returns what runs at the first frame, instead of report_and_quit's."""

    class ReplaceReport:
        @staticmethod
        def find_spec(name, path=None, target=None):
            if name != "ui.first_frame":
                return None
            spec = importlib.machinery.PathFinder.find_spec(name, path)
            exec_module = spec.loader.exec_module

            def with_report(module) -> None:
                exec_module(module)
                module.report_and_quit = report

            spec.loader.exec_module = with_report
            return spec

    sys.meta_path.insert(0, ReplaceReport)
