"""A day's work lists for staff: meals for the canteen (per meal, dietary need and how it is
eaten), cleaning jobs per window, clinic appointments; on screen and exported as CSV."""
from __future__ import annotations

import csv
import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from elder_wire.codes import EXPECTED, sql_list
from elder_wire.meals import MEALS, MODES
from kiosk import catalogue
from kiosk.private import private_dir, private_file
from kiosk.store import Store


@dataclass(frozen=True)
class ListLine:
    """One booking on a list: who, what, how, and whether it is confirmed yet."""

    booking_id: str
    number: str
    elder_name: str
    group: str  # lunch/dinner, am/pm, or a clinic department
    mode: str  # dine_in/pickup/delivery for meals; kind for cleaning; time for clinic
    dietary: tuple[str, ...]
    status: str
    address: str = ""


@dataclass
class MealTotals:
    meal: str
    total: int = 0
    by_mode: Counter = field(default_factory=Counter)
    by_diet: Counter = field(default_factory=Counter)
    dishes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ServiceList:
    """One service's bookings of the day: cleaning jobs, clinic appointments, an activity's
    sign-ups, companion visits…"""

    key: str
    name: str  # in the catalogue's words, in the screen's language
    slot_kind: str
    lines: list[ListLine]


@dataclass
class DayLists:
    day: dt.date
    meals: list[ListLine]
    totals: dict[str, MealTotals]
    services: dict[str, ServiceList]  # every other service of the catalogue, in its order


def meal_lines(store: Store, day: dt.date) -> list[ListLine]:
    """Every confirmed and tentative meal booking of the day: what the canteen must cook."""
    rows = store.query(
        f"""SELECT b.id, b.number, b.mode, b.status, s.part AS meal, e.name, e.dietary, e.address
            FROM bookings b JOIN slots s ON s.id = b.slot_id
            JOIN elders e ON e.id = b.elder_id
            WHERE s.day = ? AND s.service = 'meal' AND b.status IN {sql_list(EXPECTED)}
            ORDER BY s.starts_at, b.mode, e.name, b.id""", (day.isoformat(),))
    return [ListLine(r["id"], r["number"], r["name"], r["meal"], r["mode"],
                     tuple(json.loads(r["dietary"])), r["status"],
                     r["address"] if r["mode"] == "delivery" else "") for r in rows]


def meal_totals(store: Store, day: dt.date, lines: list[ListLine]) -> dict[str, MealTotals]:
    totals = {meal: MealTotals(meal) for meal in MEALS}
    for meal in MEALS:
        row = store.query_one("SELECT menu FROM slots WHERE service = 'meal' AND day = ? "
                              "AND part = ?", (day.isoformat(), meal))
        if row:
            totals[meal].dishes = tuple(d["name"] for d in json.loads(row["menu"]))
        for mode in MODES:
            totals[meal].by_mode[mode] = 0
    for line in lines:
        meal = totals[line.group]
        meal.total += 1
        meal.by_mode[line.mode] += 1
        for tag in line.dietary:
            meal.by_diet[tag] += 1
    return totals


def service_lines(store: Store, day: dt.date, service: str) -> list[ListLine]:
    """A service's bookings of the day: who, which window, department or session, and when;
    the address where the service goes to the elder (a window: cleaning, a visit)."""
    rows = store.query(
        f"""SELECT b.id, b.number, b.status, b.kind, s.part, s.department, s.title,
                   s.starts_at, e.name, e.address
            FROM bookings b JOIN slots s ON s.id = b.slot_id
            JOIN elders e ON e.id = b.elder_id
            WHERE s.day = ? AND s.service = ? AND b.status IN {sql_list(EXPECTED)}
            ORDER BY s.starts_at, s.department, e.name""", (day.isoformat(), service))
    lines = []
    for r in rows:
        start = dt.datetime.fromisoformat(r["starts_at"]).strftime("%H:%M")
        if r["part"] in ("am", "pm"):  # goes to her home: the window, the kind, the address
            lines.append(ListLine(r["id"], r["number"], r["name"], r["part"], r["kind"],
                                  (), r["status"], r["address"]))
        else:
            lines.append(ListLine(r["id"], r["number"], r["name"],
                                  r["department"] or r["title"], start, (), r["status"]))
    return lines


def day_lists(store: Store, day: dt.date, language: str = "zh_CN") -> DayLists:
    meals = meal_lines(store, day)
    services = {entry.key: ServiceList(entry.key, entry.name(language), entry.slot_kind,
                                       service_lines(store, day, entry.key))
                for entry in catalogue.entries(store)
                if entry.known and entry.slot_kind not in ("meal", "group")}
    return DayLists(day, meals, meal_totals(store, day, meals), services)


def export_folder(data_dir: Path) -> Path:
    return private_dir(data_dir / "exports")


def export_csv(lists: DayLists, folder: Path, t) -> Path:
    """One CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese) with every list."""
    path = folder / f"day-lists-{lists.day.isoformat()}.csv"
    temp = private_file(path.with_suffix(".csv.new"))
    with temp.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow([t("daylist.col.list"), t("daylist.col.group"), t("daylist.col.mode"),
                      t("daylist.col.elder"), t("daylist.col.dietary"), t("daylist.col.status"),
                      t("daylist.col.number"), t("daylist.col.address")])
        for line in lists.meals:
            out.writerow([spreadsheet_text(cell) for cell in csv_row(t, "meal", line)])
        for service in lists.services.values():
            for line in service.lines:
                out.writerow([spreadsheet_text(cell)
                              for cell in csv_row(t, service.key, line, service.name)])
    temp.replace(path)
    return path


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(cell: str) -> str:
    """A cell a spreadsheet would run as a formula (a name like =HYPERLINK(…)) kept as text
    behind one quote (OWASP's CSV injection rule)."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def csv_row(t, list_name: str, line: ListLine, title: str = "") -> list[str]:
    return [title or t(f"daylist.{list_name}"), group_text(t, list_name, line.group),
            mode_text(t, list_name, line.mode), line.elder_name, diets_text(t, line.dietary),
            t(f"daylist.status.{line.status}"), line.number, line.address]


def group_text(t, list_name: str, group: str) -> str:
    """Lunch, 上午 or 全科: the meal, the cleaning window or the clinic department in words."""
    if list_name == "meal":
        return t(f"meal.{group}")
    if group in ("am", "pm"):
        return t(f"daylist.window.{group}")
    return t(f"department.{group}") if t.has(f"department.{group}") else group


def mode_text(t, list_name: str, mode: str) -> str:
    """到食堂取 or 日常保洁: how a meal is eaten, the kind of cleaning; a clinic's time as is."""
    if list_name == "meal":
        return t(f"mode.{mode}") if mode in MODES else mode
    return t(f"kind.{mode}") if mode and t.has(f"kind.{mode}") else mode


def diets_text(t, dietary: tuple[str, ...]) -> str:
    """低盐、软食: one list, in the language's own separator."""
    return t("list.separator").join(t(f"tag.{tag}") for tag in dietary)
