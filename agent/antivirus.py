"""Antivirus facts from the raw records Windows and Linux give: decoded, merged, judged.

Every function here is pure: it takes records as Windows (agent/windows/api.py) or the file
system gave them and returns the report's product entries. Names are reported as each source
spells them; one product's names from several sources (and localised, older or service-pack
names) are merged by family here. Whether a product is the mandated one is the collector's
call, not the agent's.
"""

from __future__ import annotations

import re
from collections import namedtuple

from agent import kaspersky
from agent.probe import text_or_none

ProductState = namedtuple("ProductState", "enabled up_to_date")


def decode_product_state(state):
    """Decode Security Center's `productState` with its bit masks.

    The middle byte is the real-time protection state (0x10 on; 0x00 off, 0x20 snoozed,
    0x30 expired) and the low byte's high nibble the signature state (0x00 up to date,
    0x10 out of date). Microsoft does not document the layout; it is the one WSC
    providers have used since Vista, as read from many published productState tables.
    """
    state = int(state)
    return ProductState(enabled=(state & 0xF000) == 0x1000, up_to_date=(state & 0x00F0) == 0)


VENDORS = (
    ("kaspersky", "Kaspersky"),
    ("windows defender", "Microsoft"),
    ("microsoft defender", "Microsoft"),
    ("bkav", "BKAV"),
    ("mcafee", "McAfee"),
    ("eset", "ESET"),
    ("symantec", "Broadcom"),
    ("norton", "Gen Digital"),
    ("avast", "Gen Digital"),
    ("avg", "Gen Digital"),
    ("trend micro", "Trend Micro"),
    ("bitdefender", "Bitdefender"),
    ("sophos", "Sophos"),
)

# One product that each source names its own way: (key, name pattern, name, vendor).
# Localised names keep the product's Latin name and translate the rest ("Kaspersky Endpoint
# Security 10 для Windows", FusionInventory for GLPI issue 2030), so families match on it.
FAMILIES = (
    (
        "kes",
        re.compile(r"kaspersky endpoint security"),
        "Kaspersky Endpoint Security for Windows",
        "Kaspersky",
    ),
    (
        "ksws",
        re.compile(r"kaspersky (security|anti-virus)\b.*\bwindows servers?\b"),
        "Kaspersky Security for Windows Server",
        "Kaspersky",
    ),
    # Kaspersky Embedded Systems Security (ATMs, kiosks; it installs on Windows 10 too):
    # not KSWS, though it runs KAVFS; counted only where an admin names it.
    (
        "kess",
        re.compile(r"kaspersky embedded systems security"),
        "Kaspersky Embedded Systems Security for Windows",
        "Kaspersky",
    ),
    (
        "defender",
        re.compile(r"(windows|microsoft) defender"),
        "Microsoft Defender Antivirus",
        "Microsoft",
    ),
    ("bkav", re.compile(r"bkav"), "Bkav", "BKAV"),
    (
        "mcafee-ens",
        re.compile(r"(mcafee|trellix) endpoint security"),
        "McAfee Endpoint Security",
        "McAfee",
    ),
    ("mcafee-vse", re.compile(r"mcafee virusscan"), "McAfee VirusScan Enterprise", "McAfee"),
)
# Service names (Kaspersky and Microsoft documentation, public admin scripts): AVP, or
# AVP<version>, is the protection service of Kaspersky's workstation products; modern KES
# names it AVP.KES.<version> ("AVP.KES.21.19", "AVP.KES.14.1"), with its update service
# avpsus.KES.<version> beside it. KAVFS is the service of Kaspersky Security for Windows
# Server ("Kaspersky Security Service (KAVFS)", KSWS 11 help, article 146612) and of
# Kaspersky Embedded Systems Security (KESS 3 help, article 182789): the uninstall entry says
# which. WinDefend is Microsoft Defender Antivirus'; BKAV's services carry its name.
# (pattern, family: None for "a Kaspersky product", whether it is the protection itself).
SERVICE_FAMILIES = (
    (re.compile(r"avp\.kes\.[\d.]+"), "kes", True),
    (re.compile(r"avpsus\.kes\.[\d.]+"), "kes", False),
    (re.compile(r"avp[\d.]*"), None, True),
    (re.compile(r"kavfs"), "kavfs", True),
    (re.compile(r"windefend"), "defender", True),
    (re.compile(r".*bkav.*"), "bkav", True),
)
# The families that share the KAVFS service: KESS when its uninstall entry is there.
KAVFS_FAMILIES = ("kess", "ksws")
NETWORK_AGENT_SERVICE = "klnagent"
NETWORK_AGENT_NAME = "Kaspersky Security Center Network Agent"
# The services worth reading the state of (name or display name); the rest are skipped.
WATCHED_SERVICE = re.compile(r"avp.*|kavfs.*|klnagent.*|windefend|.*bkav.*", re.I)
WATCHED_DISPLAY = re.compile(r"kaspersky|bkav", re.I)

# What an uninstall entry must look like to be an antivirus, and what it must not be:
# Kaspersky ships its console, agent and plug-ins under names containing "Security".
# McAfee Endpoint Security installs a "Platform", a "Firewall", "Web Control" and "Adaptive
# Threat Protection" beside its antivirus, "Threat Prevention" (public uninstall lists).
AV_NAME = re.compile(
    r"anti-?virus|internet security|total security|endpoint (security|"
    r"protection)|for windows servers?|embedded systems security|defender|"
    r"bkav|smart security|"
    r"security cloud|nod32|small office security|virusscan|"
    r"kaspersky (free|standard|plus|premium)\b",
    re.I,
)
NOT_AV = re.compile(
    r"network agent|security center|administration|console|plug-?in|vpn|"
    r"password|secure connection|safe kids|updater|management|firewall|"
    r"web control|platform|adaptive threat",
    re.I,
)
VERSION_TOKEN = re.compile(r"\b(v?\d+(\.\d+)*|sp\d+|mr\d+|x64|x86|\(x64\)|\(x86\))\b")
# Defender's modes other than Normal leave real-time protection to another product
# (Microsoft Learn, "Microsoft Defender Antivirus compatibility with other security products").
DEFENDER_ACTIVE_MODES = {"normal"}


def vendor_of(product_name):
    """The vendor named by a product's name, or None."""
    lowered = product_name.lower()
    return next((vendor for key, vendor in VENDORS if key in lowered), None)


def known_family(name):
    """The key of the known product a name designates, or None."""
    lowered = " ".join(name.lower().split())
    return next((key for key, pattern, _n, _v in FAMILIES if pattern.search(lowered)), None)


def family_of(name):
    """The key that merges one product's names across sources: a family, or the bare name."""
    return known_family(name) or " ".join(VERSION_TOKEN.sub(" ", name.lower()).split())


def is_watched_service(name, display_name):
    """A service whose state the antivirus parsers read."""
    return bool(WATCHED_SERVICE.fullmatch(name or "") or WATCHED_DISPLAY.search(display_name or ""))


def is_network_agent_name(name):
    """The Network Agent's uninstall entry ("Kaspersky Security Center 10 Network Agent",
    localised: "Агент администрирования Kaspersky Security Center")."""
    lowered = name.lower()
    return "kaspersky" in lowered and (
        "network agent" in lowered or "агент администрирования" in lowered
    )


def is_antivirus_entry(entry):
    """An uninstall entry that installs an antivirus (not its console, agent or add-ons)."""
    name = (entry.get("DisplayName") or "").strip()
    return bool(name and AV_NAME.search(name) and not NOT_AV.search(name))


def service_match(service):
    """(family, whether the service is the protection itself), or (None, False); the family
    of an AVP service is "kaspersky" (whichever Kaspersky product is there), of KAVFS "kavfs"
    (KSWS or KESS)."""
    name = (service.get("name") or "").strip().lower()
    for pattern, key, protects in SERVICE_FAMILIES:
        if pattern.fullmatch(name):
            key = key or known_family(service.get("display_name") or "") or "kaspersky"
            return key, protects
    return None, False


class Products:
    """Product entries under construction, one per family, in the order first found."""

    def __init__(self):
        self.entries = {}

    def get(self, key, name):
        entry = self.entries.get(key)
        if entry is None:
            entry = self.entries[key] = {
                "name": name,
                "vendor": vendor_of(name),
                "version": None,
                "enabled": None,
                "up_to_date": None,
                "sources": [],
            }
        return entry

    def add(self, key, name, source):
        entry = self.get(key, name)
        if source not in entry["sources"]:
            entry["sources"].append(source)
        return entry

    def kaspersky_key(self):
        return next((k for k, e in self.entries.items() if e["vendor"] == "Kaspersky"), None)

    def result(self):
        return list(self.entries.values())


def windows_products(
    security_center=None,
    services=None,
    uninstall=None,
    defender=None,
    avstate=None,
    kaspersky_data=(),
):
    """One entry per product any source shows, stale Security Center entries left out.

    A source given as None could not be read; an empty list was read and held nothing.
    """
    products = Products()
    by_family = _services_by_family(services)
    for entry in security_center or ():
        _add_security_center(products, entry, None if services is None else by_family)
    for entry in uninstall or ():
        if is_antivirus_entry(entry):
            name = entry["DisplayName"].strip()
            product = products.add(family_of(name), name, "registry")
            product["version"] = product["version"] or text_or_none(entry.get("DisplayVersion"))
    for key, (service, protects) in by_family.items():
        key = products.kaspersky_key() if key == "kaspersky" else key
        if key == "kavfs":
            key = next((k for k in KAVFS_FAMILIES if k in products.entries), "ksws")
        name = _service_product_name(service, key)
        product = products.add(key or family_of(name), name, "service")
        if protects and service.get("status") not in ("running", None):  # None: unreadable
            product["enabled"] = False  # a stopped service protects nothing, whatever WSC says
    if defender and "defender" in products.entries:
        _apply_defender_status(products.entries["defender"], defender)
    kaspersky_key = products.kaspersky_key()
    if kaspersky_key:
        _apply_kaspersky_state(
            products.entries[kaspersky_key],
            kaspersky.parse_avstate(avstate),
            kaspersky.parse_protected_data(kaspersky_data),
        )
    return products.result()


def _apply_kaspersky_state(product, state, data):
    """The Network Agent's AVState first (the bases' date), the product's own data second."""
    if product["enabled"] is None and state:
        product["enabled"] = state["enabled"]
    updated = state.get("signatures_updated_at") or data.get("signatures_updated_at")
    if updated:
        product["signatures_updated_at"] = updated
    if data.get("licence_expires_at"):
        product["licence_expires_at"] = data["licence_expires_at"]


def _add_security_center(products, entry, service_families):
    name = (entry.get("displayName") or "").strip()
    if not name or is_stale(entry, service_families):
        return
    decoded = decode_product_state(entry.get("productState") or 0)
    key = family_of(name)
    first = key not in products.entries
    product = products.add(key, name, "securitycenter")
    # Windows can list a product twice (old and new registration): trust the active one.
    product["enabled"] = decoded.enabled if first else bool(product["enabled"]) or decoded.enabled
    product["up_to_date"] = (
        decoded.up_to_date if first else (bool(product["up_to_date"]) or decoded.up_to_date)
    )


def is_stale(entry, service_families):
    """A Security Center entry left behind by an uninstalled product.

    Uninstallers do not always unregister from WSC (zoicware/RemoveWindowsAI issue 244: McAfee
    removed, its Security Center listing left behind). Windows' verdict is dropped only on
    positive evidence that the product is gone: its own executable missing, or, for Defender,
    whose service has been WinDefend on every Windows, that service absent from a service
    list that was read (`service_families` is None when it was not). Never because no service
    matched a name pattern: modern KES's service names missed one, and KES was dropped.
    """
    if entry.get("exe_exists") is False:
        return True
    defender = family_of((entry.get("displayName") or "").strip()) == "defender"
    return defender and service_families is not None and "defender" not in service_families


def _services_by_family(services):
    """{family: (service, whether it is the protection itself)}, the protection service
    preferred over an auxiliary one (KES's update service)."""
    found = {}
    for service in services or ():
        key, protects = service_match(service)
        if key and (key not in found or protects and not found[key][1]):
            found[key] = (service, protects)
    return found


def _service_product_name(service, key):
    display = (service.get("display_name") or service.get("name") or "").strip()
    canonical = next((name for k, _p, name, _v in FAMILIES if k == key), None)
    return canonical or re.sub(r"\s+service\b.*$", "", display, flags=re.I) or display


def _apply_defender_status(product, status):
    """Get-MpComputerStatus is read live; Security Center may still hold an old state."""
    mode = str(status.get("AMRunningMode") or "Normal").strip().lower()
    realtime = status.get("RealTimeProtectionEnabled")
    if realtime is not None:
        product["enabled"] = bool(realtime) and mode in DEFENDER_ACTIVE_MODES
    product["version"] = text_or_none(status.get("AMProductVersion")) or product["version"]
    updated = text_or_none(status.get("AntivirusSignatureLastUpdated"))
    if updated:
        product["signatures_updated_at"] = updated
    elif mode not in DEFENDER_ACTIVE_MODES:
        product["up_to_date"] = None  # no signatures loaded: WSC's "up to date" is an old claim
    if "defender" not in product["sources"]:
        product["sources"].append("defender")


def status_of(products, probes_failed):
    """detected when anything was found; none only when every probe could look."""
    if products:
        return "detected"
    return "unknown" if probes_failed else "none"
