"""`avroll users`, `avroll tokens`, `avroll machines` and the first start of `avroll serve`."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from collector.cli import main as cli
from collector.store import users
from collector.store.db import open_db
from collector.web import server


@pytest.fixture
def avroll(tmp_path):
    """Run an `avroll` command against a fresh database; returns the click result."""
    db_path = str(tmp_path / "cli.db")

    def run(*args, stdin=None):
        return CliRunner().invoke(cli.main, [*args, "--db", db_path], input=stdin)

    run.db_path = db_path
    units_file = tmp_path / "units.csv"  # unit officers and unit-bound tokens need a real unit
    units_file.write_text("code,name\nSXD,Sở Xây dựng\n", encoding="utf-8")
    assert run("units", "import", str(units_file)).exit_code == 0
    return run


def test_users_add_list_disable_reset(avroll):
    assert (
        avroll("users", "add", "Admin1", "--role", "admin", stdin="first-password-1\n").exit_code
        == 0
    )
    added = avroll(
        "users", "add", "sxd", "--role", "unit", "--unit", "sxd", stdin="unit-password-1\n"
    )
    assert added.exit_code == 0, added.output
    listing = avroll("users", "list").output
    assert "admin1" in listing and "sxd" in listing and "SXD" in listing
    assert avroll("users", "disable", "sxd").exit_code == 0
    assert "disabled" in avroll("users", "list").output.splitlines()[1]
    assert avroll("users", "reset-password", "admin1", stdin="second-password-2\n").exit_code == 0
    db = open_db(avroll.db_path)
    assert users.authenticate(db, "ADMIN1", "second-password-2")["role"] == "admin"
    assert users.authenticate(db, "admin1", "first-password-1") is None
    assert users.authenticate(db, "sxd", "unit-password-1") is None  # disabled
    stored = db.execute("SELECT password_hash FROM users WHERE username = 'admin1'").fetchone()[0]
    assert stored.startswith("scrypt:") and "second-password-2" not in stored
    actions = [row[0] for row in db.execute("SELECT action FROM audit_log ORDER BY id")]
    assert actions == [
        "units.save",
        "users.add",
        "users.add",
        "users.disable",
        "users.reset_password",
    ]


@pytest.mark.parametrize(
    "args, stdin, message",
    [
        (["users", "add", "x", "--role", "admin"], "short\n", "at least 10"),
        (["users", "add", "x", "--role", "unit"], "long-enough-password\n", "unit code"),
        (
            ["users", "add", "x", "--role", "viewer", "--unit", "SXD"],
            "long-enough-password\n",
            "only a unit officer",
        ),
        (["users", "add", "bad name", "--role", "viewer"], "long-enough-password\n", "username"),
        (["users", "disable", "nobody"], None, "no user nobody"),
        (["tokens", "revoke", "99"], None, "99"),
    ],
)
def test_refusals_are_one_line_errors(avroll, args, stdin, message):
    result = avroll(*args, stdin=stdin)
    assert result.exit_code == 1
    assert message in result.output


def test_duplicate_user_is_refused(avroll):
    avroll("users", "add", "a", "--role", "viewer", stdin="long-enough-password\n")
    result = avroll("users", "add", "A", "--role", "viewer", stdin="long-enough-password\n")
    assert result.exit_code == 1 and "already exists" in result.output


def test_tokens_create_list_revoke(avroll):
    created = avroll("tokens", "create", "--unit", "sxd", "--note", "Sở Xây dựng")
    assert created.exit_code == 0
    token = created.stdout.strip()
    assert token.startswith("avre_") and len(token) > 40
    listing = avroll("tokens", "list").output
    assert "SXD" in listing and "active" in listing and token not in listing
    assert avroll("tokens", "revoke", "1").exit_code == 0
    assert "revoked" in avroll("tokens", "list").output
    assert "already" in avroll("tokens", "revoke", "1").output


def test_token_for_an_unknown_unit_is_refused(avroll):
    assert avroll("tokens", "create", "--unit", "STC").exit_code == 1
    assert avroll("tokens", "create", "--unit", "sxd").exit_code == 0


def test_reset_credential_of_an_unknown_machine(avroll):
    result = avroll("machines", "reset-credential", "guid-none")
    assert result.exit_code == 1 and "no credential" in result.output


def test_serve_without_a_console_puts_the_first_password_in_a_private_file(avroll, monkeypatch):
    import stat

    served = []
    monkeypatch.setattr(server, "serve", lambda app, **options: served.append(options))
    result = avroll("serve")
    assert result.exit_code == 0, result.output
    secret = Path(str(avroll.db_path) + ".admin-password")
    assert str(secret.resolve()) in result.output
    password = secret.read_text().strip()
    assert password not in result.output
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert users.authenticate(open_db(avroll.db_path), "admin", password)["role"] == "admin"
    assert served


def test_serve_on_a_console_creates_the_first_admin_and_shows_the_password_once(
    avroll, monkeypatch
):
    served = []
    monkeypatch.setattr(server, "serve", lambda app, **options: served.append(options))
    monkeypatch.setattr(cli, "console_attached", lambda: True)
    first = avroll("serve", "--trusted-proxy", "10.0.0.1")
    assert first.exit_code == 0, first.output
    password = first.output.split("with password ", 1)[1].split()[0]
    db = open_db(avroll.db_path)
    assert users.authenticate(db, "admin", password)["role"] == "admin"
    assert served[0]["trusted_proxy"] == "10.0.0.1"
    assert "x-forwarded-proto" in served[0]["trusted_proxy_headers"]
    again = avroll("serve")
    assert again.exit_code == 0 and "password" not in again.output


def test_machines_held_accept_refuse(avroll):
    from collector.store import held
    from collector.store.db import write_transaction

    db = open_db(avroll.db_path)
    request = held.Request(
        "reinstall", "guid-new-1", None, "guid-old-1", "SXD-KT-09", "SXD", "STC-KT-01", "STC"
    )
    with write_transaction(db):
        held.hold(db, request, 1, None)
    assert avroll("machines", "held").output.startswith(
        "   1  reinstall guid-new-1 -> guid-old-1  STC-KT-01 (STC) -> SXD-KT-09 (SXD)  token 1"
    )
    accepted = avroll("machines", "accept", "1")
    assert accepted.exit_code == 0
    assert "stored as machine guid-old-1" in accepted.output
    assert avroll("machines", "held").output == "no enrollment waits for an administrator\n"
    assert avroll("machines", "held", "--all").output.rstrip().endswith("accepted")
    assert avroll("machines", "refuse", "1").exit_code == 0
    assert held.get(db, 1).decision == "refused" and held.get(db, 1).decided_by.startswith("cli:")
    actions = [row[0] for row in db.execute("SELECT action FROM audit_log ORDER BY id")]
    assert actions[-2:] == ["machines.held_accept", "machines.held_refuse"]
    for reference in ("99", "x"):
        unknown = avroll("machines", "accept", reference)
        assert unknown.exit_code == 1
        assert f"no held enrollment has id {reference}" in unknown.output
