"""The retention rule for reports: every report for `keep_all_reports_days`, then only each
machine's last report of each day (Vietnam time).

Figures as of a date read each machine's latest report before the end of that day, so the
last report of each day is all any past figure needs: thinning never changes a past figure
(tests/collector/test_retention.py proves it over random report streams). Each machine's
latest report is always kept.
"""

from __future__ import annotations

from datetime import timedelta

from collector.formats.timefmt import now_stored, parse_stored, to_stored
from collector.store.db import write_transaction

# The reports older than the limit that are not their machine's last of the local day
# (+7 hours: the day in Vietnam), nor any machine's latest report.
THINNED = """
    SELECT r.report_id FROM reports r
    WHERE r.observed_at < :before
      AND r.report_id NOT IN (SELECT latest_report_id FROM machines)
      AND r.rowid != (
          SELECT CAST(substr(max(k.observed_at || printf('%015d', k.rowid)), 21) AS INTEGER)
          FROM reports k
          WHERE k.machine_id = r.machine_id
            AND date(k.observed_at, '+7 hours') = date(r.observed_at, '+7 hours'))"""


def thin_reports(db, keep_all_days, now=None):
    """Delete the reports the rule no longer keeps (and their products); how many."""
    before = to_stored(parse_stored(now or now_stored()) - timedelta(days=keep_all_days))
    with write_transaction(db):
        doomed = [report_id for (report_id,) in db.execute(THINNED, {"before": before})]
        db.execute("CREATE TEMP TABLE IF NOT EXISTS doomed (report_id TEXT PRIMARY KEY)")
        db.execute("DELETE FROM doomed")
        db.conn.executemany("INSERT INTO doomed VALUES (?)", ((rid,) for rid in doomed))
        db.execute("DELETE FROM report_products WHERE report_id IN (SELECT report_id FROM doomed)")
        db.execute("DELETE FROM reports WHERE report_id IN (SELECT report_id FROM doomed)")
        db.execute("DELETE FROM doomed")
    return len(doomed)
