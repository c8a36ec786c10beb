"""A community's timetable file (docs/deploy.md): its closed schema, read with plain messages.

The shapes are the demo's (assets/demo/community.json and services.json): subsidy levels,
elders, providers, staff, weekly `sessions`; plus dated `meals` and dated `service_slots`, and
catalogue entries (`services`) in the shape the feed carries them (docs/services.md).
"""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    ValidationError,
    model_validator,
)

from elder_wire.catalogue import SLOT_KINDS
from elder_wire.operations import Cents, Code, Count, ElderUpsert, Id, Short, plain_text

Name = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Clock = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Meal = Literal["lunch", "dinner"]
_UNION_TAG = re.compile(r"^(constrained-\w+|\w+\[.*\])$")  # pydantic's name of a union member
T = TypeVar("T")


class FileError(ValueError):
    """The file cannot be loaded as it is; the message names the place in the file."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Cutoff(Strict):
    """Exactly one of: `at` on the slot's day, `day_before_at`, `minutes_before` the start."""

    at: Clock | None = None
    day_before_at: Clock | None = None
    minutes_before: Annotated[StrictInt, Field(ge=0, le=7 * 24 * 60)] | None = None

    @model_validator(mode="after")
    def _one_rule(self) -> Cutoff:
        if sum(rule is not None for rule in (self.at, self.day_before_at,
                                              self.minutes_before)) != 1:
            raise ValueError("give exactly one of at, day_before_at, minutes_before")
        return self


class Dish(Strict):
    name: Name
    tags: Annotated[list[Code], Field(max_length=20)] = Field(default_factory=list)


class MealSlot(Strict):
    day: dt.date
    meal: Meal
    menu: Annotated[list[Dish], Field(min_length=1, max_length=30)]
    price_cents: Cents | None = None
    capacity: Count | None = None
    cutoff: Cutoff | None = None


class PerMeal(Strict, Generic[T]):
    lunch: T
    dinner: T


class Kind(Strict):
    name: Name
    hours: Annotated[float, Field(gt=0, le=24)]
    units: Annotated[StrictInt, Field(ge=1, le=10)]
    price_cents: Cents


class Department(Strict):
    name: Name
    doctor: Name | None = None


Texts = dict[Literal["zh_CN", "en"], plain_text(0, 200)]


class Policy(Strict):
    """elder_wire.catalogue.Policy, as the feed carries it; what is left out is its default."""

    escrow: StrictBool = False
    modes: Annotated[list[Code], Field(max_length=10)] = Field(default_factory=list)
    units_by_kind: StrictBool = False
    one_a_day_by: Literal["", "department"] = ""
    requires: Literal["", "delivery_allowed", "home_visit_allowed"] = ""
    waitlist: StrictBool = False
    attendance: StrictBool = False
    cancel_until: Literal["cutoff", "start"] = "cutoff"
    rated: StrictBool = True


class ServiceEntry(Strict):
    """A catalogue entry (change kind `service`), added or changed by the file."""

    key: Code
    slot_kind: Literal[SLOT_KINDS]  # type: ignore[valid-type]
    names: Annotated[Texts, Field(min_length=1)]
    hints: Texts = Field(default_factory=dict)
    prompts: Texts = Field(default_factory=dict)
    icon: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}$")] = "service"
    group: Code | Literal[""] = ""
    order: Annotated[StrictInt, Field(ge=0, le=10_000)] = 100
    active: StrictBool = True
    policy: Policy = Field(default_factory=Policy)


class Provider(Strict):
    id: Id
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    services: Annotated[list[Code], Field(min_length=1)]
    teams: Count | None = None
    kinds: dict[Short, Kind] = Field(default_factory=dict)
    subsidy_cents: dict[Short, dict[Short, Cents]] = Field(default_factory=dict)
    needs: Annotated[list[Code], Field(max_length=20)] = Field(default_factory=list)
    departments: dict[Short, Department] = Field(default_factory=dict)
    active: StrictBool = True


class StaffMember(Strict):
    id: Id
    name: Name
    active: StrictBool = True


class Elder(ElderUpsert):
    """An elder as `elder.upsert` carries one (protocol §3.7), without a staff member."""

    model_config = ConfigDict(extra="forbid", strict=True)
    staff_id: None = Field(default=None, exclude=True)


class _Session(Strict):
    service: Code
    provider_id: Id
    window: Literal["am", "pm"] | None = None
    department: Short | None = None
    start: Clock = Field(alias="from")
    until: Clock
    slot_minutes: Annotated[StrictInt, Field(ge=5, le=24 * 60)] | None = None
    capacity: Count | Literal["teams"]
    price_cents: Cents | None = None
    cutoff: Cutoff
    title: plain_text(1, 100) | None = None  # a session's: 书法
    place: plain_text(1, 100) | None = None  # 二楼书画室
    host: plain_text(1, 100) | None = None  # 王老师

    @model_validator(mode="after")
    def _times(self) -> _Session:
        if self.until <= self.start:
            raise ValueError(f"'until' ({self.until}) must be after 'from' ({self.start})")
        if self.cutoff.at is not None:
            raise ValueError("a slot's cutoff is day_before_at or minutes_before")
        return self


class Session(_Session):
    """Every week on these days, within the file's period."""

    weekdays: Annotated[list[Weekday], Field(min_length=1)]


class DatedSession(_Session):
    """Once, on this day."""

    day: dt.date


class Timetable(Strict):
    start: dt.date | None = Field(default=None, alias="from")
    days: Annotated[StrictInt, Field(ge=1, le=366)] | None = None
    services: list[ServiceEntry] = Field(default_factory=list)
    subsidy_levels: dict[Short, Cents] = Field(default_factory=dict)
    elders: list[Elder] = Field(default_factory=list)
    meal_prices_cents: PerMeal[Cents] | None = None
    meal_capacity: PerMeal[Count] | None = None
    meal_cutoffs: PerMeal[Cutoff] | None = None
    meals: list[MealSlot] = Field(default_factory=list)
    providers: list[Provider] = Field(default_factory=list)
    staff: list[StaffMember] = Field(default_factory=list)
    slot_ids: dict[Code, Annotated[str, StringConstraints(min_length=1, max_length=64)]] = \
        Field(default_factory=dict)
    sessions: list[Session] = Field(default_factory=list)
    service_slots: list[DatedSession] = Field(default_factory=list)


def read(path: Path) -> Timetable:
    """The file's timetable, or FileError with every problem and where it is."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FileError(f"{path}: cannot read it ({exc})") from exc
    return parse(data, str(path))


def parse(data: bytes, name: str) -> Timetable:
    """A timetable file's content (read from disk or uploaded), its messages naming `name`."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileError(f"{name}: cannot read it ({exc})") from exc
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileError(f"{name}: not JSON: {exc.msg} at line {exc.lineno} column "
                        f"{exc.colno}") from exc
    try:
        return Timetable.model_validate_json(text)
    except ValidationError as exc:
        raise FileError("\n".join(f"{name}: {where}: {' or '.join(messages)}"
                                  for where, messages in _grouped(exc.errors()))) from exc


def _grouped(errors: list[dict]) -> list[tuple[str, list[str]]]:
    """One line per place: a field that may be one of two things has one error for each."""
    lines: dict[str, list[str]] = {}
    for error in errors:
        loc = [part for part in error["loc"] if not _UNION_TAG.match(str(part))]
        lines.setdefault(place(loc), []).append(_message(error))
    return list(lines.items())


def place(loc: tuple | list) -> str:
    """`('meals', 3, 'day')` as `meals[3].day`."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _message(error: dict) -> str:
    if error["type"] == "extra_forbidden":
        return "unknown field"
    if error["type"] == "missing":
        return "missing"
    return error["msg"].removeprefix("Value error, ")
