"""The console's answers carry its security headers (pages not cached, static files may be);
the kiosks' API answers do not."""
from __future__ import annotations

import requests

from service_platform.console.web import CSP


def test_console_pages_and_files_carry_the_security_headers(console_platform):
    base = console_platform.base_url
    page = requests.get(base + "/console/login", timeout=10)
    assert page.status_code == 200
    assert page.headers["Content-Security-Policy"] == CSP
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Cache-Control"] == "no-store"

    static = requests.get(base + "/console/static/console.css", timeout=10)
    assert static.status_code == 200
    assert static.headers["X-Frame-Options"] == "DENY"
    assert "no-store" not in static.headers.get("Cache-Control", "")

    missing = requests.get(base + "/console/no-such-page", timeout=10)
    assert missing.headers["X-Frame-Options"] == "DENY"  # refusals and errors too

    api = requests.get(base + "/v1/time", timeout=10)
    assert api.status_code == 200
    assert "X-Frame-Options" not in api.headers and "Content-Security-Policy" not in api.headers
