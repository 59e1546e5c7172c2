"""The figure a province signs is the one reality gives: connected, protected from the
signature date, the exemption on the larger RAM figure, over quota strictly, and one figure
per unit on its page, in its row of the table above it, in the appendix and in the API."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from collector.counting.definitions import FIGURES
from collector.counting.rollup import rollup
from collector.exports.rollup_appendix import build_rollup_export
from collector.formats.formatting import number, percent
from collector.store import settings
from collector.store.ingest import store_report
from collector.store.units import save_units
from collector.web import i18n
from tests.builders import KES, NETWORK_AGENT, make_report

NOW = datetime.now(timezone.utc)
README = Path(__file__).resolve().parents[2] / "README.md"
KSWS = {
    "name": "Kaspersky Security for Windows Server",
    "vendor": "Kaspersky",
    "version": "11.0.1.897",
    "enabled": True,
    "up_to_date": None,
    "sources": ["service", "networkagent"],
}


def stamp(moment):
    return moment.isoformat(timespec="seconds")


def agent(days_ago):
    """The Network Agent as a new agent reports it; None days: an older agent (no field)."""
    found = dict(NETWORK_AGENT, server="ksc.dongthap.gov.vn")
    if days_ago is not None:
        found["last_connected_at"] = stamp(NOW - timedelta(days=days_ago))
    return found


def units(db, *rows):
    save_units(
        db,
        [
            (n, dict(zip(("code", "name", "group", "parent", "allocated"), row, strict=True)))
            for n, row in enumerate(rows, 2)
        ],
    )


def store(db, hostname, connected_days=1, **kw):
    kw.setdefault("collected_at", NOW - timedelta(hours=1))
    kw.setdefault("management_agent", agent(connected_days))
    store_report(db, make_report(hostname=hostname, **kw))


def row_of(report, code):
    return next(
        row for section in report["sections"] for row in section["units"] if row["code"] == code
    )


def test_connected_is_counted_within_the_window_and_unknown_for_older_agents(db):
    units(db, ("SXD", "Sở Xây dựng", "Sở", "", "10"))
    store(db, "SXD-01", connected_days=1)
    store(db, "SXD-02", connected_days=6.9)
    store(db, "SXD-03", connected_days=8)  # not connected for longer than 7 days
    store(db, "SXD-04", connected_days=None)  # an agent from before the field: unknown
    store(db, "SXD-05", connected_days=1, management_agent=None)  # no Network Agent at all
    store(db, "SXD-06", connected_days=1, products=())  # connected, but nothing installed
    row = row_of(rollup(db), "SXD")
    assert (row["installed"], row["connected"], row["installed_official"]) == (5, 2, 5)
    settings.set_value(db, "connected_days", "10")
    assert row_of(rollup(db), "SXD")["connected"] == 3


def test_official_installed_may_require_connected(db):
    units(db, ("SXD", "Sở Xây dựng", "Sở", "", "4"), ("XA", "Xã A", "Xã", "", "4"))
    store(db, "SXD-01", connected_days=1)
    store(db, "SXD-02", connected_days=30)
    store(db, "DESKTOP-1", connected_days=1, unit_code="XA")  # misnamed, connected
    store(db, "DESKTOP-2", connected_days=None, unit_code="XA")  # misnamed, unknown
    assert settings.current(db)["official_requires_connected"] is False  # as the letters
    report = rollup(db)
    assert (
        row_of(report, "SXD")["installed_official"],
        report["misnamed"]["installed_official"],
        report["total"]["installed_official"],
    ) == (2, 2, 4)
    settings.set_value(db, "official_requires_connected", "yes")
    report = rollup(db)
    assert (
        row_of(report, "SXD")["installed_official"],
        row_of(report, "SXD")["connected"],
        report["misnamed"]["installed_official"],
        report["total"]["installed_official"],
        report["total"]["installed"],
        report["total"]["connected"],
    ) == (1, 1, 1, 2, 4, 2)


def test_servers_without_security_center_are_protected_by_their_signature_date(db):
    units(db, ("SXD", "Sở Xây dựng", "Sở", "", "10"))

    def server(hostname, signature_days, **product):
        found = dict(KSWS, **product)
        if signature_days is not None:
            found["signatures_updated_at"] = stamp(NOW - timedelta(days=signature_days))
        store(
            db,
            hostname,
            products=(found,),
            server=True,
            os_name="Microsoft Windows Server 2019 Standard",
        )

    server("SXD-SRV1", 1)
    server("SXD-SRV2", 6)
    server("SXD-SRV3", 9)  # databases outdated
    server("SXD-SRV4", None)  # no date, no Security Center: cannot be called protected
    server("SXD-SRV5", 1, enabled=False)  # recent databases, protection off
    server("SXD-SRV6", 1, up_to_date=False)  # Security Center says outdated: it wins
    store(
        db, "SXD-PC1", products=(dict(KES, signatures_updated_at=stamp(NOW - timedelta(days=30))),)
    )  # Security Center says up to date: it wins over the date
    row = row_of(rollup(db), "SXD")
    assert (row["installed"], row["protected"]) == (7, 3)
    settings.set_value(db, "signatures_max_age_days", "10")
    assert row_of(rollup(db), "SXD")["protected"] == 4


def test_signature_age_is_judged_as_of_the_date_counted(db):
    units(db, ("SXD", "Sở Xây dựng", "Sở", "", "10"))
    ten_days_ago = NOW - timedelta(days=10)
    store(
        db,
        "SXD-SRV1",
        collected_at=ten_days_ago,
        products=(dict(KSWS, signatures_updated_at=stamp(ten_days_ago - timedelta(days=1))),),
    )
    past = (ten_days_ago + timedelta(days=1)).astimezone(timezone(timedelta(hours=7)))
    assert row_of(rollup(db, as_of=past.date().isoformat()), "SXD")["protected"] == 1
    # Today its last report (10 days old) still counts it, but its databases are 11 days old.
    assert row_of(rollup(db), "SXD")["protected"] == 0


def test_the_exemption_is_judged_on_the_larger_ram_figure(db):
    units(db, ("SXD", "Sở Xây dựng", "Sở", "", "10"))
    store(db, "SXD-01", products=(), ram_gb=1, visible_gb=3.5)  # firmware misread: not exempt
    store(db, "SXD-02", products=(), ram_gb=1.5, visible_gb=1)
    store(db, "SXD-03", products=(), ram_gb=None, visible_gb=1.5)
    store(db, "SXD-04", products=(), ram_gb=4, visible_gb=1.5)
    row = row_of(rollup(db), "SXD")
    assert (row["exempt"], row["missing"]) == (2, 2)


def test_over_quota_means_strictly_more_installed_than_allocated(db):
    units(db, ("HTM", "Huyện Tháp Mười", "Huyện", "", "3"), ("SXD", "Sở Xây dựng", "Sở", "", "2"))
    for n in range(3):
        store(db, f"HTM-{n}")
    store(db, "DESKTOP-9", unit_code="HTM")  # misnamed: in the misnamed row, not in HTM's
    for n in range(3):
        store(db, f"SXD-{n}")
    report = rollup(db)
    htm, sxd = row_of(report, "HTM"), row_of(report, "SXD")
    assert (htm["installed_official"], htm["install_rate"], htm["over_quota"]) == (3, 1.0, False)
    assert (sxd["installed_official"], sxd["over_quota"]) == (3, True)


def test_not_connected_machines_are_listed_with_their_last_contact(client, db):
    units(db, ("SXD", "Sở Xây dựng", "Sở", "", "10"))
    store(db, "SXD-01", connected_days=1)
    store(db, "SXD-02", connected_days=20)
    html = client.get("/units/SXD?tab=not_connected").get_data(as_text=True)
    assert "SXD-02" in html and "SXD-01" not in html
    last_contact = (NOW - timedelta(days=20)).astimezone(timezone(timedelta(hours=7)))
    assert last_contact.strftime("%d/%m/%Y") in html
    overview = client.get("/").get_data(as_text=True)
    assert re.search(r"<strong>1</strong> máy đã cài phần mềm nhưng chưa kết nối", overview)
    assert "state=not_connected" in overview
    listed = client.get("/machines?state=not_connected").get_data(as_text=True)
    assert "SXD-02" in listed and "SXD-01" not in listed


def test_the_api_gives_connected_for_every_unit_and_total(client, db):
    units(db, ("HCL", "Huyện Cao Lãnh", "Huyện", "", ""), ("XA", "Xã A", "Huyện", "HCL", "5"))
    store(db, "XA-01", connected_days=1)
    store(db, "XA-02", connected_days=None)
    for query in ("", "?parent=HCL"):
        body = client.get("/api/v1/rollup" + query).get_json()
        for section in body["sections"]:
            assert "connected" in section["total"]
            for row in section["units"]:
                assert row["connected"] == 1 and "connected" in row["own"]
        assert body["total"]["connected"] == 1


# A three-level province: the province, districts with their communes (one district with an
# allocation of its own, one sharing its communes' out), departments; machines named for each
# level, misnamed ones enrolled at each level, connected or not, exempt and missing.
PROVINCE = [
    ("SXD", "Sở Xây dựng", "Các Sở, ban, ngành", "", "6"),
    ("STC", "Sở Tài chính", "Các Sở, ban, ngành", "", "3"),
    ("HCL", "Huyện Cao Lãnh", "Các huyện", "", "12"),
    ("XMH", "Xã Mỹ Hiệp", "Các huyện", "HCL", "5"),
    ("XBT", "Xã Bình Thạnh", "Các huyện", "HCL", "4"),
    ("HTM", "Huyện Tháp Mười", "Các huyện", "", ""),
    ("XTK", "Xã Thạnh Lợi", "Các huyện", "HTM", "3"),
    ("XPD", "Xã Phú Điền", "Các huyện", "HTM", "2"),
]
MACHINES = {  # code: (named connected, named not connected, misnamed enrolled, missing, exempt)
    "SXD": (5, 2, 1, 1, 1),
    "STC": (3, 0, 0, 0, 0),
    "HCL": (2, 1, 2, 0, 1),
    "XMH": (3, 1, 1, 1, 0),
    "XBT": (4, 0, 0, 0, 0),
    "HTM": (0, 0, 1, 0, 0),
    "XTK": (1, 1, 0, 2, 0),
    "XPD": (2, 0, 2, 0, 0),
}


def seed_province(db):
    units(db, *PROVINCE)
    for code, (connected, not_connected, misnamed, missing, exempt) in MACHINES.items():
        for n in range(connected):
            store(db, f"{code}-KT{n}")
        for n in range(not_connected):
            store(db, f"{code}-NC{n}", connected_days=40)
        for n in range(misnamed):
            store(db, f"PC-{code}{n}", unit_code=code)
        for n in range(missing):
            store(db, f"{code}-CHUA{n}", products=())
        for n in range(exempt):
            store(db, f"{code}-CU{n}", products=(), ram_gb=1)


def cells(html, code):
    """The appendix cells (allocated, installed, rate) of a unit's row in a page's table."""
    row = re.search(rf'<tr class="[^"]*" data-code="{code}">(.*?)</tr>', html, re.S).group(1)
    values = re.findall(r'<td class="num[^"]*">([^<]*)</td>', row)
    return tuple(value.strip() for value in values[1:4])


def summary(html):
    """The first three figures of a page's summary boxes."""
    values = re.findall(r'<span class="value">([^<]*)</span>', html)
    return tuple("" if value == "—" else value for value in values[:3])


def appendix_row(db, parent, code):
    body = build_rollup_export(db, "csv", parent=parent).body.decode("utf-8-sig")
    for row in csv.reader(io.StringIO(body)):
        if row[3] == code and row[1] == "đơn vị":
            return tuple(row[5:8])
    raise AssertionError(code)


@pytest.mark.parametrize("requires_connected", ["no", "yes"])
def test_one_figure_per_unit_on_its_page_in_the_table_above_the_appendix_and_the_api(
    client, db, requires_connected
):
    seed_province(db)
    settings.set_value(db, "official_requires_connected", requires_connected)
    checked = 0
    for code, _name, _group, parent, _allocated in PROVINCE:
        api_row = row_of(
            client.get("/api/v1/rollup" + (f"?parent={parent}" if parent else "")).get_json(), code
        )
        # The API under the unit totals exactly its row above it.
        under = client.get(f"/api/v1/rollup?parent={code}").get_json()["total"]
        for key in (
            "allocated",
            "installed_official",
            "install_rate",
            "installed",
            "connected",
            "protected",
            "exempt",
            "missing",
            "seen",
            "over_quota",
        ):
            assert under[key] == api_row[key], (code, key)
        shown = (
            number(api_row["allocated"]),
            number(api_row["installed_official"]),
            percent(api_row["install_rate"]),
        )
        above = client.get(f"/units/{parent}" if parent else "/units").get_data(as_text=True)
        page = client.get(f"/units/{code}").get_data(as_text=True)
        assert cells(above, code) == shown, code
        assert summary(page) == shown, code
        allocated, installed, rate = appendix_row(db, parent or None, code)
        assert (int(allocated or 0), int(installed)) == (
            api_row["allocated"] or 0,
            api_row["installed_official"],
        ), code
        if api_row["install_rate"] is not None:
            assert float(rate) == round(api_row["install_rate"], 4)
        checked += 1
    assert checked == len(PROVINCE)
    hcl = row_of(client.get("/api/v1/rollup").get_json(), "HCL")
    # HCL: 2+3+4 named connected, 1+1 named not: 11 installed named; misnamed never in it.
    expected = 9 if requires_connected == "yes" else 11
    assert (hcl["installed_official"], hcl["allocated"]) == (expected, 12)


def test_every_figure_has_one_definition_in_the_readme_and_in_vietnamese():
    readme = " ".join(README.read_text(encoding="utf-8").split())
    for key, (label, definition) in FIGURES.items():
        assert f"**{label}** (`{key}`): {definition}" in readme, key
        assert label in i18n.VI and definition in i18n.VI, key


def test_pages_show_each_definition_beside_its_figure(app, client, db):
    seed_province(db)
    with app.test_request_context("/?lang=vi"):
        connected, coverage = i18n.define("connected"), i18n.define("coverage")
    assert "connected_days" not in connected and "trong 7 ngày" in connected
    for path in ("/", "/units", "/units/HCL"):
        html = client.get(path).get_data(as_text=True)
        assert f'title="{connected}"' in html, path
        assert coverage in html, path


def test_reports_stored_before_the_new_columns_are_read_back_at_migration(tmp_path):
    from collector.store.db import open_db
    from collector.store.migrations import apply, migrations

    db = open_db(tmp_path / "old.db")
    apply(db)
    report = make_report(
        hostname="SXD-SRV1",
        management_agent=agent(2),
        products=(dict(KSWS, signatures_updated_at=stamp(NOW - timedelta(days=1))),),
    )
    store_report(db, report)
    # As a database from before m006 holds it: the columns empty, the body complete.
    db.execute("UPDATE reports SET mgmt_last_connected_at = NULL, mgmt_server = NULL")
    db.execute("UPDATE report_products SET signatures_updated_at = NULL")
    db.conn.commit()
    migration = next(m for m in migrations._migrations if m.name.startswith("m013"))
    migration.fn(_WithoutAlter(db))
    row = db.execute("SELECT mgmt_server, mgmt_last_connected_at FROM reports").fetchone()
    assert row[0] == "ksc.dongthap.gov.vn" and row[1].startswith(
        (NOW - timedelta(days=2)).strftime("%Y-%m-%d")
    )
    assert db.execute("SELECT signatures_updated_at FROM report_products").fetchone()[0]


class _WithoutAlter:
    """The database, with the columns already added: the migration's ALTERs are skipped."""

    def __init__(self, db):
        self.db, self.conn = db, db.conn

    def execute(self, sql, *args):
        return None if sql.startswith("ALTER TABLE") else self.db.execute(sql, *args)
