"""Charts of the reports, drawn once with ReportLab's graphics from the report's tables: as SVG
in the page (an <img> from a data: address, as the console's CSP allows) and straight into the
PDF. The Chinese text uses the CJK font of report_files.cjk_font()."""
from __future__ import annotations

import base64
import math

from reportlab.graphics import renderSVG
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from service_platform.console.report_tables import COUNT, MONEY, SHARE, Table

WIDTH, HEIGHT = 640, 280
LEGEND_WIDTH = 150  # the legend's column at the right
# Colour-blind safe (Okabe–Ito), dark enough on white for thin bars and lines.
PALETTE = [colors.HexColor(c) for c in ("#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                         "#E69F00", "#56B4E9", "#000000")]
SVG_FONTS = "'Noto Sans CJK SC', 'WenQuanYi Micro Hei', 'Microsoft YaHei', sans-serif"


def _font() -> str:
    from service_platform.console.report_files import cjk_font
    return cjk_font()


def _frame(title: str) -> Drawing:
    drawing = Drawing(WIDTH, HEIGHT)
    drawing.add(String(8, HEIGHT - 20, title, fontName=_font(), fontSize=16))
    return drawing


def _legend(drawing: Drawing, names: list[str]) -> None:
    legend = Legend()
    legend.x, legend.y = WIDTH - LEGEND_WIDTH + 10, HEIGHT - 48
    legend.fontName, legend.fontSize = _font(), 13
    legend.alignment = "right"
    legend.dx = legend.dy = 12
    legend.deltay = 20
    legend.columnMaximum = 8
    legend.colorNamePairs = [(PALETTE[i % len(PALETTE)], name) for i, name in enumerate(names)]
    drawing.add(legend)


def _axes(chart, font: str) -> None:
    chart.x, chart.y = 56, 50
    chart.width, chart.height = WIDTH - LEGEND_WIDTH - 76, HEIGHT - 90
    chart.categoryAxis.labels.fontName = chart.valueAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = chart.valueAxis.labels.fontSize = 12
    chart.valueAxis.valueMin = 0
    chart.valueAxis.gridStrokeColor = colors.HexColor("#dddddd")
    chart.valueAxis.visibleGrid = True


def bars(table: Table, title: str, series: list[int], labels: list[str] | None = None,
         stacked: bool = False, label_of=None) -> Drawing | None:
    """Bars of the table's columns `series` (one colour each) for each of its rows."""
    if table.empty:
        return None
    drawing = _frame(title)
    chart = VerticalBarChart()
    _axes(chart, _font())
    scale = [100.0 if table.columns[i].kind == MONEY else 1.0 for i in series]
    chart.data = [[(row[i] or 0) / s for row in table.rows] for i, s in zip(series, scale,
                                                                            strict=True)]
    chart.categoryAxis.categoryNames = [label_of(row) if label_of else str(row[0])
                                        for row in table.rows]
    room = chart.width / len(table.rows)
    widest = max(stringWidth(name, _font(), 12) for name in chart.categoryAxis.categoryNames)
    if widest > room * 0.9:  # slanted, with room below for them
        chart.categoryAxis.labels.angle = 30 if widest < 90 else 45
        chart.categoryAxis.labels.boxAnchor = "ne"
        chart.categoryAxis.labels.dy = -2
        drop = min(widest * 0.6, 60)
        chart.y += drop
        chart.height -= drop
    if stacked:
        chart.categoryAxis.style = "stacked"
    for i in range(len(series)):
        chart.bars[i].fillColor = PALETTE[i % len(PALETTE)]
        chart.bars[i].strokeColor = None
    if all(table.columns[i].kind == COUNT for i in series):
        highest = max(sum(column) for column in zip(*chart.data, strict=True)) if stacked \
            else max(max(values) for values in chart.data)
        chart.valueAxis.valueStep = max(1, math.ceil(highest / 5))
        chart.valueAxis.labelTextFormat = "%d"
    drawing.add(chart)
    _legend(drawing, labels or [table.columns[i].title for i in series])
    return drawing


def shares(table: Table, title: str) -> Drawing | None:
    """Lines of the share columns (0–100 %) across the table's rows (months)."""
    if table.empty or len(table.columns) < 2:
        return None
    drawing = _frame(title)
    chart = HorizontalLineChart()
    _axes(chart, _font())
    chart.data = [[(row[i] * 100 if row[i] is not None else None) for row in table.rows]
                  for i in range(1, len(table.columns))]
    chart.categoryAxis.categoryNames = [str(row[0])[2:] for row in table.rows]  # 25-11
    chart.valueAxis.valueMax = 100
    chart.valueAxis.valueStep = 20
    chart.valueAxis.labelTextFormat = "%d%%"
    chart.joinedLines = True
    for i in range(len(chart.data)):
        chart.lines[i].strokeColor = PALETTE[i % len(PALETTE)]
        chart.lines[i].strokeWidth = 2.5
        chart.lines[i].symbol = makeMarker("FilledCircle", size=7,
                                           fillColor=PALETTE[i % len(PALETTE)])
    drawing.add(chart)
    _legend(drawing, [column.title for column in table.columns[1:] if column.kind == SHARE])
    return drawing


def svg_data_url(drawing: Drawing) -> str:
    """The drawing as an SVG image for an <img src>: fonts named as browsers know them."""
    svg = renderSVG.drawToString(drawing).replace(f"font-family: {_font()}",
                                                  f"font-family: {SVG_FONTS}")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")
