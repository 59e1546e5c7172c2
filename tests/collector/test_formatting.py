"""Figures as the province's reports print them."""

from __future__ import annotations

import pytest

from collector.formats import formatting


@pytest.mark.parametrize(
    "value, vi, en",
    [
        (5137, "5.137", "5,137"),
        (330, "330", "330"),
        (1234567, "1.234.567", "1,234,567"),
    ],
)
def test_numbers(value, vi, en):
    assert formatting.number(value) == vi
    assert formatting.number(value, "en") == en


@pytest.mark.parametrize(
    "ratio, text",
    [
        (3830 / 3960, "96,7%"),
        (55 / 56, "98,2%"),
        (62 / 55, "112,7%"),
        (1.0, "100,0%"),
        (25 / 35, "71,4%"),
        (0.9995, "100,0%"),
        (0.0, "0,0%"),
    ],
)
def test_percentages_round_half_up_to_one_decimal(ratio, text):
    assert formatting.percent(ratio) == text


def test_empty_values_print_empty():
    assert formatting.percent(None) == "" and formatting.number(None) == ""


def test_dates_are_local_and_day_first():
    # 20:00 UTC on 11 May is already 12 May in Vietnam (UTC+7).
    assert formatting.date("2022-05-11T20:00:00Z") == "12/05/2022"
    assert formatting.datetime_local("2022-05-11T20:00:00Z", "en") == "2022-05-12 03:00"


def test_gigabytes():
    assert formatting.gigabytes(2 * 2**30) == "2 GB"
    assert formatting.gigabytes(int(1.9 * 2**30)) == "1,9 GB"
