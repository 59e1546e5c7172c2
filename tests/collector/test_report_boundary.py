"""What POST /api/v1/reports takes is checked at the boundary: times in a plausible range,
no Unicode noncharacters or invisible characters in names, one canonical form per id."""

from __future__ import annotations

import uuid

import pytest

from shared.report import canonical_machine_id, canonical_report_id, validate
from tests.builders import make_report

REPORTS = "/api/v1/reports"
UNIT_PAGES = ("/machines", "/machines?q=PC", "/", "/units")


@pytest.mark.parametrize(
    "collected_at",
    [
        "0999-05-01T00:00:00Z",
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59-01:00",
        "1969-12-31T23:59:59Z",
        "2100-01-01T00:00:00Z",
        "3000-01-01T00:00:00Z",
    ],
)
def test_implausible_times_are_a_422_and_pages_keep_working(client, collected_at):
    report = make_report(hostname="PC-ODD-TIME", collected_at=collected_at)
    answer = client.post(REPORTS, json=report)
    assert answer.status_code == 422, answer.get_data(as_text=True)
    assert any(line.startswith("collected_at:") for line in answer.json["errors"])
    for url in UNIT_PAGES:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize(
    "when", ["1970-01-01T00:00:00Z", "2000-01-01T00:00:00+07:00", "2099-12-31T16:59:59-07:00"]
)
def test_the_edges_of_the_range_are_accepted(when):
    assert validate(make_report(collected_at=when)) == []


def test_a_perpetual_licence_date_is_accepted():
    report = make_report()
    report["antivirus"]["products"][0]["licence_expires_at"] = "9998-12-31T00:00:00Z"
    assert validate(report) == []


@pytest.mark.parametrize(
    "hostname", ["PC\ufffe01", "PC\uffff", "PC\ufdd0X", "PC\U0001fffeX", "PC\U0010ffff"]
)
def test_noncharacters_are_refused_everywhere(hostname):
    report = make_report(hostname=hostname)
    assert any(line.startswith("machine.hostname:") for line in validate(report))
    report = make_report()
    report["antivirus"]["products"][0]["name"] = hostname
    assert validate(report) != []


@pytest.mark.parametrize(
    "hostname",
    [
        "PC\u200b01",
        "PC\u200d01",
        "\u2060PC01",
        "PC\u00ad01",
        "PC\ufeff01",
        "PC\u180e01",
        "PC\u3164",
        "PC\u034f01",
    ],
)
def test_invisible_characters_in_hostnames_are_refused(hostname):
    assert any(
        line.startswith("machine.hostname:") for line in validate(make_report(hostname=hostname))
    )


def test_a_product_name_may_join_emoji_and_vietnamese_stays_valid():
    report = make_report(hostname="MÁY-KẾ-TOÁN")
    report["antivirus"]["products"][0]["name"] = "Bkav Pro 👨\u200d💻"
    assert validate(report) == []


def test_one_canonical_form_per_id():
    rid = uuid.uuid4()
    for spelling in (str(rid), str(rid).upper(), rid.hex, "{" + str(rid) + "}"):
        assert canonical_report_id(spelling) == str(rid)
    for spelling in (str(rid), rid.hex.upper(), "{" + str(rid).upper() + "}"):
        assert canonical_machine_id(spelling) == str(rid)
    assert canonical_machine_id("GUID-Victim-0001") == "guid-victim-0001"


def test_a_report_resent_with_its_id_spelt_otherwise_is_stored_once(client, db):
    report = make_report(hostname="PC-RESEND")
    assert client.post(REPORTS, json=report).status_code == 201
    report["report_id"] = uuid.UUID(report["report_id"]).hex.upper()
    answer = client.post(REPORTS, json=report)
    assert answer.status_code == 200 and answer.json["duplicate"] is True
    assert db["reports"].count == 1


def test_a_reused_report_id_spelt_otherwise_is_still_a_409(client, db):
    first = make_report(hostname="PC-ONE")
    assert client.post(REPORTS, json=first).status_code == 201
    other = make_report(hostname="PC-TWO", report_id="{" + uuid.UUID(first["report_id"]).hex + "}")
    assert client.post(REPORTS, json=other).status_code == 409
    assert db["reports"].count == 1


def test_a_machine_id_spelt_otherwise_is_the_same_machine(client, db):
    machine = uuid.uuid4()
    assert (
        client.post(REPORTS, json=make_report(hostname="PC-A", machine_id=str(machine))).status_code
        == 201
    )
    again = make_report(hostname="PC-A", machine_id="{" + machine.hex.upper() + "}")
    assert client.post(REPORTS, json=again).status_code == 201
    assert db.execute("SELECT count(*), min(machine_id) FROM machines").fetchone() == (
        1,
        str(machine),
    )
    assert client.get(f"/machines/{machine.hex.upper()}").status_code == 200
    assert client.get(f"/api/v1/machines/{{{machine}}}").status_code == 200


def test_a_look_alike_hostname_is_pointed_out_on_the_pages(client):
    answer = client.post(REPORTS, json=make_report(hostname="SXD-KT-0\u0430"))
    assert answer.status_code == 201
    machine = answer.json["machine_id"]
    page = client.get(f"/machines/{machine}").get_data(as_text=True)
    assert "U+0430 CYRILLIC SMALL LETTER A" in page
    assert "U+0430" in client.get("/machines").get_data(as_text=True)
    plain = client.post(REPORTS, json=make_report(hostname="MÁY-KẾ-TOÁN")).json["machine_id"]
    assert "U+" not in client.get(f"/machines/{plain}").get_data(as_text=True)
