"""PC → province → nation with real processes: a national collector (`avroll serve --role
nation`) on 127.0.0.1, and two provinces pushing to it with `avroll push`. The national
figures equal each province's own appendix (`avroll export rollup`), before and after an
outage of the national collector and a resend; an issued report downloads byte for byte."""

from __future__ import annotations

import csv
import os
import subprocess
from datetime import timedelta

import requests

from collector.store import migrations, national, users
from collector.store.db import open_db
from collector.store.lifecycle import today
from tests.e2e.conftest import ADMIN, avroll, command, free_port, logged_in, serving
from tests.national import PROVINCES, seed_nation, seed_province


def _database(path, seed):
    db = open_db(path)
    try:
        migrations.apply(db)
        seed(db)
    finally:
        db.close()


def push(env, url, through=None):
    args = [command("avroll"), "push", "--to", url] + (["--through", through] if through else [])
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)


def own_appendix(env, as_of, out):
    """The province's appendix as of a day, as its own `avroll export rollup` writes it:
    (code or name, allocated, installed, rate, connected) per row."""
    avroll(env, "export", "rollup", "--as-of", as_of, "--format", "csv", "--out", str(out))
    with open(out, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    return [(row[3] or row[4], row[5], row[6], row[7], row[9]) for row in rows]


def national_appendix(url, token, province, as_of):
    """What the national collector keeps of a province's day, in the same terms."""
    answer = requests.get(
        f"{url}/api/v1/national/provinces/{province}/days/{as_of}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text

    def text(value):
        return "" if value is None else str(round(value, 4) if isinstance(value, float) else value)

    return [
        (row[4] or row[5], text(row[6]), text(row[7]), text(row[8]), text(row[10]))
        for row in answer.json()["figures"]["rows"]
    ]


def test_two_provinces_push_to_a_national_collector_through_an_outage(tmp_path):
    days = [(today() - timedelta(days=n)).isoformat() for n in (3, 2, 1)]
    nation_db = tmp_path / "nation.db"

    def nation_seed(db):
        users.add_user(db, "tests", ADMIN[0], ADMIN[1], "admin")
        national.set_role(db, "tests", "nation")
        seed_nation(db)

    _database(nation_db, nation_seed)
    nation_env = dict(os.environ, AVROLL_DB=str(nation_db))
    provinces = {}
    for code in PROVINCES:
        path = tmp_path / f"{code.lower()}.db"
        _database(path, lambda db, code=code: seed_province(db, code))
        secret = avroll(nation_env, "provinces", "credential", code).strip()
        provinces[code] = dict(os.environ, AVROLL_DB=str(path), AVROLL_PUSH_CREDENTIAL=secret)
    reader = avroll(
        nation_env,
        "api-tokens",
        "create",
        "--role",
        "viewer",
        "--expires",
        (today() + timedelta(days=30)).isoformat(),
    ).strip()
    issued = avroll(
        provinces["BNI"], "export", "issue-report", "--number", "714", "--as-of", days[0]
    )
    assert "issued report 1" in issued
    port = free_port()

    def same_figures(url, through):
        for code, env in provinces.items():
            for day in days[: days.index(through) + 1]:
                assert national_appendix(url, reader, code, day) == own_appendix(
                    env, day, tmp_path / f"{code}-{day}.csv"
                ), (code, day)

    with serving(nation_env, port) as url:
        for env in provinces.values():
            sent = push(env, url, through=days[1])
            assert sent.returncode == 0, sent.stderr
            assert "pushed 2 day(s)" in sent.stdout
        same_figures(url, days[1])
        table = requests.get(
            f"{url}/api/v1/national/provinces",
            timeout=10,
            headers={"Authorization": f"Bearer {reader}"},
        ).json()
        assert {row["code"]: row["as_of"] for row in table["provinces"]} == {
            "BNI": days[1],
            "DTP": days[1],
        }
    # The national collector is down: the push says so and stops.
    down = push(provinces["BNI"], f"http://127.0.0.1:{port}")
    assert down.returncode != 0 and "run it again to resume" in down.stderr
    with serving(nation_env, port) as url:
        for env in provinces.values():
            resumed = push(env, url)
            assert resumed.returncode == 0, resumed.stderr
            assert f"pushed 1 day(s) ({days[2]} to {days[2]})" in resumed.stdout
        again = push(provinces["BNI"], url)
        assert "pushed 0 day(s) and 0 issued report(s)" in again.stdout  # a resend: nothing
        same_figures(url, days[2])
        browser = logged_in(url)
        page = browser.get(f"{url}/national", timeout=10).text
        assert "Tỉnh Bắc Ninh" in page and "Tỉnh Đồng Tháp" in page
        out = tmp_path / "issued"
        avroll(provinces["BNI"], "export", "issued-reports", "--id", "1", "--out-dir", str(out))
        for path in out.iterdir():
            got = browser.get(
                f"{url}/national/issued",
                timeout=10,
                params={
                    "province": "BNI",
                    "number": "714",
                    "issued_on": today().isoformat(),
                    "filename": path.name,
                },
            )
            assert got.status_code == 200 and got.content == path.read_bytes()
    kept = open_db(nation_db)
    try:
        assert kept.execute("SELECT count(*) FROM national_days").fetchone()[0] == 6
    finally:
        kept.close()
