"""Report tables as files: CSV (UTF-8 with a BOM, so spreadsheet programs read the Chinese),
XLSX (openpyxl; numbers stay numbers) and PDF (ReportLab, with an embedded CJK font)."""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable

from service_platform.console.i18n import Text
from service_platform.console.report_tables import (
    COUNT,
    DURATION,
    MONEY,
    SHARE,
    TEXT,
    Table,
    format_cell,
)

# TrueType CJK fonts ReportLab can embed (it cannot use CFF/OTF ones such as Noto CJK);
# scripts/setup.sh installs the first (Debian's fonts-wqy-microhei).
CJK_FONTS = (Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
             Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"))
FONT_NAME = "ReportCJK"
FALLBACK_FONT = "STSong-Light"  # ReportLab's built-in CID font: not embedded, viewer's glyphs
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MARGIN = 15 * mm


@lru_cache(maxsize=1)
def cjk_font() -> str:
    """The name of the registered font for Chinese text in PDFs and charts."""
    for path in CJK_FONTS:
        if path.exists():
            pdfmetrics.registerFont(TTFont(FONT_NAME, str(path), subfontIndex=0))
            return FONT_NAME
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
    return FALLBACK_FONT


def spreadsheet_text(cell: str) -> str:
    """A cell a spreadsheet would run as a formula kept as text behind one quote (OWASP's CSV
    injection rule), as the kiosk's day lists do."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def plain_cell(t: Text, kind: str, value) -> str:
    """A cell for a CSV: numbers without thousands separators, money in yuan."""
    if value is None:
        return ""
    if kind == MONEY:
        return f"{value / 100:.2f}"
    if kind == COUNT:
        return str(value)
    if kind in (SHARE, DURATION):
        return format_cell(t, kind, value)
    return spreadsheet_text(str(value))


def _lines(table: Table) -> Iterable[list]:
    yield from table.rows
    if table.total is not None:
        yield table.total


def csv_bytes(t: Text, tables: Iterable[Table]) -> bytes:
    """One block a table: its header row, its rows and its totals; a blank line between."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for n, table in enumerate(tables):
        if n:
            writer.writerow([])
        writer.writerow([spreadsheet_text(column.title) for column in table.columns])
        for row in _lines(table):
            writer.writerow([plain_cell(t, column.kind, value)
                             for column, value in zip(table.columns, row, strict=True)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(t: Text, tables: Iterable[Table]) -> bytes:
    """A sheet a table: header in row 1, then its rows and the totals row (in bold)."""
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for table in tables:
        sheet = book.create_sheet(_sheet_name(table.title, used))
        sheet.append([column.title for column in table.columns])
        for row in _lines(table):
            sheet.append([_xlsx_value(t, column.kind, value)
                          for column, value in zip(table.columns, row, strict=True)])
        for index, column in enumerate(table.columns, start=1):
            letter = get_column_letter(index)
            sheet.column_dimensions[letter].width = 14 if column.kind != TEXT else 22
            style = {MONEY: "#,##0.00", SHARE: "0.0%", COUNT: "0"}.get(column.kind)
            if style:
                for cell in sheet[letter][1:]:
                    cell.number_format = style
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        if table.total is not None:
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_value(t: Text, kind: str, value):
    if value is None:
        return None
    if kind == MONEY:
        return round(value / 100, 2)
    if kind in (COUNT, SHARE):
        return value
    if kind == DURATION:
        return format_cell(t, kind, value)
    return spreadsheet_text(str(value))


def _sheet_name(title: str, used: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\]", " ", title)[:28] or "Sheet"
    candidate, n = name, 2
    while candidate in used:
        candidate, n = f"{name}{n}", n + 1
    used.add(candidate)
    return candidate


# ---------------------------------------------------------------------------------------------

def _styles() -> dict[str, ParagraphStyle]:
    font = cjk_font()
    return {"title": ParagraphStyle("title", fontName=font, fontSize=18, leading=24,
                                    spaceAfter=4),
            "lead": ParagraphStyle("lead", fontName=font, fontSize=10, leading=14,
                                   textColor=colors.HexColor("#444444"), spaceAfter=8),
            "h2": ParagraphStyle("h2", fontName=font, fontSize=13, leading=18, spaceBefore=10,
                                 spaceAfter=4),
            "note": ParagraphStyle("note", fontName=font, fontSize=8.5, leading=12,
                                   textColor=colors.HexColor("#444444"), spaceAfter=4),
            "cell": ParagraphStyle("cell", fontName=font, fontSize=9, leading=12)}


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _pdf_table(t: Text, table: Table, styles, width: float) -> PdfTable:
    cell = styles["cell"]
    data = [[Paragraph(_escape(column.title), cell) for column in table.columns]]
    for row in _lines(table):
        data.append([Paragraph(_escape(format_cell(t, column.kind, value)), cell)
                     if column.kind == TEXT else format_cell(t, column.kind, value)
                     for column, value in zip(table.columns, row, strict=True)])
    texts = [i for i, column in enumerate(table.columns) if column.kind == TEXT]
    numbers = len(table.columns) - len(texts)
    text_width = (width - numbers * 19 * mm) / max(1, len(texts))
    widths = [text_width if i in texts else 19 * mm for i in range(len(table.columns))]
    if text_width < 25 * mm:  # many number columns: share the width evenly
        widths = [width / len(table.columns)] * len(table.columns)
    pdf = PdfTable(data, colWidths=widths, repeatRows=1)
    style = [("FONTNAME", (0, 0), (-1, -1), cjk_font()), ("FONTSIZE", (0, 0), (-1, -1), 9),
             ("ALIGN", (0, 0), (-1, -1), "RIGHT"), ("VALIGN", (0, 0), (-1, -1), "TOP"),
             ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e4ecf5")),
             ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.HexColor("#0b5cad")),
             ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#bbbbbb"))]
    style += [("ALIGN", (i, 0), (i, -1), "LEFT") for i in texts]
    if table.total is not None:
        style += [("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#f0f0f0")),
                  ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black)]
    pdf.setStyle(TableStyle(style))
    return pdf


def _fit(drawing: Drawing, width: float) -> Drawing:
    scale = min(1.0, width / drawing.width)
    drawing.scale(scale, scale)
    drawing.width, drawing.height = drawing.width * scale, drawing.height * scale
    return drawing


def pdf_bytes(t: Text, title: str, lead: str,
              sections: list[tuple[Table, Drawing | None]], empty_text: str = "") -> bytes:
    """A4 document: the title, a line saying what it covers, then each table (with its chart)."""
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN, bottomMargin=MARGIN, title=title)
    styles = _styles()
    width = A4[0] - 2 * MARGIN
    story = [Paragraph(_escape(title), styles["title"]), Paragraph(_escape(lead), styles["lead"])]
    if empty_text:
        story.append(Paragraph(_escape(empty_text), styles["h2"]))
    for table, drawing in sections:
        story.append(Paragraph(_escape(table.title), styles["h2"]))
        if table.note:
            story.append(Paragraph(_escape(table.note), styles["note"]))
        if table.empty:
            story.append(Paragraph(_escape(t("console.reports.table_empty")), styles["note"]))
            continue
        if drawing is not None:
            story += [_fit(drawing, width), Spacer(1, 4)]
        story.append(_pdf_table(t, table, styles, width))
    story.append(Spacer(1, 8))
    doc.build(story, onFirstPage=_footer(t), onLaterPages=_footer(t))
    return out.getvalue()


def _footer(t: Text):
    def draw(canvas, doc):
        canvas.saveState()
        canvas.setFont(cjk_font(), 8)
        canvas.drawRightString(A4[0] - MARGIN, 8 * mm,
                               t("console.reports.page", n=doc.page))
        canvas.restoreState()
    return draw
