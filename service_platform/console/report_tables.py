"""Reports and kitchen sheets as tables of cells: the one shape the page, the CSV, the XLSX and
the PDF all present, so each shows the same figures (service_platform/reports.py counts them).

A cell holds a raw value (an int, cents, a share 0–1, seconds, text or None); its column's kind
says how to show it: `format_cell` for the page, the CSV and the PDF; the XLSX keeps numbers.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from elder_wire.meals import MODES
from service_platform import reports
from service_platform.console.i18n import Text

TEXT, COUNT, MONEY, SHARE, DURATION = "text", "count", "money", "share", "duration"


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = TEXT


@dataclass
class Table:
    key: str  # meals_by_day, settlement, …: the export's name and the page's anchor
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    total: list | None = None  # the totals row, same columns
    note: str = ""

    @property
    def empty(self) -> bool:
        return not self.rows


def format_cell(t: Text, kind: str, value) -> str:
    if value is None:
        return "—"
    if kind == MONEY:
        return f"{value / 100:,.2f}"
    if kind == SHARE:
        return f"{value * 100:.1f}%"
    if kind == DURATION:
        return t.duration(value)
    if kind == COUNT:
        return f"{value:,}"
    return str(value)


class Words:
    """Codes in the operator's words: services from the catalogue, the rest from the console's."""

    def __init__(self, t: Text, report_names: dict[str, str] | None = None,
                 provider_names: dict[tuple[str, str], str] | None = None,
                 community_names: dict[str, str] | None = None,
                 several_communities: bool = False) -> None:
        self.t = t
        self.service_names = report_names or {}
        self.providers = provider_names or {}
        self.communities = community_names or {}
        self.several = several_communities

    def words(self, prefix: str, code: str | None) -> str:
        if not code:
            return self.t(f"{prefix}.none")
        key = f"{prefix}.{code}"
        found = self.t(key)
        return code if found == key else found

    def mode(self, code: str | None) -> str:
        return self.words("console.reports.mode", code)

    def level(self, code: str) -> str:
        return self.words("console.reports.level", code)

    def meal(self, code: str) -> str:
        return self.words("console.reports.meal", code)

    def diet(self, tags: tuple[str, ...]) -> str:
        if not tags:
            return self.t("console.reports.diet.none")
        return self.t("console.reports.separator").join(
            self.words("console.reports.diet", tag) for tag in tags)

    def service(self, key: str) -> str:
        return self.service_names.get(key, key)

    def provider(self, community_id: str, provider_id: str | None) -> str:
        if not provider_id:
            return self.t("console.reports.no_provider")
        name = self.providers.get((community_id, provider_id), provider_id)
        return self.place(community_id, name)

    def place(self, community_id: str, text: str) -> str:
        if self.several:
            return f"{text}（{self.communities.get(community_id, community_id)}）"
        return text


def _sum(rows: list[list], index: int):
    values = [row[index] for row in rows if row[index] is not None]
    return sum(values) if values else None


def meals_by_day(report: reports.Report, w: Words) -> Table:
    t = w.t
    levels = sorted({item.subsidy_level for item in report.meals})
    days: dict[str, list[int]] = {}
    for item in report.meals:
        row = days.setdefault(item.day, [0] * (len(MODES) + len(levels)))
        if item.mode in MODES:
            row[MODES.index(item.mode)] += item.meals
        row[len(MODES) + levels.index(item.subsidy_level)] += item.meals
    columns = [Column(t("console.reports.col.day"))] + \
        [Column(w.mode(mode), COUNT) for mode in MODES] + \
        [Column(w.level(level), COUNT) for level in levels] + \
        [Column(t("console.reports.col.meals"), COUNT)]
    rows = [[day, *counts, sum(counts[len(MODES):])] for day, counts in sorted(days.items())]
    table = Table("meals_by_day", t("console.reports.meals_by_day"), columns, rows,
                  note=t("console.reports.meals_note"))
    if rows:
        table.total = [t("console.reports.total")] + [_sum(rows, i)
                                                      for i in range(1, len(columns))]
    return table


def meals_by_level(report: reports.Report, w: Words) -> Table:
    t = w.t
    levels: dict[str, list[int]] = {}
    for item in report.meals:
        row = levels.setdefault(item.subsidy_level, [0] * len(MODES))
        if item.mode in MODES:
            row[MODES.index(item.mode)] += item.meals
    columns = [Column(t("console.reports.col.level"))] + \
        [Column(w.mode(mode), COUNT) for mode in MODES] + \
        [Column(t("console.reports.col.meals"), COUNT)]
    rows = [[w.level(level), *counts, sum(counts)] for level, counts in sorted(levels.items())]
    table = Table("meals_by_level", t("console.reports.meals_by_level"), columns, rows)
    if rows:
        table.total = [t("console.reports.total")] + [_sum(rows, i)
                                                      for i in range(1, len(columns))]
    return table


def settlement(report: reports.Report, w: Words) -> Table:
    t = w.t
    columns = [Column(t("console.reports.col.provider")), Column(t("console.reports.col.level")),
               Column(t("console.reports.col.served"), COUNT),
               Column(t("console.reports.col.price"), MONEY),
               Column(t("console.reports.col.paid"), MONEY),
               Column(t("console.reports.col.subsidy"), MONEY),
               Column(t("console.reports.col.cancelled"), COUNT),
               Column(t("console.reports.col.refunded"), MONEY)]
    rows = [[w.provider(item.community_id, item.provider_id), w.level(item.subsidy_level),
             item.served, item.price_cents, item.paid_cents, item.subsidy_cents,
             item.cancelled, item.refunded_cents] for item in report.settlement]
    table = Table("settlement", t("console.reports.settlement"), columns, rows,
                  note=t("console.reports.settlement_note"))
    if rows:
        table.total = [t("console.reports.total"), ""] + [_sum(rows, i) for i in range(2, 8)]
    return table


def services(report: reports.Report, w: Words) -> Table:
    t = w.t
    columns = [Column(t("console.reports.col.service")),
               Column(t("console.reports.col.booked"), COUNT),
               Column(t("console.reports.col.cancelled"), COUNT),
               Column(t("console.reports.col.waitlisted"), COUNT),
               Column(t("console.reports.col.attended"), COUNT),
               Column(t("console.reports.col.no_shows"), COUNT),
               Column(t("console.reports.col.not_over"), COUNT)]
    rows = [[w.service(item.service), item.booked, item.cancelled, item.waitlisted,
             item.attended, item.no_shows, item.not_over if item.no_shows is not None else None]
            for item in report.services]
    table = Table("services", t("console.reports.services"), columns, rows,
                  note=t("console.reports.services_note"))
    if rows:
        table.total = [t("console.reports.total")] + [_sum(rows, i) for i in range(1, 7)]
    return table


def satisfaction(report: reports.Report, w: Words) -> Table:
    t = w.t
    columns = [Column(t("console.reports.col.provider")),
               Column(t("console.reports.col.ratings"), COUNT),
               Column(t("console.reports.score.satisfied"), COUNT),
               Column(t("console.reports.score.neutral"), COUNT),
               Column(t("console.reports.score.unsatisfied"), COUNT),
               Column(t("console.reports.col.share"), SHARE)]
    community = _only_community(report)
    rows = [[w.provider(community, item.provider_id), item.total, item.satisfied, item.neutral,
             item.unsatisfied, item.share] for item in report.satisfaction]
    table = Table("satisfaction", t("console.reports.satisfaction"), columns, rows,
                  note=t("console.reports.satisfaction_note"))
    if rows:
        total = [_sum(rows, i) for i in range(1, 5)]
        table.total = [t("console.reports.total"), *total,
                       total[1] / total[0] if total[0] else None]
    return table


def trend(report: reports.Report, w: Words) -> Table:
    """The share of 满意 by month (rows) and provider (columns)."""
    t = w.t
    community = _only_community(report)
    keyed = sorted({item.provider_id or "" for item in report.trend})
    shares = {(item.month, item.provider_id or ""): item.share for item in report.trend}
    columns = [Column(t("console.reports.col.month"))] + \
        [Column(w.provider(community, key or None), SHARE) for key in keyed]
    rows = [[month] + [shares.get((month, key)) for key in keyed]
            for month in report.trend_months] if keyed else []
    return Table("trend", t("console.reports.trend"), columns, rows)


def complaints(report: reports.Report, w: Words) -> Table:
    t = w.t
    columns = [Column(t("console.reports.col.provider")),
               Column(t("console.reports.col.received"), COUNT),
               Column(t("console.reports.col.resolved"), COUNT),
               Column(t("console.reports.col.open"), COUNT),
               Column(t("console.reports.col.median_resolve"), DURATION),
               Column(t("console.reports.col.overdue"), COUNT)]
    community = _only_community(report)
    rows = [[w.provider(community, item.provider_id), item.received, item.resolved, item.open,
             item.median_resolve_s, item.overdue] for item in report.complaints]
    table = Table("complaints", t("console.reports.complaints"), columns, rows,
                  note=t("console.reports.complaints_note"))
    if rows:
        seconds = [s for item in report.complaints for s in item.resolve_seconds]
        table.total = [t("console.reports.total"), _sum(rows, 1), _sum(rows, 2), _sum(rows, 3),
                       statistics.median(seconds) if seconds else None, _sum(rows, 5)]
    return table


def help_calls(report: reports.Report, w: Words) -> Table:
    t = w.t
    columns = [Column(t("console.reports.col.community")),
               Column(t("console.reports.col.calls"), COUNT),
               Column(t("console.reports.col.acknowledged"), COUNT),
               Column(t("console.reports.col.median_ack"), DURATION),
               Column(t("console.reports.col.slowest_ack"), DURATION)]
    rows = [[w.communities.get(item.community_id, item.community_id), item.requests,
             item.acknowledged, item.median_ack_s, item.slowest_ack_s] for item in report.help]
    note = t("console.reports.help_provider") if report.scope.provider_id else \
        t("console.reports.help_note")
    table = Table("help", t("console.reports.help"), columns, rows, note=note)
    if rows:
        seconds = [s for item in report.help for s in item.ack_seconds]
        table.total = [t("console.reports.total"), _sum(rows, 1), _sum(rows, 2),
                       statistics.median(seconds) if seconds else None, max(seconds, default=None)]
    return table


def _only_community(report: reports.Report) -> str:
    ids = report.scope.community_ids
    return ids[0] if ids and len(ids) == 1 else next(iter(report.community_names), "")


REPORT_TABLES = {"meals_by_day": meals_by_day, "meals_by_level": meals_by_level,
                 "settlement": settlement, "services": services, "satisfaction": satisfaction,
                 "trend": trend, "complaints": complaints, "help": help_calls}
# 服务质量月报: satisfaction, complaints, help calls, bookings and no-shows of one month.
QUALITY_TABLES = ("satisfaction", "trend", "complaints", "help", "services")


def report_tables(report: reports.Report, w: Words) -> dict[str, Table]:
    return {key: make(report, w) for key, make in REPORT_TABLES.items()}


# ---------------------------------------------------------------------------------------------

def kitchen_tables(sheet: reports.KitchenSheet, w: Words) -> dict[str, Table]:
    t = w.t
    modes = [Column(w.mode(mode), COUNT) for mode in MODES]
    meals = Table("kitchen_meals", t("console.kitchen.meals"),
                  [Column(t("console.kitchen.col.meal")), *modes,
                   Column(t("console.reports.total"), COUNT)],
                  [[w.meal(meal), *counts, sum(counts)] for meal, counts in sheet.meals.items()])
    portions = Table("kitchen_portions", t("console.kitchen.portions"),
                     [Column(t("console.kitchen.col.meal")), Column(t("console.kitchen.col.dish")),
                      Column(t("console.kitchen.col.diet")), *modes,
                      Column(t("console.kitchen.col.portions"), COUNT)],
                     [[w.meal(p.meal), p.dish, w.diet(p.diet), *p.by_mode, p.total]
                      for p in sheet.portions], note=t("console.kitchen.portions_note"))
    deliveries = Table("kitchen_deliveries", t("console.kitchen.deliveries"),
                       [Column(t("console.kitchen.col.meal")),
                        Column(t("console.kitchen.col.elder")),
                        Column(t("console.kitchen.col.address")),
                        Column(t("console.kitchen.col.phone")),
                        Column(t("console.kitchen.col.diet"))],
                       [[w.meal(d.meal), d.elder, d.address, d.phone_tail, w.diet(d.diet)]
                        for d in sheet.deliveries], note=t("console.kitchen.deliveries_note"))
    for table in (meals, portions):
        if table.rows:
            table.total = [t("console.reports.total")] + [
                "" if column.kind == TEXT else _sum(table.rows, i)
                for i, column in enumerate(table.columns) if i > 0]
    return {table.key: table for table in (meals, portions, deliveries)}
