"""Writing the kiosk's TOML settings file from the staff settings screen: only the settings
staff may change, each validated, written atomically. Secrets never go here (the device
token stays in its own 0600 file; an enrolment code is used at once, not kept)."""
from __future__ import annotations

import errno
import os
import tomllib
from pathlib import Path

from kiosk.config import SettingError, Settings, default_config_file
from kiosk.languages import language

EDITABLE = ("platform_url", "language", "text_size", "high_contrast", "voice_enabled",
            "voice_rate", "idle_timeout_s")
SECRET = ("enrolment_code",)


# Why a settings file could not be written, by errno; anything else: SAVE_FAILED.
OS_PROBLEMS = {errno.EACCES: "settings.problem.no_permission",
               errno.EPERM: "settings.problem.no_permission",
               errno.ENOSPC: "settings.problem.disk_full",
               errno.EROFS: "settings.problem.read_only"}
SAVE_FAILED = "settings.problem.not_written"


def problem_text(t, error: Exception) -> str:
    """Why settings were not saved, in staff's words: which setting and its limits, or what
    kept the file from being written (the error's own English is for the log)."""
    if isinstance(error, SettingError) and t.has(f"settings.{error.name}.invalid"):
        return t(f"settings.{error.name}.invalid", **error.limits)
    if isinstance(error, OSError):
        return t(OS_PROBLEMS.get(error.errno, SAVE_FAILED))
    return t("settings.problem.other")


def config_path(explicit: Path | None = None) -> Path:
    return explicit or Path(os.environ.get("KIOSK_CONFIG", default_config_file()))


def validated(settings: Settings, changes: dict) -> Settings:
    """The settings with `changes` applied; ValueError in plain words if one is not allowed."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not a setting staff can change: {', '.join(sorted(unknown))}")
    if "language" in changes:
        language(changes["language"])  # ValueError for one that does not exist
    new = settings._replace(**changes)
    new.validate()
    return new


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    if any(ord(ch) < 32 for ch in escaped):
        raise ValueError("settings may not contain control characters")
    return f'"{escaped}"'


def write_settings(path: Path, settings: Settings, changes: dict) -> Settings:
    """Validate, merge into the file's [kiosk] table, keep everything else it said."""
    new = validated(settings, changes)
    table: dict[str, object] = {}
    if path.is_file():
        with path.open("rb") as fh:
            table = dict(tomllib.load(fh).get("kiosk", {}))
    for name in SECRET:
        table.pop(name, None)
    table.update(changes)
    lines = ["# Written by the kiosk's staff settings screen.", "[kiosk]"]
    lines += [f"{name} = {toml_value(value)}" for name, value in sorted(table.items())]
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(path.name + ".new")
    temp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(temp, path)
    return new
