"""KSC import and reconciliation, at a province's size and at a stress size.

A province: a console export of 6,000 lines against 5,000 machines reporting; stress: 50,000
lines against 20,000. Sample output (a slow shared VM):
    province: import ksc 6,000 lines in 1.3 s (goal: under 5 s); reconcile 0.8 s (goal: under 1 s, what a page waits for)
    stress:   import ksc 50,000 lines in 6.8 s (goal: under 30 s); reconcile 3.7 s (goal: under 10 s)
"""

from __future__ import annotations

import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from collector.counting import reconcile
from collector.store import console_imports
from collector.store.db import open_db
from tests.bench.bench_ingest import seed
from tests.console_files import ksc_row, write_ksc

# (name, machines reporting, KSC lines, import goal s, reconcile goal s)
SIZES = (("province", 5_000, 6_000, 5.0, 1.0), ("stress", 20_000, 50_000, 30.0, 10.0))


def run(name, machines, lines, import_goal, reconcile_goal):
    with tempfile.TemporaryDirectory() as folder:
        db_path = str(Path(folder) / "bench.db")
        seed(db_path, machines)  # hostnames SEED-000000...
        seen = datetime.now(timezone.utc) - timedelta(hours=1)
        rows = [
            ksc_row(
                f"SEED-{n:06}" if n < machines else f"KSC-{n:06}",
                f"10.{n // 65536}.{n // 256 % 256}.{n % 256}",
                seen,
            )
            for n in range(lines)
        ]
        path = write_ksc(Path(folder) / "ksc.txt", rows)
        db = open_db(db_path)
        started = time.perf_counter()
        console_imports.import_file(db, "ksc", path, actor="bench")
        imported = time.perf_counter() - started
        started = time.perf_counter()
        reconcile.counts(reconcile.reconcile(db))
        matched = time.perf_counter() - started
        db.close()
    print(
        f"   {name + ':':9} import ksc {lines:,} lines in {imported:.1f} s (goal: under "
        f"{import_goal:.0f} s); reconcile {matched:.1f} s (goal: under {reconcile_goal:.0f} s"
        f"{', what a page waits for' if name == 'province' else ''})",
        flush=True,
    )


def main():
    for size in SIZES:
        run(*size)
