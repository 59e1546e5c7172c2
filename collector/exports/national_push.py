"""What a province pushes to its national collector, built from its own figures: the
appendix as of each day (`rollup()`, laid out by `rollup_appendix.appendix_lines()`, each
unit's connected and misnamed beside its row) and each issued report's files as issued."""

from __future__ import annotations

import base64
from datetime import date, timedelta

from collector.counting.figures import first_report_day
from collector.counting.rollup import rollup
from collector.exports.rollup_appendix import appendix_lines
from collector.formats.timefmt import now_stored
from collector.store.issued_reports import issued_file, issued_reports
from collector.store.lifecycle import today


def day_payload(db, as_of):
    """The province's appendix as of `as_of` (YYYY-MM-DD), as the national collector
    stores it: the table's rows (`formats/national_payload.ROW_FIELDS`) and the grand
    total."""
    report = rollup(db, as_of=as_of)
    misnamed = {
        row["code"]: row["misnamed_official"]
        for section in report["sections"]
        for row in section["units"]
    }
    rows = [
        [
            line.kind,
            line.section,
            line.group or None,
            line.stt,
            line.code,
            line.name,
            line.allocated,
            line.installed,
            line.rate,
            line.note or None,
            line.connected,
            misnamed.get(line.code) if line.kind == "unit" else None,
        ]
        for line in appendix_lines(report)
    ]
    total = report["total"]
    return {
        "as_of": report["as_of"],
        "computed_at": now_stored(),
        "rows": rows,
        "total": {
            "allocated": total["allocated"],
            "installed": total["installed_official"],
            "rate": total["install_rate"],
            "connected": total["connected"],
            "misnamed": report["misnamed"]["installed_official"],
            "seen": total["seen"],
        },
    }


def days_to_send(db, after=None, through=None):
    """The days a push sends: from the day after `after` (the last day the national
    collector has; else the first day a machine reported) through `through` (default
    yesterday: a day is sent once it is over), oldest first."""
    last = date.fromisoformat(through) if through else today() - timedelta(days=1)
    last = min(last, today() - timedelta(days=1))
    if after:
        first = date.fromisoformat(after) + timedelta(days=1)
    else:
        found = first_report_day(db)
        if found is None:
            return []
        first = date.fromisoformat(str(found))
    return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


def issued_payloads(db, sent=()):
    """Each issued report (not the reminders) not among `sent` ((number, issued_on, issuer)
    triples, the issuer '' for the province), with its files."""
    sent = {tuple(key) for key in sent}
    for report in reversed(issued_reports(db, kind="report")):
        if (report["number"], report["issued_on"], report["parent"] or "") in sent:
            continue
        yield {
            "number": report["number"],
            "issued_on": report["issued_on"],
            "as_of": report["as_of"],
            "parent": report["parent"],
            "issued_at": report["issued_at"],
            "files": [
                {
                    "filename": item["filename"],
                    "sha256": item["sha256"],
                    "body": base64.b64encode(
                        issued_file(db, report["id"], item["filename"])
                    ).decode(),
                }
                for item in report["files"]
            ],
        }
