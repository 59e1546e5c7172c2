"""The naming guideline: valid Windows names, patterns, and the unit a name belongs to."""

from __future__ import annotations

import pytest

from shared.naming import NamingRule, PatternError, is_netbios_name, parse_pattern

CODES = ["SXD", "HTM", "HT", "STTTT"]


@pytest.mark.parametrize(
    "name, valid",
    [
        ("SXD-KT01", True),
        ("A", True),
        ("ABCDEFGHIJKLMNO", True),
        ("ABCDEFGHIJKLMNOP", False),  # 16 characters
        ("SXD_KT01", False),
        ("SXD KT01", False),
        ("SXĐ-KT01", False),
        ("SXD.KT01", False),
        ("12345", False),
        ("", False),
    ],
)
def test_netbios_names(name, valid):
    assert is_netbios_name(name) is valid


@pytest.mark.parametrize(
    "hostname, unit",
    [
        ("SXD-KT01", "SXD"),
        ("sxd-kt01", "SXD"),
        ("SXD-KE-TOAN-1", "SXD"),
        ("HTM-01", "HTM"),
        ("HT-01", "HT"),
        ("SXD-", None),
        ("SXD", None),
        ("PC-SXD-01", None),
        ("DESKTOP-7HF2K", None),
        ("SXD-KETOAN-PHONG1", None),  # 17 characters: never per guideline
        ("SXD_KT01", None),
        ("ABC-01", None),  # a character Windows refuses; an unknown code
    ],
)
def test_default_pattern(hostname, unit):
    assert NamingRule("{unit}-{any}", CODES).unit_of(hostname) == unit


@pytest.mark.parametrize(
    "pattern, hostname, unit",
    [
        ("{unit}{n}", "HTM01", "HTM"),  # the longest known code wins
        ("{unit}{n}", "HT01", "HT"),
        ("{unit}{n}", "HTMA1", None),
        ("{unit}-{text}{n}", "SXD-KT01", "SXD"),
        ("{unit}-{text}{n}", "SXD-0101", None),
        ("PC-{unit}-{n}", "pc-sttttt-1", None),
        ("PC-{unit}-{n}", "pc-stttt-1", "STTTT"),
        ("{UNIT}-{Any}", "SXD-X", "SXD"),
    ],
)
def test_patterns(pattern, hostname, unit):
    assert NamingRule(pattern, CODES).unit_of(hostname) == unit


@pytest.mark.parametrize(
    "pattern, reason",
    [
        ("", "empty"),
        ("{any}-{n}", "exactly once"),
        ("{unit}-{unit}", "exactly once"),
        ("{unit}_{any}", "letters, digits and hyphens"),
        ("{unit}-{what}", "unknown placeholder"),
        ("{unit-{any}", "unmatched"),
        ("{unit}}", "unmatched"),
        ("x" * 101, "longer"),
    ],
)
def test_bad_patterns_are_refused_with_a_reason(pattern, reason):
    with pytest.raises(PatternError, match=reason):
        parse_pattern(pattern)


def test_no_units_means_no_name_follows():
    assert NamingRule("{unit}-{any}", []).unit_of("SXD-KT01") is None


def test_example_name():
    assert NamingRule("{unit}-{text}{n}", CODES).example("sxd") == "SXD-KT01"
