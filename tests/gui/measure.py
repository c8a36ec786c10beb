"""Measures a kiosk screen as the senior UI rules state them: millimetres, glyphs, clipping."""
from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QPushButton,
    QStyle,
    QStyleOptionButton,
    QWidget,
)

from ui.theme import GLYPH_MM, PRIMARY_MM, TARGET_MM, Metrics, stylesheet

PRIMARY_ROLES = {"primary", "tile", "key", "choice", "unavailable", "help", "page"}
REFERENCE_GLYPH = "国"
GAP_MM = 3.0
# 21.5" 1920x1080 kiosk panel, and a 1280x800 window on a 15.6" laptop panel.
SCREENS = {"1920x1080": ((1920, 1080), 21.5), "1280x800": ((1280, 800), 15.6)}


def _visible(window: QWidget, kind) -> list:
    return [w for w in window.findChildren(kind) if w.isVisible() and w.window() is window]


def _rect_in(window: QWidget, widget: QWidget) -> QRect:
    return QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())


def _name(widget: QWidget) -> str:
    return f"{type(widget).__name__}[{widget.property('role')}] {widget.text()!r}"


def text_problems(window: QWidget, metrics: Metrics) -> list[str]:
    problems = []
    glyph_px = GLYPH_MM[metrics.text_size] * metrics.px_per_mm
    for widget in _visible(window, QLabel) + _visible(window, QPushButton):
        if not widget.text():
            continue
        fm = QFontMetricsF(widget.font())
        if fm.tightBoundingRect(REFERENCE_GLYPH).height() < glyph_px - 0.5:
            problems.append(f"glyph smaller than {GLYPH_MM[metrics.text_size]} mm: "
                            f"{_name(widget)}")
        if _clipped(widget, fm):
            problems.append(f"text clipped: {_name(widget)} in {widget.width()}x"
                            f"{widget.height()}")
        if not window.rect().contains(_rect_in(window, widget)):
            problems.append(f"outside the window: {_name(widget)}")
    return problems


def _clipped(widget, fm: QFontMetricsF) -> bool:
    lines = widget.text().split("\n")
    if isinstance(widget, QLabel):
        if widget.wordWrap():
            return widget.heightForWidth(widget.width()) > widget.height() + 1
        width = max(fm.horizontalAdvance(line) for line in lines)
        # A layout short of room squashes a label too: its ink must still fit.
        ink = max(fm.tightBoundingRect(line).height() for line in lines)
        height = (len(lines) - 1) * fm.lineSpacing() + ink
        box = widget.contentsRect()
        return width > box.width() + 1 or height > box.height() + 1
    icon = widget.iconSize().width() if not widget.icon().isNull() else 0
    width = max(fm.horizontalAdvance(line) for line in lines) + icon
    height = len(lines) * fm.lineSpacing()
    # Inside the border and the padding: a squeezed button draws its words over its border.
    option = QStyleOptionButton()
    widget.initStyleOption(option)
    box = widget.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option, widget)
    return width > box.width() + 1 or height > widget.height() - 4


def target_problems(window: QWidget, metrics: Metrics) -> list[str]:
    problems = []
    smallest = TARGET_MM * metrics.px_per_mm - 1
    primary = PRIMARY_MM * metrics.px_per_mm - 1
    buttons = _visible(window, QPushButton)
    for button in buttons:
        if min(button.width(), button.height()) < smallest:
            problems.append(f"target under {TARGET_MM} mm: {_name(button)} "
                            f"{button.width()}x{button.height()}")
        primary_role = button.property("role") in PRIMARY_ROLES and not button.property("compact")
        if primary_role and button.height() < primary:
            problems.append(f"primary under {PRIMARY_MM} mm tall: {_name(button)}")
        if not button.accessibleName():
            problems.append(f"no accessible name: {_name(button)}")
    gap = int(GAP_MM * metrics.px_per_mm) - 1
    rects = [(b, _rect_in(window, b)) for b in buttons]
    for index, (first, a) in enumerate(rects):
        for second, b in rects[index + 1:]:
            if a.adjusted(-gap, -gap, gap, gap).intersects(b):
                problems.append(f"less than {GAP_MM} mm apart: {_name(first)} / {_name(second)}")
    return problems


def all_problems(window: QWidget, metrics: Metrics) -> list[str]:
    return text_problems(window, metrics) + target_problems(window, metrics)


def on_screen(window, screen: str, size: str) -> Metrics:
    """The window as it would be on one of SCREENS at one text size."""
    (width, height), inches = SCREENS[screen]
    metrics = Metrics.for_screen(width, height, inches, size)
    window.metrics = metrics
    QApplication.instance().setStyleSheet(stylesheet(metrics))
    window.resize(width, height)
    return metrics


def window_problems(window, screen: str, metrics: Metrics) -> list[str]:
    """The screen shown now, kept at `metrics`' text size (sign-out and staff sign-in set
    another): it fits on `screen` without growing the window, and meets all_problems."""
    if window.metrics.text_size != metrics.text_size:
        window.set_text_size(metrics.text_size)
    window.metrics = metrics
    QApplication.processEvents()
    (width, height), _ = SCREENS[screen]
    needed = window.minimumSizeHint()
    if needed.width() > width or needed.height() > height:
        return [f"needs {needed.width()}x{needed.height()}, more than the screen"]
    if (window.width(), window.height()) != (width, height):
        grown = f"the window grew to {window.width()}x{window.height()}"
        window.resize(width, height)  # so the states after this one are measured on screen
        return [grown]
    return all_problems(window, metrics)
