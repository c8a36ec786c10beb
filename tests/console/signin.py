"""Signing in to the console as one of the demo accounts (service_platform/demo.py)."""
from __future__ import annotations

from service_platform.demo import DEMO_OPERATORS

PASSWORDS = {username: password for username, _, _, password, _ in DEMO_OPERATORS}
ROLES = {username: role for username, _, role, _, _ in DEMO_OPERATORS}


def sign_in(page, base_url: str, username: str, password: str | None = None,
            then: str = "/console") -> None:
    """Open `then`, sign in on the page it sends to, and wait to arrive back signed in."""
    page.goto(base_url + then)
    page.fill("#username", username)
    page.fill("#password", password if password is not None else PASSWORDS[username])
    page.click("form[action$='/login'] button[type=submit]")
    page.wait_for_selector("header .who")
