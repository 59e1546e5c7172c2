"""Documents as issued, reports and reminders: the number and date an officer gave one, and
the exact bytes of the files that went out with it (appendix, letter), kept so that they
download later byte for byte as sent, whatever units, settings or reports changed since.

A number is unique per issuer and day: the province (`parent` None) and each unit drafting
under its own letterhead number their documents apart."""

from __future__ import annotations

import hashlib
import json

from collector.formats.timefmt import now_stored
from collector.store import audit
from collector.store.db import write_transaction


class DuplicateIssue(ValueError):
    """A document with this number and date was issued already by the same issuer."""


def save_issued(db, number, issued_on, as_of, parent, files, actor, kind="report", figures=None):
    """Store an issued document (`kind` report or reminder), its `files` (`{filename:
    bytes}`) and the appendix `figures` they were made from (rows of JSON values) in one
    transaction, audited; the new document's id."""
    with write_transaction(db):
        if db.execute(
            "SELECT 1 FROM issued_reports WHERE number = ? AND issued_on = ? AND parent IS ?",
            [number, issued_on, parent],
        ).fetchone():
            raise DuplicateIssue(f"số {number} ngày {issued_on} đã được ban hành")
        cursor = db.execute(
            "INSERT INTO issued_reports (kind, number, issued_on, as_of, parent, issued_at, "
            "issued_by, figures) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                kind,
                number,
                issued_on,
                as_of,
                parent,
                now_stored(),
                actor,
                None if figures is None else json.dumps(figures, ensure_ascii=False),
            ],
        )
        report_id = cursor.lastrowid
        for filename, body in files.items():
            db.execute(
                "INSERT INTO issued_files (report_id, filename, body, sha256) VALUES (?, ?, ?, ?)",
                [report_id, filename, body, hashlib.sha256(body).hexdigest()],
            )
        audit.record(
            db,
            actor,
            f"{kind}s.issue",
            {
                "id": report_id,
                "number": number,
                "issued_on": issued_on,
                "as_of": as_of,
                "parent": parent,
                "files": sorted(files),
            },
        )
    return report_id


def issued_reports(db, kind=None):
    """Every issued document (of `kind` when given), newest first, with its files' names,
    sizes and SHA-256 (not their bytes) and the figures it was issued with (None when
    issued before they were kept): what the issued page and the trend chart's marks read."""
    reports = [
        dict(row, figures=None if row["figures"] is None else json.loads(row["figures"]))
        for row in db.query(
            "SELECT id, kind, number, issued_on, as_of, parent, issued_at, issued_by, figures "
            "FROM issued_reports WHERE ? IS NULL OR kind = ? ORDER BY issued_on DESC, id DESC",
            [kind, kind],
        )
    ]
    files: dict[int, list] = {}
    for row in db.query(
        "SELECT report_id, filename, length(body) AS size, sha256 "
        "FROM issued_files ORDER BY report_id, filename"
    ):
        files.setdefault(row.pop("report_id"), []).append(row)
    for report in reports:
        report["files"] = files.get(report["id"], [])
    return reports


def issued_file(db, report_id, filename):
    """The stored bytes of one file of an issued report, or None."""
    row = db.execute(
        "SELECT body FROM issued_files WHERE report_id = ? AND filename = ?", [report_id, filename]
    ).fetchone()
    return None if row is None else bytes(row[0])
