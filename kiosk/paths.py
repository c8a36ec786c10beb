"""Where the project's shipped files live (assets, locales), wherever it is installed."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "assets"
LOCALES = ROOT / "locales"
DEMO_COMMUNITY = ASSETS / "demo" / "community.json"
DEMO_SERVICES = ASSETS / "demo" / "services.json"
