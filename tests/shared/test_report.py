"""The report contract accepts what the agent sends and names every problem precisely."""

from __future__ import annotations

import copy

import pytest

from shared.report import field_reference, parse_timestamp, validate
from tests.builders import make_report


def test_builder_report_is_valid():
    assert validate(make_report()) == []


def _with(path, value):
    report = make_report()
    target = report
    *parents, last = path.split(".")
    for key in parents:
        target = target[key]
    if value is KeyError:
        del target[last]
    else:
        target[last] = value
    return report


@pytest.mark.parametrize(
    "path, value, problem",
    [
        ("schema_version", 2, "schema_version: must be 1"),
        ("schema_version", True, "schema_version: must be a whole number"),
        ("report_id", "not-a-uuid", "report_id: must be a UUID"),
        (
            "collected_at",
            "2024-05-12 10:00",
            "collected_at: must be an ISO 8601 time with a UTC offset",
        ),
        (
            "collected_at",
            "2024-05-12T10:00:00",
            "collected_at: must be an ISO 8601 time with a UTC offset",
        ),
        ("machine.hostname", "x" * 256, "machine.hostname: must be at most 255 characters"),
        ("machine.hostname", "   ", "machine.hostname: has an invalid format"),
        ("machine.hostname", "PC\x00-01", "machine.hostname: must not contain control characters"),
        ("machine.hostname", KeyError, "machine.hostname: is required"),
        ("machine.machine_id", "a b", "machine.machine_id: has an invalid format"),
        ("machine.device_type", "toaster", "machine.device_type: must be one of"),
        (
            "machine.addresses",
            [{"ip": "1.2.3.4", "mac": None}] * 65,
            "machine.addresses: must have at most 64 items",
        ),
        ("machine.addresses", [None], "machine.addresses[0]: must not be null"),
        ("antivirus.status", "maybe", "antivirus.status: must be one of detected, none, unknown"),
        ("agent.unit_code", "<script>", "agent.unit_code: has an invalid format"),
        ("management_agent", "yes", "management_agent: must be an object"),
        ("errors", ["x" * 501], "errors[0]: must be at most 500 characters"),
        ("surprise", 1, "'surprise': is not a field of the report"),
    ],
)
def test_each_problem_names_its_field(path, value, problem):
    problems = validate(_with(path, value))
    assert any(p.startswith(problem) for p in problems), problems


def test_ram_must_be_a_sane_whole_number():
    report = make_report()
    report["machine"]["ram"]["visible_bytes"] = -1
    report["machine"]["ram"]["installed_bytes"] = 1.5
    assert validate(report) == [
        "machine.ram.installed_bytes: must be a whole number",
        "machine.ram.visible_bytes: must be between 0 and 9007199254740992",
    ]


def test_products_are_checked_item_by_item():
    report = make_report()
    bad = copy.deepcopy(report["antivirus"]["products"][0])
    bad["enabled"] = "yes"
    report["antivirus"]["products"].append(bad)
    assert validate(report) == ["antivirus.products[1].enabled: must be true or false"]


@pytest.mark.parametrize("body", [None, [], "report", 42])
def test_a_report_must_be_an_object(body):
    assert validate(body) == ["report: must be an object"]


def test_timestamps_need_an_offset():
    assert parse_timestamp("2022-05-12T03:00:00Z").utcoffset().total_seconds() == 0
    assert parse_timestamp("2022-05-12T10:00:00+07:00").hour == 10
    assert parse_timestamp("2022-05-12T10:00:00") is None


def test_every_field_is_documented():
    rows = list(field_reference())
    paths = [row[0] for row in rows]
    for path in (
        "report_id",
        "machine.ram.installed_bytes",
        "antivirus.products[].up_to_date",
        "management_agent.running",
        "errors",
    ):
        assert path in paths
    assert all(row[3] for row in rows)


def test_text_that_cannot_be_stored_or_displays_as_another_is_refused():
    for hostname in ("PC-\ud800", "PC-\u202etxt.exe", "PC-\u2067X"):
        report = make_report(hostname=hostname, machine_id="guid-0001-aaaa")
        assert validate(report) == [
            "machine.hostname: must be valid Unicode text without direction overrides "
            "or noncharacters (U+FFFE, U+FFFF, ...)"
        ]


@pytest.mark.parametrize("separator", ["\u2028", "\u2029"])
def test_a_hostname_is_one_line(separator):
    # Line and paragraph separators break a name over lines in pages, logs and letters,
    # as "\n", NEL (U+0085) and the other C0/C1 breaks do; those are control characters.
    for hostname in (f"PC-01{separator}", f"PC{separator}01", f"{separator}PC-01"):
        report = make_report(hostname=hostname, machine_id="guid-0001-aaaa")
        assert validate(report) == [
            "machine.hostname: must be one line, without line or paragraph separators "
            "(U+2028, U+2029)"
        ]
    for hostname in ("PC-01\n", "PC-01\x85", "PC-01\x0b"):
        assert validate(make_report(hostname=hostname, machine_id="guid-0001-aaaa")) == [
            "machine.hostname: must not contain control characters"
        ]
