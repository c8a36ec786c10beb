"""Two platform processes on one PostgreSQL: a call pushed through one shows at once on a
console connected to the other (LISTEN/NOTIFY; nothing kept in one process's memory)."""
from __future__ import annotations

import time

import pytest

from kiosk.help import HelpDesk
from service_platform import migrations, operators
from service_platform.db import Database
from tests.console.signin import sign_in
from tests.platform.conftest import postgres_cluster  # noqa: F401  (a fixture)
from tests.platform.servers import PlatformProcess
from tests.sync.conftest import TestKiosk

COMMUNITY = "community-xingfu"


@pytest.mark.postgres
def test_a_call_through_one_process_shows_on_a_console_of_another(
        postgres_cluster, console_log_dir, new_page, tmp_path):  # noqa: F811
    target = postgres_cluster.new_database()
    first = PlatformProcess(target, console_log_dir).start()  # --demo: data and accounts
    second = PlatformProcess(target, console_log_dir).start()
    db = Database(target)
    kiosk = None
    try:
        assert migrations.migrate(db) == migrations.LATEST
        code = operators.add_kiosk(db, COMMUNITY, "二号机")[1]
        kiosk = TestKiosk(tmp_path / "kiosk", second.base_url, code)  # pushes to the second
        kiosk.sync_ok()
        page = new_page(locale="zh-CN")
        sign_in(page, first.base_url, "duty", then="/console/help")  # watches the first
        page.wait_for_selector("body[data-live='connected']")

        request = HelpDesk(kiosk.store, kiosk.clock).ask("elder-0001")
        kiosk.sync_ok()
        reached = time.monotonic()
        page.locator(f"li[data-help-id='{request.id}']").wait_for(timeout=2000)
        assert time.monotonic() - reached < 2.0

        # taken on the first process's console: the kiosk pulls it from the second
        page.locator(f"li[data-help-id='{request.id}'] form[action$='/acknowledge'] "
                     "button").click()
        page.wait_for_selector(f"li[data-help-id='{request.id}'].acknowledged")
        kiosk.sync_ok()
        row = kiosk.store.query_one("SELECT state FROM help_requests WHERE id = ?",
                                    (request.id,))
        assert row["state"] == "acknowledged"
    finally:
        if kiosk is not None:
            kiosk.close()
        db.dispose()
        first.stop()
        second.stop()
