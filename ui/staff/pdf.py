"""The day lists as a printable PDF, with Qt's own QPdfWriter and QTextDocument."""
from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QMarginsF
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument

from kiosk.day_lists import DayLists, diets_text, group_text, mode_text
from kiosk.private import private_file


def _table(t, list_name: str, lines) -> str:
    head = "".join(f"<th>{html.escape(t(k))}</th>" for k in (
        "daylist.col.group", "daylist.col.mode", "daylist.col.elder", "daylist.col.dietary",
        "daylist.col.status", "daylist.col.number", "daylist.col.address"))
    rows = []
    for line in lines:
        cells = (group_text(t, list_name, line.group), mode_text(t, list_name, line.mode),
                 line.elder_name, diets_text(t, line.dietary),
                 t(f"daylist.status.{line.status}"), line.number, line.address)
        rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    return (f"<table border='1' cellspacing='0' cellpadding='4' width='100%'><tr>{head}</tr>"
            + "".join(rows) + "</table>")


def day_lists_html(t, lists: DayLists, summary: list[str]) -> str:
    parts = [f"<h1>{html.escape(t('daylist.title', day=t.day(lists.day)))}</h1>"]
    parts += [f"<p>{html.escape(line)}</p>" for line in summary]
    parts.append(f"<h2>{html.escape(t('daylist.meal'))}</h2>" + _table(t, "meal", lists.meals))
    for service in lists.services.values():
        if service.lines:
            parts.append(f"<h2>{html.escape(service.name)}</h2>"
                         + _table(t, service.key, service.lines))
    return "".join(parts)


def export_pdf(t, lists: DayLists, summary: list[str], folder: Path) -> Path:
    path = folder / f"day-lists-{lists.day.isoformat()}.pdf"
    writer = QPdfWriter(str(private_file(path)))  # names and addresses: the kiosk's user's
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                                     QPageLayout.Orientation.Portrait,
                                     QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter))
    writer.setResolution(150)
    writer.setTitle(t("daylist.title", day=t.day(lists.day)))
    document = QTextDocument()
    document.setDefaultStyleSheet("body { font-family: 'Noto Sans CJK SC'; font-size: 11pt; }")
    document.setHtml(day_lists_html(t, lists, summary))
    document.setPageSize(writer.pageLayout().paintRectPixels(writer.resolution()).size())
    document.print_(writer)
    return path
