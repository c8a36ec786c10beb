"""Typed kiosk settings: defaults declared once, then a TOML file, then explicit overrides."""
from __future__ import annotations

import ipaddress
import os
import re
import tomllib
import urllib.parse
from pathlib import Path
from typing import NamedTuple

import platformdirs

from elder_wire.time_zones import known_time_zone

APP_NAME = "elder-kiosk"


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_config_file() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


class SettingError(ValueError):
    """A setting's value is not allowed: which setting, and the limits it must keep."""

    def __init__(self, message: str, name: str, **limits: object) -> None:
        super().__init__(message)
        self.name = name
        self.limits = limits


class Settings(NamedTuple):
    """Read-only once loaded; `settings._replace(name=value)` makes a changed copy. A named
    tuple, not a frozen dataclass: the dataclass compiled five methods for these fields each
    time the kiosk started, some 1.5 ms before its first frame."""

    # load_settings: the user's data directory, unless a file, variable or flag names one
    data_dir: Path
    # Service platform; empty means "not configured" and the kiosk runs on demo data.
    platform_url: str = ""
    # Plain http to a platform on another machine (anyone on the way reads and changes what
    # goes by): only set here on purpose, and logged at every start.
    allow_insecure_http: bool = False
    timezone: str = "Asia/Shanghai"
    language: str = "zh_CN"
    # Physical screen, so sizes can be set in millimetres (panels often report a wrong DPI).
    screen_diagonal_inch: float = 21.5
    text_size: str = "large"  # large / larger / largest  (大 / 特大 / 超大)
    high_contrast: bool = False
    voice_enabled: bool = True
    voice_rate: int = 150  # words per minute; slower than the engine default for seniors
    idle_timeout_s: int = 90
    idle_warning_s: int = 20
    receipt_timeout_s: int = 20
    repeat_tap_ms: int = 500
    lunch_cutoff: str = "09:30"
    dinner_cutoff: str = "15:00"
    booking_days: int = 7
    # Sync with the platform: a cycle this often, and at once after each elder action.
    sync_interval_s: int = 30
    sync_backoff_cap_s: int = 300  # the longest wait between attempts after failures
    sync_timeout_s: float = 20.0  # for one HTTP answer; connecting gets a quarter of it
    # Capacity leases: asked for the open meals of this many days, given back after this long.
    lease_days: int = 2
    lease_refresh_s: int = 300
    # A one-time enrolment code (or the QR code's JSON text) to trade for a device token.
    enrolment_code: str = ""
    device_name: str = ""

    @property
    def db_path(self) -> Path:
        return self.data_dir / "kiosk.sqlite3"

    def validate(self) -> None:
        if self.text_size not in ("large", "larger", "largest"):
            raise SettingError(f"text_size must be large, larger or largest, not "
                               f"{self.text_size!r}", "text_size")
        if not 10.0 <= self.screen_diagonal_inch <= 100.0:
            raise ValueError("screen_diagonal_inch must be between 10 and 100")
        if not 30 <= self.idle_timeout_s <= 900:
            raise SettingError("idle_timeout_s must be between 30 and 900 seconds",
                               "idle_timeout_s", low=30, high=900)
        for name in ("lunch_cutoff", "dinner_cutoff"):
            hh, _, mm = getattr(self, name).partition(":")
            if not (hh.isdigit() and mm.isdigit() and int(hh) < 24 and int(mm) < 60):
                raise ValueError(f"{name} must look like 09:30")
        if not 1 <= self.booking_days <= 31:
            raise ValueError("booking_days must be between 1 and 31")
        if not 5 <= self.sync_interval_s <= 3600:
            raise ValueError("sync_interval_s must be between 5 and 3600 seconds")
        if not 1 <= self.lease_days <= 31:
            raise ValueError("lease_days must be between 1 and 31")
        if not 60 <= self.voice_rate <= 300:
            raise SettingError("voice_rate must be between 60 and 300 words per minute",
                               "voice_rate", low=60, high=300)
        if not known_time_zone(self.timezone):
            raise ValueError(f"timezone must be a time zone such as Asia/Shanghai, not "
                             f"{self.timezone!r}")
        if self.platform_url and not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?",
                                                  self.platform_url):
            raise SettingError("platform_url must look like https://platform.example.org",
                               "platform_url")

        if self.platform_url and not address_allowed(self.platform_url,
                                                     self.allow_insecure_http):
            raise SettingError("platform_url must use https:// (plain http:// only to this "
                               "machine, or with allow_insecure_http)", "platform_url_https")

    @property
    def token_path(self) -> Path:
        """The device token, readable only by the kiosk's user (never logged)."""
        return self.data_dir / "device_token"


def address_allowed(url: str, allow_insecure_http: bool = False) -> bool:
    """https, or plain http to this machine (127.0.0.0/8, ::1, localhost) or when allowed."""
    parts = urllib.parse.urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme == "https":
        return True
    return scheme == "http" and (allow_insecure_http or loopback(parts.hostname or ""))


def loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def same_address(one: str, other: str) -> bool:
    """Two spellings of one platform address (case of scheme and host, a final slash)."""
    def key(url: str) -> tuple[str, str, str]:
        parts = urllib.parse.urlsplit(url.strip())
        return parts.scheme.lower(), parts.netloc.lower(), parts.path.rstrip("/")
    return key(one) == key(other)


def _coerce(kind_name: str, value: object) -> object:
    if "Path" in kind_name:
        return Path(str(value)).expanduser()
    if kind_name == "bool" and isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    if kind_name in ("int", "float", "str"):
        return {"int": int, "float": float, "str": str}[kind_name](value)
    return value


def load_settings(config_file: Path | None = None, **overrides: object) -> Settings:
    """Defaults, then the TOML file, then KIOSK_* environment variables, then `overrides`."""
    values: dict[str, object] = {}
    path = config_file or Path(os.environ.get("KIOSK_CONFIG", default_config_file()))
    if path.is_file():
        with path.open("rb") as fh:
            values.update(tomllib.load(fh).get("kiosk", {}))
    # name: its type as written ("Path", "int"; a named tuple keeps each as a ForwardRef)
    known = {name: kind.__forward_arg__ for name, kind in Settings.__annotations__.items()}
    for name in known:
        env = os.environ.get(f"KIOSK_{name.upper()}")
        if env is not None:
            values[name] = env
    values.update({k: v for k, v in overrides.items() if v is not None})
    unknown = set(values) - set(known)
    if unknown:
        raise ValueError(f"unknown settings: {', '.join(sorted(unknown))}")
    typed = {k: _coerce(known[k], v) for k, v in values.items()}
    if "data_dir" not in typed:
        typed["data_dir"] = default_data_dir()
    settings = Settings(**typed)
    settings.validate()
    return settings
