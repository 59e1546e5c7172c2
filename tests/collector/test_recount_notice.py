"""While every machine is counted again after a change, pages show the figures of before it
marked "đang tính lại" (web/recount_notice.py); the API and exports count exactly."""

from __future__ import annotations

from collector.counting import figures
from collector.store import settings
from collector.store.ingest import store_report
from collector.store.units import save_units
from tests.builders import DEFENDER, make_report

NOTICE = "Đang tính lại sau thay đổi"


def test_pages_show_the_figures_of_before_marked_until_the_recount_is_done(app, client, db):
    save_units(db, [(2, {"code": "SXD", "name": "Sở Xây dựng", "allocated": "10"})])
    for number in range(2):
        store_report(db, make_report(hostname=f"SXD-{number}", ram_gb=1, products=(DEFENDER,)))
    figures.keep(db)
    figures.keep_with(app.config["DATABASE"], None)  # nobody keeps behind the test's back
    before = client.get("/units/SXD").get_data(as_text=True)
    assert NOTICE not in before
    settings.set_value(db, "ram_exempt_below_mb", "512", "tests")  # 1 GB is exempt no more
    for url in ("/", "/units", "/units/SXD", "/machines"):
        assert NOTICE in client.get(url).get_data(as_text=True), url
    shown = client.get("/units/SXD").get_data(as_text=True).replace(NOTICE, "")
    assert shown.count(">2<") == before.count(">2<")  # the figures of before
    exact = client.get("/api/v1/rollup").json["total"]
    assert (exact["exempt"], exact["missing"]) == (0, 2)
    csv = client.get("/exports/rollup.csv").get_data(as_text=True)
    assert NOTICE not in csv
    figures.keep(db)
    assert NOTICE not in client.get("/units/SXD").get_data(as_text=True)
