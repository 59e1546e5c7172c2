"""A machine's report history with what each report meant under the counting rules: was
the mandated product there (and protecting), or only another one such as Defender."""

from __future__ import annotations

from collector.counting.inventory import products_by_report
from collector.counting.states import state_query, when_for
from collector.store.machines import machine_history

# Every report of one machine, each taken as if it were the latest (the rollup's own rules).
EACH_REPORT = """
    SELECT report_id, machine_id, hostname, observed_at, agent_unit_code, unit_bound,
           ram_installed_bytes, ram_visible_bytes, mgmt_last_connected_at
    FROM reports WHERE machine_id = :machine_id"""


def history_with_states(db, machine_id, limit=100):
    """`machine_history()` rows, each with the products its report named and the state it
    gave the machine when it came (protected, unprotected, exempt or missing)."""
    rows = machine_history(db, machine_id, limit)
    sql, params = state_query(db, when_for(db), latest=EACH_REPORT, read_only=True)
    # A report is never stale (nor retired) at the moment it is read.
    params.update(machine_id=machine_id.lower(), stale_before="", retire_before="", as_of="")
    states = {
        row["report_id"]: row["state"]
        for row in db.query(
            f"{sql} SELECT report_id, state FROM state",  # noqa: S608
            params,
        )
    }
    products = products_by_report(db, [row["report_id"] for row in rows])
    for row in rows:
        row["state"], row["products"] = states.get(row["report_id"]), products[row["report_id"]]
    return rows
