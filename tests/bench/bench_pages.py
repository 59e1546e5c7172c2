"""Page render times on 100,000 machines in 1,000 units (the rollup bench's data), through
Flask's test client, logged in as an admin: the pages paginate, so only the rollup costs.

    pages: 100,000 machines, 1,000 units
    /                                     1.32 s  overview (33 KiB)
    /units                                1.23 s  units table (67 KiB)
    /units?sort=rate&desc=1               1.25 s  units table, sorted (67 KiB)
    /units/U001                           1.18 s  one unit (a subtree of 10), installed tab (30 KiB)
    /units/U001?tab=missing               1.36 s  one unit, missing tab (9 KiB)
    /machines                             0.90 s  machines, first page (23 KiB)
    /machines?q=M0999                     0.73 s  machines, search (6 KiB)
    /machines?state=missing&page=20       0.63 s  machines, a state, page 20 (23 KiB)
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from collector.store import users
from collector.store.db import open_db
from collector.web.app import create_app
from tests.bench.bench_rollup import MACHINES, UNITS, _reports, _units
from tests.reporting import ADMIN, login

PAGES = [
    ("/", "overview"),
    ("/units", "units table"),
    ("/units?sort=rate&desc=1", "units table, sorted"),
    ("/units/U001", "one unit (a subtree of 10), installed tab"),
    ("/units/U001?tab=missing", "one unit, missing tab"),
    ("/machines", "machines, first page"),
    ("/machines?q=M0999", "machines, search"),
    ("/machines?state=missing&page=20", "machines, a state, page 20"),
]


def main():
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        app = create_app({"DATABASE": str(path), "TESTING": True})
        db = open_db(path)
        users.add_user(db, "bench", *ADMIN, "admin")
        _units(db)
        _reports(db)
        db.close()
        browser = app.test_client()
        login(browser, *ADMIN)
        print(f"pages: {MACHINES:,} machines, {UNITS:,} units")
        for url, what in PAGES:
            start = time.perf_counter()
            answer = browser.get(url)
            seconds = time.perf_counter() - start
            assert answer.status_code == 200, (url, answer.status_code)
            print(f"{url:<36} {seconds:5.2f} s  {what} ({len(answer.data) // 1024:,} KiB)")


if __name__ == "__main__":
    main()
