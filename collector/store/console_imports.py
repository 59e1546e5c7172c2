"""The other views of the province's computers: the Kaspersky console's (KSC) device list and
the directory's (Active Directory) computer list, each import kept as a dated snapshot.

Columns are found by their heading, in any order; headings avroll does not read are passed
over (both tools export many). Every row is checked first and every problem reported with
its line number; a file with any problem stores nothing. The newest snapshot of a source is
the one counted; earlier ones stay for history.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from collector.formats import console_values as values
from collector.formats.spreadsheets import read_table, written_at
from collector.formats.timefmt import to_stored
from collector.store import audit
from collector.store.db import write_transaction

SOURCES = ("ksc", "directory")
MAX_ROWS = 200_000
ERRORS_SHOWN = 100
DEVICE_COLUMNS = (
    "line",
    "name",
    "netbios",
    "ip",
    "last_seen_at",
    "agent_installed",
    "agent_running",
    "protection",
    "bases_at",
    "agent_version",
    "app_version",
    "status",
    "place",
    "domain",
    "server",
    "description",
    "enabled",
)
# Heading (compared without case or extra spaces) -> the column it fills, per source.
# KSC: the English console's names for the device list's columns.
KSC_HEADINGS = {
    "name": "name",
    "windows domain": "domain",
    "network agent is installed": "agent_installed",
    "network agent is running": "agent_running",
    "real-time protection": "protection",
    "real-time protection status": "protection",
    "last connected to administration server": "last_seen_at",
    "anti-virus databases last updated": "bases_at",
    "connection ip address": "ip",
    "network agent version": "agent_version",
    "application version": "app_version",
    "status": "status",
    "parent group": "place",
    "name of virtual or secondary administration server": "server",
    # The Russian console's names for the same columns ("Последнее появление в сети", last
    # visible on the network, is not a connection to the server: passed over, as in English).
    "имя": "name",
    "домен windows": "domain",
    "агент администрирования установлен": "agent_installed",
    "агент администрирования работает": "agent_running",
    "постоянная защита": "protection",
    "статус постоянной защиты": "protection",
    "последнее соединение с сервером администрирования": "last_seen_at",
    "последнее обновление антивирусных баз": "bases_at",
    "антивирусные базы обновлены": "bases_at",
    "ip-адрес соединения": "ip",
    "версия агента администрирования": "agent_version",
    "версия программы": "app_version",
    "статус": "status",
    "родительская группа": "place",
    "имя виртуального или подчиненного сервера администрирования": "server",
    # A dump through the KSC Open API (HostGroup.FindHosts) under the attributes' own names,
    # as KlAkOAPI scripts write them: numbers and UTC times, decoded in `_api_cells`.
    "klhst_wks_dn": "name",
    "klhst_wks_winhostname": "winhostname",
    "klhst_wks_windomain": "domain",
    "klhst_wks_last_nagent_connected": "api_last_connected",
    "klhst_wks_last_update": "api_bases_at",
    "klhst_wks_status": "api_status",
    "klhst_wks_rtp_state": "api_rtp_state",
    "klhst_wks_status_id": "api_status_id",
    "klhst_wks_nag_version": "agent_version",
}
# The directory: Get-ADComputer | Export-Csv headings, and csvde's LDAP attribute names.
DIRECTORY_HEADINGS = {
    "name": "name",
    "cn": "cn",
    "samaccountname": "sam",
    "dnshostname": "dns",
    "lastlogondate": "last_seen_at",
    "lastlogontimestamp": "logon_filetime",
    "distinguishedname": "dn",
    "dn": "dn",
    "ou": "place",
    "canonicalname": "place",
    "description": "description",
    "ipv4address": "ip",
    "enabled": "enabled",
    "useraccountcontrol": "uac",
    "objectclass": "object_class",
}
HEADINGS = {"ksc": KSC_HEADINGS, "directory": DIRECTORY_HEADINGS}
NAME_COLUMNS = {"ksc": ("name", "winhostname"), "directory": ("name", "cn", "sam", "dns")}
NAME_HEADINGS = {
    "ksc": "'Name', 'Имя' or 'KLHST_WKS_DN'",
    "directory": "'Name', 'cn', 'sAMAccountName' or 'DNSHostName'",
}
SOURCE_NAMES = {"ksc": "Kaspersky Security Center", "directory": "Active Directory"}
FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=timezone.utc)
ACCOUNT_DISABLED = 0x2


class ImportProblems(Exception):
    """A file was refused: `errors` lists every problem, each with its line number."""

    def __init__(self, errors):
        super().__init__("; ".join(errors[:ERRORS_SHOWN]))
        self.errors = errors


@dataclass(frozen=True)
class Snapshot:
    """What one import stored."""

    import_id: int
    source: str
    devices: int
    imported_at: str
    exported_at: str | None = None  # the moment relative times were counted from
    exported_from: str | None = None  # "file" (its own date) or "given" (by the officer)


def _folded(text):
    text = values.free_text(text) or ""  # a zero-width space in a heading hides nothing
    return " ".join(unicodedata.normalize("NFC", text).casefold().strip(' :*"').split())


def columns_of(source, header):
    """The column each heading fills (None: not read), or ImportProblems."""
    known, columns, errors = HEADINGS[source], [], []
    for heading in header:
        column = known.get(_folded(heading))
        if column is not None and column in columns:
            errors.append(f"header: column '{values.visible(heading)}' appears twice")
        columns.append(column)
    if not any(column in NAME_COLUMNS[source] for column in columns):
        wanted = NAME_HEADINGS[source]
        errors.append(f"header: no {wanted} column (is this a {SOURCE_NAMES[source]} export?)")
    elif source == "ksc" and set(columns) <= {"name", None}:
        # A units file has a name column too: a device list says more than names.
        errors.append(
            "header: no column of the console's device list besides 'Name' "
            "(is this a Kaspersky Security Center export?)"
        )
    if errors:
        raise ImportProblems(errors)
    return columns


def _filetime(text):
    """csvde's lastLogonTimestamp: 100-nanosecond steps since 1601 (0: never)."""
    if not text.strip():
        return None
    if not text.strip().isdigit() or len(text.strip()) > 20:
        raise values.ValueProblem(f"'{text}' is not an LDAP timestamp")
    steps = int(text)
    if steps == 0 or steps >= 0x7FFFFFFFFFFFFFFF:
        return None
    return to_stored(FILETIME_EPOCH + timedelta(microseconds=steps // 10))


def _directory_name(cells):
    """The computer's name from the first name column present (sAMAccountName ends in $)."""
    for column in NAME_COLUMNS["directory"]:
        text = cells.get(column) or ""
        if column == "sam":
            text = text.removesuffix("$")
        if text:
            return text
    return ""


def _place_from_dn(dn):
    """The OU path of a distinguished name: everything after the object's own name."""
    parts, escaped, current = [], False, ""
    for char in dn:
        if escaped:
            current, escaped = current + char, False
        elif char == "\\":
            current, escaped = current + char, True
        elif char == ",":
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return ",".join(parts[1:]) or None


def _api_cells(cells):
    """A KSC Open API row's attributes decoded into the device list's columns: the status
    bits into Network Agent installed and alive, the RTP state and status id into the
    console's words, UTC times as they are. None when the row has no API attribute."""
    api = {column: cells.pop(column) for column in list(cells) if column.startswith("api_")}
    if not api:
        return None
    decoded = {
        "last_seen_at": values.api_time(api.get("api_last_connected") or ""),
        "bases_at": values.api_time(api.get("api_bases_at") or ""),
    }
    installed, alive = values.host_status(api.get("api_status") or "")
    decoded["agent_installed"], decoded["agent_running"] = installed, alive
    decoded["protection"] = values.rtp_state(api.get("api_rtp_state") or "")
    decoded["status"] = values.status_id(api.get("api_status_id") or "")
    return decoded


def _device(source, cells, exported_at):
    """One row's device, or ValueProblem; `exported_at` is the moment the file was exported
    (None: not known), which relative times count back from."""
    if source == "directory":
        kind = (cells.get("object_class") or "computer").casefold()
        if kind != "computer":
            raise values.ValueProblem(f"not a computer (objectClass '{cells['object_class']}')")
        name = _directory_name(cells)
    else:
        name = cells.get("name") or cells.get("winhostname") or ""
    name, netbios = values.computer_name(name)
    if cells.get("winhostname"):  # the API's NetBIOS name matches, whatever the display name
        netbios = values.computer_name(cells["winhostname"])[1]
    device = {"name": name, "netbios": netbios, "ip": values.ip_address(cells.get("ip") or "")}
    device["last_seen_at"] = values.local_time(cells.get("last_seen_at") or "", exported_at)
    if source == "directory":
        if device["last_seen_at"] is None and cells.get("logon_filetime"):
            device["last_seen_at"] = _filetime(cells["logon_filetime"])
        place = cells.get("place") or (_place_from_dn(cells["dn"]) if cells.get("dn") else "")
        device["place"] = values.free_text(place or "")
        device["enabled"] = values.yes_no(cells.get("enabled") or "")
        if cells.get("uac"):
            if not cells["uac"].isdigit():
                raise values.ValueProblem(f"userAccountControl '{cells['uac']}' is not a number")
            device["enabled"] = not int(cells["uac"]) & ACCOUNT_DISABLED
        device["description"] = values.free_text(cells.get("description") or "")
        return device
    api = _api_cells(cells)
    device["agent_installed"] = values.yes_no(cells.get("agent_installed") or "")
    device["agent_running"] = values.yes_no(cells.get("agent_running") or "")
    device["bases_at"] = values.local_time(cells.get("bases_at") or "", exported_at)
    for column in (
        "protection",
        "agent_version",
        "app_version",
        "status",
        "place",
        "domain",
        "server",
    ):
        device[column] = values.free_text(cells.get(column) or "")
    if api is not None:
        device.update(
            {
                column: value
                for column, value in api.items()
                if value is not None or device.get(column) is None
            }
        )
    return device


def export_moment(path, given=None):
    """When the file was exported and how that is known: the moment the officer `given`
    (an aware datetime), else the file's own date (an XLSX's document properties), else
    (None, None)."""
    if given is not None:
        return given, "given"
    written = written_at(path)
    return (written, "file") if written is not None else (None, None)


def read_devices(source, path, exported_at=None):
    """Every device of an export file as `(line, device)`, or ImportProblems listing every
    bad line (TableError when the file is no table at all). `exported_at`: the moment the
    file was exported, which "12 minutes ago" counts back from (None: such a line is an
    error that asks for it)."""
    if source not in SOURCES:
        raise ValueError(source)
    header, rows = read_table(path, max_rows=MAX_ROWS, strict=True, pad=False)
    columns = columns_of(source, header)
    devices, errors, undated = [], [], []
    for line, cells in rows:
        if len(cells) < len(header):
            errors.append(
                f"line {line}: {len(cells)} cells where the header has "
                f"{len(header)} (a truncated line?)"
            )
            continue
        if any(cells[len(header) :]):
            errors.append(f"line {line}: more cells than columns in the header")
            continue
        named = {column: cell for column, cell in zip(columns, cells, strict=False) if column}
        try:
            devices.append(dict(_device(source, named, exported_at), line=line))
        except values.NoExportDate:
            undated.append(line)
        except values.ValueProblem as exc:
            errors.append(f"line {line}: {values.visible(str(exc))}")
    if undated:
        shown = ", ".join(str(line) for line in undated[:10]) + (" …" if undated[10:] else "")
        errors.insert(
            0,
            f"line(s) {shown}: times such as '12 minutes ago' count back from "
            "the moment the file was exported, which it does not say: import "
            "it again with that moment (avroll import ksc --exported-at "
            "'YYYY-MM-DD HH:MM', or the field on the upload page)",
        )
    if errors:
        raise ImportProblems(errors)
    if not devices:
        raise ImportProblems(["the file lists no computer"])
    return devices


def import_file(db, source, path, actor=None, filename=None, now=None, exported_at=None):
    """Read an export and store it as a new snapshot of `source` in one transaction (or
    nothing); TableError or ImportProblems when it cannot be read. `exported_at` (aware):
    when the file was exported, for a file that does not say so itself."""
    now = now or datetime.now(timezone.utc)
    if exported_at is not None and exported_at > now + timedelta(minutes=5):
        raise ImportProblems(["the export's date is in the future"])
    exported_at, exported_from = export_moment(path, exported_at)
    devices = read_devices(source, path, exported_at)
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    imported_at = to_stored(now)
    exported_stored = to_stored(exported_at) if exported_at is not None else None
    with write_transaction(db):
        cursor = db.execute(
            "INSERT INTO console_imports (source, imported_at, imported_by, filename, sha256, "
            "devices, exported_at, exported_from) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                source,
                imported_at,
                actor or audit.cli_actor(),
                values.free_text((filename or Path(path).name)[:200]) or "?",
                digest,
                len(devices),
                exported_stored,
                exported_from,
            ],
        )
        import_id = cursor.lastrowid
        names = ", ".join(DEVICE_COLUMNS)
        marks = ", ".join("?" * len(DEVICE_COLUMNS))
        # Column names come from DEVICE_COLUMNS, never from the file.
        db.conn.executemany(
            f"INSERT INTO console_devices (import_id, {names}) VALUES (?, {marks})",  # noqa: S608
            ([import_id, *(device.get(column) for column in DEVICE_COLUMNS)] for device in devices),
        )
        audit.record(
            db,
            actor or audit.cli_actor(),
            f"import.{source}",
            {
                "import_id": import_id,
                "devices": len(devices),
                "sha256": digest,
                "exported_at": exported_stored,
                "exported_from": exported_from,
            },
        )
    return Snapshot(import_id, source, len(devices), imported_at, exported_stored, exported_from)


def latest_import(db, source):
    """The newest snapshot of a source as a dict, or None."""
    rows = list(
        db.query(
            "SELECT * FROM console_imports WHERE source = ? ORDER BY import_id DESC LIMIT 1",
            [source],
        )
    )
    return rows[0] if rows else None


def list_imports(db, limit=50):
    """Recent snapshots of both sources, newest first."""
    return list(db.query("SELECT * FROM console_imports ORDER BY import_id DESC LIMIT ?", [limit]))


def devices_of(db, import_id):
    """Every device of one snapshot."""
    cursor = db.execute(
        f"SELECT {', '.join(DEVICE_COLUMNS)} FROM console_devices "  # noqa: S608
        "WHERE import_id = ? ORDER BY line",
        [import_id],
    )
    rows = []
    for cells in cursor:  # a plain cursor: tens of thousands of rows, read for every page
        row = dict(zip(DEVICE_COLUMNS, cells, strict=True))
        for key in ("agent_installed", "agent_running", "enabled"):
            if row[key] is not None:
                row[key] = bool(row[key])
        rows.append(row)
    return rows


def error_lines(errors):
    """The errors to show: the first ERRORS_SHOWN, then how many more there are."""
    shown = list(errors[:ERRORS_SHOWN])
    if len(errors) > ERRORS_SHOWN:
        shown.append(f"... and {len(errors) - ERRORS_SHOWN:,} more")
    return shown
