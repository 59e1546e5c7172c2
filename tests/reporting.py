"""Posting reports in tests as a real agent does: enrolled with a token, then its credential."""

from __future__ import annotations

from collector.store import enrollment
from collector.store.db import open_db

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


def post_report(client, report, token=None):
    """POST `report` with its machine's credential (enrolling it first with `token`, or
    the app's test token), keeping the credential the collector answers with."""
    agents = client.application.extensions.setdefault("test_agents", {})
    machine_id = str(report.get("machine", {}).get("machine_id", "")).strip("{}").lower()
    machine_id = (
        machine_id.replace("-", "") if len(machine_id.replace("-", "")) == 32 else machine_id
    )
    secret = (
        agents.get(("credential", machine_id)) or token or enrollment_token_of(client.application)
    )
    answer = client.post(REPORTS, json=report, headers={"Authorization": f"Bearer {secret}"})
    if answer.is_json and answer.json.get("credential"):
        agents[("credential", machine_id)] = answer.json["credential"]
    return answer


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
