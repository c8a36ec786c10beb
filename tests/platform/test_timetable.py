"""`kiosk-platform load`: a community's timetable file reaches kiosks through the feed, once,
never takes booked places away, and a bad file changes nothing."""
from __future__ import annotations

import copy
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from service_platform import cli, demo, entities, feed
from service_platform.schema import service_slots
from tests.platform.servers import ROOT
from tests.platform.wire import booking_op, latest, service_op, statuses

EXAMPLE = ROOT / "docs" / "deploy" / "timetable-example.json"
FAR = "2040-03-05"  # a Monday, far from any test's clock


def _load_cli(platform, community: str, path: Path, *extra: str) -> subprocess.CompletedProcess:
    """The real command, as an operator types it."""
    return subprocess.run([sys.executable, "-m", "service_platform.cli", "load", str(path),
                           "--community", community, "--db", platform.db.url, *extra],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)


def _load(platform, community: str, data: dict | str, tmp_path: Path, capsys) -> tuple[int, str]:
    """The command in this process (faster); returns (exit code, what it printed)."""
    path = tmp_path / f"timetable-{dt.datetime.now().timestamp()}.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False),
                    encoding="utf-8")
    code = cli.main(["load", str(path), "--community", community, "--db", platform.db.url])
    out = capsys.readouterr()
    return code, out.out + out.err


def _seq(platform, community: str) -> int:
    with platform.db.read() as conn:
        return feed.latest_seq(conn, community)


def _example() -> dict:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def test_example_file_reaches_a_kiosk_once(platform):
    community = platform.community(elders=3)
    done = _load_cli(platform, community, EXAMPLE)
    assert done.returncode == 0, done.stderr
    assert "service_slot: 20 added" in done.stdout
    assert "service: 1 added" in done.stdout
    kiosk = platform.kiosk(community)
    changes, cursor = kiosk.pull_all()
    meals = latest(changes, "meal_slot")
    assert sorted(meals) == ["meal:2026-12-07:dinner", "meal:2026-12-07:lunch",
                             "meal:2026-12-08:lunch", "meal:2026-12-09:lunch"]
    assert meals["meal:2026-12-07:lunch"]["menu"][0] == {"name": "清蒸鲈鱼",
                                                          "tags": ["low_salt", "low_fat"]}
    assert (meals["meal:2026-12-08:lunch"]["capacity"],
            meals["meal:2026-12-08:lunch"]["price_cents"]) == (80, 1800)
    assert meals["meal:2026-12-09:lunch"]["cutoff"] == "2026-12-08T18:00:00+08:00"
    slots = latest(changes, "service_slot")
    assert slots["clinic:2026-12-07:general:0830"] == {
        "id": "clinic:2026-12-07:general:0830", "service": "clinic",
        "provider_id": "provider-station", "day": "2026-12-07", "window": "am",
        "department": "general", "doctor": "陈医生", "start": "2026-12-07T08:30:00+08:00",
        "end": "2026-12-07T09:00:00+08:00", "cutoff": "2026-12-07T07:30:00+08:00",
        "capacity": 1, "price_cents": 100, "title": None, "place": None, "host": None}
    assert {"health_check:2026-12-09", "home_visit:2026-12-08",
            "cleaning:2026-12-09:am"} <= set(slots)
    # services as data: a session with its title, place and host; a service the file adds
    calligraphy = slots["activity:2026-12-09:0900"]
    assert (calligraphy["title"], calligraphy["place"], calligraphy["host"],
            calligraphy["cutoff"]) == ("书法", "二楼书画室", "王老师", "2026-12-09T08:50:00+08:00")
    assert slots["legal_aid:2026-12-09:0900"]["provider_id"] == "provider-law"
    catalogue = latest(changes, "service")
    assert catalogue["legal_aid"]["names"] == {"zh_CN": "法律援助", "en": "Legal aid"}
    assert catalogue["legal_aid"]["policy"]["rated"] is True
    assert {"meal", "cleaning", "clinic", "activity", "visit"} <= set(catalogue)
    assert set(latest(changes, "provider")) == {"provider-sunshine", "provider-station",
                                                "provider-canteen", "provider-activities",
                                                "provider-law"}
    assert latest(changes, "elder")["elder-0001"]["mobility"] == "walker"
    assert latest(changes, "subsidy_level")["enhanced"] == {"level": "enhanced",
                                                           "meal_subsidy_cents": 600}
    again = _load_cli(platform, community, EXAMPLE)
    assert again.returncode == 0 and "0 change(s) fed" in again.stdout
    assert kiosk.pull_all(cursor)[0] == []


def test_a_changed_file_feeds_only_what_changed(platform, tmp_path, capsys):
    community = platform.community(elders=3)
    data = _example()
    assert _load(platform, community, data, tmp_path, capsys)[0] == 0
    kiosk = platform.kiosk(community)
    _, cursor = kiosk.pull_all()
    data["meals"][0]["menu"] = [{"name": "白粥", "tags": ["soft"]}]
    del data["meals"][1]  # no dinner on the 7th any more
    data["sessions"] = [s for s in data["sessions"] if s["service"] != "health_check"]
    data["sessions"].append({**data["sessions"][0], "weekdays": ["mon"], "window": "pm",
                             "from": "13:30", "until": "17:00"})
    code, said = _load(platform, community, data, tmp_path, capsys)
    assert code == 0, said
    assert "meal_slot: 1 changed, 1 removed, 2 unchanged" in said
    changes, _ = kiosk.pull_all(cursor)
    assert sorted((c["kind"], c["id"], c["op"]) for c in changes) == [
        ("meal_slot", "meal:2026-12-07:dinner", "delete"),
        ("meal_slot", "meal:2026-12-07:lunch", "upsert"),
        ("service_slot", "cleaning:2026-12-07:pm", "upsert"),
        ("service_slot", "health_check:2026-12-09", "delete")]


def _far_file(lunch: int = 3, teams: int = 3) -> dict:
    """Two days of lunch and dinner and a morning cleaning window, far in the future."""
    example = _example()
    day2 = (dt.date.fromisoformat(FAR) + dt.timedelta(days=1)).isoformat()
    return {"from": FAR, "days": 2, "subsidy_levels": example["subsidy_levels"],
            "meal_prices_cents": example["meal_prices_cents"],
            "meal_capacity": {"lunch": lunch, "dinner": 5},
            "meal_cutoffs": example["meal_cutoffs"],
            "meals": [{"day": day, "meal": meal, "menu": [{"name": "米饭", "tags": []}]}
                      for day in (FAR, day2) for meal in ("lunch", "dinner")],
            "providers": [{**example["providers"][0], "teams": teams}],
            "sessions": [example["sessions"][0]]}


def test_booked_slots_keep_their_places(platform, tmp_path, capsys):
    community = platform.community(elders=4)
    assert _load(platform, community, _far_file(), tmp_path, capsys)[0] == 0
    lunch, dinner, cleaning = (f"meal:{FAR}:lunch", f"meal:{FAR}:dinner", f"cleaning:{FAR}:am")
    kiosk = platform.kiosk(community)
    assert statuses(kiosk.push(
        booking_op("elder-001", lunch), booking_op("elder-002", lunch),
        service_op("cleaning", "elder-001", cleaning, kind="deep"))) == [("applied", None)] * 3
    lease = kiosk.leases(want=[{"slot_id": dinner, "places": 2}])["leases"][0]
    _, cursor = kiosk.pull_all()
    before = _seq(platform, community)

    shrunk = _far_file(lunch=1, teams=1)
    shrunk["meals"] = [m for m in shrunk["meals"] if m["meal"] == "dinner"]  # drops lunches
    code, said = _load(platform, community, shrunk, tmp_path, capsys)
    assert code == 2
    assert f"{lunch}: has 2 booked place(s); it cannot be removed" in said
    assert f"{cleaning}: has 2 booked place(s); its capacity cannot go down to 1" in said
    assert "nothing was loaded" in said
    code, said = _load(platform, community, _far_file(lunch=1), tmp_path, capsys)
    assert code == 2 and f"{lunch}: has 2 booked place(s); its capacity cannot go down to 1" \
        in said
    assert _seq(platform, community) == before

    # Down to exactly what is booked is fine, and so is dropping a slot nobody booked: the
    # lease a kiosk held on it ends, in that kiosk's feed.
    fits = _far_file(lunch=2, teams=2)
    fits["meals"] = [m for m in fits["meals"] if (m["day"], m["meal"]) != (FAR, "dinner")]
    code, said = _load(platform, community, fits, tmp_path, capsys)
    assert code == 0, said
    changes, _ = kiosk.pull_all(cursor)
    assert latest(changes, "meal_slot")[lunch]["capacity"] == 2
    assert latest(changes, "meal_slot")[dinner] is None
    assert latest(changes, "lease")[lease["lease_id"]]["state"] == "returned"
    assert latest(changes, "service_slot")[cleaning]["capacity"] == 2
    assert kiosk.leases()["leases"] == []


BAD_FILES = [
    ("{\"days\": 3,", "not JSON"),
    ({"days": 3, "colour": "red"}, "colour: unknown field"),
    ({"days": 3, "meals": [{"day": "2026-02-30", "meal": "lunch", "menu": [{"name": "饭"}],
                            "price_cents": 1, "capacity": 1, "cutoff": {"at": "09:30"}}]},
     "meals[0].day: Input should be a valid date"),
    ({"subsidy_levels": {"basic": -300}}, "subsidy_levels.basic: Input should be greater"),
    ({"from": FAR, "days": 1, "meals": [{"day": FAR, "meal": "lunch", "menu": [{"name": "饭"}],
                                         "price_cents": -1}]},
     "meals[0].price_cents: Input should be greater than or equal to 0"),
    ({"from": FAR, "days": 1, "meals": [{"day": FAR, "meal": "lunch", "menu": [{"name": "饭"}],
                                         "capacity": 1, "cutoff": {"at": "09:30"}}]},
     "meals[0].price_cents: missing, and the file has no meal_prices_cents.lunch"),
    ({"from": FAR, "days": 1, "sessions": [{
        "service": "home_visit", "provider_id": "provider-nobody", "weekdays": ["mon"],
        "from": "14:00", "until": "17:00", "capacity": 4, "cutoff": {"minutes_before": 60}}]},
     "sessions[0].provider_id: no provider provider-nobody"),
    ({"from": FAR, "days": 1, "sessions": [{
        "service": "karaoke", "provider_id": "provider-sunshine", "weekdays": ["mon"],
        "from": "14:00", "until": "17:00", "capacity": 4, "cutoff": {"minutes_before": 60}}]},
     "sessions[0].service: no service karaoke"),
    ({"providers": [{"id": "provider-ktv", "name": "歌厅", "services": ["karaoke"]}]},
     "providers[0].services: no service karaoke in the file or the community's catalogue"),
    ({"services": [{"key": "karaoke", "slot_kind": "stage", "names": {"zh_CN": "唱歌"}}]},
     "services[0].slot_kind"),
    ({"services": [{"key": "Karaoke!", "slot_kind": "day", "names": {"zh_CN": "唱歌"}}]},
     "services[0].key"),
    ({"sessions": []}, None),  # nothing to do is fine
]


@pytest.mark.parametrize(("data", "expected"), BAD_FILES)
def test_a_bad_file_is_refused_and_changes_nothing(platform, tmp_path, capsys, data, expected):
    community = platform.community(elders=2)
    assert _load(platform, community, _far_file(), tmp_path, capsys)[0] == 0
    before = _seq(platform, community)
    code, said = _load(platform, community, data, tmp_path, capsys)
    if expected is None:
        assert code == 0, said
    else:
        assert (code, expected in said, "nothing was loaded" in said) == (2, True, True), said
    assert _seq(platform, community) == before


def test_unknown_community_or_file(platform, tmp_path, capsys):
    code, said = _load(platform, "community-nowhere", _far_file(), tmp_path, capsys)
    assert code == 2 and "no community community-nowhere" in said
    code = cli.main(["load", str(tmp_path / "absent.json"), "--community", "x",
                     "--db", platform.db.url])
    assert code == 2 and "cannot read it" in capsys.readouterr().err


def test_the_demo_services_file_loads_as_the_demo_makes_it(platform, tmp_path, capsys):
    """assets/demo/services.json is a timetable file: weekly sessions for `days` from today."""
    community = platform.community(elders=2)
    levels = {"subsidy_levels": demo.load_community()["subsidy_levels"]}
    assert _load(platform, community, levels, tmp_path, capsys)[0] == 0
    tz = ZoneInfo(demo.DEMO_TZ)
    today = dt.datetime.now(tz).date()
    code, said = _load(platform, community, copy.deepcopy(demo.load_services()), tmp_path,
                       capsys)
    assert code == 0, said
    if dt.datetime.now(tz).date() != today:
        pytest.skip("midnight passed while loading")
    with platform.db.read() as conn:
        loaded = [entities.service_slot(row) for row in conn.execute(
            service_slots.select().where(service_slots.c.community_id == community)).mappings()]
    expected = demo.service_slots(demo.load_services(), today, tz)
    assert sorted(loaded, key=lambda s: s["id"]) == sorted(expected, key=lambda s: s["id"])


def test_elders_in_a_file_may_carry_the_family_consent(platform, tmp_path, capsys):
    """notify_family (protocol §3.7) is optional in a file and false when left out."""
    community = platform.community(elders=1)
    data = _example()
    consenting = {**data["elders"][0], "notify_family": True}
    silent = {**data["elders"][0], "id": "elder-0002", "card_no": "10000002", "name": "李建国"}
    file = {"subsidy_levels": data["subsidy_levels"], "elders": [consenting, silent]}
    assert _load(platform, community, file, tmp_path, capsys)[0] == 0
    with platform.db.read() as conn:
        fed = {c["id"]: c["data"] for c in feed.page(conn, community, "", 0, 1000)[0]
               if c["kind"] == "elder"}
    assert (fed["elder-0001"]["notify_family"], fed["elder-0002"]["notify_family"]) == (
        True, False)
    code, said = _load(platform, community, file, tmp_path, capsys)
    assert code == 0 and "0 change(s) fed" in said
    file["elders"][0]["notify_family"] = "yes"
    code, said = _load(platform, community, file, tmp_path, capsys)
    assert code != 0 and "notify_family" in said


def test_a_file_adds_and_changes_services_of_the_catalogue(platform, tmp_path, capsys):
    """A service no code names, its provider and its sessions, from one file; a dry run
    counts it and feeds nothing."""
    community = platform.community(elders=2)
    karaoke = {"key": "karaoke", "slot_kind": "session", "order": 45, "icon": "activity",
               "names": {"zh_CN": "卡拉OK", "en": "Karaoke"},
               "policy": {"waitlist": True, "attendance": True, "cancel_until": "start"}}
    file = {"from": FAR, "days": 7, "services": [karaoke],
            "providers": [{"id": "provider-ktv", "name": "活动中心", "services": ["karaoke"]}],
            "sessions": [{"service": "karaoke", "provider_id": "provider-ktv",
                          "weekdays": ["tue"], "title": "老歌会", "place": "多功能厅",
                          "from": "15:00", "until": "16:30", "capacity": 30, "price_cents": 0,
                          "cutoff": {"minutes_before": 10}}]}
    path = tmp_path / "karaoke.json"
    path.write_text(json.dumps(file, ensure_ascii=False), encoding="utf-8")
    before = _seq(platform, community)
    code = cli.main(["load", str(path), "--community", community, "--db", platform.db.url,
                     "--dry-run"])
    said = capsys.readouterr().out
    assert code == 0 and "service: 1 added" in said and "dry run" in said, said
    assert _seq(platform, community) == before
    code, said = _load(platform, community, file, tmp_path, capsys)
    assert code == 0 and "service: 1 added" in said, said
    kiosk = platform.kiosk(community)
    changes, cursor = kiosk.pull_all()
    fed = latest(changes, "service")["karaoke"]
    assert (fed["names"]["en"], fed["policy"]["waitlist"], fed["policy"]["rated"],
            fed["active"]) == ("Karaoke", True, True, True)
    tuesday = latest(changes, "service_slot")["karaoke:2040-03-06:1500"]
    assert (tuesday["title"], tuesday["place"], tuesday["window"]) == ("老歌会", "多功能厅", None)
    assert statuses(kiosk.push(service_op("karaoke", "elder-001", tuesday["id"]))) == [
        ("applied", None)]

    file["services"][0] = {**karaoke, "active": False}
    code, said = _load(platform, community, file, tmp_path, capsys)
    assert code == 0 and "service: 1 changed" in said, said
    changes, _ = kiosk.pull_all(cursor)
    assert [(c["kind"], c["id"], c["data"]["active"]) for c in changes
            if c["kind"] == "service"] == [("service", "karaoke", False)]
