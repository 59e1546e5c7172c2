"""Reports as issued: the number and date an officer gave a report, and the exact bytes of
the files that went out with it (appendix, letter), kept so that they download later
byte for byte as sent, whatever units, settings or reports changed since."""

from __future__ import annotations

import hashlib

from collector.formats.timefmt import now_stored
from collector.store import audit
from collector.store.db import write_transaction


class DuplicateIssue(ValueError):
    """A report with this number and date was issued already."""


def save_issued(db, number, issued_on, as_of, parent, files, actor):
    """Store an issued report and its `files` (`{filename: bytes}`) in one transaction,
    audited; the new report's id."""
    with write_transaction(db):
        if db.execute("SELECT 1 FROM issued_reports WHERE number = ? AND issued_on = ?",
                      [number, issued_on]).fetchone():
            raise DuplicateIssue(f"số {number} ngày {issued_on} đã được ban hành")
        cursor = db.execute(
            "INSERT INTO issued_reports (number, issued_on, as_of, parent, issued_at, "
            "issued_by) VALUES (?, ?, ?, ?, ?, ?)",
            [number, issued_on, as_of, parent, now_stored(), actor])
        report_id = cursor.lastrowid
        for filename, body in files.items():
            db.execute("INSERT INTO issued_files (report_id, filename, body, sha256) "
                       "VALUES (?, ?, ?, ?)",
                       [report_id, filename, body, hashlib.sha256(body).hexdigest()])
        audit.record(db, actor, "reports.issue",
                     {"id": report_id, "number": number, "issued_on": issued_on,
                      "as_of": as_of, "parent": parent, "files": sorted(files)})
    return report_id


def issued_reports(db):
    """Every issued report, newest first, with its files' names, sizes and SHA-256 (not
    their bytes): what the issued-reports page and the trend chart's marks read."""
    reports = [dict(row) for row in db.query(
        "SELECT id, number, issued_on, as_of, parent, issued_at, issued_by "
        "FROM issued_reports ORDER BY issued_on DESC, id DESC")]
    files = {}
    for row in db.query("SELECT report_id, filename, length(body) AS size, sha256 "
                        "FROM issued_files ORDER BY report_id, filename"):
        files.setdefault(row.pop("report_id"), []).append(row)
    for report in reports:
        report["files"] = files.get(report["id"], [])
    return reports


def issued_file(db, report_id, filename):
    """The stored bytes of one file of an issued report, or None."""
    row = db.execute("SELECT body FROM issued_files WHERE report_id = ? AND filename = ?",
                     [report_id, filename]).fetchone()
    return None if row is None else bytes(row[0])
