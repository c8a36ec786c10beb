"""A kiosk with nothing configured starts a demo platform and gets its data by a first sync."""
from __future__ import annotations

from kiosk.config import load_settings
from kiosk.demo_platform import start_demo_platform
from kiosk.staff_search import search
from kiosk.sync.engine import SyncEngine


def test_the_demo_platform_starts_enrols_the_kiosk_and_stops(tmp_path):
    settings = load_settings(tmp_path / "no-config.toml", data_dir=tmp_path / "kiosk")
    assert not settings.platform_url
    with start_demo_platform(settings) as platform:
        engine = SyncEngine(platform.settings)
        try:
            result = engine.sync_once()
            assert result.ok, result
            store = engine.store
            assert store.query_one("SELECT COUNT(*) AS n FROM elders")["n"] == 50
            # pulled elders carry their initials: staff find 王秀英 by "wxy"
            assert "王秀英" in [e.name for e in search(store, "wxy")]
            meals = store.query_one("SELECT COUNT(*) AS n FROM slots WHERE service = 'meal'")
            assert meals["n"] == 28 + 1
            # yesterday's lunch, to rate
            done = store.query("SELECT * FROM bookings WHERE status = 'completed'")
            assert [row["elder_id"] for row in done] == ["elder-0010"]
        finally:
            engine.close()
    assert platform.process.poll() is not None
    # Started again (a new port), the same kiosk keeps its token and syncs on.
    with start_demo_platform(settings) as again:
        assert not again.settings.enrolment_code
        engine = SyncEngine(again.settings)
        try:
            assert engine.sync_once().ok
        finally:
            engine.close()
