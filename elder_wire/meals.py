"""Meals on the wire: which meals, the ways of receiving one, diet tags, and one set of times."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

MEALS = ("lunch", "dinner")
MODES = ("dine_in", "pickup", "delivery")
DIET_TAGS = ("low_salt", "low_sugar", "soft", "halal", "vegetarian", "low_fat")


@dataclass(frozen=True)
class MealTime:
    """When a meal is served: from `start` (the time it is known by) to `end` (after which a
    booking of it is done, protocol §10.6)."""

    start: dt.time
    end: dt.time


MEAL_TIMES = {"lunch": MealTime(dt.time(11, 0), dt.time(13, 0)),
              "dinner": MealTime(dt.time(17, 0), dt.time(19, 0))}
