"""Enrollments held for an administrator (store/held.py): a reinstall that would move or
rename a PC, and a machine id already enrolled, wait; an administrator accepts or refuses."""

from __future__ import annotations

import pytest

from collector.counting.rollup import rollup
from collector.store import enrollment, held, users
from collector.store.units import save_units
from tests.builders import make_report
from tests.reporting import csrf_token, login, post_as_agent

BOARD = "5e1a7c2b-3f4d-11b2-a85c-8c3f2e7d9a01"
PC_ID = "guid-hcl-0001"
NEW_ID = "guid-fresh-0001"
MINE = "avrm_" + "m" * 43
THEIRS = "avrm_" + "t" * 43


@pytest.fixture
def tokens(db):
    save_units(
        db,
        [
            (2, {"code": "HCL", "name": "Huyện Cao Lãnh", "allocated": "3"}),
            (3, {"code": "HTM", "name": "Huyện Tháp Mười", "allocated": "3"}),
        ],
    )
    return {
        code: enrollment.create_token(db, "tests", unit_code=code)[1] for code in ("HCL", "HTM")
    }


def report(hostname, machine_id, board=BOARD):
    built = make_report(hostname=hostname, machine_id=machine_id)
    if board:
        built["machine"]["hardware_uuid"] = board
    return built


def enrolled_pc(client, tokens):
    """HCL-KT-01, enrolled with HCL's token; its credential."""
    answer = post_as_agent(client, report("HCL-KT-01", PC_ID), tokens["HCL"])
    assert answer.status_code == 201
    return answer.json["credential"]


def is_held(answer):
    """The answer of an enrollment waiting for an administrator (a 403 every agent keeps
    its report on, marked `"held": true` for the agents that know it)."""
    return answer.status_code == answer.json["status"] == 403 and answer.json.get("held") is True


def stored(db):
    return {row[0]: row[1] for row in db.execute("SELECT machine_id, hostname FROM machines")}


def installed(db):
    return {
        row["code"]: row["installed"]
        for section in rollup(db)["sections"]
        for row in section["units"]
    }


def actions(db):
    return [row[0] for row in db.execute("SELECT action FROM audit_log ORDER BY id")]


def test_a_reinstall_moving_a_pc_waits_once_however_often_it_tries(anon_client, db, tokens):
    enrolled_pc(anon_client, tokens)
    for _ in range(3):
        answer = post_as_agent(anon_client, report("HTM-KT-09", NEW_ID), tokens["HTM"], MINE)
        assert is_held(answer) and answer.json["ok"] is False
        assert "administrator" in answer.json["error"]
    [row] = held.listing(db)
    assert (row.kind, row.machine_id, row.stored_as, row.hostname, row.unit_code) == (
        "reinstall",
        NEW_ID,
        PC_ID,
        "HTM-KT-09",
        "HTM",
    )
    assert (row.current_hostname, row.current_unit, row.tries, row.decision) == (
        "HCL-KT-01",
        "HCL",
        3,
        None,
    )
    assert row.hardware_uuid == BOARD and row.first_seen_at <= row.last_seen_at
    assert stored(db) == {PC_ID: "HCL-KT-01"}
    assert actions(db).count("machines.reinstall_held") == 1


def test_an_accepted_reinstall_is_admitted_renamed_and_moved(anon_client, db, tokens):
    old = enrolled_pc(anon_client, tokens)
    post_as_agent(anon_client, report("HTM-KT-09", NEW_ID), tokens["HTM"], MINE)
    [row] = held.listing(db)
    assert installed(db) == {"HCL": 1, "HTM": 0}  # held: nothing moved
    held.decide(db, "boss", row.held_id, "accepted")
    # Another agent with the same token cannot ride the acceptance.
    other = post_as_agent(anon_client, report("HTM-KT-09", NEW_ID), tokens["HTM"], THEIRS)
    assert other.status_code == 403 and not is_held(other)
    answer = post_as_agent(anon_client, report("HTM-KT-09", NEW_ID), tokens["HTM"], MINE)
    assert answer.status_code == 201 and answer.json["machine_id"] == PC_ID
    assert answer.json["credential"] == MINE
    assert stored(db) == {PC_ID: "HTM-KT-09"}
    assert db.execute(
        "SELECT unit_code, stored_as FROM machine_credentials WHERE machine_id = ?", [NEW_ID]
    ).fetchone() == ("HTM", PC_ID)
    assert installed(db) == {"HCL": 0, "HTM": 1}  # moved: one PC, now HTM's
    assert held.listing(db) == []  # admitted: nothing waits
    assert actions(db)[-2:] == ["machines.held_accept", "machines.reinstall"]
    later = post_as_agent(anon_client, report("HTM-KT-09", NEW_ID), MINE)
    assert later.status_code == 201 and later.json["machine_id"] == PC_ID
    # The old install's credential is another agent's: it still reports for its own id.
    assert post_as_agent(anon_client, report("HCL-KT-01", PC_ID), old).status_code == 201


def test_a_refused_reinstall_stays_refused(anon_client, db, tokens):
    enrolled_pc(anon_client, tokens)
    post_as_agent(anon_client, report("HTM-KT-09", NEW_ID), tokens["HTM"], MINE)
    [row] = held.listing(db)
    held.decide(db, "boss", row.held_id, "refused")
    for _ in range(2):
        answer = post_as_agent(anon_client, report("HTM-KT-09", NEW_ID), tokens["HTM"], MINE)
        assert answer.status_code == 403 and "refused" in answer.json["error"]
        assert not is_held(answer)
    assert stored(db) == {PC_ID: "HCL-KT-01"}
    assert held.get(db, row.held_id).tries == 1
    assert "machines.held_refuse" in actions(db)


def test_a_known_id_without_proof_waits_and_is_not_squatted(anon_client, db, tokens):
    genuine = enrolled_pc(anon_client, tokens)
    for board in (BOARD, None):  # the same board, or none to tell a clone apart
        squat = post_as_agent(anon_client, report("HCL-KT-01", PC_ID, board), tokens["HCL"], THEIRS)
        assert is_held(squat)
    [row] = held.listing(db)
    assert (row.kind, row.machine_id, row.stored_as, row.tries) == ("known_id", PC_ID, PC_ID, 2)
    assert actions(db).count("machines.enrollment_held") == 1
    # The genuine PC goes on reporting meanwhile; refused, the squatter stays out.
    assert post_as_agent(anon_client, report("HCL-KT-01", PC_ID), genuine).status_code == 201
    held.decide(db, "boss", row.held_id, "refused")
    refused = post_as_agent(anon_client, report("HCL-KT-01", PC_ID), tokens["HCL"], THEIRS)
    assert refused.status_code == 403 and not is_held(refused)
    assert post_as_agent(anon_client, report("HCL-KT-01", PC_ID), genuine).status_code == 201


def test_an_accepted_enrollment_takes_the_machine_id_over(anon_client, db, tokens):
    old = enrolled_pc(anon_client, tokens)
    post_as_agent(anon_client, report("HCL-KT-01", PC_ID, None), tokens["HCL"], MINE)
    [row] = held.listing(db)
    held.decide(db, "boss", row.held_id, "accepted")
    answer = post_as_agent(anon_client, report("HCL-KT-01", PC_ID), tokens["HCL"], MINE)
    assert answer.status_code == 201 and answer.json["credential"] == MINE
    assert answer.json["machine_id"] == PC_ID
    assert post_as_agent(anon_client, report("HCL-KT-01", PC_ID), old).status_code == 401
    assert post_as_agent(anon_client, report("HCL-KT-01", PC_ID), MINE).status_code == 201
    assert db.execute("SELECT count(*) FROM machine_credentials").fetchone()[0] == 1
    assert "machines.takeover" in actions(db)
    assert held.listing(db) == []


def test_another_agents_request_for_a_held_id_is_refused(anon_client, db, tokens):
    enrolled_pc(anon_client, tokens)
    assert is_held(post_as_agent(anon_client, report("X", PC_ID, None), tokens["HCL"], MINE))
    answer = post_as_agent(anon_client, report("Y", PC_ID, None), tokens["HCL"], THEIRS)
    assert not is_held(answer) and "another agent" in answer.json["error"]
    [row] = held.listing(db)
    assert row.proposal_hash == enrollment.secret_hash(MINE) and row.hostname == "X"


def test_a_squatters_refused_request_does_not_lock_the_pc_out(anon_client, db, tokens):
    enrolled_pc(anon_client, tokens)
    assert is_held(post_as_agent(anon_client, report("HCL-KT-01", PC_ID), tokens["HCL"], THEIRS))
    [squat] = held.listing(db)
    # The PC, after losing its agent's state, waits behind the squatter's request...
    assert not is_held(post_as_agent(anon_client, report("HCL-KT-01", PC_ID), tokens["HCL"], MINE))
    held.decide(db, "boss", squat.held_id, "refused")
    # ... which, refused, gives way to the PC's own; the squatter's stays refused.
    assert is_held(post_as_agent(anon_client, report("HCL-KT-01", PC_ID), tokens["HCL"], MINE))
    [mine] = held.listing(db)
    assert mine.proposal_hash == enrollment.secret_hash(MINE) and mine.decision is None
    assert not is_held(
        post_as_agent(anon_client, report("HCL-KT-01", PC_ID), tokens["HCL"], THEIRS)
    )
    held.decide(db, "boss", mine.held_id, "accepted")
    answer = post_as_agent(anon_client, report("HCL-KT-01", PC_ID), tokens["HCL"], MINE)
    assert answer.status_code == 201 and answer.json["credential"] == MINE


def test_a_token_cannot_flood_the_held_list(anon_client, db, tokens):
    enrolled_pc(anon_client, tokens)
    for n in range(held.MAX_WAITING_PER_TOKEN):
        answer = post_as_agent(anon_client, report("HTM-FAKE", f"guid-fake-{n:04}"), tokens["HTM"])
        assert is_held(answer)
    over = post_as_agent(anon_client, report("HTM-FAKE", "guid-fake-9999"), tokens["HTM"])
    assert over.status_code == 403 and not is_held(over) and "waiting" in over.json["error"]
    assert len(held.listing(db)) == held.MAX_WAITING_PER_TOKEN
    # Another token's requests still get in.
    other = post_as_agent(anon_client, report("HCL-OTHER", "guid-fake-other"), tokens["HCL"])
    assert is_held(other)


def test_a_lookalike_name_is_pointed_out_to_the_admin(client, anon_client, db, tokens):
    enrolled_pc(anon_client, tokens)
    post_as_agent(
        anon_client, report("HCL-KT-0\u0421", NEW_ID), tokens["HTM"], MINE
    )  # a Cyrillic С
    page = client.get("/admin/held").get_data(as_text=True)
    assert "⚠" in page and "U+0421" in page


def test_the_store_keeps_only_plain_bounded_text(db, tokens):
    request = held.Request("reinstall", "guid-x", None, "guid-y", "A\x0bB", "HTM", None, None)
    with pytest.raises(ValueError):
        held.hold(db, request, 1, None)
    long = held.Request("reinstall", "guid-x", None, "guid-y", "A" * 256, "HTM", None, None)
    with pytest.raises(ValueError):
        held.hold(db, long, 1, None)
    assert held.listing(db) == []


@pytest.mark.parametrize("reference", ["999", "x", "99999999999999999999"])
def test_deciding_an_unknown_request_says_so(db, reference):
    with pytest.raises(held.UnknownHeld):
        held.decide(db, "boss", reference, "accepted")


def officer(app, db, username, unit_code):

    users.add_user(db, "tests", username, "mật-khẩu-đủ-dài-1", "unit", unit_code=unit_code)
    browser = app.test_client()
    assert login(browser, username, "mật-khẩu-đủ-dài-1").status_code == 302
    return browser


def test_admins_decide_on_a_page_officers_see_their_units_requests(
    app, client, anon_client, db, tokens
):

    save_units(db, [(4, {"code": "STC", "name": "Sở Tài chính"})])
    enrolled_pc(anon_client, tokens)
    post_as_agent(anon_client, report("HTM-KT-09", NEW_ID), tokens["HTM"], MINE)
    [row] = held.listing(db)
    overview = client.get("/").get_data(as_text=True)
    assert 'href="/admin/held"' in overview and "HCL-KT-01 (HCL) → HTM-KT-09 (HTM)" in overview
    # Both units' officers see it (the PC is HCL's, the move HTM's); another unit's does not.
    for username, code, sees in (
        ("hcl1", "HCL", True),
        ("htm1", "HTM", True),
        ("stc1", "STC", False),
    ):
        browser = officer(app, db, username, code)
        page = browser.get("/").get_data(as_text=True)
        assert ("HTM-KT-09 (HTM)" in page) is sees, username
        assert 'href="/admin/held"' not in page
        browser.get("/machines")
        decided = browser.post(
            f"/admin/held/{row.held_id}/accept", data={"csrf_token": csrf_token(browser)}
        )
        assert decided.status_code == 403 and browser.get("/admin/held").status_code == 403
    assert held.get(db, row.held_id).decision is None
    page = client.get("/admin/held").get_data(as_text=True)
    assert "HTM-KT-09" in page and NEW_ID in page and "Đang chờ" in page
    assert client.post(f"/admin/held/{row.held_id}/accept").status_code == 400  # no CSRF token
    accepted = client.post(
        f"/admin/held/{row.held_id}/accept", data={"csrf_token": csrf_token(client)}
    )
    assert accepted.status_code == 302 and held.get(db, row.held_id).decided_by == "admin"
    assert "machines.held_accept" in actions(db)
    audit_page = client.get("/audit").get_data(as_text=True)
    assert "Chấp nhận một yêu cầu đăng ký đang chờ" in audit_page
    assert "Máy cài lại đang chờ quản trị viên duyệt" in audit_page and "tên máy" in audit_page
    assert (
        client.post("/admin/held/999/refuse", data={"csrf_token": csrf_token(client)}).status_code
        == 404
    )
    assert (
        client.post(
            f"/admin/held/{row.held_id}/delete", data={"csrf_token": csrf_token(client)}
        ).status_code
        == 404
    )
    # Decided, it leaves "needs action"; the agent's next report is admitted.
    assert "HTM-KT-09 (HTM)" not in client.get("/").get_data(as_text=True)
    assert (
        post_as_agent(anon_client, report("HTM-KT-09", NEW_ID), tokens["HTM"], MINE).status_code
        == 201
    )


def test_held_inside_the_write_is_answered_as_held(anon_client, db, tokens, monkeypatch):
    """The check before the write let the report through, the one inside it holds it (the
    machine was renamed meanwhile): held all the same, nothing stored."""
    enrolled_pc(anon_client, tokens)
    real_check, calls = enrollment.check, []

    def check_passing_first(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            return enrollment.Admission(key=PC_ID, unit_code="HTM", enroll=NEW_ID)
        return real_check(*args, **kwargs)

    monkeypatch.setattr(enrollment, "check", check_passing_first)
    answer = post_as_agent(anon_client, report("HTM-KT-09", NEW_ID), tokens["HTM"], MINE)
    assert is_held(answer) and len(calls) == 2
    assert [row.machine_id for row in held.listing(db)] == [NEW_ID]
    assert stored(db) == {PC_ID: "HCL-KT-01"}
