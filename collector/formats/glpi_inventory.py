"""GLPI and FusionInventory inventories read as avroll reports (schema 1).

The GLPI agent's JSON follows glpi-project/inventory_format (`inventory.schema.json`):
`{"deviceid", "action": "inventory", "itemtype", "tag", "content": {"hardware", "bios",
"operatingsystem", "memories", "networks", "antivirus", ...}}`. FusionInventory's XML is the
same tree in upper case under `<REQUEST><CONTENT>`; it is read with no document type at all
(no entity, so no XXE and no entity expansion) and within bounds, then taken as the JSON.

What an inventory gives and avroll counts: the name (`hardware.name`), the RAM the OS sees
(`hardware.memory`, MB) and the RAM installed (the sum of `memories[].capacity`, MB), the
OS, the board's UUID (`hardware.uuid`: the machine's identity, there being no Windows
MachineGuid), and each antivirus entry with its name, enabled, up to date and, for
Kaspersky, `base_version` written `YYYYMMDD`: the date of its signatures. It says nothing
of Kaspersky's Network Agent, so the connection stays unknown: the report has no
management agent, which counts as not connected, and says why in its `errors`.
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ElementTree
from datetime import datetime, timedelta, timezone

from shared.report import SCHEMA_VERSION

MB = 2**20
VIETNAM = timezone(timedelta(hours=7))
MAX_XML_ELEMENTS = 50_000
# Lists in the JSON schema, whatever their count in XML (one <ANTIVIRUS> is still a list).
LIST_SECTIONS = {
    "antivirus",
    "memories",
    "networks",
    "softwares",
    "cpus",
    "drives",
    "storages",
    "monitors",
    "printers",
    "users",
    "controllers",
    "videos",
    "batteries",
    "inputs",
    "sounds",
    "usbdevices",
    "ports",
    "slots",
    "firewalls",
    "licenseinfos",
    "local_users",
    "local_groups",
    "processes",
    "remote_mgmt",
    "virtualmachines",
    "envs",
    "modems",
    "physical_volumes",
    "logical_volumes",
    "volume_groups",
    "databases_services",
}
KASPERSKY_BASES = re.compile(r"(\d{4})(\d{2})(\d{2})")
UNIT_TAG = re.compile(r"[A-Za-z0-9]{1,32}")
# Names clones' ids: uuid5 of the GLPI agent's deviceid where the board gives no UUID.
DEVICEID_NAMESPACE = uuid.UUID("0b6a3c1e-7f52-4d8e-9a21-5c4e8b7d3f60")
LAPTOPS = {
    "laptop",
    "notebook",
    "portable",
    "sub notebook",
    "hand held",
    "convertible",
    "detachable",
    "tablet",
}
CONNECTION_UNKNOWN = (
    "management_agent: a GLPI inventory does not say whether Kaspersky's "
    "Network Agent is installed or connected (connection unknown)"
)


class NotAnInventory(ValueError):
    """The body is not a computer inventory avroll can read; the message says why."""


def _text(value, limit=200):
    """A scalar as trimmed text within `limit`, or None when empty or not a scalar."""
    if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
        return None
    text = " ".join(str(value).split())
    return text[:limit] or None


def _number(value):
    """A whole number of a JSON or XML field, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(float(str(value).strip()))
    except (TypeError, ValueError, OverflowError):
        return None


def _flag(value):
    """GLPI's booleans: JSON true/false, XML 1/0."""
    if isinstance(value, bool):
        return value
    text = _text(value, 10)
    return {"1": True, "0": False, "true": True, "false": False}.get((text or "").lower())


def _section(content, name):
    """A section as a list of objects (GLPI writes some as one object)."""
    value = content.get(name)
    if isinstance(value, dict):
        return [value]
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _board_uuid(text):
    """The board's UUID in canonical form, or None when absent, malformed or all 0/F."""
    try:
        found = uuid.UUID((text or "").strip())
    except ValueError:
        return None
    if found.int in (0, (1 << 128) - 1):
        return None
    return str(found)


def _os(content):
    system = (_section(content, "operatingsystem") or [{}])[0]
    hardware = content["hardware"]
    name = (
        _text(system.get("full_name"))
        or _text(system.get("name"))
        or _text(hardware.get("osname"))
        or "unknown"
    )
    kernel = (_text(system.get("kernel_name"), 40) or "").lower()
    family = (
        "windows"
        if "windows" in name.lower() or kernel == "mswin32"
        else "linux"
        if kernel == "linux" or "linux" in name.lower()
        else "macos"
        if kernel == "darwin" or "mac" in name.lower()
        else "other"
    )
    version = (
        _text(system.get("version"), 64)
        or _text(hardware.get("osversion"), 64)
        or _text(system.get("kernel_version"), 64)
        or "unknown"
    )
    return {
        "family": family,
        "name": name,
        "version": version,
        "build": _text(system.get("kernel_version"), 64),
        "edition": _text(system.get("service_pack")),
        "server": "server" in name.lower(),
    }


def _device_type(hardware):
    if (_text(hardware.get("vmsystem"), 40) or "physical").lower() != "physical":
        return "virtual"
    chassis = (_text(hardware.get("chassis_type"), 40) or "").lower()
    if chassis in LAPTOPS:
        return "laptop"
    if "server" in chassis or "rack" in chassis:
        return "server"
    return "desktop" if chassis else "unknown"


def _signatures_date(entry, kaspersky):
    """Kaspersky's `base_version` is its signatures' date, YYYYMMDD (local midnight); for
    the others, `base_creation` where given (YYYY-MM-DD)."""
    if kaspersky:
        found = KASPERSKY_BASES.fullmatch(_text(entry.get("base_version"), 20) or "")
        if found:
            return _midnight(*found.groups())
    created = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", _text(entry.get("base_creation"), 20) or "")
    return _midnight(*created.groups()) if created else None


def _midnight(year, month, day):
    try:
        moment = datetime(int(year), int(month), int(day), tzinfo=VIETNAM)
    except ValueError:
        return None
    if not 1970 <= moment.year < 2100:
        return None
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def _products(content):
    products = []
    for entry in _section(content, "antivirus")[:32]:
        name = _text(entry.get("name"))
        if name is None:
            continue
        vendor = _text(entry.get("company"))
        kaspersky = "kaspersky" in f"{name} {vendor or ''}".lower()
        product = {
            "name": name,
            "vendor": vendor,
            "version": _text(entry.get("version")),
            "enabled": _flag(entry.get("enabled")),
            "up_to_date": _flag(entry.get("uptodate")),
            "sources": ["glpi"],
        }
        signatures = _signatures_date(entry, kaspersky)
        if signatures:
            product["signatures_updated_at"] = signatures
        products.append(product)
    return products


def _addresses(content):
    found = []
    for network in _section(content, "networks"):
        mac = _text(network.get("mac") or network.get("macaddr"), 32)  # JSON, XML
        for key in ("ipaddress", "ipaddress6"):
            ip = _text(network.get(key), 64)
            if ip and len(found) < 64:
                found.append({"ip": ip, "mac": mac})
    return found


def as_report(inventory, received_at):
    """The avroll report a GLPI inventory (the parsed JSON) says, collected when received
    (`received_at`, aware); NotAnInventory when it is not a computer's inventory."""
    if not isinstance(inventory, dict) or not isinstance(inventory.get("content"), dict):
        raise NotAnInventory("not a GLPI inventory: no 'content' object")
    action = _text(inventory.get("action"), 40)
    if action is not None and action.lower() != "inventory":
        raise NotAnInventory(f"a GLPI '{action}' request: only 'inventory' is read")
    itemtype = _text(inventory.get("itemtype"), 40)
    if itemtype is not None and itemtype.lower() != "computer":
        raise NotAnInventory(f"a {itemtype} inventory: only computers are counted")
    content = inventory["content"]
    hardware = (_section(content, "hardware") or [None])[0]
    if hardware is None or not _text(hardware.get("name"), 255):
        raise NotAnInventory("the inventory has no hardware.name (the computer's name)")
    content = dict(content, hardware=hardware)
    board = _board_uuid(_text(hardware.get("uuid"), 64))
    deviceid = _text(inventory.get("deviceid"), 255)
    if board is None and deviceid is None:
        raise NotAnInventory(
            "the inventory has neither hardware.uuid (the board's UUID) nor "
            "a deviceid: nothing identifies the machine"
        )
    machine_id = board or str(uuid.uuid5(DEVICEID_NAMESPACE, deviceid))
    bios = (_section(content, "bios") or [{}])[0]
    visible = _number(hardware.get("memory"))
    installed = sum(
        _number(module.get("capacity")) or 0 for module in _section(content, "memories")
    )
    tag = _text(inventory.get("tag"), 40)
    products = _products(content)
    return {
        "schema_version": SCHEMA_VERSION,
        "report_id": str(uuid.uuid4()),
        "collected_at": received_at.astimezone(timezone.utc).isoformat(timespec="seconds"),
        "agent": {
            "version": ("glpi " + (_text(content.get("versionclient"), 34) or "?"))[:40],
            "unit_code": tag if tag and UNIT_TAG.fullmatch(tag) else None,
        },
        "machine": {
            "hostname": _text(hardware.get("name"), 255),
            "machine_id": machine_id,
            "dns_name": _text((_section(content, "operatingsystem") or [{}])[0].get("fqdn"), 255),
            "domain": _text(hardware.get("workgroup"), 255),
            "manufacturer": _text(bios.get("smanufacturer")),
            "model": _text(bios.get("smodel")),
            "serial": _text(bios.get("ssn")),
            "hardware_uuid": board,
            "os": _os(content),
            "ram": {
                "installed_bytes": installed * MB if installed > 0 else None,
                "visible_bytes": max(visible or 0, 0) * MB,
            },
            "device_type": _device_type(hardware),
            "addresses": _addresses(content),
        },
        "antivirus": {"status": "detected" if products else "unknown", "products": products},
        "management_agent": None,
        "errors": [CONNECTION_UNKNOWN],
    }


def _element(node, budget):
    """An XML element as the JSON the GLPI agent writes: children by lower-case tag, lists
    for repeated tags and list sections, text for leaves."""
    budget[0] -= 1
    if budget[0] < 0:
        raise NotAnInventory(f"the XML has more than {MAX_XML_ELEMENTS:,} elements")
    children = list(node)
    if not children:
        return (node.text or "").strip()
    tree = {}
    for child in children:
        key = child.tag.lower()
        value = _element(child, budget)
        if key in tree:
            if not isinstance(tree[key], list):
                tree[key] = [tree[key]]
            tree[key].append(value)
        else:
            tree[key] = [value] if key in LIST_SECTIONS else value
    return tree


def from_xml(body):
    """FusionInventory's XML (`<REQUEST><CONTENT>…`) as the GLPI JSON inventory; refuses any
    DOCTYPE or entity outright, and more than MAX_XML_ELEMENTS elements."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise NotAnInventory("the XML is not UTF-8 text") from None
    if re.search(r"<!(DOCTYPE|ENTITY)", text, re.IGNORECASE):
        raise NotAnInventory("the XML declares a DOCTYPE or an entity, which is refused")
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as exc:
        raise NotAnInventory(f"the XML cannot be read: {exc}") from None
    if root.tag != "REQUEST" or root.find("CONTENT") is None:
        raise NotAnInventory("not a FusionInventory inventory: no <REQUEST><CONTENT>")
    request = _element(root, [MAX_XML_ELEMENTS])
    content = request["content"] if isinstance(request.get("content"), dict) else {}
    # The agent's TAG travels as <ACCOUNTINFO><KEYNAME>TAG</KEYNAME><KEYVALUE>…
    tags = [
        info.get("keyvalue")
        for info in _section(content, "accountinfo")
        if str(info.get("keyname", "")).upper() == "TAG"
    ]
    return {
        "deviceid": request.get("deviceid"),
        "tag": tags[0] if tags else None,
        "action": str(request.get("query") or "inventory").lower(),
        "content": content,
    }
