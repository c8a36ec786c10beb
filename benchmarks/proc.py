"""Figures of another process read from /proc (Linux)."""
from __future__ import annotations

import os
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK")


def stat_fields(pid: int) -> list[str]:
    """/proc/PID/stat after the command's name: [0] state, [1] parent, [11] utime, …"""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def cpu_seconds(pid: int, ended_children: bool = False) -> float:
    """Seconds of CPU a process has used (with `ended_children`, its ended children's too)."""
    fields = stat_fields(pid)
    spent = int(fields[11]) + int(fields[12])
    if ended_children:
        spent += int(fields[13]) + int(fields[14])
    return spent / _TICK
