"""Odd query strings get a 4xx or a normal page, never a 500 (found by review)."""

from __future__ import annotations

import pytest

from collector.store.units import save_units
from tests.reporting import csrf_token


@pytest.fixture
def unit(db):
    save_units(db, [(2, {"code": "HTM", "name": "Huyện Tháp Mười", "allocated": "330"})])


@pytest.mark.parametrize(
    "url",
    [
        "/?as_of=0001-01-01",
        "/units?as_of=0001-01-01",
        "/units/HTM?as_of=0001-01-01",
        "/machines?as_of=0001-01-01",
        "/api/v1/rollup?as_of=0001-01-01",
        "/api/v1/rollup/machines?as_of=0001-01-01",
        "/api/v1/units/HTM/machines?as_of=0001-01-01",
        "/exports/rollup.csv?as_of=0001-01-01",
        "/exports/units/HTM/machines.xlsx?as_of=0001-01-01",
    ],
)
def test_an_as_of_before_avroll_existed_is_a_400(client, unit, url):
    assert client.get(url).status_code == 400


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/rollup/machines?page=9223372036854775808",
        "/api/v1/units/HTM/machines?page=9223372036854775808",
        "/machines?page=9223372036854775808",
        "/machines?as_of=%202022-01-01",
    ],
)
def test_huge_pages_and_padded_dates_are_answered(client, unit, url):
    assert client.get(url).status_code == 200


def test_revoking_a_token_id_past_any_integer_is_a_404(client):
    answer = client.post(
        "/admin/tokens/99999999999999999999/revoke", data={"csrf_token": csrf_token(client)}
    )
    assert answer.status_code == 404


@pytest.mark.parametrize("url", ["/exports/rollup.csv", "/admin/units.csv"])
def test_csv_downloads_name_their_charset_once(client, unit, url):
    assert client.get(url).headers["Content-Type"] == "text/csv; charset=utf-8"
