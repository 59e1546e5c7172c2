"""Sessions end on the server at logout and disable; a stolen signing key forges nothing;
failed logins slow down an account from one address, never the real officer elsewhere; and
the database and its secrets are private files."""

from __future__ import annotations

import os
import stat

import pytest
from flask.sessions import SecureCookieSessionInterface

from collector.store import login_failures, users
from collector.store.db import open_db
from collector.web.app import create_app
from tests.reporting import ADMIN, csrf_token, login

ATTACKER = {"REMOTE_ADDR": "203.0.113.9"}
OFFICER = {"REMOTE_ADDR": "10.0.0.5"}


def browser(app, address):
    client = app.test_client()
    client.environ_base.update(address)
    return client


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_cookie_copied_before_logout_stops_working(app, anon_client):
    assert login(anon_client, *ADMIN).status_code == 302
    copied = anon_client.get_cookie("avroll_session").value
    anon_client.post("/logout", data={"csrf_token": csrf_token(anon_client)})
    thief = app.test_client()
    thief.set_cookie("avroll_session", copied)
    assert thief.get("/machines").status_code == 302


def test_disabling_ends_a_copied_session_even_once_enabled_again(app, client, db):
    copied = client.get_cookie("avroll_session").value
    users.set_disabled(db, "tests", "admin", True)
    users.set_disabled(db, "tests", "admin", False)
    thief = app.test_client()
    thief.set_cookie("avroll_session", copied)
    assert thief.get("/machines").status_code == 302


def test_a_cookie_signed_with_the_key_is_no_session_without_the_server(app):
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    forged = serializer.dumps({"user": "admin", "auth_version": 1, "sid": "made-up"})
    thief = app.test_client()
    thief.set_cookie("avroll_session", forged)
    assert thief.get("/machines").status_code == 302


def test_the_signing_key_is_not_in_the_database(app, db):
    dumped = "\n".join(db.conn.iterdump())
    assert app.secret_key not in dumped
    key_file = app.config["DATABASE"] + ".session-key"
    assert open(key_file).read().strip() == app.secret_key
    assert mode(key_file) == 0o600


def test_database_files_are_private(tmp_path):
    os.umask(0o022)
    app = create_app({"DATABASE": str(tmp_path / "new.db"), "TESTING": True})
    db = open_db(app.config["DATABASE"])
    db.execute("CREATE TABLE IF NOT EXISTS t (x)")
    for suffix in ("", "-wal", "-shm", ".session-key"):
        assert mode(str(tmp_path / "new.db") + suffix) == 0o600, suffix
    db.close()


def test_an_existing_world_readable_database_is_made_private(tmp_path):
    path = tmp_path / "old.db"
    open_db(path).close()
    os.chmod(path, 0o644)
    open_db(path).close()
    assert mode(path) == 0o600


def test_an_attacker_cannot_lock_out_the_admin_from_another_address(app):
    attacker = browser(app, ATTACKER)
    statuses = [login(attacker, "admin", "guess-guess-guess").status_code for _ in range(8)]
    assert statuses[:5] == [401] * 5 and 429 in statuses
    assert login(browser(app, OFFICER), *ADMIN).status_code == 302


def test_the_right_password_waits_too_once_an_address_is_slowed(app):
    attacker = browser(app, ATTACKER)
    for _ in range(6):
        login(attacker, "admin", "guess-guess-guess")
    answer = login(attacker, *ADMIN)
    assert answer.status_code == 429 and int(answer.headers["Retry-After"]) > 0


def test_lockout_counters_survive_a_restart(app):
    attacker = browser(app, ATTACKER)
    for _ in range(6):
        login(attacker, "admin", "guess-guess-guess")
    restarted = create_app({"DATABASE": app.config["DATABASE"], "TESTING": True})
    assert login(browser(restarted, ATTACKER), *ADMIN).status_code == 429


def test_one_address_guessing_many_accounts_is_slowed(app, monkeypatch):
    monkeypatch.setattr(login_failures, "FREE_PER_ADDRESS", 4)  # 30 in use: the same rule
    attacker = browser(app, ATTACKER)
    for number in range(login_failures.FREE_PER_ADDRESS):
        assert login(attacker, f"user{number}", "guess-guess-guess").status_code == 401
    assert login(attacker, "someone", "guess-guess-guess").status_code == 429


@pytest.mark.parametrize("extra, wait", [(0, 30), (1, 60), (2, 120), (10, 3600), (50, 3600)])
def test_delays_grow_with_each_failure_past_the_free_ones(db, extra, wait):
    now = 1_000_000.0
    for _ in range(login_failures.FREE_PER_ACCOUNT + extra):
        login_failures.record_failure(db, "admin", "203.0.113.9", now)
    assert login_failures.wait_seconds(db, "admin", "203.0.113.9", now) == wait
    assert login_failures.wait_seconds(db, "admin", "10.0.0.5", now) == 0
    assert login_failures.wait_seconds(db, "admin", "203.0.113.9", now + wait) == 0


def test_a_success_clears_that_address_and_a_day_forgets(db):
    now = 1_000_000.0
    for _ in range(login_failures.FREE_PER_ACCOUNT + 1):
        login_failures.record_failure(db, "admin", "203.0.113.9", now)
    login_failures.record_success(db, "admin", "203.0.113.9")
    assert login_failures.wait_seconds(db, "admin", "203.0.113.9", now) == 0
    for _ in range(login_failures.FREE_PER_ACCOUNT + 1):
        login_failures.record_failure(db, "admin", "203.0.113.9", now)
    later = now + login_failures.FORGET_AFTER_SECONDS + 1
    login_failures.record_failure(db, "admin", "203.0.113.9", later)
    assert login_failures.wait_seconds(db, "admin", "203.0.113.9", later) == 0


def test_a_session_ends_on_the_server_after_12_hours(client, db):
    assert client.get("/machines").status_code == 200
    db.execute("UPDATE sessions SET started_at = '2026-01-01T00:00:00Z'")
    db.conn.commit()
    assert client.get("/machines").status_code == 302
