"""The cost of a push, province → nation: a province of 10,000 PCs in 1,000 units (the
rollup bench's fleet, 10 days of reports) pushing to a national collector in this process
(Flask's test client: no network, the figures and the storage are what is measured).

Goals: the nightly push of one day ≤ 2 s; a catch-up ≤ 0.5 s a day (every day since the
first report: the fleet's silent machines reported ~50 days ago); a resend with nothing
new ≤ 0.5 s. Printed beside them: the bytes a day's push sends, the bytes a
province-day takes at the national collector, and what 34 provinces × 10 years would take.
`AVROLL_BENCH_PUSH_MACHINES` (default 10000) chooses the size.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from flask.testing import FlaskClient

from collector.cli import push
from collector.store import national
from collector.store.db import open_db
from collector.store.lifecycle import today
from collector.store.units import save_units
from collector.web.app import create_app
from tests.bench import fleet
from tests.bench.bench_trends import timed

MACHINES = int(os.environ.get("AVROLL_BENCH_PUSH_MACHINES", "10000"))


def main():
    with tempfile.TemporaryDirectory() as folder:
        province = timed(
            f"province of {MACHINES:,} PCs (bulk fill)",
            120,
            lambda: fleet.build(Path(folder) / "province.db", MACHINES),
        )
        app = create_app({"DATABASE": str(Path(folder) / "nation.db"), "TESTING": True})
        nation = open_db(app.config["DATABASE"])
        national.set_role(nation, "bench", "nation")
        save_units(nation, [(2, {"code": "BNI", "name": "Tỉnh Bắc Ninh"})], actor="bench")
        _, credential = national.create_credential(nation, "bench", "BNI")
        app.test_client_class = FlaskClient
        client = app.test_client()
        sent_bytes = []

        def send(method, path, body=None):
            data = None if body is None else json.dumps(body)
            answer = client.open(
                path,
                method=method,
                data=data,
                content_type="application/json",
                headers={"Authorization": f"Bearer {credential}"},
            )
            if data is not None:
                sent_bytes.append(len(data.encode("utf-8")))
            return answer.status_code, answer.json

        day_before = (today() - timedelta(days=2)).isoformat()
        start = time.perf_counter()
        done = push.push(province, send, through=day_before)
        each = (time.perf_counter() - start) / len(done.days)
        print(f"{'catch-up push (first push), a day':<44} {each:6.2f} s  (goal ≤ 0.5 s)")
        print(f"   {len(done.days)} days, {sum(sent_bytes) / len(sent_bytes):,.0f} B a day sent")
        sent_bytes.clear()
        done = timed("nightly push (the day just over)", 2, lambda: push.push(province, send))
        print(f"   {len(done.days)} day, {sum(sent_bytes):,} B sent")
        timed("resend (nothing new)", 0.5, lambda: push.push(province, send))
        days, stored = nation.execute(
            "SELECT count(*), sum(length(figures)) + sum(length(sha256)) FROM national_days"
        ).fetchone()
        per_day = stored / days
        print(
            f"   national store: {per_day:,.0f} B a province-day (figures and hash); "
            f"34 provinces × 3,653 days: {per_day * 34 * 3653 / 2**30:,.2f} GiB "
            "before indexes"
        )
        nation.close()
        province.close()


if __name__ == "__main__":
    main()
