"""Storing a validated report: the report row, its products, and the machine it updates."""

from __future__ import annotations

import json
from dataclasses import dataclass

from collector.formats.timefmt import now_stored, stored_from_report
from collector.store import enrollment
from collector.store.db import write_transaction


class ReportConflict(Exception):
    """The report's id was already used by a report of another machine."""


@dataclass(frozen=True)
class Stored:
    """What storing a report did: `duplicate` when the same report was already stored."""

    report_id: str
    machine_id: str
    duplicate: bool
    credential: str | None = None  # issued when this report enrolled its machine


REPORT_COLUMNS = (
    "report_id", "machine_id", "received_at", "collected_at", "observed_at", "hostname",
    "agent_version", "agent_unit_code", "os_family", "os_name", "os_version", "os_server",
    "ram_installed_bytes", "ram_visible_bytes", "device_type", "av_status",
    "mgmt_installed", "mgmt_running", "body")
# Built from the constant column list above: no input reaches this text.
INSERT_REPORT = "INSERT INTO reports ({}) VALUES ({})".format(  # noqa: S608
    ", ".join(REPORT_COLUMNS), ", ".join("?" * len(REPORT_COLUMNS)))
INSERT_PRODUCT = """INSERT INTO report_products
    (report_id, name, vendor, version, enabled, up_to_date) VALUES (?, ?, ?, ?, ?, ?)"""
# A report sent late from the agent's spool must not replace a newer one as the latest.
UPSERT_MACHINE = """
    INSERT INTO machines (machine_id, hostname, first_seen_at, last_seen_at, latest_report_id)
    VALUES (:machine_id, :hostname, :observed_at, :observed_at, :report_id)
    ON CONFLICT (machine_id) DO UPDATE SET
        first_seen_at = min(first_seen_at, excluded.first_seen_at),
        hostname = iif(excluded.last_seen_at >= last_seen_at, excluded.hostname, hostname),
        latest_report_id = iif(excluded.last_seen_at >= last_seen_at,
                               excluded.latest_report_id, latest_report_id),
        last_seen_at = max(last_seen_at, excluded.last_seen_at)"""


def report_row(report, received_at):
    """The `reports` row of a validated report."""
    machine, os_info = report["machine"], report["machine"]["os"]
    management = report.get("management_agent") or {}
    collected_at = stored_from_report(report["collected_at"])
    return {
        "report_id": report["report_id"].lower(),
        "machine_id": machine["machine_id"].lower(),
        "received_at": received_at,
        "collected_at": collected_at,
        # An agent's clock may run ahead; it cannot have seen the machine after we heard.
        "observed_at": min(collected_at, received_at),
        "hostname": machine["hostname"],
        "agent_version": report["agent"]["version"],
        "agent_unit_code": (report["agent"].get("unit_code") or None) and
        report["agent"]["unit_code"].upper(),
        "os_family": os_info["family"],
        "os_name": os_info["name"],
        "os_version": os_info["version"],
        "os_server": os_info["server"],
        "ram_installed_bytes": machine["ram"]["installed_bytes"],
        "ram_visible_bytes": machine["ram"]["visible_bytes"],
        "device_type": machine["device_type"],
        "av_status": report["antivirus"]["status"],
        "mgmt_installed": management.get("installed", False),
        "mgmt_running": management.get("running"),
        "body": json.dumps(report, ensure_ascii=False, separators=(",", ":")),
    }


def store_report(db, report, received_at=None, agent=None):
    """Store a validated report in one transaction; a report stored twice counts once.

    With `agent` (who sent it, see `enrollment`), the machine is checked and enrolled in the
    same transaction, the report is stored under the machine `enrollment` decides (a clone
    apart, a reinstalled PC as before), and the unit it was enrolled for replaces the
    report's own."""
    row = report_row(report, received_at or now_stored())
    credential = None
    with write_transaction(db):
        if agent is not None:
            admitted = enrollment.admit(db, agent, row["machine_id"],
                                        report["machine"].get("hardware_uuid"))
            row["machine_id"] = admitted.key  # a clone's own key, a reinstalled PC's old one
            row["agent_unit_code"] = admitted.unit_code or row["agent_unit_code"]
            credential = admitted.credential
        existing = db.execute("SELECT machine_id FROM reports WHERE report_id = ?",
                              [row["report_id"]]).fetchone()
        if existing is not None:
            if existing[0] != row["machine_id"]:
                raise ReportConflict(row["report_id"])
            return Stored(row["report_id"], row["machine_id"], True, credential)
        db.execute(INSERT_REPORT, [row[column] for column in REPORT_COLUMNS])
        db.conn.executemany(INSERT_PRODUCT, [
            (row["report_id"], p["name"], p.get("vendor"), p.get("version"), p.get("enabled"),
             p.get("up_to_date")) for p in report["antivirus"]["products"]])
        db.execute(UPSERT_MACHINE, row)
    return Stored(row["report_id"], row["machine_id"], False, credential)
