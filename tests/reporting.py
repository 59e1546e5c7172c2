"""Posting reports in tests as a real agent does: enrolled with a token, then its credential."""

from __future__ import annotations

import secrets

from collector.formats.timefmt import to_stored
from collector.store import enrollment
from collector.store.db import open_db, write_transaction
from shared.report import canonical_machine_id

REPORTS = "/api/v1/reports"
ADMIN = ("admin", "admin-password-for-tests")


def enrollment_token_of(app):
    """One enrollment token per test app, created on first use."""
    agents = app.extensions.setdefault("test_agents", {})
    if "token" not in agents:
        db = open_db(app.config["DATABASE"])
        try:
            agents["token"] = enrollment.create_token(db, "tests", note="tests")[1]
        finally:
            db.close()
    return agents["token"]


def _machine_id(report):
    machine_id = str(report.get("machine", {}).get("machine_id", "")).strip("{}").lower()
    return machine_id.replace("-", "") if len(machine_id.replace("-", "")) == 32 else machine_id


def enrolled_since(client, report, moment, unit_code=None):
    """Enroll `report`'s machine as its agent would have at `moment` (a datetime), for tests
    that post a PC's history: a machine counts for no day before its enrolment. Its reports
    go with that credential from then on."""
    agents = client.application.extensions.setdefault("test_agents", {})
    credential = enrollment.CREDENTIAL_PREFIX + secrets.token_urlsafe(32)
    db = open_db(client.application.config["DATABASE"])
    try:
        with write_transaction(db):
            db.execute(
                "INSERT INTO machine_credentials (machine_id, credential_hash, unit_code, "
                "enrolled_at) VALUES (?, ?, ?, ?)",
                [
                    canonical_machine_id(report["machine"]["machine_id"]),
                    enrollment.secret_hash(credential),
                    unit_code,
                    to_stored(moment),
                ],
            )
    finally:
        db.close()
    agents[("credential", _machine_id(report))] = credential
    return credential


def post_report(client, report, token=None):
    """POST `report` with its machine's credential (enrolling it first with `token`, or
    the app's test token), keeping the credential the collector answers with."""
    agents = client.application.extensions.setdefault("test_agents", {})
    machine_id = _machine_id(report)
    secret = (
        agents.get(("credential", machine_id)) or token or enrollment_token_of(client.application)
    )
    answer = client.post(REPORTS, json=report, headers={"Authorization": f"Bearer {secret}"})
    if answer.is_json and answer.json.get("credential"):
        agents[("credential", machine_id)] = answer.json["credential"]
    return answer


def post_as_agent(client, report, secret, proposal=None):
    """POST `report` as an agent would: `secret` its token or credential, `proposal` the
    credential it proposes when it enrolls."""
    headers = {"Authorization": f"Bearer {secret}"}
    if proposal:
        headers["X-Avroll-Credential"] = proposal
    return client.post(REPORTS, json=report, headers=headers)


def login(client, username, password):
    """Log `client` in through the real form (with the CSRF token a browser would send)."""
    client.get("/login")
    with client.session_transaction() as session:
        token = session["csrf_token"]
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )


def csrf_token(client):
    """The CSRF token of `client`'s session (a page must have been loaded)."""
    with client.session_transaction() as session:
        return session["csrf_token"]
