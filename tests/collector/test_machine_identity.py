"""Clones, reinstalled PCs and changed machine ids: each PC stays one machine, none is locked out.

PCs cloned from one image without sysprep share a MachineGuid (and, when the agent was in
the image, its credential); their SMBIOS UUIDs differ. A reinstalled PC has a new
MachineGuid on the same board. An agent whose machine id changed keeps its credential.
"""

from __future__ import annotations

import pytest

from collector.store import enrollment
from collector.store.migrations import apply
from tests.builders import make_report
from tests.reporting import post_as_agent

IMAGE_GUID = "c3a9e1f0-5d2b-4b7a-8e6f-1a2b3c4d5e6f"
BOARD_1 = "5e1a7c2b-3f4d-11b2-a85c-8c3f2e7d9a01"
BOARD_2 = "9d4e2a71-3f8b-11ec-a1b2-6c2408d1e3f5"


@pytest.fixture
def token(db):
    return enrollment.create_token(db, "tests")[1]


def report(hostname, machine_id, board=None):
    built = make_report(hostname=hostname, machine_id=machine_id)
    if board is not None:
        built["machine"]["hardware_uuid"] = board
    return built


def machines(db):
    return {row[0]: row[1] for row in db.execute("SELECT machine_id, hostname FROM machines")}


def audit_actions(db):
    return [
        row[0]
        for row in db.execute("SELECT action FROM audit_log WHERE actor = 'agent' ORDER BY id")
    ]


def test_a_clone_enrolling_with_the_token_is_a_machine_of_its_own(anon_client, db, token):
    first = post_as_agent(anon_client, report("STNMT-LT-12", IMAGE_GUID, BOARD_1), token)
    clone = post_as_agent(anon_client, report("STNMT-LT-13", IMAGE_GUID, BOARD_2), token)
    assert (first.status_code, clone.status_code) == (201, 201)
    clone_key = enrollment.clone_key(IMAGE_GUID, BOARD_2)
    assert machines(db) == {IMAGE_GUID: "STNMT-LT-12", clone_key: "STNMT-LT-13"}
    assert clone.json["machine_id"] == clone_key
    # Both go on reporting with their own credentials, each to its own machine.
    again = post_as_agent(
        anon_client, report("STNMT-LT-13", IMAGE_GUID, BOARD_2), clone.json["credential"]
    )
    assert again.status_code == 201 and again.json["machine_id"] == clone_key
    assert (
        post_as_agent(
            anon_client, report("STNMT-LT-12", IMAGE_GUID, BOARD_1), first.json["credential"]
        ).json["machine_id"]
        == IMAGE_GUID
    )
    assert audit_actions(db) == ["machines.clone"]


def test_clones_that_carry_the_images_credential_are_told_apart(anon_client, db, token):
    credential = post_as_agent(anon_client, report("GOC-01", IMAGE_GUID, BOARD_1), token).json[
        "credential"
    ]
    clone = report("GOC-02", IMAGE_GUID, BOARD_2)
    # The image's credential on another board is "not enrolled": the agent then enrolls with
    # the token, proposing the credential it has, and gets one of its own.
    assert post_as_agent(anon_client, clone, credential).status_code == 401
    enrolled = post_as_agent(anon_client, clone, token, proposal=credential)
    assert enrolled.status_code == 201 and enrolled.json["credential"] != credential
    later = post_as_agent(
        anon_client, report("GOC-02", IMAGE_GUID, BOARD_2), enrolled.json["credential"]
    )
    assert later.status_code == 201
    assert (
        post_as_agent(anon_client, report("GOC-01", IMAGE_GUID, BOARD_1), credential).status_code
        == 201
    )
    assert machines(db) == {
        IMAGE_GUID: "GOC-01",
        enrollment.clone_key(IMAGE_GUID, BOARD_2): "GOC-02",
    }


def test_without_a_board_a_second_agent_for_an_enrolled_id_waits_for_an_admin(
    anon_client, db, token
):
    post_as_agent(anon_client, report("VICTIM-01", IMAGE_GUID, BOARD_1), token)
    held = post_as_agent(anon_client, report("OTHER-01", IMAGE_GUID), token)
    assert held.status_code == 403 and held.json["held"] is True
    assert f"machine id {IMAGE_GUID}" in held.json["error"]
    assert machines(db) == {IMAGE_GUID: "VICTIM-01"}


def test_a_reinstalled_pc_stays_the_same_machine(anon_client, db, token):
    post_as_agent(anon_client, report("SXD-KT-01", IMAGE_GUID, BOARD_1), token)
    new_guid = "0e7f6d5c-4b3a-4291-8f7e-6d5c4b3a2910"
    answer = post_as_agent(anon_client, report("SXD-KT-01", new_guid, BOARD_1), token)
    assert answer.status_code == 201 and answer.json["machine_id"] == IMAGE_GUID
    assert machines(db) == {IMAGE_GUID: "SXD-KT-01"}
    assert (
        db.execute("SELECT count(*) FROM reports WHERE machine_id = ?", [IMAGE_GUID]).fetchone()[0]
        == 2
    )
    later = post_as_agent(
        anon_client, report("SXD-KT-01", new_guid, BOARD_1), answer.json["credential"]
    )
    assert later.json["machine_id"] == IMAGE_GUID
    assert audit_actions(db) == ["machines.reinstall"]


@pytest.mark.parametrize("board", [BOARD_1, None])
def test_a_changed_machine_id_with_the_state_folder_kept_goes_on_reporting(
    anon_client, db, token, board
):
    credential = post_as_agent(anon_client, report("STC-KT-02", IMAGE_GUID, board), token).json[
        "credential"
    ]
    new_guid = "7d2e9c41-0b3f-4e58-a6d7-5c1b8e2f9a30"
    for _ in range(2):
        answer = post_as_agent(anon_client, report("STC-KT-02", new_guid, board), credential)
        assert answer.status_code == 201 and answer.json["machine_id"] == IMAGE_GUID
    assert machines(db) == {IMAGE_GUID: "STC-KT-02"}
    assert audit_actions(db) == ["machines.new_id"]
    # The old id still names that machine: the unit's token cannot enroll it again.
    assert post_as_agent(anon_client, report("SPOOF", IMAGE_GUID, board), token).status_code == 403
    # ... while its own agent may go back to it.
    assert (
        post_as_agent(anon_client, report("STC-KT-02", IMAGE_GUID, board), credential).json[
            "machine_id"
        ]
        == IMAGE_GUID
    )


def test_a_credential_cannot_report_for_another_enrolled_machine(anon_client, db, token):
    post_as_agent(anon_client, report("VICTIM-01", IMAGE_GUID, BOARD_1), token)
    intruder = post_as_agent(
        anon_client, report("INTRUDER-01", "guid-intruder-01", BOARD_2), token
    ).json["credential"]
    before = db.execute("SELECT * FROM machines ORDER BY machine_id").fetchall()
    for board in (BOARD_1, BOARD_2, None):  # the victim's board, its own, none
        answer = post_as_agent(anon_client, report("HACKED", IMAGE_GUID, board), intruder)
        assert answer.status_code == 403
    assert db.execute("SELECT * FROM machines ORDER BY machine_id").fetchall() == before


def test_machines_enrolled_before_learn_their_board_from_their_next_report(anon_client, db, token):
    credential = post_as_agent(anon_client, report("OLD-01", IMAGE_GUID), token).json["credential"]
    post_as_agent(anon_client, report("OLD-01", IMAGE_GUID, BOARD_1.upper()), credential)
    assert db.execute("SELECT hardware_uuid FROM machine_credentials").fetchone()[0] == BOARD_1


def test_the_migration_keeps_existing_credentials(db):
    apply(db)  # already applied: a second run changes nothing
    assert {"hardware_uuid", "stored_as"} <= set(db["machine_credentials"].columns_dict)


def test_reset_by_the_machine_key_the_pages_show(anon_client, db, token):
    credential = post_as_agent(anon_client, report("STC-KT-03", IMAGE_GUID, BOARD_1), token).json[
        "credential"
    ]
    new_guid = "7d2e9c41-0b3f-4e58-a6d7-5c1b8e2f9a30"
    post_as_agent(anon_client, report("STC-KT-03", new_guid, BOARD_1), credential)  # the id changed
    assert enrollment.reset_credential(db, "tests", IMAGE_GUID)
    assert (
        post_as_agent(anon_client, report("STC-KT-03", new_guid, BOARD_1), credential).status_code
        == 401
    )
    # Its agent then enrolls again with the token.
    again = post_as_agent(anon_client, report("STC-KT-03", new_guid, BOARD_1), token)
    assert again.status_code == 201 and again.json["credential"]


def test_a_reinstall_that_would_move_a_pc_to_another_unit_waits_for_an_admin(anon_client, db):
    from collector.counting.rollup import rollup
    from collector.store.units import save_units

    save_units(
        db,
        [
            (2, {"code": "HCL", "name": "Huyện Cao Lãnh", "allocated": "3"}),
            (3, {"code": "HTM", "name": "Huyện Tháp Mười", "allocated": "3"}),
        ],
    )
    hcl = enrollment.create_token(db, "tests", unit_code="HCL")[1]
    htm = enrollment.create_token(db, "tests", unit_code="HTM")[1]
    for n, board in enumerate((BOARD_1, BOARD_2)):
        assert (
            post_as_agent(
                anon_client, report(f"HCL-KT-0{n}", f"guid-hcl-{n}", board), hcl
            ).status_code
            == 201
        )

    def installed(code):
        rows = [row for section in rollup(db)["sections"] for row in section["units"]]
        return next(row["installed"] for row in rows if row["code"] == code)

    assert installed("HCL") == 2
    # HTM's token, a fresh machine id and an HCL PC's board: once stored as that PC "moved".
    moved = post_as_agent(anon_client, report("HTM-MOVED-0", "guid-fresh-0001", BOARD_1), htm)
    renamed = post_as_agent(anon_client, report("HCL-OTHER-9", "guid-fresh-0002", BOARD_2), hcl)
    assert (moved.status_code, renamed.status_code) == (403, 403)
    assert moved.json["held"] is renamed.json["held"] is True
    assert "administrator" in moved.json["error"]
    assert (installed("HCL"), installed("HTM")) == (2, 0)
    assert machines(db) == {"guid-hcl-0": "HCL-KT-00", "guid-hcl-1": "HCL-KT-01"}
    assert audit_actions(db).count("machines.reinstall_held") == 2
    # A reinstall keeping its name, with its unit's token, is still the same machine.
    same = post_as_agent(anon_client, report("HCL-KT-00", "guid-fresh-0003", BOARD_1), hcl)
    assert same.status_code == 201 and same.json["machine_id"] == "guid-hcl-0"
