"""The platform's address: https, or plain http only to this machine or with an explicit
insecure setting that is logged at every start; an enrolment QR code's address is never used in
place of the one staff gave without their seeing it."""
from __future__ import annotations

import logging

import pytest

from kiosk.config import load_settings
from kiosk.core import Kiosk
from kiosk.store import Store
from kiosk.sync import errors
from kiosk.sync.enrolment import request_enrolment


def settings(tmp_path, **values):
    return load_settings(tmp_path / "none.toml", data_dir=tmp_path / "data", **values)


@pytest.mark.parametrize("url", [
    "https://platform.example.org", "https://10.1.2.3:8700/base", "http://127.0.0.1:8700",
    "http://127.45.0.9", "http://[::1]:8700", "http://localhost:8700", "http://LocalHost"])
def test_https_or_plain_http_to_this_machine_is_accepted(tmp_path, url):
    assert settings(tmp_path, platform_url=url).platform_url == url


@pytest.mark.parametrize("url", [
    "http://platform.example.org", "http://10.1.2.3:8700", "http://192.168.1.20",
    "http://127.0.0.1.example.org", "http://localhost.example.org", "http://[::2]:8700",
    "http://127.0.0.1@platform.example.org"])
def test_plain_http_to_another_host_is_refused(tmp_path, url):
    with pytest.raises(ValueError, match="https"):
        settings(tmp_path, platform_url=url)


def test_the_insecure_setting_allows_it_and_is_logged_at_every_start(tmp_path, caplog):
    chosen = settings(tmp_path, platform_url="http://10.1.2.3:8700", allow_insecure_http=True)
    caplog.set_level(logging.WARNING)
    for _ in range(2):
        Kiosk(chosen).close()
    lines = [r.getMessage() for r in caplog.records if "allow_insecure_http" in r.getMessage()]
    assert len(lines) == 2 and all(r.levelno == logging.WARNING for r in caplog.records)
    caplog.clear()
    Kiosk(settings(tmp_path, platform_url="https://platform.example.org")).close()
    assert "allow_insecure_http" not in caplog.text


def qr(url: str, code: str) -> str:
    return f'{{"v": 1, "platform": "{url}", "code": "{code}"}}'


def test_a_qr_code_naming_another_platform_than_the_one_given_is_refused_unasked(
        platform, make_proxy):
    community = platform.community(elders=1)
    code = platform.enrolment_code(community)
    proxy = make_proxy(platform)
    with pytest.raises(errors.AddressMismatch) as refused:
        request_enrolment(qr(proxy.url, code), platform_url=platform.url)
    assert refused.value.params == {"url": proxy.url}
    with pytest.raises(errors.InsecureAddress):
        request_enrolment(qr("http://192.0.2.7:8700", code))
    assert proxy.seen == []  # nothing was asked of anyone
    grant = request_enrolment(qr(proxy.url + "/", code), platform_url=proxy.url)
    assert grant.enrolment.community_id == community and proxy.count("/v1/enrol") == 1


def test_a_configured_qr_code_for_another_platform_stops_sync_for_staff(tmp_path, platform):
    community = platform.community(elders=1)
    code = platform.enrolment_code(community)
    chosen = settings(tmp_path, platform_url="https://platform.example.org",
                      enrolment_code=qr(platform.url, code))
    kiosk = Kiosk(chosen, store=Store(chosen.db_path))
    from kiosk.sync.engine import SyncEngine
    engine = SyncEngine(chosen, store=kiosk.store)
    result = engine.sync_once()
    assert (result.ok, result.stopped, result.error_key) == (False, True,
                                                             "sync.error.qr_address")
    assert not chosen.token_path.exists()
    engine.close()
    kiosk.store.close()
