"""Exports are made a few at a time and streamed: a burst of them cannot starve the server."""

from __future__ import annotations

import pytest

from collector.store.units import save_units
from tests.builders import make_report


@pytest.fixture
def unit(db):
    save_units(db, [(2, {"code": "HTM", "name": "Huyện Tháp Mười", "allocated": "330"})])


def test_exports_beyond_the_limit_wait_with_a_503_and_the_health_check_answers(app, client, unit):
    app.config["EXPORTS_AT_ONCE"] = 1
    first = client.get("/exports/units/HTM/machines.xlsx", buffered=False)
    assert first.status_code == 200  # made, but not yet read to the end
    busy = client.get("/exports/rollup.csv")
    assert busy.status_code == 503 and int(busy.headers["Retry-After"]) > 0
    assert client.get("/api/v1/health").status_code == 200
    first.close()
    assert client.get("/exports/rollup.csv").status_code == 200


def test_a_refused_export_gives_its_slot_back(app, client, unit):
    app.config["EXPORTS_AT_ONCE"] = 1
    assert client.get("/exports/units/HTM/machines.csv?tab=everything").status_code == 400
    assert client.get("/exports/units/NOPE/machines.csv").status_code == 404
    assert client.get("/exports/units/HTM/machines.csv").status_code == 200


def test_a_long_csv_streams_in_pieces(client, unit):
    for number in range(3):
        client.post(
            "/api/v1/reports", json=make_report(hostname=f"HTM-{number:02}", unit_code="HTM")
        )
    answer = client.get("/exports/units/HTM/machines.csv", buffered=False)
    assert answer.is_streamed
    text = b"".join(answer.response).decode("utf-8-sig")
    assert text.count("HTM-0") == 3


def test_one_officer_cannot_take_every_export_slot(app, client, db, unit):
    from collector.store import users
    from tests.reporting import login

    users.add_user(db, "tests", "viewer1", "viewer-password-1", "viewer")
    viewer = app.test_client()
    assert login(viewer, "viewer1", "viewer-password-1").status_code == 302
    assert app.config["EXPORTS_AT_ONCE"] == 2
    first = viewer.get("/exports/rollup.xlsx", buffered=False)
    second = viewer.get("/exports/machines.xlsx", buffered=False)
    assert (first.status_code, second.status_code) == (200, 503)
    other = client.get("/exports/rollup.csv", buffered=False)  # another officer still gets one
    assert other.status_code == 200
    first.close()
    other.close()
    assert viewer.get("/exports/machines.csv").status_code == 200
