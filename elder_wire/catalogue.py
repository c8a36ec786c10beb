"""The service catalogue: what a community offers, as data the platform publishes in its feed.

A service is an entry (change kind `service`, its id the key) with its names, tile hint and
spoken prompt per text language, an icon, the kind of slot it is booked by, and its policy.
A kiosk shows a tile for every active entry whose slot kind it knows, and no code names a
service that fits the existing slot kinds and policies. Unknown fields, slot kinds and policy
values are ignored, so a newer platform never stops an older kiosk (docs/services.md).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# How a service is booked (the kiosk has one flow for each):
#   meal     a day, lunch or dinner, the menu, a way of receiving it (meal_slot)
#   window   a day, a window of it (上午 / 下午), and a kind and needs if the provider has them
#   timed    (a department, if the provider has them) a day, a time of it
#   day      a day: one slot a day
#   session  a calendar of sessions, each with a title and a place (文化活动)
#   group    no slots: a tile that opens the entries whose `group` is this key (助医)
SLOT_KINDS = ("meal", "window", "timed", "day", "session", "group")


@dataclass(frozen=True)
class Policy:
    """The rules one booking writer applies, on the kiosk and on the platform."""

    escrow: bool = False  # places lent to kiosks ahead (leases, protocol §6): meals
    modes: tuple[str, ...] = ()  # ways of receiving it (meals: dine_in, pickup, delivery)
    units_by_kind: bool = False  # a kind of the provider uses 1 or more units (deep clean)
    one_a_day_by: str = ""  # e.g. "department": one live booking per department and day
    requires: str = ""  # an elder's permission, e.g. "home_visit_allowed"
    waitlist: bool = False  # when full, a waiting-list place that moves up on a cancellation
    attendance: bool = False  # attendance taken at the door by card (签到)
    cancel_until: str = "cutoff"  # the last moment to cancel: "cutoff" or "start"
    rated: bool = True  # the elder is asked once, after it is done, if she was satisfied

    @classmethod
    def from_wire(cls, data: Mapping[str, Any] | None) -> Policy:
        data = data if isinstance(data, Mapping) else {}
        return cls(
            escrow=bool(data.get("escrow", False)),
            modes=tuple(str(m) for m in data.get("modes") or () if isinstance(m, str)),
            units_by_kind=bool(data.get("units_by_kind", False)),
            one_a_day_by=str(data.get("one_a_day_by") or ""),
            requires=str(data.get("requires") or ""),
            waitlist=bool(data.get("waitlist", False)),
            attendance=bool(data.get("attendance", False)),
            cancel_until="start" if data.get("cancel_until") == "start" else "cutoff",
            rated=bool(data.get("rated", True)),
        )

    def to_wire(self) -> dict[str, Any]:
        return {"escrow": self.escrow, "modes": list(self.modes),
                "units_by_kind": self.units_by_kind, "one_a_day_by": self.one_a_day_by,
                "requires": self.requires, "waitlist": self.waitlist,
                "attendance": self.attendance, "cancel_until": self.cancel_until,
                "rated": self.rated}


@dataclass(frozen=True)
class Service:
    key: str
    slot_kind: str
    names: Mapping[str, str]
    hints: Mapping[str, str] = field(default_factory=dict)
    prompts: Mapping[str, str] = field(default_factory=dict)
    icon: str = "service"
    group: str = ""  # the key of the `group` entry whose tile leads to this one
    order: int = 100
    active: bool = True
    policy: Policy = Policy()

    @property
    def known(self) -> bool:
        """A slot kind this code can book; a newer one is kept but shown nowhere."""
        return self.slot_kind in SLOT_KINDS

    def name(self, language: str) -> str:
        return _pick(self.names, language) or self.key

    def hint(self, language: str) -> str:
        return _pick(self.hints, language)

    def prompt(self, language: str) -> str:
        return _pick(self.prompts, language)

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> Service:
        """An entry as the feed carries it; KeyError/TypeError/ValueError if it has no key."""
        key = data["key"]
        if not isinstance(key, str) or not key:
            raise ValueError("a service needs a key")
        order = data.get("order", 100)
        return cls(key=key, slot_kind=str(data.get("slot_kind") or ""),
                   names=_texts(data.get("names")), hints=_texts(data.get("hints")),
                   prompts=_texts(data.get("prompts")), icon=str(data.get("icon") or "service"),
                   group=str(data.get("group") or ""),
                   order=order if isinstance(order, int) else 100,
                   active=bool(data.get("active", True)),
                   policy=Policy.from_wire(data.get("policy")))

    def to_wire(self) -> dict[str, Any]:
        return {"key": self.key, "slot_kind": self.slot_kind, "names": dict(self.names),
                "hints": dict(self.hints), "prompts": dict(self.prompts), "icon": self.icon,
                "group": self.group, "order": self.order, "active": self.active,
                "policy": self.policy.to_wire()}


def _texts(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        return {}
    return {str(k): v for k, v in value.items() if isinstance(v, str)}


def _pick(texts: Mapping[str, str], language: str) -> str:
    return texts.get(language) or texts.get("zh_CN") or next(iter(texts.values()), "")


def _service(key: str, slot_kind: str, zh: tuple[str, str, str], en: tuple[str, str, str],
             order: int, icon: str = "", group: str = "", **policy: Any) -> Service:
    return Service(key, slot_kind, {"zh_CN": zh[0], "en": en[0]}, {"zh_CN": zh[1], "en": en[1]},
                   {"zh_CN": zh[2], "en": en[2]}, icon or key, group, order, True,
                   Policy(**policy))


# The catalogue a new community starts with (the platform's demo and `kiosk-platform` seed it;
# a district edits it like any other data). Prompts are said on the service's first screen.
STANDARD = (
    _service("meal", "meal", ("助餐", "订午餐、晚餐", "请选择哪一天用餐。"),
             ("Meals", "Lunch or dinner", "Please choose the day of your meal."), 10,
             escrow=True, modes=("dine_in", "pickup", "delivery")),
    _service("cleaning", "window", ("助洁", "上门打扫", "请选择打扫的日子。"),
             ("Cleaning", "Home cleaning", "Please choose the day for cleaning."), 20,
             units_by_kind=True),
    _service("medical", "group", ("助医", "看病、体检", "请选择看病、医生上门，还是体检。"),
             ("Doctor", "Clinic, check-up",
              "Please choose the clinic, a doctor's home visit or a check-up."), 30),
    _service("clinic", "timed", ("门诊挂号", "到服务站看医生", "请选择科室。"),
             ("Clinic", "See a doctor", "Please choose a department."), 31,
             icon="medical", group="medical", one_a_day_by="department"),
    _service("home_visit", "day", ("医生上门", "上门巡诊", "请选择医生上门的日子。"),
             ("Home visit", "Doctor comes", "Please choose the day of the visit."), 32,
             icon="medical", group="medical", requires="home_visit_allowed"),
    _service("health_check", "day", ("体检", "服务站体检日", "请选择体检的日子。"),
             ("Check-up", "Check-up days", "Please choose the day of the check-up."),
             33, icon="medical", group="medical"),
    _service("activity", "session", ("文化活动", "书法、合唱、讲座", "请选择哪一天参加活动。"),
             ("Activities", "Join a class", "Please choose the day of the activity."),
             40,
             waitlist=True, attendance=True, cancel_until="start"),
    _service("visit", "window", ("探望陪伴", "志愿者来看您", "请选择志愿者来看您的日子。"),
             ("Company", "A volunteer visits", "Please choose the day for a volunteer's visit."),
             50),
)
