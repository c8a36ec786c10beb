"""What each elder was told, one JSON line per step, fsynced before the kiosk goes on.

An action writes an `intent` line before it starts and a `told` line once the elder was told
(accepted with the booking id and the status shown, or refused with the reason). A kiosk killed
in between leaves an intent without its `told`: the elder saw nothing, whatever got committed.
"""
from __future__ import annotations

import json
import os
from pathlib import Path


class Journal:
    def __init__(self, path: Path) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        # A line cut by a SIGKILL would glue itself to the next one: start on a line of our own.
        if path.stat().st_size and not path.read_bytes().endswith(b"\n"):
            os.write(self.fd, b"\n")

    def write(self, record: dict) -> None:
        os.write(self.fd, (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
        os.fsync(self.fd)

    def close(self) -> None:
        os.close(self.fd)


def read(path: Path) -> tuple[list[dict], int]:
    """The journal's records, and how many lines could not be read (cut by a kill)."""
    records, torn = [], 0
    if not path.exists():
        return records, torn
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except ValueError:
            torn += 1
    return records, torn
