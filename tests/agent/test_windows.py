"""Recorded Windows outputs replayed through the code the agent runs: script output → report.

Each fixture is what the inventory script prints (see fixtures/windows/README.md for where
each shape comes from). Only the PowerShell call is replaced; parsing, merging and the
report are the agent's own, and every report must pass the collector's validation.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from agent import collect, windows, windows_script
from agent.probe import ProbeError
from shared.report import validate

FIXTURES = Path(__file__).parent / "fixtures" / "windows"
GB = 2**30


def replay(monkeypatch, name):
    """The agent's report when PowerShell prints the fixture `name`."""
    raw = (FIXTURES / name).read_text()
    monkeypatch.setattr(collect, "platform_facts", windows)
    monkeypatch.setattr(windows, "run_inventory", lambda errors: raw)
    report = collect.collect_report(unit_code="STTTT")
    assert validate(report) == []
    return report


def products(report):
    return {p["name"]: p for p in report["antivirus"]["products"]}


def test_windows_7_kes_10_and_network_agent(monkeypatch):
    report = replay(monkeypatch, "win7_kes10_network_agent.jsonl")
    machine = report["machine"]
    assert machine["hostname"] == "TMUBND-KT03"
    assert machine["os"]["name"] == "Microsoft Windows 7 Professional"
    assert machine["ram"]["installed_bytes"] == 2 * GB
    assert report["antivirus"]["status"] == "detected"
    # Listed twice by Security Center, once in the registry, once as a service: one product.
    # Windows 7's WinDefend is antispyware, not an antivirus product.
    assert list(products(report)) == ["Kaspersky Endpoint Security 10 for Windows"]
    kes = products(report)["Kaspersky Endpoint Security 10 for Windows"]
    assert (kes["version"], kes["enabled"], kes["up_to_date"]) == ("10.3.0.6294", True, True)
    assert kes["signatures_updated_at"] == "2022-05-12T01:10:00+00:00"
    assert report["management_agent"] == {
        "name": "Kaspersky Security Center Network Agent", "installed": True, "running": True,
        "version": "10.5.1781"}


def test_windows_10_defender_only(monkeypatch):
    report = replay(monkeypatch, "win10_defender_only.jsonl")
    machine = report["machine"]
    assert machine["machine_id"] == "5b1c2d3e-4f50-4617-8a9b-0c1d2e3f4a5b"
    assert machine["os"] == {"family": "windows", "name": "Microsoft Windows 10 Pro",
                             "version": "10.0.19045", "build": "19045.1766",
                             "edition": "Professional", "server": False}
    assert (machine["device_type"], machine["serial"]) == ("desktop", "7XK2Q13")
    assert machine["domain"] == "WORKGROUP"
    assert report["antivirus"] == {"status": "detected", "products": [{
        "name": "Windows Defender", "vendor": "Microsoft", "version": "4.18.2205.7",
        "enabled": True, "up_to_date": True, "signatures_updated_at": "2022-06-12T20:03:11Z",
        "sources": ["securitycenter", "service", "defender"]}]}
    assert report["management_agent"] is None


def test_windows_10_kes_11_with_defender_passive(monkeypatch):
    report = replay(monkeypatch, "win10_kes11_defender_passive.jsonl")
    machine = report["machine"]
    assert machine["device_type"] == "laptop"
    assert machine["dns_name"] == "stnmt-lt-12.stnmt.dongthap.local"
    found = products(report)
    assert found["Kaspersky Endpoint Security for Windows"]["enabled"] is True
    assert found["Kaspersky Endpoint Security for Windows"]["version"] == "11.6.0.394"
    assert found["Windows Defender"]["enabled"] is False
    assert report["management_agent"]["version"] == "13.2.0.1511"


def test_windows_11_kes_12_with_a_stale_defender_entry(monkeypatch):
    report = replay(monkeypatch, "win11_kes12_stale_defender.jsonl")
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
    report = replay(monkeypatch, "ws2019_ksws.jsonl")
    machine = report["machine"]
    assert machine["os"]["server"] is True
    assert machine["device_type"] == "virtual"
    assert machine["ram"]["installed_bytes"] == 16 * GB
    assert report["antivirus"]["products"] == [{
        "name": "Kaspersky Security 11 for Windows Server", "vendor": "Kaspersky",
        "version": "11.0.1.897", "enabled": True, "up_to_date": None,
        "signatures_updated_at": "2022-06-15T03:30:00+00:00", "sources": ["registry", "service"]}]
    assert report["errors"] == []  # no Security Center on a server is no failure


def test_windows_server_where_services_and_registry_show_nothing_has_none(monkeypatch):
    report = replay(monkeypatch, "ws2012r2_nothing.jsonl")
    assert report["antivirus"] == {"status": "none", "products": []}
    assert report["machine"]["device_type"] == "server"
    assert report["management_agent"] is None


def test_windows_server_whose_services_could_not_be_read_is_unknown(monkeypatch, tmp_path):
    lines = (FIXTURES / "ws2012r2_nothing.jsonl").read_text().splitlines()
    lines = [ln for ln in lines if not ln.startswith('{"services"')]
    lines.insert(1, '{"errors":{"services":"Access denied"}}')
    (tmp_path / "broken.jsonl").write_text("\n".join(lines))
    monkeypatch.setattr(sys.modules[__name__], "FIXTURES", tmp_path)
    report = replay(monkeypatch, "broken.jsonl")
    assert report["antivirus"]["status"] == "unknown"
    assert "services: Access denied" in report["errors"]


def test_windows_10_with_bkav(monkeypatch):
    report = replay(monkeypatch, "win10_bkav.jsonl")
    found = products(report)
    assert found["Bkav Pro"]["vendor"] == "BKAV"
    assert found["Bkav Pro"]["sources"] == ["securitycenter", "registry", "service"]
    assert "Kaspersky Free" not in found  # uninstalled: its Security Center entry is stale
    assert found["Windows Defender"]["enabled"] is False
    # "To be filled by O.E.M." is no serial, manufacturer or model: left out.
    assert {"serial", "manufacturer", "model"}.isdisjoint(report["machine"])
    assert report["machine"]["ram"]["installed_bytes"] == 2 * GB
    assert "defender: Get-MpComputerStatus did not answer within 3000 ms" in report["errors"]


def test_output_cut_short_keeps_the_sections_already_printed():
    lines = (FIXTURES / "win10_defender_only.jsonl").read_text().splitlines()
    facts = windows.parse_inventory("\n".join(lines[:5]) + '\n{"memory":[{"Capa')
    assert facts["hostname"] == "STTTT-KT-07"
    assert facts["antivirus"]["status"] == "unknown"
    assert facts["errors"] == [
        "inventory: output stopped before services, uninstall, security_center"]


def test_output_that_is_not_json_is_a_probe_error():
    with pytest.raises(ProbeError):
        windows.parse_inventory("Get-CimInstance : Access denied")


def test_the_script_fits_on_a_windows_command_line():
    # CreateProcess refuses command lines over 32,767 characters.
    assert len(" ".join(windows.inventory_command())) < 32767
    assert windows_script.SCRIPT.count("Get-MpComputerStatus") >= 1


def test_a_hanging_powershell_is_stopped_and_what_it_printed_is_kept(monkeypatch):
    first_lines = "".join((FIXTURES / "win10_defender_only.jsonl").read_text().splitlines(
        keepends=True)[:4])
    hang = ("import sys, time; sys.stdout.write(sys.argv[1]); sys.stdout.flush(); "
            "time.sleep(600)")
    monkeypatch.setattr(windows, "inventory_command", lambda: [sys.executable, "-c", hang,
                                                               first_lines])
    monkeypatch.setattr(windows, "POWERSHELL_TIMEOUT", 1.0)
    monkeypatch.setattr(collect, "platform_facts", windows)
    report = collect.collect_report()
    assert validate(report) == []
    assert report["machine"]["hostname"] == "STTTT-KT-07"
    assert report["antivirus"]["status"] == "unknown"
    assert any(e.endswith("did not answer within 1.0 s") for e in report["errors"])


def test_the_time_limits_add_up_to_less_than_the_collection_budget():
    assert windows_script.DEFENDER_TIMEOUT_MS / 1000 < windows.POWERSHELL_TIMEOUT < 10
