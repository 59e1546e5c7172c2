"""Queries about machines: the paginated list, one machine, its history. Views only format these."""

from __future__ import annotations

import json
import re

from collector.store.paging import MAX_PAGE, PER_PAGE_DEFAULT, PER_PAGE_MAX, Page
from shared.report import canonical_machine_id

# The latest report's facts, joined once: every listing reads the same columns.
MACHINE_COLUMNS = """
    m.machine_id, m.hostname, m.first_seen_at, m.last_seen_at, m.latest_report_id,
    r.agent_unit_code, r.os_family, r.os_name, r.os_version, r.os_server,
    r.ram_installed_bytes, r.ram_visible_bytes, r.device_type, r.av_status,
    r.mgmt_installed, r.mgmt_running, r.agent_version"""
FROM_MACHINES = "FROM machines m JOIN reports r ON r.report_id = m.latest_report_id"


def _bool_columns(row):
    for key in ("os_server", "mgmt_installed", "mgmt_running"):
        if row.get(key) is not None:
            row[key] = bool(row[key])
    return row


def like_pattern(query):
    """A LIKE pattern (with ESCAPE '\\') finding `query` anywhere, taken literally."""
    return "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


MAC_TEXT = re.compile(r"[0-9A-Fa-f:-]*[0-9A-Fa-f][0-9A-Fa-f:-]*")
MAC_DIGITS = "replace(replace(upper(json_extract(a.value, '$.mac')), ':', ''), '-', '')"


def search_params(query):
    """The :q and :mac parameters of `search_sql()` for what the officer typed; :mac (bare
    hex digits) only when it could be part of a MAC address."""
    mac = MAC_TEXT.fullmatch(query) and query.upper().replace(":", "").replace("-", "")
    return {"q": like_pattern(query), "mac": like_pattern(mac) if mac else None}


# A report's addresses as searchable text, one per line: its IPs, and its MACs as bare
# upper-case hex digits (kept per machine by `store/search_index.py`).
REPORT_IPS = (
    "(SELECT group_concat(json_extract(a.value, '$.ip'), char(10)) "
    "FROM json_each({body}, '$.machine.addresses') a)"
)
REPORT_MACS = (
    f"(SELECT group_concat({MAC_DIGITS}, char(10)) "  # noqa: S608
    "FROM json_each({body}, '$.machine.addresses') a)"
)


# What the trigram index can look up: LIKE without an ESCAPE clause, so a query holding a
# LIKE wildcard or the escape character is searched the slow way (`search_sql`).
NOT_INDEXABLE = set("%_\\")


def search_now_params(query):
    """The :q and :mac parameters of `search_now_sql()` for a query without NOT_INDEXABLE
    characters, or None when it has one."""
    if set(query) & NOT_INDEXABLE:
        return None
    mac = MAC_TEXT.fullmatch(query) and query.upper().replace(":", "").replace("-", "")
    return {"q": f"%{query}%", "mac": f"%{mac}%" if mac else None}


def search_now_sql(machine_id, mac):
    """`search_sql()` over the machines now through the trigram index `machine_search`
    (their names, ids, IPs and MACs as bare hex digits, kept by `store/search_index.py`);
    with `mac`, the :mac pattern too."""
    # The column expression comes from our own code, never from input.
    matching = "SELECT rowid FROM machine_search WHERE text LIKE :q"
    if mac:
        matching += " UNION SELECT rowid FROM machine_search WHERE text LIKE :mac"
    return (
        f"{machine_id} IN (SELECT machine_id FROM machines "  # noqa: S608
        f"WHERE rowid IN ({matching}))"
    )


def search_sql(hostname, machine_id, body):
    """SQL matching the name, the machine id, or an IP or MAC address of the report `body`
    (not the rest of the report: "desktop" would find every desktop); MACs whatever their
    separators and case."""
    # The column expressions come from our own code, never from input.
    return (
        f"({hostname} LIKE :q ESCAPE '\\' OR {machine_id} LIKE :q ESCAPE '\\' "  # noqa: S608
        f"OR EXISTS (SELECT 1 FROM json_each({body}, '$.machine.addresses') a "
        "WHERE json_extract(a.value, '$.ip') LIKE :q ESCAPE '\\' "
        f"OR {MAC_DIGITS} LIKE :mac ESCAPE '\\'))"
    )


def search_condition(query):
    """SQL condition and parameters matching hostname, machine id, IP or MAC."""
    if not query:
        return "1 = 1", {}
    return search_sql("m.hostname", "m.machine_id", "r.body"), search_params(query)


def list_machines(db, page=1, per_page=PER_PAGE_DEFAULT, query=None, machine_ids=None):
    """Machines ordered by hostname, one page at a time; only `machine_ids` if given (the
    machines an officer may see, as counting decides them)."""
    per_page = min(max(1, per_page), PER_PAGE_MAX)
    page = min(max(1, page), MAX_PAGE)
    condition, params = search_condition(query)
    if machine_ids is not None:
        condition += " AND m.machine_id IN (SELECT value FROM json_each(:ids))"
        params = dict(params, ids=json.dumps(list(machine_ids)))
    params = dict(params or {}, limit=per_page, offset=(page - 1) * per_page)
    total = db.execute(f"SELECT count(*) {FROM_MACHINES} WHERE {condition}", params).fetchone()[0]
    rows = db.query(
        f"SELECT {MACHINE_COLUMNS} {FROM_MACHINES} WHERE {condition} ORDER BY m.hostname COLLATE NOCASE, m.machine_id "
        "LIMIT :limit OFFSET :offset",
        params,
    )
    return Page([_bool_columns(row) for row in rows], total, page, per_page)


def get_machine(db, machine_id):
    """One machine with its latest report in full, or None."""
    rows = list(
        db.query(
            f"SELECT {MACHINE_COLUMNS}, r.clock_skew_seconds, r.body "
            f"{FROM_MACHINES} WHERE m.machine_id = ?",
            [canonical_machine_id(machine_id)],
        )
    )
    if not rows:
        return None
    machine = _bool_columns(rows[0])
    machine["report"] = json.loads(machine.pop("body"))
    return machine


def machine_history(db, machine_id, limit=100):
    """The machine's reports, newest first: when, under which name, in what state."""
    return [
        _bool_columns(row)
        for row in db.query(
            """SELECT report_id, observed_at, received_at, hostname, av_status, agent_version,
                  ram_installed_bytes, mgmt_installed
           FROM reports WHERE machine_id = ? ORDER BY observed_at DESC LIMIT ?""",
            [canonical_machine_id(machine_id), limit],
        )
    ]


def machine_names(db, machine_id):
    """Each name the machine has reported under, oldest first, with when it was first used."""
    return list(
        db.query(
            """SELECT hostname, min(observed_at) AS since FROM reports WHERE machine_id = ?
           GROUP BY hostname ORDER BY since""",
            [canonical_machine_id(machine_id)],
        )
    )


def addresses_by_report(db, report_ids):
    """The IP addresses each report gave, `{report_id: [ip, ...]}` (no empty ones)."""
    found: dict[str, list] = {report_id: [] for report_id in report_ids}
    for row in db.query(
        "SELECT r.report_id, json_extract(a.value, '$.ip') AS ip "
        "FROM reports r, json_each(r.body, '$.machine.addresses') a "
        "WHERE r.report_id IN (SELECT value FROM json_each(?)) AND ip IS NOT NULL "
        "ORDER BY r.report_id, a.key",
        [json.dumps(list(found))],
    ):
        if row["ip"] not in found[row["report_id"]]:
            found[row["report_id"]].append(row["ip"])
    return found


class UnknownMachine(LookupError):
    """No machine has reported with this id or under this name."""


class AmbiguousMachine(LookupError):
    """A name several machines report under: the officer must say which, by its id."""

    def __init__(self, name, machine_ids):
        super().__init__(name)
        self.name, self.machine_ids = name, machine_ids


def resolve_machine(db, reference):
    """The machine id an officer means by `reference`: a machine id in any spelling, or a
    hostname (any case) that one machine reports under now."""
    reference = str(reference).strip()
    machine_id = canonical_machine_id(reference)
    if db.execute("SELECT 1 FROM machines WHERE machine_id = ?", [machine_id]).fetchone():
        return machine_id
    named = [
        found
        for (found,) in db.execute(
            "SELECT machine_id FROM machines WHERE hostname = ? COLLATE NOCASE ORDER BY machine_id",
            [reference],
        )
    ]
    if len(named) > 1:
        raise AmbiguousMachine(reference, named)
    if not named:
        raise UnknownMachine(reference)
    return named[0]


def name_twins(db, machine_id, hostname):
    """The other machines that report under the same name now (a reinstall, a clone):
    `[{machine_id, hostname, last_seen_at}]`."""
    return list(
        db.query(
            "SELECT machine_id, hostname, last_seen_at FROM machines WHERE hostname = ? "
            "COLLATE NOCASE AND machine_id != ? ORDER BY last_seen_at DESC",
            [hostname, machine_id],
        )
    )


PRODUCT_DATES = """
    SELECT p.report_id, p.name, p.signatures_updated_at,
           min(substr(json_extract(b.value, '$.licence_expires_at'), 1, 10))
               AS licence_expires_on
    FROM report_products p JOIN reports r ON r.report_id = p.report_id
         LEFT JOIN json_each(r.body, '$.antivirus.products') b
         ON json_extract(b.value, '$.name') = p.name
    WHERE p.report_id IN (SELECT value FROM json_each(?))
    GROUP BY p.rowid ORDER BY p.report_id, p.rowid"""


def product_dates(db, report_id):
    """Each product of a report, in the report's order, with when its signatures were last
    updated (by the collector's clock, as stored) and the day its licence ends as the agent
    read it: `[{name, signatures_updated_at, licence_expires_on}]`."""
    return product_dates_by_report(db, [report_id])[report_id]


def product_dates_by_report(db, report_ids):
    """`product_dates()` of several reports, `{report_id: [...]}`."""
    found: dict[str, list] = {report_id: [] for report_id in report_ids}
    for row in db.query(PRODUCT_DATES, [json.dumps(list(found))]):
        found[row.pop("report_id")].append(row)
    return found
