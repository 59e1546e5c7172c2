"""Which reported products count as the mandated, centrally managed antivirus: each product
the provincial letters name, under the names real machines and vendors give them.

Sources of the names (public):
- Kaspersky's help and release notes (support.kaspersky.com): "Kaspersky Endpoint Security
  10 Service Pack 1 Maintenance Release 4 for Windows", "Kaspersky Endpoint Security 11.11.0
  for Windows", "Kaspersky Endpoint Security 12.3 for Windows", "Kaspersky Security 10.1.2 for
  Windows Server", "Kaspersky Security 11 for Windows Server", "Kaspersky Security for Windows
  Server 12"; its product pages (kaspersky.com): "Kaspersky Endpoint Security for Business
  Select", "Kaspersky Small Office Security", "Kaspersky Anti-Virus", "Kaspersky Internet
  Security", "Kaspersky Free"; the provincial letters (KES, KSWS, KES for Business Select,
  Kaspersky Anti-Virus / Internet Security, BKAV, McAfee, Defender).
- The Russian help: "Kaspersky Endpoint Security 10 для Windows" (support.kaspersky.ru).
- Security Center and uninstall entries recorded on real PCs (tests/agent/fixtures/windows):
  "Kaspersky Endpoint Security for Windows", "Kaspersky Endpoint Security 10 for Windows",
  "Kaspersky Security 11 for Windows Server", "Bkav Pro", "Windows Defender".
- BKAV (bkav.com.vn: "Bkav Pro Internet Security", "Bkav Home"), Trellix/McAfee
  ("McAfee VirusScan Enterprise", "McAfee Endpoint Security"), Microsoft ("Microsoft Defender
  Antivirus").
"""

from __future__ import annotations

import pytest

from collector.counting.products import family_key, is_mandated, reported_products
from collector.store import settings
from collector.store.ingest import store_report
from tests.builders import KES, make_report

FAMILIES = settings.SETTINGS["required_product"].parse(
    settings.SETTINGS["required_product"].default
)


@pytest.mark.parametrize(
    "name",
    [
        "Kaspersky Endpoint Security for Windows",
        "Kaspersky Endpoint Security 10 for Windows",
        "Kaspersky Endpoint Security 10 для Windows",
        "Kaspersky Endpoint Security 10 for Windows SP1",
        "Kaspersky Endpoint Security 10 Service Pack 1 Maintenance Release 4 for Windows",
        "Kaspersky Endpoint Security 11.11.0 for Windows",
        "KASPERSKY ENDPOINT SECURITY 12.3 FOR WINDOWS",
        "Kaspersky Endpoint Security for Windows (11.6.0.394)",
        "Kaspersky Security 10 for Windows Server",
        "Kaspersky Security 10.1.2 for Windows Server",
        "Kaspersky Security 11 for Windows Server",
        "Kaspersky Security for Windows Server 12",
        "Kaspersky Security 11 для Windows Server",
        "Kaspersky Endpoint Security for Linux",
        "Kaspersky Endpoint Security 11.4 for Linux",
        "Kaspersky Endpoint Security for Business Select",
        "Kaspersky Endpoint Security for Business - Advanced",
    ],
)
def test_the_mandated_families_count(name):
    assert is_mandated(name, FAMILIES)


@pytest.mark.parametrize(
    "name",
    [
        "Kaspersky Anti-Virus",
        "Kaspersky Internet Security",
        "Kaspersky Total Security",
        "Kaspersky Small Office Security",
        "Kaspersky Free",
        "Kaspersky Endpoint Security Cloud",
        "Kaspersky Security Center 10 Network Agent",
        "Kaspersky Embedded Systems Security",
        # KESS runs KSWS's service, KAVFS; the agent names it apart (agent/antivirus.py).
        "Kaspersky Embedded Systems Security for Windows",
        "Kaspersky Embedded Systems Security 3.3 for Windows",
        "Bkav Pro",
        "Bkav Pro Internet Security",
        "Bkav Home",
        "McAfee VirusScan Enterprise",
        "McAfee Endpoint Security",
        "Windows Defender",
        "Microsoft Defender Antivirus",
        "Endpoint Security for Windows",
    ],
)
def test_other_products_do_not_count(name):
    assert not is_mandated(name, FAMILIES)


def test_versions_service_packs_and_localisation_leave_the_family():
    assert family_key("Kaspersky Endpoint Security 10 SP2 MR1 для Windows (x64)") == (
        "kaspersky",
        "endpoint",
        "security",
        "for",
        "windows",
    )


def test_an_admin_may_add_a_family(db):
    settings.set_value(db, "required_product", "; ".join([*FAMILIES, "Bkav Pro"]))
    assert is_mandated("Bkav Pro", settings.current(db)["required_product"])
    assert not is_mandated("Bkav Home", settings.current(db)["required_product"])


def test_an_admin_may_count_kess_where_it_is_the_mandated_product(db):
    settings.set_value(
        db,
        "required_product",
        "; ".join([*FAMILIES, "Kaspersky Embedded Systems Security for Windows"]),
    )
    families = settings.current(db)["required_product"]
    assert is_mandated("Kaspersky Embedded Systems Security 3.3 for Windows", families)


def test_the_settings_page_shows_which_reported_names_count(client, db):
    store_report(
        db,
        make_report(
            hostname="A-1", products=(dict(KES, name="Kaspersky Endpoint Security 10 для Windows"),)
        ),
    )
    store_report(
        db, make_report(hostname="A-2", products=(dict(KES, name="Kaspersky Internet Security"),))
    )
    assert reported_products(db, FAMILIES) == [
        {"name": "Kaspersky Endpoint Security 10 для Windows", "counts": True},
        {"name": "Kaspersky Internet Security", "counts": False},
    ]
    html = client.get("/admin/settings").get_data(as_text=True)
    assert "Kaspersky Endpoint Security for Business" in html
    assert "Kaspersky Endpoint Security 10 для Windows</td><td>có" in html
    assert 'Kaspersky Internet Security</td><td><span class="warn">không' in html
