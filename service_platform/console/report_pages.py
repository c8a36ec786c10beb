"""报表 (reports) and 厨房备餐单 (kitchen sheets): pages, and their CSV, XLSX and PDF exports.

The figures come from service_platform/reports.py; every format shows the tables of
report_tables.py. Whose figures: a provider's account its own provider's only; the others their
communities (a district admin every one), narrowed to one community or provider if chosen.
Bad input (a backwards range, an unknown provider) gets a plain message with status 400; a
period without data an empty report that says so.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from babel.dates import format_date
from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from service_platform import catalogue, clock, reports
from service_platform.console import report_charts, report_files, report_tables
from service_platform.console.report_tables import QUALITY_TABLES, REPORT_TABLES, Words
from service_platform.console.web import PREFIX, Context, Signed, allowed, render
from service_platform.reports import ReportError, Scope

router = APIRouter(prefix=PREFIX, include_in_schema=False)

DEFAULT_TZ = "Asia/Shanghai"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
From = Annotated[str, Query(alias="from")]
To = Annotated[str, Query(alias="to")]


@dataclass
class Asked:
    """What the form asked for, as given (kept to fill the form and build export links)."""
    month: str = ""
    start: str = ""
    end: str = ""
    community: str = ""
    provider: str = ""

    def query(self, **more) -> str:
        values = {"month": self.month, "from": self.start, "to": self.end,
                  "community": self.community, "provider": self.provider, **more}
        return urlencode({key: value for key, value in values.items() if value})

    def month_query(self, month: str) -> str:
        """The same scope for one month (the quality report's PDF)."""
        return urlencode({key: value for key, value in (
            ("month", month), ("community", self.community), ("provider", self.provider))
            if value})


def _scope(ctx: Context, conn, community: str, provider: str, capability: str) -> Scope:
    """The scope asked for, within what the operator may see (403 beyond it)."""
    me = ctx.operator
    if me.role == "provider":
        if not me.provider_id or not me.community_ids:
            raise ReportError("provider")
        return Scope((me.community_ids[0],), me.provider_id)
    if provider and not community:
        places = [cid for (cid, pid) in reports.provider_names(conn, me.community_ids)
                  if pid == provider]
        if len(places) != 1:
            raise ReportError("provider")
        community = places[0]
    if community:
        allowed(ctx, capability, community)
        scope = Scope((community,), provider or None)
    else:
        scope = Scope(me.community_ids)
    reports.check_scope(conn, scope)
    return scope


def _today(conn, scope: Scope) -> dt.date:
    names = reports.community_names(conn, scope.community_ids)
    community = catalogue.get_community(conn, next(iter(names))) if names else None
    return clock.now().astimezone(ZoneInfo(community["tz"] if community else DEFAULT_TZ)).date()


def _words(ctx: Context, conn, report: reports.Report) -> Words:
    services = {}
    for community_id in report.community_names:
        for key, entry in catalogue.services_of(conn, community_id).items():
            services.setdefault(key, entry.name(ctx.t.language))
    several = report.scope.community_ids is None or len(report.scope.community_ids) > 1
    return Words(ctx.t, services, report.provider_names, report.community_names,
                 several and len(report.community_names) > 1)


def _build(ctx: Context, asked: Asked):
    """(report, words, choices) or ReportError."""
    allowed(ctx, "reports")
    with ctx.db.read() as conn:
        scope = _scope(ctx, conn, asked.community, asked.provider, "reports")
        period = reports.parse_period(asked.month, asked.start, asked.end, _today(conn, scope))
        report = reports.make(conn, scope, period)
        words = _words(ctx, conn, report)
        choices = _choices(ctx, conn)
    return report, words, choices


def _choices(ctx: Context, conn) -> dict:
    me = ctx.operator
    if me.role == "provider":
        return {"communities": {}, "providers": []}
    names = reports.community_names(conn, me.community_ids)
    providers = [{"community": cid, "id": pid, "name": name if len(names) < 2
                  else f"{name}（{names.get(cid, cid)}）"}
                 for (cid, pid), name in reports.provider_names(conn, me.community_ids).items()]
    return {"communities": names, "providers": providers}


def _asked(month: str, start: str, end: str, community: str, provider: str) -> Asked:
    return Asked(month.strip(), start.strip(), end.strip(), community.strip(), provider.strip())


def _scope_words(ctx: Context, report: reports.Report) -> str:
    t = ctx.t
    scope = report.scope
    if scope.provider_id:
        community = scope.community_ids[0]
        return f"{report.community_names.get(community, community)} · " \
               f"{report.provider_names.get((community, scope.provider_id), scope.provider_id)}"
    if scope.community_ids is not None and len(scope.community_ids) == 1:
        return report.community_names.get(scope.community_ids[0], scope.community_ids[0])
    if scope.community_ids is None:
        return t("console.reports.district")
    return t("console.reports.separator").join(report.community_names.values())


def _period_words(ctx: Context, period: reports.Period) -> str:
    fmt = ctx.t("console.reports.format.date")
    first = format_date(period.start, fmt, locale=ctx.t.locale)
    last = format_date(period.end, fmt, locale=ctx.t.locale)
    return first if period.start == period.end else f"{first} – {last}"


@router.get("/reports", response_class=HTMLResponse)
def reports_page(ctx: Signed, month: str = "", community: str = "", provider: str = "",
                 start: From = "", end: To = "") -> HTMLResponse:
    return _page(ctx, _asked(month, start, end, community, provider))


def _page(ctx: Context, asked: Asked) -> HTMLResponse:
    try:
        report, words, choices = _build(ctx, asked)
    except ReportError as exc:
        with ctx.db.read() as conn:
            choices = _choices(ctx, conn)
        return render(ctx, "reports.html", status_code=400, page="reports", asked=asked,
                      error=f"console.reports.error.{exc.code}", choices=choices)
    tables = report_tables.report_tables(report, words)
    charts = {key: report_charts.svg_data_url(drawing)
              for key, drawing in _drawings(ctx, tables).items() if drawing is not None}
    if not asked.month and not asked.start and not asked.end:
        asked.month = f"{report.period.start:%Y-%m}"
    return render(ctx, "reports.html", page="reports", asked=asked, report=report,
                  tables=tables, charts=charts, choices=choices, fmt=report_tables.format_cell,
                  scope_words=_scope_words(ctx, report),
                  period_words=_period_words(ctx, report.period),
                  month=report.period.month(), quality=QUALITY_TABLES)


def _drawings(ctx: Context, tables: dict) -> dict:
    t = ctx.t
    meals = tables["meals_by_day"]
    modes = list(range(1, 4))
    return {
        "meals_by_day": report_charts.bars(meals, t("console.reports.chart.meals"), modes,
                                           stacked=True, label_of=lambda row: row[0][5:]),
        "settlement": report_charts.bars(_by_first_column(tables["settlement"]),
                                         t("console.reports.chart.settlement"), [4, 5],
                                         stacked=True, label_of=lambda row: _short(row[0])),
        "services": report_charts.bars(tables["services"], t("console.reports.chart.services"),
                                       [1, 2, 5], label_of=lambda row: _short(row[0])),
        "trend": report_charts.shares(tables["trend"], t("console.reports.chart.trend")),
    }


def _by_first_column(table: report_tables.Table) -> report_tables.Table:
    """The table's rows summed by their first cell (the settlement by provider alone)."""
    summed: dict[str, list] = {}
    for row in table.rows:
        into = summed.setdefault(row[0], [row[0]] + [None] * (len(row) - 1))
        for i, value in enumerate(row[1:], start=1):
            if isinstance(value, int):
                into[i] = (into[i] or 0) + value
    return report_tables.Table(table.key, table.title, table.columns, list(summed.values()))


def _short(text: str) -> str:
    return text if len(text) <= 9 else text[:8] + "…"


def _bad(ctx: Context, exc: ReportError) -> Response:
    return Response(ctx.t(f"console.reports.error.{exc.code}"), status_code=400,
                    media_type="text/plain; charset=utf-8")


@router.get("/reports/export/{name}.{fmt}")
def export(ctx: Signed, name: str, fmt: str, month: str = "", community: str = "",
           provider: str = "", start: From = "", end: To = "") -> Response:
    if fmt not in ("csv", "xlsx") or (name != "all" and name not in REPORT_TABLES):
        return Response(ctx.t("console.reports.error.export"), status_code=404,
                        media_type="text/plain; charset=utf-8")
    asked = _asked(month, start, end, community, provider)
    try:
        report, words, _ = _build(ctx, asked)
    except ReportError as exc:
        return _bad(ctx, exc)
    tables = report_tables.report_tables(report, words)
    chosen = list(tables.values()) if name == "all" else [tables[name]]
    _audit_export(ctx, report, name, fmt)
    filename = f"report-{name}-{report.period.start}-{report.period.end}.{fmt}"
    if fmt == "csv":
        return _file(report_files.csv_bytes(ctx.t, chosen), "text/csv; charset=utf-8", filename)
    return _file(report_files.xlsx_bytes(ctx.t, chosen), XLSX, filename)


@router.get("/reports/quality.pdf")
def quality_pdf(ctx: Signed, month: str = "", community: str = "",
                provider: str = "") -> Response:
    """服务质量月报: one month's satisfaction, complaints, help calls, bookings and no-shows."""
    try:
        if not month:
            raise ReportError("month")
        report, words, _ = _build(ctx, _asked(month, "", "", community, provider))
    except ReportError as exc:
        return _bad(ctx, exc)
    t = ctx.t
    tables = report_tables.report_tables(report, words)
    drawings = _drawings(ctx, tables)
    lead = t("console.reports.pdf_lead", scope=_scope_words(ctx, report),
             period=_period_words(ctx, report.period),
             made=t.when(clock.stamp(report.made_at)))
    sections = [(tables[key], drawings.get(key)) for key in QUALITY_TABLES
                if not (key == "help" and report.scope.provider_id)]
    body = report_files.pdf_bytes(t, t("console.reports.quality_title", month=month), lead,
                                  sections, t("console.reports.empty") if report.empty else "")
    _audit_export(ctx, report, "quality", "pdf")
    return _file(body, "application/pdf", f"quality-{month}.pdf")


def _audit_export(ctx: Context, report: reports.Report, name: str, fmt: str) -> None:
    ids = report.scope.community_ids
    ctx.audit("report.exported", f"{name}.{fmt}", ids[0] if ids and len(ids) == 1 else None,
              {"report": name, "format": fmt, "from": report.period.start.isoformat(),
               "to": report.period.end.isoformat(), "provider_id": report.scope.provider_id})


def _file(body: bytes, media_type: str, filename: str) -> Response:
    return Response(body, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# ---------------------------------------------------------------------------------------------
# 厨房备餐单

def _sheet(ctx: Context, day: str, community: str, provider: str):
    allowed(ctx, "kitchen")
    with ctx.db.read() as conn:
        me = ctx.operator
        if not community and me.role != "provider":
            names = reports.community_names(conn, me.community_ids)
            community = next(iter(names), "")
            if not community:
                raise ReportError("community")
        scope = _scope(ctx, conn, community, provider, "kitchen")
        community_id = scope.community_ids[0]
        tz = ZoneInfo(catalogue.get_community(conn, community_id)["tz"])
        chosen = clock.now().astimezone(tz).date() + dt.timedelta(days=1)
        if day:
            try:
                chosen = dt.date.fromisoformat(day)
            except ValueError:
                raise ReportError("date") from None
        sheet = reports.kitchen_sheet(conn, community_id, scope.provider_id, chosen)
        provider_names = reports.provider_names(conn, (community_id,))
        choices = _choices(ctx, conn)
    return sheet, provider_names, choices


def _sheet_title(ctx: Context, sheet: reports.KitchenSheet, provider_names) -> tuple[str, str]:
    t = ctx.t
    day = format_date(sheet.day, t("console.kitchen.format.day"), locale=t.locale)
    who = sheet.community_name
    if sheet.provider_id:
        who += " · " + provider_names.get((sheet.community_id, sheet.provider_id),
                                          sheet.provider_id)
    return t("console.kitchen.title_for", day=day), who


@router.get("/kitchen", response_class=HTMLResponse)
def kitchen_page(ctx: Signed, day: str = "", community: str = "",
                 provider: str = "") -> HTMLResponse:
    asked = Asked(community=community.strip(), provider=provider.strip())
    try:
        sheet, provider_names, choices = _sheet(ctx, day.strip(), asked.community,
                                                asked.provider)
    except ReportError as exc:
        with ctx.db.read() as conn:
            choices = _choices(ctx, conn)
        return render(ctx, "kitchen.html", status_code=400, page="kitchen", asked=asked,
                      day=day, error=f"console.kitchen.error.{exc.code}", choices=choices)
    title, who = _sheet_title(ctx, sheet, provider_names)
    tables = report_tables.kitchen_tables(sheet, Words(ctx.t))
    if sheet.deliveries:
        _audit_kitchen(ctx, sheet, "page")
    asked.community = sheet.community_id
    return render(ctx, "kitchen.html", page="kitchen", asked=asked, sheet=sheet,
                  day=sheet.day.isoformat(), title=title, who=who, tables=tables,
                  choices=choices, fmt=report_tables.format_cell,
                  pdf_query=urlencode({"day": sheet.day.isoformat(),
                                       "community": sheet.community_id,
                                       "provider": sheet.provider_id or ""}))


@router.get("/kitchen.pdf")
def kitchen_pdf(ctx: Signed, day: str = "", community: str = "", provider: str = "") -> Response:
    try:
        sheet, provider_names, _ = _sheet(ctx, day.strip(), community.strip(), provider.strip())
    except ReportError as exc:
        return Response(ctx.t(f"console.kitchen.error.{exc.code}"), status_code=400,
                        media_type="text/plain; charset=utf-8")
    title, who = _sheet_title(ctx, sheet, provider_names)
    tables = report_tables.kitchen_tables(sheet, Words(ctx.t))
    body = report_files.pdf_bytes(
        ctx.t, title, who, [(table, None) for table in tables.values()],
        ctx.t("console.kitchen.empty") if sheet.empty else "")
    _audit_kitchen(ctx, sheet, "pdf")
    return _file(body, "application/pdf", f"kitchen-{sheet.day}.pdf")


def _audit_kitchen(ctx: Context, sheet: reports.KitchenSheet, fmt: str) -> None:
    """The delivery list holds addresses and phone digits: who saw or took it is logged (ids
    and counts only)."""
    ctx.audit("kitchen.delivery_list", sheet.day.isoformat(), sheet.community_id,
              {"format": fmt, "day": sheet.day.isoformat(), "provider_id": sheet.provider_id,
               "deliveries": len(sheet.deliveries)})
