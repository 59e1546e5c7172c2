"""Storing a validated report: the report row, its products, and the machine it updates."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

from collector.formats.timefmt import now_stored, parse_stored, stored_from_report, to_stored
from collector.store import enrollment
from collector.store.db import write_transaction
from shared.report import (
    EARLIEST_TIME,
    LATEST_TIME,
    canonical_machine_id,
    canonical_report_id,
    parse_timestamp,
)

# No PC ran avroll before this: an earlier collection time is a wrong clock, not history.
PLAUSIBLE_FROM = "2020-01-01T00:00:00Z"
# Skews up to this are clocks a little off plus the time on the wire: left as they are.
SKEW_TOLERANCE_SECONDS = 300


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
    "report_id",
    "machine_id",
    "received_at",
    "collected_at",
    "observed_at",
    "hostname",
    "agent_version",
    "agent_unit_code",
    "os_family",
    "os_name",
    "os_version",
    "os_server",
    "ram_installed_bytes",
    "ram_visible_bytes",
    "device_type",
    "av_status",
    "mgmt_installed",
    "mgmt_running",
    "mgmt_server",
    "mgmt_last_connected_at",
    "body",
    "clock_skew_seconds",
    "unit_bound",
)
# Built from the constant column list above: no input reaches this text.
INSERT_REPORT = "INSERT INTO reports ({}) VALUES ({})".format(  # noqa: S608
    ", ".join(REPORT_COLUMNS), ", ".join("?" * len(REPORT_COLUMNS))
)
# Ingest's: a report already stored (the same report_id) is left as it is.
INSERT_NEW_REPORT = INSERT_REPORT + " ON CONFLICT (report_id) DO NOTHING"
INSERT_PRODUCT = """INSERT INTO report_products
    (report_id, name, vendor, version, enabled, up_to_date, signatures_updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?)"""
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


def _moment_seen(text, observed_at, skew=None):
    """A time the agent tells (last connection, signature date) in the stored form, by the
    collector's clock (corrected by the skew as the collection time is); never after the
    report was observed (a clock running ahead must not stretch a window)."""
    if not text:
        return None
    moment = stored_from_report(text)
    if skew is not None and abs(skew) > SKEW_TOLERANCE_SECONDS:
        moment = to_stored(parse_stored(moment) + timedelta(seconds=skew))
    return min(moment, observed_at)


def product_rows(report, report_id, observed_at, skew=None):
    """The `report_products` rows of a validated report."""
    return [
        (
            report_id,
            p["name"],
            p.get("vendor"),
            p.get("version"),
            p.get("enabled"),
            p.get("up_to_date"),
            _moment_seen(p.get("signatures_updated_at"), observed_at, skew),
        )
        for p in report["antivirus"]["products"]
    ]


def clock_skew_seconds(sent_at, received_at):
    """The collector's clock minus the PC's, from the time the agent says it sent the report
    (its X-Avroll-Sent-At header); None when the agent did not say or said nonsense."""
    sent = parse_timestamp(sent_at[:40]) if sent_at else None
    if sent is None or not EARLIEST_TIME <= sent < LATEST_TIME:
        return None
    return round((parse_stored(received_at) - sent).total_seconds())


def observed_time(collected_at, received_at, skew):
    """When the PC was in the state it reports, by the collector's clock: its collection
    time corrected by the measured skew, never later than received, and the time received
    when the PC's clock is implausible and no skew was measured."""
    if skew is not None and abs(skew) > SKEW_TOLERANCE_SECONDS:
        collected_at = to_stored(parse_stored(collected_at) + timedelta(seconds=skew))
    if collected_at < PLAUSIBLE_FROM:
        return received_at
    return min(collected_at, received_at)


def report_row(report, received_at, sent_at=None):
    """The `reports` row of a validated report (`sent_at`: the agent's X-Avroll-Sent-At)."""
    machine, os_info = report["machine"], report["machine"]["os"]
    management = report.get("management_agent") or {}
    collected_at = stored_from_report(report["collected_at"])
    skew = clock_skew_seconds(sent_at, received_at)
    observed_at = observed_time(collected_at, received_at, skew)
    return {
        "report_id": canonical_report_id(report["report_id"]),
        "machine_id": canonical_machine_id(machine["machine_id"]),
        "received_at": received_at,
        "collected_at": collected_at,
        "observed_at": observed_at,
        "clock_skew_seconds": skew,
        "hostname": machine["hostname"],
        "agent_version": report["agent"]["version"],
        "agent_unit_code": (report["agent"].get("unit_code") or None)
        and report["agent"]["unit_code"].upper(),
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
        "mgmt_server": management.get("server"),
        "mgmt_last_connected_at": _moment_seen(
            management.get("last_connected_at"), observed_at, skew
        ),
        "body": json.dumps(report, ensure_ascii=False, separators=(",", ":")),
        "unit_bound": 0,
    }


@dataclass(frozen=True)
class Prepared:
    """A validated report's rows, made before the write lock (in the request's thread)."""

    row: dict
    products: list
    hardware_uuid: str | None


def prepare_report(report, received_at=None, sent_at=None):
    """The rows of a validated report (`sent_at`: the agent's X-Avroll-Sent-At)."""
    row = report_row(report, received_at or now_stored(), sent_at)
    return Prepared(
        row,
        product_rows(report, row["report_id"], row["observed_at"], row["clock_skew_seconds"]),
        report["machine"].get("hardware_uuid"),
    )


# The moment a machine was first enrolled, among every credential that reports into it.
FIRST_ENROLLED = """SELECT min(enrolled_at) FROM machine_credentials
    WHERE machine_id = :key OR stored_as = :key"""


def counted_from(db, row):
    """The report's observed moment, never before its machine's first enrolment (or, for
    the report that enrolls it, its receipt): a token holder's fakes cannot reach a day
    already reported, and a PC's spool from before its enrolment counts from then. A
    machine no credential reports into (imports, the command line) keeps its history."""
    (enrolled_at,) = db.execute(FIRST_ENROLLED, {"key": row["machine_id"]}).fetchone()
    if enrolled_at is None:
        return row["observed_at"]
    return max(row["observed_at"], min(enrolled_at, row["received_at"]))


def write_report(db, prepared, agent=None):
    """Store a prepared report inside the caller's write transaction; a report stored twice
    counts once (`Stored.duplicate`).

    With `agent` (who sent it, see `enrollment`), the machine is checked and enrolled in the
    same transaction, the report is stored under the machine `enrollment` decides (a clone
    apart, a reinstalled PC as before), and the unit it was enrolled for replaces the
    report's own. The report counts from its machine's enrolment on (`counted_from`)."""
    row = dict(prepared.row)
    credential = None
    if agent is not None:
        admitted = enrollment.admit(
            db, agent, row["machine_id"], prepared.hardware_uuid, hostname=row["hostname"]
        )
        row["machine_id"] = admitted.key  # a clone's own key, a reinstalled PC's old one
        row["agent_unit_code"] = admitted.unit_code or row["agent_unit_code"]
        # Bound by the token that enrolled it, not said by the agent itself.
        row["unit_bound"] = int(admitted.unit_code is not None)
        credential = admitted.credential
    row["observed_at"] = counted_from(db, row)
    if not db.execute(INSERT_NEW_REPORT, [row[column] for column in REPORT_COLUMNS]).rowcount:
        (stored_for,) = db.execute(
            "SELECT machine_id FROM reports WHERE report_id = ?", [row["report_id"]]
        ).fetchone()
        if stored_for != row["machine_id"]:
            raise ReportConflict(row["report_id"])
        return Stored(row["report_id"], row["machine_id"], True, credential)
    db.conn.executemany(INSERT_PRODUCT, prepared.products)
    db.execute(UPSERT_MACHINE, row)
    return Stored(row["report_id"], row["machine_id"], False, credential)


def store_report(db, report, received_at=None, agent=None, sent_at=None):
    """Store a validated report in a transaction of its own (the command line, tests); the
    server hands `write_report` to its single writer instead (store/writer.py)."""
    prepared = prepare_report(report, received_at, sent_at)
    with write_transaction(db):
        return write_report(db, prepared, agent)


def backfill_connection_and_signatures(db):
    """Fill the connection and signature columns of reports stored before they existed
    (only bodies that carry either field are read)."""
    for report_id, observed_at, body in db.execute(
        "SELECT report_id, observed_at, body FROM reports WHERE body LIKE "
        "'%last_connected_at%' OR body LIKE '%signatures_updated_at%'"
    ).fetchall():
        report = json.loads(body)
        management = report.get("management_agent") or {}
        db.execute(
            "UPDATE reports SET mgmt_server = ?, mgmt_last_connected_at = ? WHERE report_id = ?",
            [
                management.get("server"),
                _moment_seen(management.get("last_connected_at"), observed_at),
                report_id,
            ],
        )
        db.execute("DELETE FROM report_products WHERE report_id = ?", [report_id])
        db.conn.executemany(INSERT_PRODUCT, product_rows(report, report_id, observed_at))
