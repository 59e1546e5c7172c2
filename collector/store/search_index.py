"""The machines as a search finds them: each machine's latest report's addresses as text
(`machine_addresses`: IPs, MACs as bare hex digits, one per line) and its name, id and
addresses in the trigram index `machine_search` (row: machines.rowid).

Triggers keep both with the `machines` row, whoever writes it, in the transaction that
stores the report: a search is exact as soon as the report is acknowledged, and a report
whose machine keeps its name and addresses (the daily case) rewrites nothing in the index.
"""

from __future__ import annotations

from collector.store.machines import REPORT_IPS, REPORT_MACS

# A report's addresses as searchable text (`{report}`: the SQL naming its report_id).
ADDRESSES_OF = f"""SELECT {REPORT_IPS.format(body="r.body")} AS ips,
                          {REPORT_MACS.format(body="r.body")} AS macs
                   FROM reports r WHERE r.report_id = {{report}}"""  # noqa: S608
# What a search reads of machine `{machine}` (SQL naming its machine_id).
SEARCH_TEXT = """INSERT INTO machine_search (rowid, text)
    SELECT m.rowid, m.hostname || char(10) || m.machine_id || char(10)
                    || coalesce(a.ips, '') || char(10) || coalesce(a.macs, '')
    FROM machines m JOIN machine_addresses a USING (machine_id)
    WHERE m.machine_id = {machine}"""
REWRITE = (
    "DELETE FROM machine_search WHERE rowid = "  # noqa: S608
    "(SELECT rowid FROM machines WHERE machine_id = {machine}); " + SEARCH_TEXT + ";"
)
# Every trigger is built from the constant SQL above: no input reaches this text.
TRIGGERS = {
    # A new machine: its addresses, then its text.
    "machine_search_insert": f"""AFTER INSERT ON machines BEGIN
        INSERT INTO machine_addresses (machine_id, ips, macs)
            SELECT NEW.machine_id, ips, macs FROM ({
        ADDRESSES_OF.format(report="NEW.latest_report_id")
    }) WHERE true
            ON CONFLICT (machine_id) DO UPDATE SET ips = excluded.ips, macs = excluded.macs;
        {REWRITE.format(machine="NEW.machine_id")} END""",  # noqa: S608
    # A newer report: its addresses only when they differ (which rewrites the text below);
    # the text again when the name changed.
    "machine_search_update": f"""AFTER UPDATE OF hostname, latest_report_id ON machines
        WHEN OLD.latest_report_id IS NOT NEW.latest_report_id
          OR OLD.hostname IS NOT NEW.hostname BEGIN
        UPDATE machine_addresses SET ips = fresh.ips, macs = fresh.macs
            FROM ({ADDRESSES_OF.format(report="NEW.latest_report_id")}) AS fresh
            WHERE machine_addresses.machine_id = NEW.machine_id
              AND (machine_addresses.ips IS NOT fresh.ips
                   OR machine_addresses.macs IS NOT fresh.macs);
        DELETE FROM machine_search WHERE rowid = NEW.rowid
            AND OLD.hostname IS NOT NEW.hostname;
        {SEARCH_TEXT.format(machine="NEW.machine_id")} AND OLD.hostname IS NOT NEW.hostname;
        END""",  # noqa: S608
    "machine_search_addresses": f"""AFTER UPDATE ON machine_addresses BEGIN
        {REWRITE.format(machine="NEW.machine_id")} END""",
    "machine_search_delete": """AFTER DELETE ON machines BEGIN
        DELETE FROM machine_addresses WHERE machine_id = OLD.machine_id;
        DELETE FROM machine_search WHERE rowid = OLD.rowid; END""",
}


def install(db):
    """Create the triggers and fill both tables for every machine (a migration's step)."""
    for name, body in TRIGGERS.items():
        db.execute(f"DROP TRIGGER IF EXISTS {name}")
        db.execute(f"CREATE TRIGGER {name} {body}")
    db.execute("DELETE FROM machine_addresses")
    db.execute(f"""INSERT INTO machine_addresses (machine_id, ips, macs)
                   SELECT m.machine_id, {REPORT_IPS.format(body="r.body")},
                          {REPORT_MACS.format(body="r.body")}
                   FROM machines m JOIN reports r ON r.report_id = m.latest_report_id""")  # noqa: S608
    db.execute("DELETE FROM machine_search")
    db.execute(SEARCH_TEXT.format(machine="m.machine_id"))
