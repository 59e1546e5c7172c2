"""What security costs: a login's password check, and report ingest with agent authentication.

login: scrypt password check 141.0 ms
ingest (test client, 300 distinct machines): enrolling 360 reports/s, with credential
449 reports/s, unauthenticated store_report() 2540 reports/s
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from collector.store import enrollment, users
from collector.store.db import open_db
from collector.store.ingest import store_report
from collector.web.app import create_app
from tests.builders import make_report

MACHINES = 300


def timed(function, repeat):
    start = time.perf_counter()
    for index in range(repeat):
        function(index)
    return time.perf_counter() - start


def main():
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"DATABASE": str(Path(folder) / "bench.db"), "REPORTS_PER_MACHINE": 10**6})
        db = open_db(app.config["DATABASE"])
        users.add_user(db, "bench", "bench", "bench-password", "viewer")
        login = timed(lambda _: users.authenticate(db, "bench", "bench-password"), 10) / 10
        token = enrollment.create_token(db, "bench")[1]
        client = app.test_client()
        credentials = {}

        def enroll(index):
            answer = client.post(
                "/api/v1/reports",
                headers={"Authorization": "Bearer " + token},
                json=make_report(hostname=f"PC-{index:04}"),
            )
            credentials[index] = answer.json["credential"]

        def report(index):
            client.post(
                "/api/v1/reports",
                headers={"Authorization": "Bearer " + credentials[index]},
                json=make_report(hostname=f"PC-{index:04}"),
            )

        enrolling = timed(enroll, MACHINES)
        with_credential = timed(report, MACHINES)
        bare = timed(lambda i: store_report(db, make_report(hostname=f"RAW-{i:04}")), MACHINES)
        db.close()
    print(f"login: scrypt password check {login * 1000:.1f} ms")
    print(
        f"ingest (test client, {MACHINES} distinct machines): enrolling "
        f"{MACHINES / enrolling:.0f} reports/s, with credential "
        f"{MACHINES / with_credential:.0f} reports/s, unauthenticated store_report() "
        f"{MACHINES / bare:.0f} reports/s"
    )


if __name__ == "__main__":
    main()
