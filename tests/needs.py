"""What a test needs from the machine (PostgreSQL, a browser): skipped without it on a
developer's machine, but a failure in CI, where scripts/setup.sh --test installs it all and a
silent skip would hide a broken set-up."""
from __future__ import annotations

import os
from typing import NoReturn

import pytest


def in_ci() -> bool:
    return os.environ.get("CI") == "true"


def unavailable(reason: str) -> NoReturn:
    """Skip the test for `reason`, or fail it when the environment variable CI is "true"."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: required, not skipped)", pytrace=False)
    pytest.skip(reason)
