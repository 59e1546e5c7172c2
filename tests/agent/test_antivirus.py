"""Security Center's productState masks, and how products from several sources become one."""

from __future__ import annotations

import pytest

from agent import antivirus, kaspersky


# Values published from real endpoints (Stack Overflow question 4700897, a table gathered from
# 34 products on 10,000 PCs); the expected columns are what the bit masks say.
@pytest.mark.parametrize(("state", "enabled", "up_to_date"), [
    (266240, True, True),     # 0x041000: third-party product, on, up to date
    (262144, False, True),    # 0x040000: third-party product, off
    (397568, True, True),     # 0x061100: Windows Defender, on, up to date
    (393472, False, True),    # 0x060100: Windows Defender, off
    (397584, True, False),    # 0x061110: Windows Defender, on, signatures out of date
    (270336, False, True),    # 0x042000: snoozed is not enabled
    (331776, True, True),     # 0x051000: on, up to date
    (262160, False, False),   # 0x040010: off and out of date
    (274432, False, True),    # 0x043000: expired is not enabled
])
def test_product_state_masks(state, enabled, up_to_date):
    decoded = antivirus.decode_product_state(state)
    assert (decoded.enabled, decoded.up_to_date) == (enabled, up_to_date)


def sc(name, state, exe_exists=True):
    return {"displayName": name, "productState": state, "exe_exists": exe_exists}


def service(name, display, state="Running"):
    return {"Name": name, "DisplayName": display, "State": state}


def test_a_product_listed_twice_is_one_product_judged_by_its_active_entry():
    products = antivirus.windows_products(security_center=[
        sc("Kaspersky Endpoint Security for Windows", 262144),
        sc("Kaspersky Endpoint Security for Windows", 266240)])
    assert len(products) == 1
    assert products[0]["enabled"] is True


def test_sources_naming_one_product_differently_are_merged():
    products = antivirus.windows_products(
        security_center=[sc("Kaspersky Endpoint Security for Windows", 266240)],
        services=[service("AVP", "Kaspersky Anti-Virus Service")],
        uninstall=[{"DisplayName": "Kaspersky Endpoint Security 11 for Windows",
                    "DisplayVersion": "11.6.0.394"},
                   {"DisplayName": "Kaspersky Security Center Network Agent",
                    "DisplayVersion": "13.2.0.1511"}])
    assert [(p["name"], p["version"], p["sources"]) for p in products] == [
        ("Kaspersky Endpoint Security for Windows", "11.6.0.394",
         ["securitycenter", "registry", "service"])]


@pytest.mark.parametrize(("entry", "services"), [
    (sc("McAfee VirusScan", 266240, exe_exists=False), []),   # its executable is gone
    (sc("Windows Defender", 397568, exe_exists=None), []),    # WinDefend service is gone
    (sc("Kaspersky Endpoint Security for Windows", 266240), []),  # AVP service is gone
])
def test_stale_security_center_entries_do_not_count(entry, services):
    assert antivirus.windows_products(security_center=[entry], services=services) == []


def test_without_a_service_list_a_security_center_entry_is_trusted():
    products = antivirus.windows_products(security_center=[sc("Windows Defender", 397568, None)])
    assert products[0]["enabled"] is True


def test_a_stopped_service_overrides_security_center():
    products = antivirus.windows_products(
        security_center=[sc("Bkav Pro", 266240)],
        services=[service("BkavService", "Bkav Service", state="Stopped")])
    assert products[0]["enabled"] is False


def test_defender_in_passive_mode_is_not_enabled_whatever_security_center_says():
    products = antivirus.windows_products(
        security_center=[sc("Windows Defender", 397568, None)],
        services=[service("WinDefend", "Microsoft Defender Antivirus Service")],
        defender={"AMRunningMode": "Passive Mode", "RealTimeProtectionEnabled": True,
                  "AMProductVersion": "4.18.2205.7"})
    assert (products[0]["enabled"], products[0]["version"]) == (False, "4.18.2205.7")


@pytest.mark.parametrize(("name", "is_av"), [
    ("Kaspersky Endpoint Security for Windows", True),
    ("Kaspersky Security 11 for Windows Server", True),
    ("Bkav Pro", True),
    ("ESET Endpoint Antivirus", True),
    ("Kaspersky Security Center Network Agent", False),
    ("Kaspersky Security Center 14 Administration Server", False),
    ("Kaspersky VPN Secure Connection", False),
    ("Security Update for Microsoft Office 2010 (KB4484373)", False),
])
def test_which_uninstall_entries_are_antivirus(name, is_av):
    assert antivirus.is_antivirus_entry({"DisplayName": name}) is is_av


@pytest.mark.parametrize(("products", "failed", "status"), [
    ([{"name": "x"}], True, "detected"), ([], False, "none"), ([], True, "unknown")])
def test_status(products, failed, status):
    assert antivirus.status_of(products, probes_failed=failed) == status


def test_avstate_values_as_kaspersky_documents_them():
    state = kaspersky.parse_avstate({"Protection_RtpState": 7,
                                     "Protection_BasesDate": "14-06-2022 22-41-00",
                                     "Protection_NagentVersion": "13.2.0.1511"})
    assert state["enabled"] is True
    assert state["signatures_updated_at"] == "2022-06-14T22:41:00+00:00"
    assert state["agent_version"] == "13.2.0.1511"
    assert kaspersky.parse_avstate({"Protection_RtpState": "1"})["enabled"] is False
    assert kaspersky.parse_avstate({"Protection_BasesDate": "2022-06-14"}) == {
        "enabled": None, "signatures_updated_at": None, "agent_version": None,
        "installed": None}
