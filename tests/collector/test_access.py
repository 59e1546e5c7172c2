"""Nobody gets in who shouldn't: logins, sessions, CSRF, roles and unit scope."""

from __future__ import annotations

import re

import pytest
from werkzeug.routing import Rule

from collector.store import login_failures, users
from collector.web import access
from tests.builders import make_report
from tests.reporting import csrf_token, login

# Reachable without a session. Adding to this list is a decision to review.
PUBLIC = {
    "static",
    "api.health",
    "api.post_report",
    "inventory.post_inventory",
    "auth.login",
    "national.push_state",
    "national.push_day",
    "national.push_issued",
}


def url_for_rule(rule: Rule):
    """A concrete URL for any rule, with placeholder values for its arguments."""
    return rule.build({name: "x" for name in rule.arguments}, append_unknown=False)[1]


def routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_public_allow_list_is_what_the_code_allows():
    assert access.PUBLIC_ENDPOINTS == PUBLIC


def test_every_route_needs_a_login(app, anon_client, db):
    checked = 0
    for rule, method in routes(app):
        if rule.endpoint in PUBLIC:
            continue
        url = url_for_rule(rule)
        answer = anon_client.open(url, method=method)
        if url.startswith("/api/"):
            assert answer.status_code == 401, (method, url)
            assert answer.json["status"] == 401
        else:
            assert answer.status_code == 302, (method, url)
            assert answer.headers["Location"].startswith("/login"), (method, url)
        checked += 1
    assert checked >= 5
    assert db.execute("SELECT count(*) FROM audit_log").fetchone()[0] == 1  # the admin only


def test_unknown_urls_do_not_reveal_anything_without_login(anon_client):
    assert anon_client.get("/nothing-here").status_code == 302
    assert anon_client.get("/api/v1/nothing").status_code == 401


def test_public_routes_answer_without_login(anon_client):
    assert anon_client.get("/api/v1/health").json == {"ok": True}
    assert anon_client.get("/static/avroll.css").status_code == 200
    assert anon_client.get("/login").status_code == 200


def test_login_then_logout(anon_client):
    assert anon_client.get("/machines").status_code == 302
    answer = login(anon_client, "ADMIN", "admin-password-for-tests")
    assert answer.status_code == 302
    assert anon_client.get("/machines").status_code == 200
    assert (
        anon_client.post("/logout", data={"csrf_token": csrf_token(anon_client)}).status_code == 302
    )
    assert anon_client.get("/machines").status_code == 302


def test_wrong_password_is_refused(anon_client):
    answer = login(anon_client, "admin", "not-the-password")
    assert answer.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu" in answer.get_data(as_text=True)
    assert anon_client.get("/machines").status_code == 302


def test_login_redirects_only_within_the_site(anon_client):
    anon_client.get("/login")
    for target, expected in [
        ("/machines?q=a", "/machines?q=a"),
        ("//evil.example/", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("/\t/evil.example", "/"),
        ("/\n/evil.example", "/"),
        ("/ /evil.example", "/"),
        ("/\r\nSet-Cookie: x=1", "/"),
    ]:
        answer = anon_client.post(
            "/login",
            data={
                "username": "admin",
                "password": "admin-password-for-tests",
                "next": target,
                "csrf_token": csrf_token(anon_client),
            },
        )
        assert answer.headers["Location"] == expected, target


@pytest.mark.parametrize(
    "data",
    [
        {"username": "admin", "password": "admin-password-for-tests"},
        {"username": "admin", "password": "admin-password-for-tests", "csrf_token": "forged"},
    ],
)
def test_login_without_the_csrf_token_is_refused(anon_client, data):
    anon_client.get("/login")
    answer = anon_client.post("/login", data=data)
    assert answer.status_code == 400
    assert anon_client.get("/machines").status_code == 302


def test_logout_without_the_csrf_token_is_refused(client):
    assert client.post("/logout").status_code == 400
    assert client.get("/machines").status_code == 200


def test_every_form_carries_the_csrf_token(client):
    html = client.get("/machines").get_data(as_text=True)
    posting = re.findall(r'<form[^>]*method="post"[^>]*>(.*?)</form>', html, re.S)
    assert posting, "the logout form is on every page"
    for form in posting:
        assert f'name="csrf_token" value="{csrf_token(client)}"' in form


def test_repeated_failures_slow_the_username_from_that_address(anon_client):
    for _ in range(login_failures.FREE_PER_ACCOUNT):
        assert login(anon_client, "admin", "guess-guess-guess").status_code == 401
    locked = login(anon_client, "admin", "admin-password-for-tests")
    assert locked.status_code == 429
    assert anon_client.get("/machines").status_code == 302


def test_session_cookie_flags(anon_client):
    answer = login(anon_client, "admin", "admin-password-for-tests")
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP in auto mode


def test_session_cookie_is_secure_over_https(app):
    browser = app.test_client()
    browser.get("/login", base_url="https://avroll.example")
    with browser.session_transaction(base_url="https://avroll.example") as session:
        token = session["csrf_token"]
    answer = browser.post(
        "/login",
        base_url="https://avroll.example",
        data={"username": "admin", "password": "admin-password-for-tests", "csrf_token": token},
    )
    assert "Secure" in answer.headers["Set-Cookie"]


def test_secure_cookies_can_be_forced_on(app, anon_client):
    app.config["SESSION_COOKIE_SECURE"] = "on"
    assert "Secure" in anon_client.get("/login").headers["Set-Cookie"]


def test_disabling_a_user_ends_their_session(client, db):
    users.set_disabled(db, "tests", "admin", True)
    assert client.get("/machines").status_code == 302


def test_resetting_a_password_ends_sessions(client, db):
    users.reset_password(db, "tests", "admin", "a-brand-new-password")
    assert client.get("/machines").status_code == 302


def test_security_headers_on_pages(client):
    answer = client.get("/machines")
    assert "script-src 'self'" in answer.headers["Content-Security-Policy"]
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_audit_log_is_for_admins_only(app, client, anon_client, db):
    users.add_user(db, "tests", "viewer1", "viewer-password", "viewer")
    html = client.get("/audit").get_data(as_text=True)
    assert "Thêm người dùng" in html and "viewer1" in html
    login(anon_client, "viewer1", "viewer-password")
    assert anon_client.get("/machines").status_code == 200
    assert anon_client.get("/audit").status_code == 403
    assert "/audit" not in anon_client.get("/machines").get_data(as_text=True)


def seed_units(db, pairs):
    """A units tree (code, parent), written straight to the table (even a bad loop)."""
    db["units"].insert_all(
        [
            {"code": code, "name": code, "parent": parent, "position": index}
            for index, (code, parent) in enumerate(pairs)
        ]
    )


def test_visible_units_of_each_role(db):
    seed_units(db, [("HCM", None), ("Q1", "HCM"), ("P1", "Q1"), ("Q2", "HCM"), ("SYT", None)])
    officer = {"role": "unit", "unit_code": "q1"}
    assert access.visible_unit_codes(db, officer) == {"Q1", "P1"}
    assert access.visible_unit_codes(db, {"role": "unit", "unit_code": "HCM"}) == {
        "HCM",
        "Q1",
        "P1",
        "Q2",
    }
    assert access.visible_unit_codes(db, {"role": "viewer", "unit_code": None}) is None
    assert access.visible_unit_codes(db, {"role": "admin", "unit_code": None}) is None
    assert access.visible_unit_codes(db, None) == frozenset()


def test_visible_units_without_a_units_table_is_the_officers_own(db):
    assert access.visible_unit_codes(db, {"role": "unit", "unit_code": "SXD"}) == {"SXD"}


def test_visible_units_survive_a_cycle(db):
    seed_units(db, [("A", "B"), ("B", "A")])
    assert access.visible_unit_codes(db, {"role": "unit", "unit_code": "A"}) == {"A", "B"}


@pytest.fixture
def unit_officer(app, client, anon_client, db):
    """Machines of units SXD, SXD1 (under SXD) and STC; an officer of SXD logged in."""
    seed_units(db, [("SXD", None), ("SXD1", "SXD"), ("STC", None)])
    for hostname, unit in [
        ("SXD-KT-01", "SXD"),
        ("SXD1-VP-01", "SXD1"),
        ("STC-KT-01", "STC"),
        ("NOUNIT-01", None),
    ]:
        assert (
            client.post(
                "/api/v1/reports",
                json=make_report(
                    hostname=hostname, machine_id=f"guid-{hostname.lower()}", unit_code=unit
                ),
            ).status_code
            == 201
        )
    users.add_user(db, "tests", "sxd", "officer-password", "unit", "SXD")
    assert login(anon_client, "sxd", "officer-password").status_code == 302
    return anon_client


def test_unit_officer_lists_only_their_units(unit_officer):
    listing = unit_officer.get("/api/v1/machines").json
    assert sorted(m["hostname"] for m in listing["machines"]) == ["SXD-KT-01", "SXD1-VP-01"]
    assert listing["total"] == 2
    html = unit_officer.get("/machines").get_data(as_text=True)
    assert "SXD1-VP-01" in html and "STC-KT-01" not in html and "NOUNIT-01" not in html


def test_unit_officer_cannot_open_another_units_machine(unit_officer):
    assert unit_officer.get("/machines/guid-sxd1-vp-01").status_code == 200
    for machine in ("guid-stc-kt-01", "guid-nounit-01"):
        assert unit_officer.get(f"/machines/{machine}").status_code == 404
        assert unit_officer.get(f"/api/v1/machines/{machine}").status_code == 404


def test_unit_officer_cannot_search_into_another_unit(unit_officer):
    found = unit_officer.get("/api/v1/machines?q=STC").json
    assert found["total"] == 0


def test_unit_officer_rollup_is_held_to_their_subtree(unit_officer):
    rollup = unit_officer.get("/api/v1/rollup").json
    assert rollup["ok"] is True
    codes = {unit["code"] for section in rollup["sections"] for unit in section["units"]}
    assert "STC" not in codes and codes and codes <= {"SXD", "SXD1"}
    assert unit_officer.get("/api/v1/rollup?parent=STC").status_code == 404
    states = unit_officer.get("/api/v1/rollup/machines").json
    assert sorted(m["hostname"] for m in states["machines"]) == ["SXD-KT-01", "SXD1-VP-01"]
    assert unit_officer.get("/api/v1/rollup/machines?unit=STC").status_code == 404


def post_machine(client, hostname, unit):
    assert (
        client.post(
            "/api/v1/reports",
            json=make_report(
                hostname=hostname, machine_id=f"guid-{hostname.lower()}", unit_code=unit
            ),
        ).status_code
        == 201
    )


def test_a_machine_is_seen_where_it_belongs_in_lists_and_detail_alike(client, unit_officer):
    post_machine(client, "STC-KT-09", "SXD")  # enrolled for SXD, named for STC: STC's
    post_machine(client, "SXD-KT-09", "STC")  # enrolled for STC, named for SXD: SXD's
    listed = {m["hostname"] for m in unit_officer.get("/api/v1/machines").json["machines"]}
    page = unit_officer.get("/machines").get_data(as_text=True)
    assert "SXD-KT-09" in listed and "SXD-KT-09" in page
    assert "STC-KT-09" not in listed and "STC-KT-09" not in page
    assert unit_officer.get("/machines/guid-sxd-kt-09").status_code == 200
    assert unit_officer.get("/api/v1/machines/guid-sxd-kt-09").status_code == 200
    assert unit_officer.get("/machines/guid-stc-kt-09").status_code == 404
    assert unit_officer.get("/api/v1/machines/guid-stc-kt-09").status_code == 404


def test_a_shared_misnamed_name_shows_only_the_officers_own_machine(client, unit_officer):
    post_machine(client, "DUP-1", "SXD")
    assert (
        client.post(
            "/api/v1/reports",
            json=make_report(hostname="DUP-1", machine_id="guid-dup-1-stc", unit_code="STC"),
        ).status_code
        == 201
    )
    shared = unit_officer.get("/api/v1/rollup").json["checks"]["duplicate_hostnames"]
    assert shared == [{"hostname": "DUP-1", "machine_ids": ["guid-dup-1"]}]
    # The list of shared names finds it too, though its twin is in another unit.
    listed = unit_officer.get("/api/v1/rollup/machines?duplicates=1").json["machines"]
    assert [m["machine_id"] for m in listed] == ["guid-dup-1"]


def test_the_parent_filter_offers_only_the_officers_units(db, unit_officer):
    seed_units(db, [("HCL", None), ("XB1", "HCL")])
    page = unit_officer.get("/units").get_data(as_text=True)
    assert 'value="SXD"' in page and 'value="HCL"' not in page
