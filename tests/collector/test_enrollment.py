"""Agents: a token enrolls a machine, its credential reports for it alone, nothing else gets in."""

from __future__ import annotations

import pytest

from collector.store import enrollment
from collector.store.units import save_units
from collector.web.throttle import Throttles
from tests.builders import make_report
from tests.reporting import post_report

REPORTS = "/api/v1/reports"


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


def count(db, table):
    return db[table].count


@pytest.fixture
def token(db):
    return enrollment.create_token(db, "tests")[1]


def test_first_report_with_a_token_gets_a_credential(anon_client, db, token):
    report = make_report(machine_id="guid-0001-aaaa")
    answer = anon_client.post(REPORTS, json=report, headers=bearer(token))
    assert answer.status_code == 201
    credential = answer.json["credential"]
    assert answer.headers["Cache-Control"] == "no-store"
    later = anon_client.post(
        REPORTS, json=make_report(machine_id="guid-0001-aaaa"), headers=bearer(credential)
    )
    assert later.status_code == 201
    assert "credential" not in later.json
    assert count(db, "reports") == 2


@pytest.mark.parametrize(
    "headers",
    [
        {},
        bearer("avre_not-a-token"),
        {"Authorization": "Basic YWRtaW46YWRtaW4="},
        bearer("x" * 5000),
        {"Authorization": "Bearer"},
    ],
)
def test_without_a_valid_token_or_credential_nothing_is_stored(anon_client, db, headers):
    answer = anon_client.post(REPORTS, json=make_report(), headers=headers)
    assert answer.status_code == 401
    assert answer.json["status"] == 401
    assert answer.headers["WWW-Authenticate"] == "Bearer"
    assert count(db, "reports") == count(db, "machines") == count(db, "machine_credentials") == 0


def test_an_officers_session_is_not_an_agent(client, db):
    answer = client.post(REPORTS, json=make_report(), headers={"Authorization": ""})
    assert answer.status_code == 401
    assert count(db, "reports") == 0


def test_revoked_token_enrolls_nobody(anon_client, db, token):
    first = anon_client.post(REPORTS, json=make_report(hostname="A-01"), headers=bearer(token))
    enrollment.revoke_token(db, "tests", 1)
    refused = anon_client.post(REPORTS, json=make_report(hostname="B-01"), headers=bearer(token))
    assert refused.status_code == 401
    assert count(db, "machines") == 1
    # A machine it enrolled before keeps reporting with its credential.
    still = anon_client.post(
        REPORTS, json=make_report(hostname="A-01"), headers=bearer(first.json["credential"])
    )
    assert still.status_code == 201


def test_spoofed_machine_id_is_refused_and_changes_nothing(anon_client, db, token):
    victim = make_report(hostname="VICTIM-01", machine_id="guid-victim-0001")
    enrolled = anon_client.post(REPORTS, json=victim, headers=bearer(token))
    intruder = anon_client.post(
        REPORTS, json=make_report(hostname="INTRUDER-01"), headers=bearer(token)
    ).json["credential"]
    before = db.execute("SELECT * FROM machines ORDER BY machine_id").fetchall()

    spoof = make_report(hostname="HACKED", machine_id="GUID-VICTIM-0001", ram_gb=1)
    # Another machine's credential is refused; the shared token's enrollment waits for an
    # administrator (store/held.py).
    for secret, held in ((intruder, None), (token, True)):
        answer = anon_client.post(REPORTS, json=spoof, headers=bearer(secret))
        assert answer.status_code == answer.json["status"] == 403
        assert answer.json["ok"] is False and answer.json.get("held") is held
    assert db.execute("SELECT * FROM machines ORDER BY machine_id").fetchall() == before
    assert count(db, "reports") == 2
    assert count(db, "machine_credentials") == 2
    assert (
        anon_client.post(
            REPORTS,
            json=make_report(hostname="VICTIM-01", machine_id="guid-victim-0001"),
            headers=bearer(enrolled.json["credential"]),
        ).status_code
        == 201
    )


def test_reset_credential_lets_the_machine_enroll_again(anon_client, db, token):
    report = make_report(machine_id="guid-0005-eeee")
    old = anon_client.post(REPORTS, json=report, headers=bearer(token)).json["credential"]
    assert enrollment.reset_credential(db, "tests", "GUID-0005-EEEE")
    assert (
        anon_client.post(
            REPORTS, json=make_report(machine_id="guid-0005-eeee"), headers=bearer(old)
        ).status_code
        == 401
    )
    again = anon_client.post(
        REPORTS, json=make_report(machine_id="guid-0005-eeee"), headers=bearer(token)
    )
    assert again.status_code == 201 and again.json["credential"] != old


def test_token_bound_to_a_unit_sets_the_enrolled_unit(anon_client, db):
    save_units(db, [(2, {"code": "SXD", "name": "Sở Xây dựng"})])
    _, bound = enrollment.create_token(db, "tests", unit_code="sxd")
    answer = anon_client.post(
        REPORTS,
        json=make_report(machine_id="guid-0006-ffff", unit_code="STC"),
        headers=bearer(bound),
    )
    assert answer.status_code == 201
    # Later reports cannot move the machine to another unit either.
    anon_client.post(
        REPORTS,
        json=make_report(machine_id="guid-0006-ffff", unit_code="STC"),
        headers=bearer(answer.json["credential"]),
    )
    units = [row[0] for row in db.execute("SELECT agent_unit_code FROM reports")]
    assert units == ["SXD", "SXD"]


def test_unbound_token_keeps_the_agents_unit(anon_client, db, token):
    anon_client.post(REPORTS, json=make_report(unit_code="stc"), headers=bearer(token))
    assert db.execute("SELECT agent_unit_code FROM reports").fetchone()[0] == "STC"


def test_only_hashes_of_tokens_and_credentials_are_stored(anon_client, db, token):
    credential = anon_client.post(REPORTS, json=make_report(), headers=bearer(token)).json[
        "credential"
    ]
    dump = "\n".join(db.conn.iterdump())
    assert token not in dump and credential not in dump
    assert enrollment.secret_hash(token) in dump


def test_per_machine_rate_limit(app, anon_client, db, token):
    app.config["REPORTS_PER_MACHINE"] = 3
    app.extensions["avroll_throttles"] = Throttles(app.config)
    statuses = [
        post_report(anon_client, make_report(machine_id="guid-0007-aaaa"), token=token).status_code
        for _ in range(4)
    ]
    assert statuses == [201, 201, 201, 429]
    assert count(db, "reports") == 3
    other = post_report(anon_client, make_report(machine_id="guid-0008-bbbb"), token=token)
    assert other.status_code == 201


def test_rate_limit_answer_says_when_to_retry(app, anon_client, token):
    app.config["REPORTS_PER_MACHINE"] = 1
    app.extensions["avroll_throttles"] = Throttles(app.config)
    post_report(anon_client, make_report(machine_id="guid-0009-cccc"), token=token)
    answer = post_report(anon_client, make_report(machine_id="guid-0009-cccc"), token=token)
    assert answer.status_code == 429 and int(answer.headers["Retry-After"]) > 0


def test_spoofing_does_not_use_up_the_victims_rate(app, anon_client, db, token):
    app.config["REPORTS_PER_MACHINE"] = 2
    app.extensions["avroll_throttles"] = Throttles(app.config)
    assert (
        post_report(anon_client, make_report(machine_id="guid-0010-dddd"), token=token).status_code
        == 201
    )
    spoofs = [
        anon_client.post(
            REPORTS, json=make_report(machine_id="guid-0010-dddd"), headers=bearer(token)
        )
        for _ in range(5)
    ]
    # Held, then limited on their own count.
    assert [(a.status_code, a.json.get("held")) for a in spoofs] == [(403, True)] * 2 + [
        (429, None)
    ] * 3
    assert post_report(anon_client, make_report(machine_id="guid-0010-dddd")).status_code == 201


def test_a_clone_enrolled_with_a_pcs_id_cannot_silence_the_pc(app, anon_client, token):
    app.config["REPORTS_PER_MACHINE"] = 3
    app.extensions["avroll_throttles"] = Throttles(app.config)
    pc = make_report(machine_id="guid-0011-eeee")
    pc["machine"]["hardware_uuid"] = "4c4c4544-0042-3510-8052-b4c04f4d3232"
    genuine = anon_client.post(REPORTS, json=pc, headers=bearer(token)).json["credential"]
    clone = make_report(machine_id="guid-0011-eeee")
    clone["machine"]["hardware_uuid"] = "00000000-0000-4000-8000-0000000000aa"
    fake = anon_client.post(REPORTS, json=clone, headers=bearer(token)).json["credential"]
    for _ in range(5):  # the clone floods under the PC's id with its own credential
        anon_client.post(
            REPORTS, json=dict(clone, report_id=make_report()["report_id"]), headers=bearer(fake)
        )
    again = make_report(machine_id="guid-0011-eeee")
    again["machine"]["hardware_uuid"] = "4c4c4544-0042-3510-8052-b4c04f4d3232"
    assert anon_client.post(REPORTS, json=again, headers=bearer(genuine)).status_code == 201


def test_token_list_shows_enrollments_and_revocation(anon_client, db, token):
    anon_client.post(REPORTS, json=make_report(), headers=bearer(token))
    enrollment.revoke_token(db, "tests", 1)
    [row] = enrollment.list_tokens(db)
    assert row["enrolled_count"] == 1 and row["revoked_at"] is not None
    assert [r["action"] for r in db.query("SELECT action FROM audit_log ORDER BY id")] == [
        "users.add",
        "tokens.create",
        "tokens.revoke",
    ]


def test_an_enrollment_whose_answer_was_lost_can_be_retried(anon_client, db, token):
    mine = "avrm_" + "m" * 43
    report = make_report(machine_id="guid-lost-0001")
    headers = dict(bearer(token), **{"X-Avroll-Credential": mine})
    assert anon_client.post(REPORTS, json=report, headers=headers).status_code == 201
    # The answer never reached the agent: it retries the same report, then a new one.
    assert anon_client.post(REPORTS, json=report, headers=headers).status_code == 200
    again = anon_client.post(
        REPORTS, json=make_report(machine_id="guid-lost-0001"), headers=headers
    )
    assert again.status_code == 201 and again.json["credential"] == mine
    # Its saved credential works on its own, and is the only one stored for the machine.
    assert (
        anon_client.post(
            REPORTS, json=make_report(machine_id="guid-lost-0001"), headers=bearer(mine)
        ).status_code
        == 201
    )
    assert db.execute("SELECT count(*) FROM machine_credentials").fetchone()[0] == 1


def test_another_proposal_for_an_enrolled_machine_waits_for_an_admin(anon_client, db, token):
    first = dict(bearer(token), **{"X-Avroll-Credential": "avrm_" + "a" * 43})
    anon_client.post(REPORTS, json=make_report(machine_id="guid-lost-0002"), headers=first)
    other = dict(bearer(token), **{"X-Avroll-Credential": "avrm_" + "b" * 43})
    answer = anon_client.post(REPORTS, json=make_report(machine_id="guid-lost-0002"), headers=other)
    assert answer.status_code == 403 and answer.json["held"] is True
    assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == 1


@pytest.mark.parametrize("proposal", ["short", "avrm_" + "x" * 10, "avrm_" + "é" * 43])
def test_a_malformed_proposal_is_a_400(anon_client, db, token, proposal):
    headers = dict(bearer(token), **{"X-Avroll-Credential": proposal})
    answer = anon_client.post(REPORTS, json=make_report(), headers=headers)
    assert answer.status_code == 400 and answer.json["ok"] is False
    assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == 0


def test_a_credential_is_read_once_before_the_write_and_again_inside_it(anon_client, db, token):
    """The request's check reuses the row read to identify the agent (one query); the write
    transaction reads it again, so a credential reset meanwhile still refuses the report."""
    report = make_report(machine_id="guid-0007-aaaa")
    credential = anon_client.post(REPORTS, json=report, headers=bearer(token)).json["credential"]
    statements = []
    db.conn.set_trace_callback(statements.append)
    agent = enrollment.identify(db, credential)
    enrollment.check(db, agent, "guid-0007-aaaa", reread=False)
    db.conn.set_trace_callback(None)
    assert sum("machine_credentials" in sql for sql in statements) == 1
    enrollment.reset_credential(db, "tests", "guid-0007-aaaa")
    enrollment.check(db, agent, "guid-0007-aaaa", reread=False)  # as read: still enrolled
    with pytest.raises(enrollment.NotAuthenticated):
        enrollment.admit(db, agent, "guid-0007-aaaa")
