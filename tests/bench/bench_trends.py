"""Trend figures and pages over the full `avroll demo` province (~4.700 computers, six weeks):
the first chart computes a rollup per day, later ones reuse the kept past days.

Goals: first province chart ≤ 10 s, a kept chart ≤ 0.5 s, overview and unit page ≤ 1.5 s
once their charts are kept.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from collector.cli.demo import fill
from collector.counting.trends import daily_figures
from collector.store import migrations, users
from collector.store.db import open_db
from collector.web.app import create_app
from tests.reporting import ADMIN, login


def timed(what, goal, call):
    start = time.perf_counter()
    result = call()
    seconds = time.perf_counter() - start
    print(f"{what:<44} {seconds:6.2f} s  (goal ≤ {goal} s)")
    return result


def main():
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "demo.db"
        db = open_db(path)
        migrations.apply(db)
        units, machines, reports = timed("avroll demo (fill)", 60, lambda: fill(db))
        print(f"   {units} units, {machines:,} computers, {reports:,} reports")
        figures = timed("daily_figures(), province, first", 10, lambda: daily_figures(db))
        print(f"   {len(figures)} days")
        timed("daily_figures(), province, kept", 0.5, lambda: daily_figures(db))
        timed("daily_figures(), a district, first", 10, lambda: daily_figures(db, "HCL"))
        users.add_user(db, "bench", *ADMIN, "admin")
        db.close()
        browser = create_app({"DATABASE": str(path), "TESTING": True}).test_client()
        login(browser, *ADMIN)
        for url in ("/", "/units/HCL", "/machines?sort=product"):
            timed(f"GET {url}", 1.5, lambda url=url: browser.get(url))


if __name__ == "__main__":
    main()
