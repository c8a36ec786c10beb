"""The JSON writers made once (service_platform/json_text.py) write what `json.dumps` writes
with the same options, byte for byte: stored digests and payloads depend on it."""
from __future__ import annotations

import json

import pytest

from service_platform import json_text

VALUES = [
    {"z": [1, 2.5, {"b": None, "a": True}], "名字": "王秀英\n\t\"\\", "big": 10 ** 20,
     "e": 1e16, "small": -1e-7, "nan": float("nan"), "inf": float("-inf")},
    {"booking_id": "6d8a0c0e-4f0a-4d7e-9a39-0f3f4a8e2c11", "booking_status": "confirmed",
     "within_lease": False},
    {"ctrl": "\x01\x1f\u2028\u00e9", "emoji": "👵🍚", "empty": {}, "list": [], "zero": 0},
    "a text alone: 午餐", 42, None, [3, "三", [True, False]], {"1": 1, "10": 2, "2": 3},
]
OPTIONS = [
    {},
    {"ensure_ascii": False},
    {"sort_keys": True, "separators": (",", ":"), "ensure_ascii": False},
]


@pytest.mark.parametrize("options", OPTIONS)
def test_a_writer_writes_what_json_dumps_writes(options):
    write = json_text.writer(**options)
    for value in VALUES:
        assert write(value) == json.dumps(value, **options)


def test_what_json_cannot_write_is_refused_as_json_dumps_refuses_it():
    write = json_text.writer()
    with pytest.raises(TypeError):
        write({"when": object()})
    with pytest.raises(TypeError):  # keys that are not text, numbers, booleans or None
        write({(1, 2): "pair"})
