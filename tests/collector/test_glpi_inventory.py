"""GLPI inventories taken as reports (`POST /api/v1/inventory`): real inventories from the
inventory format's own test data (tests/collector/fixtures/glpi/SOURCE.md), the same
enrollment and credential as avroll's agent, and XML read safely."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from collector.formats.glpi_inventory import as_report, from_xml
from collector.store import api_tokens
from collector.store.lifecycle import today
from tests.reporting import enrollment_token_of

FIXTURES = Path(__file__).parent / "fixtures" / "glpi"
INVENTORY = "/api/v1/inventory"
CREDENTIAL = "avrm_" + "g" * 43  # what a wrapper script makes and keeps, as the agent does
MB = 2**20


def fixture(name):
    return (FIXTURES / name).read_bytes()


def post(client, body, secret, content_type="application/json", proposed=None):
    headers = {"Authorization": f"Bearer {secret}"}
    if proposed:
        headers["X-Avroll-Credential"] = proposed
    return client.post(INVENTORY, data=body, content_type=content_type, headers=headers)


def test_a_glpi_agent_json_inventory_enrolls_then_reports_with_its_credential(
    anon_client, client, app, db
):
    token = enrollment_token_of(app)
    first = post(anon_client, fixture("computer_1.json"), token, proposed=CREDENTIAL)
    assert first.status_code == 201, first.json
    assert first.json["credential"] == CREDENTIAL
    machine_id = first.json["machine_id"]
    assert machine_id == "4c4c4544-0034-3010-8048-b6c04f503732"  # the board's UUID
    again = post(anon_client, fixture("computer_1.json"), CREDENTIAL)
    assert again.status_code == 201 and again.json["machine_id"] == machine_id
    # The token may not report for a machine enrolled with a credential, as for the agent.
    assert post(anon_client, fixture("computer_1.json"), token).status_code == 403
    machine = client.get(f"/api/v1/machines/{machine_id}").json["machine"]
    assert machine["hostname"] == "glpixps"
    assert machine["ram_installed_bytes"] == 8192 * MB  # two modules of 4096 MB
    assert machine["ram_visible_bytes"] == 7800 * MB  # hardware.memory
    assert machine["os_name"] == "Fedora 31 (Workstation Edition)"
    assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == 2


def test_a_fusioninventory_xml_with_kaspersky_counts_installed_and_connection_unknown(
    anon_client, client, app, db
):
    answer = post(anon_client, fixture("12.xml"), enrollment_token_of(app), "application/xml")
    assert answer.status_code == 201, answer.json
    machine = client.get(f"/api/v1/machines/{answer.json['machine_id']}").json["machine"]
    assert machine["hostname"] == "pc-arg-23"
    assert machine["ram_installed_bytes"] == 4096 * MB and machine["ram_visible_bytes"] == 3887 * MB
    total = client.get("/api/v1/rollup").json["total"]
    assert total["seen"] == 1 and total["installed"] == 1
    assert total["connected"] == 0  # unknown: counted as not connected
    body = json.loads(db.execute("SELECT body FROM reports").fetchone()[0])
    assert body["management_agent"] is None
    assert "connection unknown" in body["errors"][0]


def test_kaspersky_base_version_is_the_signature_date(anon_client, app, db):
    inventory = from_xml(fixture("12.xml"))
    inventory = copy.deepcopy(inventory)
    kaspersky = inventory["content"]["antivirus"][1]
    assert kaspersky["name"] == "Kaspersky Endpoint Security 10 for Windows"
    kaspersky["base_version"] = "20261203"  # as GLPI's Win32 AntiVirus module reads it
    answer = post(anon_client, json.dumps(inventory), enrollment_token_of(app))
    assert answer.status_code == 201
    stored = dict(db.execute("SELECT name, signatures_updated_at FROM report_products"))
    assert stored["Kaspersky Endpoint Security 10 for Windows"] == "2026-12-02T17:00:00Z"
    assert stored["Windows Defender"] is None


def test_a_board_without_a_uuid_is_known_by_the_agents_deviceid():
    inventory = json.loads(fixture("computer_2.json"))
    assert inventory["content"]["hardware"]["uuid"].startswith("4BDRGGFE")  # not hex
    first = as_report(inventory, datetime.now(timezone.utc))
    second = as_report(inventory, datetime.now(timezone.utc))
    assert first["machine"]["hardware_uuid"] is None
    assert first["machine"]["machine_id"] == second["machine"]["machine_id"]
    assert first["report_id"] != second["report_id"]


@pytest.mark.parametrize(
    "body, content_type, status, words",
    [
        (
            b'{"action": "contact", "deviceid": "x", "content": {}}',
            "application/json",
            422,
            "only 'inventory'",
        ),
        (
            b'{"itemtype": "Printer", "content": {"hardware": {"name": "P1"}}}',
            "application/json",
            422,
            "only computers",
        ),
        (b'{"content": {"hardware": {}}}', "application/json", 422, "hardware.name"),
        (
            b'{"content": {"hardware": {"name": "PC1"}}}',
            "application/json",
            422,
            "nothing identifies the machine",
        ),
        (b"{not json", "application/json", 422, "not valid JSON"),
        (b"name=PC1", "application/x-www-form-urlencoded", 415, "application/json"),
        (
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b"<REQUEST><CONTENT><HARDWARE><NAME>&x;</NAME></HARDWARE></CONTENT></REQUEST>",
            "application/xml",
            422,
            "DOCTYPE",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 '
            b'"&lol;&lol;&lol;&lol;">]><REQUEST><CONTENT/></REQUEST>',
            "text/xml",
            422,
            "DOCTYPE",
        ),
        (
            b"<REQUEST><CONTENT><HARDWARE><NAME>PC</NAME></HARDWARE>",
            "application/xml",
            422,
            "cannot be read",
        ),
        (b"<OTHER/>", "application/xml", 422, "no <REQUEST><CONTENT>"),
    ],
)
def test_what_is_not_an_inventory_is_refused_and_nothing_stored(
    anon_client, app, db, body, content_type, status, words
):
    answer = post(anon_client, body, enrollment_token_of(app), content_type)
    assert answer.status_code == status
    assert words in answer.json["error"]
    assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == 0


def test_bounds(anon_client, app, db):
    many = (
        b"<REQUEST><CONTENT>"
        + b"<S/>" * 60_000
        + b"<HARDWARE><NAME>PC</NAME></HARDWARE></CONTENT></REQUEST>"
    )
    answer = post(anon_client, many, enrollment_token_of(app), "application/xml")
    assert answer.status_code == 422 and "more than 50,000 elements" in answer.json["error"]
    huge = b'{"content": {"hardware": {"name": "' + b"x" * 300_000 + b'"}}}'
    assert post(anon_client, huge, enrollment_token_of(app)).status_code == 413
    assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == 0


def test_no_secret_or_a_read_token_posts_nothing(anon_client, db):
    assert (
        anon_client.post(
            INVENTORY, data=fixture("computer_1.json"), content_type="application/json"
        ).status_code
        == 401
    )
    _, token = api_tokens.create(db, "tests", "viewer", today().isoformat())
    assert post(anon_client, fixture("computer_1.json"), token).status_code == 403
    assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == 0
