"""Console accounts and sessions on a real database: passwords, the lock, idle sign-out."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from service_platform import clock, migrations, operators
from service_platform.console import accounts, sessions
from service_platform.db import Database
from service_platform.schema import operator_sessions

NOW = dt.datetime(2026, 12, 3, 8, 0, tzinfo=dt.UTC)


@pytest.fixture()
def db(new_database):
    database = Database(new_database())
    migrations.migrate(database)
    operators.init_demo(database)
    yield database
    database.dispose()


def _add(db: Database, username: str = "liu", role: str = "duty_worker",
         communities: tuple[str, ...] = ("community-xingfu",)) -> str:
    return operators.add_operator(db, username, "小刘", role, "a-long-password", list(communities))


def test_passwords_are_stored_as_scrypt_hashes_and_checked():
    stored = accounts.hash_password("a-long-password")
    assert stored.startswith("scrypt$32768$8$1$") and "a-long-password" not in stored
    assert accounts.check_password("a-long-password", stored)
    assert not accounts.check_password("a-long-passworD", stored)
    assert not accounts.check_password("a-long-password", "md5$whatever")


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(db):
    _add(db)
    for attempt in range(1, accounts.LOCK_AFTER + 1):
        result = db.run_write(lambda conn: accounts.sign_in(conn, "liu", "wrong-password", NOW))
        assert result.operator is None
        assert result.reason == ("locked" if attempt == accounts.LOCK_AFTER else "wrong")
    locked = NOW + accounts.LOCK_FOR - dt.timedelta(seconds=1)
    result = db.run_write(lambda conn: accounts.sign_in(conn, "liu", "a-long-password", locked))
    assert (result.operator, result.reason) == (None, "locked")
    after = NOW + accounts.LOCK_FOR + dt.timedelta(seconds=1)
    result = db.run_write(lambda conn: accounts.sign_in(conn, "liu", "a-long-password", after))
    assert result.operator is not None and result.operator.username == "liu"


def test_four_wrong_passwords_then_the_right_one_do_not_lock(db):
    _add(db)
    for _ in range(accounts.LOCK_AFTER - 1):
        db.run_write(lambda conn: accounts.sign_in(conn, "liu", "wrong-password", NOW))
    result = db.run_write(lambda conn: accounts.sign_in(conn, "liu", "a-long-password", NOW))
    assert result.operator is not None
    for _ in range(accounts.LOCK_AFTER - 1):  # the count started again after the success
        db.run_write(lambda conn: accounts.sign_in(conn, "liu", "wrong-password", NOW))
    assert db.run_write(lambda conn: accounts.sign_in(
        conn, "liu", "a-long-password", NOW)).operator is not None


def test_an_unknown_name_is_refused_like_a_wrong_password(db):
    result = db.run_write(lambda conn: accounts.sign_in(conn, "nobody", "whatever-long", NOW))
    assert (result.operator, result.reason, result.operator_id) == (None, "wrong", None)


@pytest.mark.parametrize("role, communities, field", [
    ("duty_worker", (), "communities"),
    ("duty_worker", ("community-xingfu", "community-other"), "communities"),
    ("district_admin", ("community-xingfu",), "communities"),
    ("provider", ("community-xingfu",), "provider"),
    ("mayor", ("community-xingfu",), "role"),
])
def test_roles_need_the_right_scope(db, role, communities, field):
    operators.add_community(db, "community-other", "另一个社区")
    with pytest.raises(operators.OperatorError, match=f"^{field}: "):
        _add(db, role=role, communities=communities)
    with db.read() as conn:
        assert accounts.by_username(conn, "liu") is None


def test_a_session_ends_after_thirty_idle_minutes_not_before(db):
    operator_id = _add(db)
    secret = db.run_write(lambda conn: sessions.start(conn, operator_id, NOW))
    used = NOW + sessions.IDLE - dt.timedelta(minutes=1)  # 29 minutes later: still on
    assert sessions.use(db, secret, used) is not None
    # 29 + 29 minutes: still on, as each request counts as activity
    later = used + sessions.IDLE - dt.timedelta(minutes=1)
    assert sessions.use(db, secret, later) is not None
    idle = later + sessions.IDLE + dt.timedelta(minutes=1)  # 31 idle minutes: signed out
    assert sessions.use(db, secret, idle) is None


def test_a_session_ends_after_twelve_hours_however_busy(db):
    operator_id = _add(db)
    secret = db.run_write(lambda conn: sessions.start(conn, operator_id, NOW))
    moment = NOW
    while moment < NOW + sessions.LIFETIME - dt.timedelta(minutes=20):
        moment += dt.timedelta(minutes=20)
        assert sessions.use(db, secret, moment) is not None
    end = NOW + sessions.LIFETIME
    assert sessions.use(db, secret, end) is None


def test_only_the_hash_of_the_cookie_is_stored(db):
    operator_id = _add(db)
    secret = db.run_write(lambda conn: sessions.start(conn, operator_id, NOW))
    with db.read() as conn:
        stored = conn.execute(select(operator_sessions.c.id_hash)).scalars().all()
    assert secret not in stored and len(stored) == 1
    assert sessions.use(db, secret + "x", NOW) is None


def test_deactivating_an_operator_signs_it_out_everywhere(db):
    operator_id = _add(db)
    secret = db.run_write(lambda conn: sessions.start(conn, operator_id, clock.now()))
    operators.deactivate_operator(db, "liu")
    assert sessions.use(db, secret, clock.now()) is None
    result = db.run_write(lambda conn: accounts.sign_in(
        conn, "liu", "a-long-password", clock.now()))
    assert (result.operator, result.reason) == (None, "inactive")
