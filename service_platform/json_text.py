"""JSON writers made once, for text written many times a request (a pushed batch's payloads,
results and feed changes: three an operation).

`json.dumps` with options makes a new encoder at every call, and even the plain one sets up
its C encoder anew each time: for the small objects a batch writes, that costs more than
writing them (about 1.8 µs of 3). A writer here is the standard library's own C encoder, set
up once, with the very options given: its text is `json.dumps`'s, byte for byte. Only a
value that refers to itself is not caught as such (`check_circular`): it fails with a
RecursionError instead of a ValueError, which JSON made of JSON never does.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from json import encoder as _encoder
from typing import Any


def writer(*, sort_keys: bool = False, separators: tuple[str, str] = (", ", ": "),
           ensure_ascii: bool = True) -> Callable[[Any], str]:
    """`lambda value: json.dumps(value, sort_keys=…, separators=…, ensure_ascii=…)`."""
    plain = json.JSONEncoder(sort_keys=sort_keys, separators=separators,
                             ensure_ascii=ensure_ascii, check_circular=False)
    if _encoder.c_make_encoder is None:  # a Python without the C encoder: the same, slower
        return plain.encode
    strings = _encoder.encode_basestring_ascii if ensure_ascii else _encoder.encode_basestring
    item_separator, key_separator = separators
    make = _encoder.c_make_encoder(None, plain.default, strings, None, key_separator,
                                   item_separator, sort_keys, False, True)

    def write(value: Any) -> str:
        return "".join(make(value, 0))

    return write
