"""Recorded Windows PCs replayed through the code the agent runs: raw records → report.

Each fixture holds what `agent.windows.api` reads on one kind of PC (fixtures/windows/README.md
names where each shape comes from). Only the Windows calls are replaced; the time limits,
parsing, merging and the report are the agent's own, and every report must pass the
collector's validation.
"""

from __future__ import annotations

import sys

import pytest

from agent import system
from agent.windows import api, facts
from shared.report import validate
from tests.agent.windows_replay import FIXTURES, REPLAY_TIMEOUT, load, replay

GB = 2**30


def report_of(monkeypatch, name, **changes):
    recorded = load(name)
    recorded.update(changes)
    report = replay(monkeypatch, recorded)
    assert validate(report) == []
    return report


def products(report):
    return {p["name"]: p for p in report["antivirus"]["products"]}


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.json")), ids=lambda p: p.stem)
def test_every_fixture_records_every_source_or_its_failure(path):
    recorded = load(path.name)
    names = {source.name for source in api.sources()}
    assert names <= set(recorded) | set(recorded["errors"])
    assert set(recorded) - names <= {"errors", "visible_ram_bytes"}


def test_windows_7_kes_10_and_network_agent(monkeypatch):
    report = report_of(monkeypatch, "win7_kes10_network_agent.json")
    machine = report["machine"]
    assert machine["hostname"] == "TMUBND-KT03"
    assert machine["os"]["name"] == "Microsoft Windows 7 Professional"
    assert machine["ram"]["installed_bytes"] == 2 * GB
    assert machine["hardware_uuid"] == "4c4c4544-0043-3310-8036-b8c04f4a3132"
    assert report["antivirus"]["status"] == "detected"
    # Listed twice by Security Center, once in the registry, once as a service: one product.
    # Windows 7's WinDefend is antispyware, not an antivirus product.
    assert list(products(report)) == ["Kaspersky Endpoint Security 10 for Windows"]
    kes = products(report)["Kaspersky Endpoint Security 10 for Windows"]
    assert (kes["version"], kes["enabled"], kes["up_to_date"]) == ("10.3.0.6294", True, True)
    assert kes["signatures_updated_at"] == "2022-05-12T01:10:00+00:00"
    assert report["management_agent"] == {
        "name": "Kaspersky Security Center Network Agent",
        "installed": True,
        "running": True,
        "version": "10.5.1781",
        "server": "ksc.sotttt.dongthap.gov.vn",
        "last_connected_at": "2022-05-12T02:31:07+00:00",
    }
    # No Defender namespace on Windows 7: an absent source, not a failure.
    assert report["errors"] == []


def test_windows_10_defender_only(monkeypatch):
    report = report_of(monkeypatch, "win10_defender_only.json")
    machine = report["machine"]
    assert machine["machine_id"] == "5b1c2d3e-4f50-4617-8a9b-0c1d2e3f4a5b"
    assert machine["os"] == {
        "family": "windows",
        "name": "Microsoft Windows 10 Pro",
        "version": "10.0.19045",
        "build": "19045.1766",
        "edition": "Professional",
        "server": False,
    }
    assert (machine["device_type"], machine["serial"]) == ("desktop", "7XK2Q13")
    assert machine["domain"] == "WORKGROUP"
    assert report["antivirus"] == {
        "status": "detected",
        "products": [
            {
                "name": "Windows Defender",
                "vendor": "Microsoft",
                "version": "4.18.2205.7",
                "enabled": True,
                "up_to_date": True,
                "signatures_updated_at": "2022-06-12T20:03:11+00:00",
                "sources": ["securitycenter", "service", "defender"],
            }
        ],
    }
    assert report["management_agent"] is None


def test_windows_10_kes_11_with_defender_passive(monkeypatch):
    report = report_of(monkeypatch, "win10_kes11_defender_passive.json")
    machine = report["machine"]
    assert machine["device_type"] == "laptop"
    assert machine["dns_name"] == "stnmt-lt-12.stnmt.dongthap.local"
    found = products(report)
    assert found["Kaspersky Endpoint Security for Windows"]["enabled"] is True
    assert found["Kaspersky Endpoint Security for Windows"]["version"] == "11.6.0.394"
    assert found["Windows Defender"]["enabled"] is False
    assert report["management_agent"]["version"] == "13.2.0.1511"
    assert report["management_agent"]["server"] == "10.20.0.5"


def test_windows_11_kes_12_with_a_stale_defender_entry(monkeypatch):
    report = report_of(monkeypatch, "win11_kes12_stale_defender.json")
    found = products(report)
    kes = found["Kaspersky Endpoint Security for Windows"]
    assert (kes["version"], kes["enabled"]) == ("12.3.0.493", True)
    # Security Center still says "on, up to date"; Defender itself says it is not running.
    defender = found["Windows Defender"]
    assert (defender["enabled"], defender["up_to_date"]) == (False, None)
    assert report["machine"]["serial"] == "N9PTCG0123456"  # BIOS said "System Serial Number"
    assert report["management_agent"]["running"] is False
    assert report["machine"]["os"]["build"] == "22631.3447"


def test_windows_server_2019_with_kaspersky_security_for_windows_server(monkeypatch):
    report = report_of(monkeypatch, "ws2019_ksws.json")
    machine = report["machine"]
    assert machine["os"]["server"] is True
    assert machine["device_type"] == "virtual"
    assert machine["ram"]["installed_bytes"] == 16 * GB
    assert report["antivirus"]["products"] == [
        {
            "name": "Kaspersky Security 11 for Windows Server",
            "vendor": "Kaspersky",
            "version": "11.0.1.897",
            "enabled": True,
            "up_to_date": None,
            "signatures_updated_at": "2022-06-15T03:30:00+00:00",
            "sources": ["registry", "service"],
        }
    ]
    assert report["errors"] == []  # no Security Center on a server is no failure


def test_windows_server_where_services_and_registry_show_nothing_has_none(monkeypatch):
    report = report_of(monkeypatch, "ws2012r2_nothing.json")
    assert report["antivirus"] == {"status": "none", "products": []}
    assert report["machine"]["device_type"] == "server"
    assert report["management_agent"] is None


def test_windows_server_whose_services_could_not_be_read_is_unknown(monkeypatch):
    recorded = load("ws2012r2_nothing.json")
    recorded["errors"]["services"] = "PermissionError: [WinError 5] Access is denied"
    report = replay(monkeypatch, recorded)
    assert validate(report) == []
    assert report["antivirus"]["status"] == "unknown"
    assert report["errors"] == ["services: PermissionError: [WinError 5] Access is denied"]


def test_windows_10_with_bkav(monkeypatch):
    report = report_of(monkeypatch, "win10_bkav.json")
    found = products(report)
    assert found["Bkav Pro"]["vendor"] == "BKAV"
    assert found["Bkav Pro"]["sources"] == ["securitycenter", "registry", "service"]
    assert "Kaspersky Free" not in found  # uninstalled: its Security Center entry is stale
    assert found["Windows Defender"]["enabled"] is False
    # "To be filled by O.E.M." is no serial, manufacturer or model, and the AMI default
    # UUID no identity: left out.
    assert {"serial", "manufacturer", "model", "hardware_uuid"}.isdisjoint(report["machine"])
    assert report["machine"]["ram"]["installed_bytes"] == 2 * GB
    assert report["errors"] == [f"defender: no answer within {REPLAY_TIMEOUT:g} s"]


def test_a_source_that_hangs_costs_its_line_and_the_report_still_goes(monkeypatch):
    recorded = load("win10_defender_only.json")
    for name in ("services", "uninstall", "security_center", "defender"):
        recorded["errors"][name] = "timeout"
    outcomes = []
    report = replay(monkeypatch, recorded, outcomes=outcomes)
    assert validate(report) == []
    assert report["machine"]["hostname"] == "STTTT-KT-07"
    assert report["antivirus"]["status"] == "unknown"
    assert f"services: no answer within {REPLAY_TIMEOUT:g} s" in report["errors"]
    timed_out = {o.name for o in outcomes if o.error and o.error.startswith("no answer")}
    assert timed_out == {"services", "uninstall", "security_center", "defender"}


def test_the_firmware_figure_falls_back_to_the_memory_modules(monkeypatch):
    report = report_of(
        monkeypatch,
        "ws2019_ksws.json",
        errors={
            "firmware_ram": "OSError: [Errno 1] GetPhysicallyInstalledSystemMemory failed",
            "security_center": "COMError: (-2147217394, None, (None, None, None, 0, None))",
            "defender": "COMError: (-2147217394, None, (None, None, None, 0, None))",
        },
    )
    assert report["machine"]["ram"]["installed_bytes"] == 16 * GB
    assert report["errors"] == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("20250311015218.000000+000", "2025-03-11T01:52:18+00:00"),
        ("20220612200311.000000+420", "2022-06-12T13:03:11+00:00"),
        ("16010101000000.000000+000", "1601-01-01T00:00:00+00:00"),
        ("", None),
        (None, None),
        ("yesterday", None),
        ("2025031101521.000000+000", None),
    ],
)
def test_wmi_datetimes(text, expected):
    assert facts.dmtf_time(text) == expected


def test_every_source_has_a_time_limit_within_the_budget():
    # The collection's budget is 10 s; sources run at once, then psutil's two (2 s).
    assert all(0 < source.timeout <= 5 for source in api.sources())
    assert len({source.name for source in api.sources()}) == len(api.sources())


@pytest.mark.skipif(sys.platform != "win32", reason="reads this Windows PC for real")
def test_the_windows_sources_answer_on_a_real_pc():
    from agent.sources import read_sources, records_and_errors

    records, errors = records_and_errors(read_sources(api.sources()))
    for name in (
        "machine_guid",
        "current_version",
        "uninstall",
        "services",
        "os",
        "computer",
        "computer_product",
        "bios",
        "enclosure",
    ):
        assert name not in errors, errors
    found = facts.facts_from_records(records, errors)
    assert found["os"]["family"] == "windows" and found["machine_id"]


def test_windows_11_kes_12_connected_with_its_licence(monkeypatch):
    report = report_of(monkeypatch, "win11_kes12_connected.json")
    kes = products(report)["Kaspersky Endpoint Security for Windows"]
    assert (kes["version"], kes["enabled"], kes["up_to_date"]) == ("12.6.0.438", True, True)
    # The bases' date from AVState wins over the product's own last update time.
    assert kes["signatures_updated_at"] == "2026-11-29T21:14:00+00:00"
    # 397 days from the day the values were read (2026-11-30).
    assert kes["licence_expires_at"] == "2028-01-01T00:00:00+00:00"
    assert report["management_agent"] == {
        "name": "Kaspersky Security Center Network Agent",
        "installed": True,
        "running": True,
        "version": "15.1.0.20748",
        "server": "ksc.sonoivu.dongthap.gov.vn",
        "last_connected_at": "2026-11-30T01:47:12+00:00",
    }
    assert report["machine"]["os"]["build"] == "26100.2314"
    assert report["machine"]["dns_name"] == "snv-kt-04.snv.dongthap.local"


def test_a_network_agent_silent_for_40_days_reports_when_it_last_connected(monkeypatch):
    report = report_of(monkeypatch, "win10_kes11_agent_silent_40_days.json")
    agent = report["management_agent"]
    assert (agent["running"], agent["server"]) == (True, "ksc.caolanh.dongthap.gov.vn")
    assert agent["last_connected_at"] == "2026-10-21T08:05:59+00:00"
    # Judging "connected" is the collector's: the agent never turns a date into a verdict.
    kes = products(report)["Kaspersky Endpoint Security for Windows"]
    assert kes["signatures_updated_at"] == "2026-10-19T23:02:00+00:00"


@pytest.mark.parametrize(
    "name, product, version, signatures, os_name",
    [
        (
            "ws2016_ksws10.json",
            "Kaspersky Security 10.1.2 for Windows Server",
            "10.1.2.996",
            "2026-11-28T17:40:00+00:00",
            "Microsoft Windows Server 2016 Standard",
        ),
        (
            "ws2019_ksws.json",
            "Kaspersky Security 11 for Windows Server",
            "11.0.1.897",
            "2022-06-15T03:30:00+00:00",
            "Microsoft Windows Server 2019 Standard",
        ),
        (
            "ws2022_ksws12.json",
            "Kaspersky Security for Windows Server",
            "12.0.0.477",
            "2026-11-29T20:20:00+00:00",
            "Microsoft Windows Server 2022 Datacenter",
        ),
    ],
)
def test_servers_with_ksws_report_their_signature_date(
    monkeypatch, name, product, version, signatures, os_name
):
    report = report_of(monkeypatch, name)
    assert report["machine"]["os"]["name"] == os_name and report["machine"]["os"]["server"]
    [found] = report["antivirus"]["products"]
    assert (found["name"], found["version"], found["enabled"]) == (product, version, True)
    # No Security Center on servers: "up to date" is left to the collector, judged on the date.
    assert found["up_to_date"] is None
    assert found["signatures_updated_at"] == signatures
    assert report["management_agent"]["server"] and report["management_agent"]["last_connected_at"]
    assert report["errors"] == []


def test_a_clone_shares_the_machine_guid_but_not_the_hardware_uuid(monkeypatch):
    original = report_of(monkeypatch, "win10_kes11_defender_passive.json")["machine"]
    clone = report_of(monkeypatch, "win10_kes11_clone.json")["machine"]
    assert clone["machine_id"] == original["machine_id"]
    assert clone["hostname"] != original["hostname"]
    assert (original["hardware_uuid"], clone["hardware_uuid"]) == (
        "5e1a7c2b-3f4d-11b2-a85c-8c3f2e7d9a01",
        "9d4e2a71-3f8b-11ec-a1b2-6c2408d1e3f5",
    )


def test_a_vm_with_dynamic_memory_reports_both_raw_figures(monkeypatch):
    report = report_of(monkeypatch, "win10_hyperv_dynamic_memory.json")
    machine = report["machine"]
    assert machine["device_type"] == "virtual"
    # The firmware lists the 1 GB start-up memory; the OS sees 26 GB. Both go as read.
    assert machine["ram"] == {"installed_bytes": 1 * GB, "visible_bytes": 27917287424}


def test_a_russian_kes_10_is_one_product_under_its_own_name(monkeypatch):
    report = report_of(monkeypatch, "win7_kes10_russian.json")
    [kes] = report["antivirus"]["products"]
    assert kes["name"] == "Kaspersky Endpoint Security 10 для Windows"
    assert (kes["vendor"], kes["version"]) == ("Kaspersky", "10.2.2.10535")
    assert kes["sources"] == ["securitycenter", "registry", "service"]
    agent = report["management_agent"]
    assert (agent["version"], agent["running"]) == ("10.2.434", True)


def without(rows, *names):
    return [{k: v for k, v in row.items() if k not in names} for row in rows]


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.json")), ids=lambda p: p.stem)
def test_every_fixture_gives_the_same_report_read_through_wmi(monkeypatch, path):
    def comparable(report):
        return {k: v for k, v in report.items() if k not in ("report_id", "collected_at")}

    by_source = replay(monkeypatch, load(path.name))
    through_wmi = replay(monkeypatch, load(path.name), through_wmi=True)
    assert comparable(through_wmi) == comparable(by_source)


@pytest.mark.parametrize("name", ["win7_kes10_network_agent.json", "win7_kes10_russian.json"])
def test_windows_7_security_center_has_no_timestamp_and_is_read(monkeypatch, name):
    # Windows 7's AntiVirusProduct has 5 properties and no `timestamp` (fusioninventory-agent
    # issue 364); the fixtures hold only what the class has.
    recorded = load(name)
    assert all("timestamp" not in row for row in recorded["security_center"])
    report = replay(monkeypatch, recorded, through_wmi=True)
    assert validate(report) == []
    [kes] = report["antivirus"]["products"]
    assert kes["sources"][0] == "securitycenter"
    assert report["errors"] == []


def test_a_defender_platform_older_than_amrunningmode_is_still_read(monkeypatch):
    # AMRunningMode came with Defender platform 4.18.2008.9 (August 2020).
    recorded = load("win10_defender_only.json")
    recorded["defender"] = without(recorded["defender"], "AMRunningMode")
    report = replay(monkeypatch, recorded, through_wmi=True)
    [defender] = report["antivirus"]["products"]
    assert defender["sources"] == ["securitycenter", "service", "defender"]
    assert (defender["enabled"], defender["version"]) == (True, "4.18.2205.7")
    assert report["errors"] == []


def test_a_computer_class_without_dns_and_domain_properties_keeps_the_others(monkeypatch):
    # Wine's Win32_ComputerSystem has no DNSHostName, PartOfDomain, Workgroup, PCSystemType.
    recorded = load("win10_kes11_defender_passive.json")
    recorded["computer"] = without(
        recorded["computer"], "DNSHostName", "PartOfDomain", "Workgroup", "PCSystemType"
    )
    report = replay(monkeypatch, recorded, through_wmi=True)
    machine = report["machine"]
    assert (machine["manufacturer"], machine["model"]) == ("LENOVO", "20S0S0CW00")
    assert "dns_name" not in machine
    assert report["errors"] == []


def test_the_hostname_is_the_netbios_name_even_when_wmi_fails(monkeypatch):
    recorded = load("win10_defender_only.json")
    recorded["errors"]["computer"] = "timeout"
    recorded["netbios_name"] = "VM"
    monkeypatch.setattr(system, "hostname", lambda: "vm")  # socket.gethostname() under Wine
    report = replay(monkeypatch, recorded)
    assert report["machine"]["hostname"] == "VM"


@pytest.mark.parametrize(
    "junk",
    [
        "FEFEFEFE-FEFE-FEFE-FEFE-FEFEFEFEFEFE",
        "00010203-0405-0607-0809-0A0B0C0D0E0F",
        "DEADBEEF-DEAD-BEEF-DEAD-BEEFDEADBEEF",
        "03000200-0400-0500-0006-000700080009",
        "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF",
        "00000000-0000-0000-0000-000000000000",
    ],
)
def test_placeholder_board_uuids_are_no_identity(monkeypatch, junk):
    report = report_of(monkeypatch, "win10_defender_only.json", computer_product=[{"UUID": junk}])
    assert "hardware_uuid" not in report["machine"]
