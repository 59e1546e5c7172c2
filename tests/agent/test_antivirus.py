"""Security Center's productState masks, and how products from several sources become one."""

from __future__ import annotations

import pytest

from agent import antivirus, kaspersky


# Values published from real endpoints (Stack Overflow question 4700897, a table gathered from
# 34 products on 10,000 PCs); the expected columns are what the bit masks say.
@pytest.mark.parametrize(
    ("state", "enabled", "up_to_date"),
    [
        (266240, True, True),  # 0x041000: third-party product, on, up to date
        (262144, False, True),  # 0x040000: third-party product, off
        (397568, True, True),  # 0x061100: Windows Defender, on, up to date
        (393472, False, True),  # 0x060100: Windows Defender, off
        (397584, True, False),  # 0x061110: Windows Defender, on, signatures out of date
        (270336, False, True),  # 0x042000: snoozed is not enabled
        (331776, True, True),  # 0x051000: on, up to date
        (262160, False, False),  # 0x040010: off and out of date
        (274432, False, True),  # 0x043000: expired is not enabled
    ],
)
def test_product_state_masks(state, enabled, up_to_date):
    decoded = antivirus.decode_product_state(state)
    assert (decoded.enabled, decoded.up_to_date) == (enabled, up_to_date)


def sc(name, state, exe_exists=True):
    return {"displayName": name, "productState": state, "exe_exists": exe_exists}


def service(name, display, status="running"):
    """A service as psutil describes it."""
    return {"name": name, "display_name": display, "status": status, "start_type": "automatic"}


def test_a_product_listed_twice_is_one_product_judged_by_its_active_entry():
    products = antivirus.windows_products(
        security_center=[
            sc("Kaspersky Endpoint Security for Windows", 262144),
            sc("Kaspersky Endpoint Security for Windows", 266240),
        ]
    )
    assert len(products) == 1
    assert products[0]["enabled"] is True


def test_sources_naming_one_product_differently_are_merged():
    products = antivirus.windows_products(
        security_center=[sc("Kaspersky Endpoint Security for Windows", 266240)],
        services=[service("AVP", "Kaspersky Anti-Virus Service")],
        uninstall=[
            {
                "DisplayName": "Kaspersky Endpoint Security 11 for Windows",
                "DisplayVersion": "11.6.0.394",
            },
            {
                "DisplayName": "Kaspersky Security Center Network Agent",
                "DisplayVersion": "13.2.0.1511",
            },
        ],
    )
    assert [(p["name"], p["version"], p["sources"]) for p in products] == [
        (
            "Kaspersky Endpoint Security for Windows",
            "11.6.0.394",
            ["securitycenter", "registry", "service"],
        )
    ]


@pytest.mark.parametrize(
    ("entry", "services"),
    [
        (sc("McAfee VirusScan", 266240, exe_exists=False), []),  # its executable is gone
        (sc("Windows Defender", 397568, exe_exists=None), []),  # WinDefend service is gone
    ],
)
def test_stale_security_center_entries_do_not_count(entry, services):
    assert antivirus.windows_products(security_center=[entry], services=services) == []


@pytest.mark.parametrize(
    "services",
    [
        [],  # no service of a name the agent knows: a pattern that missed proves nothing
        [service("AVP.KES.12.3", "Kaspersky Endpoint Security Service", status=None)],
    ],
)
def test_a_security_center_entry_is_kept_unless_the_product_is_positively_gone(services):
    [kes] = antivirus.windows_products(
        security_center=[sc("Kaspersky Endpoint Security for Windows", 266240)], services=services
    )
    assert (kes["enabled"], kes["up_to_date"]) == (True, True)
    assert kes["sources"][0] == "securitycenter"


# Public admin scripts: "AVP on one host and AVP.KES.21.19 on another"; KES 11.x as
# AVP.KES.11.x and its update service avpsus.KES.x beside it.
@pytest.mark.parametrize(
    "names",
    [
        ["AVP"],
        ["AVP21.3"],
        ["AVP.KES.21.19"],
        ["AVP.KES.14.1", "avpsus.KES.14.1"],
        ["avpsus.KES.12.3"],
    ],
)
def test_kes_service_in_all_its_known_names(names):
    products = antivirus.windows_products(
        uninstall=[
            {
                "DisplayName": "Kaspersky Endpoint Security for Windows",
                "DisplayVersion": "12.3.0.493",
            }
        ],
        services=[service(name, "Kaspersky Endpoint Security Service") for name in names],
    )
    [kes] = products
    assert kes["sources"] == ["registry", "service"]
    assert kes["enabled"] is None  # running services: the state comes from elsewhere


def test_a_stopped_kes_protection_service_is_not_hidden_by_its_running_update_service():
    [kes] = antivirus.windows_products(
        security_center=[sc("Kaspersky Endpoint Security for Windows", 266240)],
        services=[
            service("avpsus.KES.12.3", "Kaspersky Seamless Update Service"),
            service("AVP.KES.12.3", "Kaspersky Endpoint Security Service", "stopped"),
        ],
    )
    assert kes["enabled"] is False


def test_a_stopped_update_service_alone_says_nothing_of_the_protection():
    [kes] = antivirus.windows_products(
        security_center=[sc("Kaspersky Endpoint Security for Windows", 266240)],
        services=[service("avpsus.KES.12.3", "Kaspersky Seamless Update Service", "stopped")],
    )
    assert kes["enabled"] is True


# Kaspersky Embedded Systems Security runs KSWS's service, KAVFS (KESS 3 help, 182789).
def test_kess_is_its_own_product_not_kaspersky_security_for_windows_server():
    products = antivirus.windows_products(
        uninstall=[
            {
                "DisplayName": "Kaspersky Embedded Systems Security 3.3 for Windows",
                "DisplayVersion": "3.3.0.170",
            }
        ],
        services=[service("KAVFS", "Kaspersky Security Service")],
    )
    assert [(p["name"], p["version"], p["sources"]) for p in products] == [
        (
            "Kaspersky Embedded Systems Security 3.3 for Windows",
            "3.3.0.170",
            ["registry", "service"],
        )
    ]


def test_kavfs_without_a_kess_entry_is_still_kaspersky_security_for_windows_server():
    [ksws] = antivirus.windows_products(
        uninstall=[], services=[service("KAVFS", "Kaspersky Security Service")]
    )
    assert ksws["name"] == "Kaspersky Security for Windows Server"


def test_without_a_service_list_a_security_center_entry_is_trusted():
    products = antivirus.windows_products(security_center=[sc("Windows Defender", 397568, None)])
    assert products[0]["enabled"] is True


def test_a_stopped_service_overrides_security_center():
    products = antivirus.windows_products(
        security_center=[sc("Bkav Pro", 266240)],
        services=[service("BkavService", "Bkav Service", status="stopped")],
    )
    assert products[0]["enabled"] is False


def test_defender_in_passive_mode_is_not_enabled_whatever_security_center_says():
    products = antivirus.windows_products(
        security_center=[sc("Windows Defender", 397568, None)],
        services=[service("WinDefend", "Microsoft Defender Antivirus Service")],
        defender={
            "AMRunningMode": "Passive Mode",
            "RealTimeProtectionEnabled": True,
            "AMProductVersion": "4.18.2205.7",
        },
    )
    assert (products[0]["enabled"], products[0]["version"]) == (False, "4.18.2205.7")


@pytest.mark.parametrize(
    ("name", "is_av"),
    [
        ("Kaspersky Endpoint Security for Windows", True),
        ("Kaspersky Security 11 for Windows Server", True),
        ("Kaspersky Embedded Systems Security 3.3 for Windows", True),
        ("Bkav Pro", True),
        ("ESET Endpoint Antivirus", True),
        ("Kaspersky Security Center Network Agent", False),
        ("Kaspersky Security Center 14 Administration Server", False),
        ("Kaspersky VPN Secure Connection", False),
        ("Security Update for Microsoft Office 2010 (KB4484373)", False),
    ],
)
def test_which_uninstall_entries_are_antivirus(name, is_av):
    assert antivirus.is_antivirus_entry({"DisplayName": name}) is is_av


@pytest.mark.parametrize(
    ("products", "failed", "status"),
    [([{"name": "x"}], True, "detected"), ([], False, "none"), ([], True, "unknown")],
)
def test_status(products, failed, status):
    assert antivirus.status_of(products, probes_failed=failed) == status


def test_avstate_values_as_kaspersky_documents_them():
    state = kaspersky.parse_avstate(
        {
            "Protection_RtpState": 7,
            "Protection_BasesDate": "14-06-2022 22-41-00",
            "Protection_NagentVersion": "13.2.0.1511",
        }
    )
    assert state["enabled"] is True
    assert state["signatures_updated_at"] == "2022-06-14T22:41:00+00:00"
    assert state["agent_version"] == "13.2.0.1511"
    assert kaspersky.parse_avstate({"Protection_RtpState": "1"})["enabled"] is False
    assert kaspersky.parse_avstate({"Protection_BasesDate": "2022-06-14"}) == {
        "enabled": None,
        "signatures_updated_at": None,
        "agent_version": None,
        "installed": None,
        "server": None,
        "last_connected_at": None,
    }


def test_the_console_connection_from_avstate():
    state = kaspersky.parse_avstate(
        {
            "Protection_AdmServer": "ksc.stttt.dongthap.gov.vn",
            "Protection_LastConnected": "21-10-2026 08-05-59",
        }
    )
    assert state["server"] == "ksc.stttt.dongthap.gov.vn"
    assert state["last_connected_at"] == "2026-10-21T08:05:59+00:00"
    assert kaspersky.parse_avstate({"Protection_LastConnected": "0"})["last_connected_at"] is None


# Names as uninstall entries and Security Center spell them on real PCs (sources in
# fixtures/windows/README.md): each must land in its family, whatever its language,
# version or service pack, and be reported under its own spelling.
@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("Kaspersky Endpoint Security 10 для Windows", "kes"),  # FusionInventory #2030
        ("Kaspersky Endpoint Security 10 for Windows SP1", "kes"),
        ("Kaspersky Endpoint Security 10 for Windows", "kes"),  # fusioninventory-agent #364
        ("Kaspersky Endpoint Security for Windows", "kes"),
        ("Kaspersky Endpoint Security для Windows", "kes"),  # kaspersky-settings-parser
        ("Kaspersky Endpoint Security for Business Select", "kes"),  # the licence in the letters
        ("Kaspersky Security 10 for Windows Server", "ksws"),
        ("Kaspersky Security 11.0.1 for Windows Server", "ksws"),  # FusionInventory #3286
        ("Kaspersky Security for Windows Server", "ksws"),  # KSWS 12
        ("Kaspersky Security для Windows Server", "ksws"),  # kaspersky-settings-parser
        ("Kaspersky Anti-Virus 8.0 for Windows Servers Enterprise Edition", "ksws"),
        ("Windows Defender", "defender"),  # fusioninventory-agent #501
        ("Microsoft Defender Antivirus", "defender"),
        ("Bkav Pro", "bkav"),
        ("BkavPro 2010", "bkav"),
        ("Bkav Home", "bkav"),
        ("McAfee Endpoint Security Threat Prevention", "mcafee-ens"),
        ("McAfee Endpoint Security", "mcafee-ens"),
        ("McAfee VirusScan Enterprise", "mcafee-vse"),
    ],
)
def test_real_names_land_in_their_family(name, family):
    assert antivirus.family_of(name) == family


@pytest.mark.parametrize(
    "name",
    [
        "Kaspersky Anti-Virus",
        "Kaspersky Internet Security",
        "Kaspersky Total Security",
        "Kaspersky Small Office Security",
        "Kaspersky Free",
        "Kaspersky Security Cloud",
        "Kaspersky Endpoint Security 10 для Windows",
        "Kaspersky Security 11.0.1 for Windows Server",
        "McAfee VirusScan Enterprise",
        "McAfee Endpoint Security Threat Prevention",
        "Bkav Home",
    ],
)
def test_real_antivirus_names_are_antivirus(name):
    assert antivirus.is_antivirus_entry({"DisplayName": name})


@pytest.mark.parametrize(
    "name",
    [
        "Kaspersky Security 11 for Windows Server Administration Tools",  # FusionInventory #3286
        "Kaspersky Security Center Network Agent",
        "Агент администрирования Kaspersky Security Center",
        "McAfee Endpoint Security Platform",
        "McAfee Endpoint Security Firewall",
        "McAfee Endpoint Security Web Control",
        "McAfee Endpoint Security Adaptive Threat Protection",
        "McAfee Agent",
    ],
)
def test_consoles_agents_and_add_ons_are_not_antivirus(name):
    assert not antivirus.is_antivirus_entry({"DisplayName": name})


def test_a_localised_kes_merges_with_its_english_security_center_entry():
    products = antivirus.windows_products(
        security_center=[sc("Kaspersky Endpoint Security 10 for Windows", 266240)],
        services=[service("AVP", "Kaspersky Anti-Virus Service")],
        uninstall=[
            {
                "DisplayName": "Kaspersky Endpoint Security 10 для Windows",
                "DisplayVersion": "10.2.2.10535",
                "Publisher": '"Лаборатория Касперского"',
            }
        ],
    )
    assert [(p["name"], p["version"], p["sources"]) for p in products] == [
        (
            "Kaspersky Endpoint Security 10 for Windows",
            "10.2.2.10535",
            ["securitycenter", "registry", "service"],
        )
    ]


def test_mcafee_endpoint_security_is_one_product_without_its_add_ons():
    products = antivirus.windows_products(
        security_center=[sc("McAfee Endpoint Security", 266240)],
        uninstall=[
            {"DisplayName": "McAfee Endpoint Security Platform", "DisplayVersion": "10.7.0"},
            {
                "DisplayName": "McAfee Endpoint Security Threat Prevention",
                "DisplayVersion": "10.7.0",
            },
            {"DisplayName": "McAfee Endpoint Security Firewall", "DisplayVersion": "10.6.1"},
        ],
    )
    assert [(p["name"], p["vendor"], p["version"]) for p in products] == [
        ("McAfee Endpoint Security", "McAfee", "10.7.0")
    ]


def test_signature_and_licence_dates_from_kaspersky_protected_data():
    data = kaspersky.parse_protected_data(
        [
            {
                "product": "KES.11.6.0",
                "LastSuccessfulUpdate": 1655246460,
                "LicKeyType": 2,
                "LicDaysTillExpiration": 200,
                "read_at": "2022-06-15T03:00:00+00:00",
            }
        ]
    )
    assert data == {
        "signatures_updated_at": "2022-06-14T22:41:00+00:00",
        "licence_expires_at": "2023-01-01T00:00:00+00:00",
    }


@pytest.mark.parametrize(
    "values",
    [
        {"LastSuccessfulUpdate": 0xFFFFFFFF, "LicKeyType": 0, "LicDaysTillExpiration": 200},
        {"LastSuccessfulUpdate": 0, "LicKeyType": 1, "LicDaysTillExpiration": 0xFFFFFFFF},
        {"LastSuccessfulUpdate": "soon", "LicKeyType": "0x1"},
    ],
)
def test_kaspersky_protected_data_without_usable_dates(values):
    entry = dict(values, read_at="2022-06-15T03:00:00+00:00")
    assert kaspersky.parse_protected_data([entry]) == {}


def test_a_service_whose_state_could_not_be_read_proves_nothing():
    products = antivirus.windows_products(
        security_center=[sc("Bkav Pro", 266240)],
        services=[service("BkavService", "Bkav Service", status=None)],
    )
    assert products[0]["enabled"] is True  # Security Center's word stands
