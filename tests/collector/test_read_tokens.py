"""Read tokens (`avroll api-tokens`): GET /api/v1/* only, a unit token held to its subtree,
listed, revoked, audited and kept as a hash."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from collector.cli.main import main
from collector.store import api_tokens
from collector.store.lifecycle import today
from tests import province
from tests.builders import make_report
from tests.collector.test_access import routes, url_for_rule
from tests.reporting import ADMIN, login

NEXT_YEAR = (today() + timedelta(days=365)).isoformat()


@pytest.fixture
def seeded(db):
    province.seed(db)
    return db


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_a_read_token_is_refused_everywhere_but_get_api_v1(app, seeded):
    _, token = api_tokens.create(seeded, "tests", "viewer", NEXT_YEAR)
    app.test_client_class = FlaskClient
    reader = app.test_client()
    with_session = app.test_client()
    assert login(with_session, *ADMIN).status_code == 302
    reports = seeded.execute("SELECT count(*) FROM reports").fetchone()[0]
    read, refused = 0, 0
    for rule, method in routes(app):
        url = url_for_rule(rule)
        for browser in (reader, with_session):  # a session beside it changes nothing
            answer = browser.open(url, method=method, headers=bearer(token))
            if method == "GET" and url.startswith("/api/v1/"):
                assert answer.status_code not in (401, 403), (method, url, answer.json)
                read += 1
            else:
                assert answer.status_code == 403, (method, url, answer.status_code)
                assert answer.json["error"] == "a read token opens GET /api/v1/* only"
                refused += 1
    assert read >= 8 and refused >= 60
    assert seeded.execute("SELECT count(*) FROM reports").fetchone()[0] == reports


def test_a_read_token_reads_the_rollup_an_officer_reads(client, anon_client, seeded):
    _, token = api_tokens.create(seeded, "tests", "viewer", NEXT_YEAR)
    by_token = anon_client.get("/api/v1/rollup", headers=bearer(token))
    assert by_token.status_code == 200
    assert by_token.json == client.get("/api/v1/rollup").json
    assert by_token.json["total"]["installed"] == 38


def test_a_unit_token_sees_its_subtree_only(anon_client, seeded):
    _, token = api_tokens.create(seeded, "tests", "unit", NEXT_YEAR, "HCL")
    own = anon_client.get("/api/v1/rollup", headers=bearer(token))
    assert own.status_code == 200
    assert own.json["parent"] == "HCL"
    assert [unit["code"] for section in own.json["sections"] for unit in section["units"]] == [
        "XBT",
        "XMH",
    ]
    assert anon_client.get("/api/v1/rollup?parent=XMH", headers=bearer(token)).status_code == 200
    assert anon_client.get("/api/v1/rollup?parent=SXD", headers=bearer(token)).status_code == 404
    listed = anon_client.get("/api/v1/machines?per_page=200", headers=bearer(token)).json
    assert listed["total"] == 11  # Mỹ Hiệp 3+2, Bình Thạnh 4 and its 2 misnamed, none else
    assert {row["hostname"][:3] for row in listed["machines"]} == {"XMH", "XBT", "DES"}


def test_expired_revoked_and_made_up_tokens_are_refused(anon_client, seeded, monkeypatch):
    token_id, token = api_tokens.create(seeded, "tests", "viewer", today().isoformat())
    assert anon_client.get("/api/v1/rollup", headers=bearer(token)).status_code == 200
    tomorrow = today() + timedelta(days=1)
    monkeypatch.setattr(api_tokens, "today", lambda: tomorrow)
    expired = anon_client.get("/api/v1/rollup", headers=bearer(token))
    assert expired.status_code == 401 and expired.headers["WWW-Authenticate"] == "Bearer"
    monkeypatch.undo()
    api_tokens.revoke(seeded, "tests", token_id)
    assert anon_client.get("/api/v1/rollup", headers=bearer(token)).status_code == 401
    made_up = api_tokens.READ_TOKEN_PREFIX + "x" * 43
    assert anon_client.get("/api/v1/rollup", headers=bearer(made_up)).status_code == 401


def test_enrollment_secrets_do_not_read(anon_client, app, seeded):
    from tests.reporting import enrollment_token_of

    answer = anon_client.get("/api/v1/rollup", headers=bearer(enrollment_token_of(app)))
    assert answer.status_code == 401


def test_a_read_token_posts_no_report(anon_client, seeded):
    reports = seeded.execute("SELECT count(*) FROM reports").fetchone()[0]
    _, token = api_tokens.create(seeded, "tests", "viewer", NEXT_YEAR)
    answer = anon_client.post(
        "/api/v1/reports", json=make_report(hostname="SXD-KT99"), headers=bearer(token)
    )
    assert answer.status_code == 403
    assert seeded.execute("SELECT count(*) FROM reports").fetchone()[0] == reports


@pytest.mark.parametrize(
    "args, error",
    [
        (["--role", "admin", "--expires", NEXT_YEAR], "Invalid value for '--role'"),
        (["--role", "unit", "--expires", NEXT_YEAR], "a unit token needs --unit CODE"),
        (["--role", "viewer", "--unit", "SXD", "--expires", NEXT_YEAR], "only a unit token"),
        (["--role", "unit", "--unit", "NOPE", "--expires", NEXT_YEAR], "there is no unit NOPE"),
        (["--role", "viewer", "--expires", "2020-01-01"], "has already passed"),
        (["--role", "viewer", "--expires", "soon"], "is not a date YYYY-MM-DD"),
    ],
)
def test_cli_refuses_bad_tokens(app, seeded, args, error):
    result = CliRunner().invoke(
        main, ["api-tokens", "create", *args, "--db", app.config["DATABASE"]]
    )
    assert result.exit_code != 0
    assert error in result.output
    assert seeded.execute("SELECT count(*) FROM api_tokens").fetchone()[0] == 0


def test_cli_creates_lists_and_revokes_audited_and_hashed(app, anon_client, seeded):
    runner = CliRunner()
    db_args = ["--db", app.config["DATABASE"]]
    made = runner.invoke(
        main,
        [
            "api-tokens",
            "create",
            "--role",
            "unit",
            "--unit",
            "hcl",
            "--expires",
            NEXT_YEAR,
            "--note",
            "national script",
            *db_args,
        ],
    )
    assert made.exit_code == 0, made.output
    token = made.stdout.strip().splitlines()[-1]
    assert token.startswith("avrr_") and len(token) > 40
    assert anon_client.get("/api/v1/rollup", headers=bearer(token)).status_code == 200
    listed = runner.invoke(main, ["api-tokens", "list", *db_args])
    assert "unit   unit HCL" in listed.output and f"expires {NEXT_YEAR}" in listed.output
    assert "national script" in listed.output and token not in listed.output
    assert "last used " + today().isoformat() in listed.output
    revoked = runner.invoke(main, ["api-tokens", "revoke", "1", *db_args])
    assert revoked.output.strip() == "read token 1 revoked"
    assert anon_client.get("/api/v1/rollup", headers=bearer(token)).status_code == 401
    unknown = runner.invoke(main, ["api-tokens", "revoke", "9", *db_args])
    assert unknown.exit_code != 0 and "no read token has id 9" in unknown.output
    actions = [
        row[0]
        for row in seeded.execute(
            "SELECT action FROM audit_log WHERE action LIKE 'api_tokens.%' ORDER BY id"
        )
    ]
    assert actions == ["api_tokens.create", "api_tokens.revoke"]
    with open(app.config["DATABASE"], "rb") as raw:
        assert token.encode() not in raw.read()
    assert seeded.execute("SELECT token_hash FROM api_tokens").fetchone()[
        0
    ] == api_tokens.secret_hash(token)
