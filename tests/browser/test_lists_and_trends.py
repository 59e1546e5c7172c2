"""In a real browser, over the example province of `avroll demo` (six weeks of history):
the trend chart on the overview and a unit page, and the machine list downloaded
province-wide with its filters, read back from the saved file."""

from __future__ import annotations

import csv
import io
import os
import re
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from collector.cli.demo import fill
from collector.store import migrations
from collector.store.db import open_db
from tests.browser.conftest import (
    CHROMEDRIVER,
    CHROMIUM,
    SCREENSHOTS,
    Site,
    chromium_options,
    screenshot,
)
from tests.browser.test_downloads import log_in, wait_for_download
from tests.e2e.conftest import ADMIN, avroll, free_port, serving

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    """`avroll serve` over a small example province (a twentieth of the full demo)."""
    db_path = tmp_path_factory.mktemp("demo-browser") / "demo.db"
    env = dict(os.environ, AVROLL_DB=str(db_path))
    avroll(env, "users", "add", ADMIN[0], "--role", "admin", stdin=ADMIN[1] + "\n")
    db = open_db(db_path)
    try:
        migrations.apply(db)
        fill(db, share=0.05)
        from collector.store.issued_reports import save_issued

        first_day = db.execute("SELECT min(date(observed_at, '+7 hours')) FROM reports")
        as_of = date.fromisoformat(first_day.fetchone()[0]) + timedelta(days=21)
        save_issued(
            db,
            "12/BC-STTTT",
            as_of.isoformat(),
            as_of.isoformat(),
            None,
            {"phu-luc.xlsx": b"x"},
            "tests",
        )
    finally:
        db.close()
    with serving(env, free_port()) as url:
        yield Site(url, db_path)


@pytest.fixture
def chrome(demo_site, tmp_path):
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        pytest.skip("needs Debian's chromium and chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    driver = webdriver.Chrome(
        service=Service(str(CHROMEDRIVER)),
        options=chromium_options(tmp_path / "profile", downloads),
    )
    driver.downloads = downloads
    try:
        log_in(driver, demo_site.url)
        yield driver
    finally:
        driver.quit()


def dots(driver):
    """The trend's points as their tooltips: "dd/mm/yyyy: rate (installed / allocated)"."""
    return [
        dot.get_attribute("textContent")
        for dot in driver.find_elements("css selector", "svg.trend circle.installed title")
    ]


def filled(driver):
    """Wait until the trend chart has filled in the days not kept when the page was drawn."""
    from selenium.webdriver.support.wait import WebDriverWait

    WebDriverWait(driver, 60).until(
        lambda seen: not seen.find_elements("css selector", "[data-fill]")
    )


def test_trend_chart_on_the_overview_and_a_unit(demo_site, chrome):
    chrome.get(demo_site.url + "/")
    filled(chrome)
    points = dots(chrome)
    assert len(points) >= 40  # six weeks, a point a day
    rates = [float(re.search(r": ([\d,]+)%", point).group(1).replace(",", ".")) for point in points]
    assert rates[0] < rates[-1] and rates[-1] > 5
    figure = chrome.find_element("css selector", ".figures").text
    last = re.search(r"\(([\d.]+) / ([\d.]+)\)$", points[-1])
    assert last.group(1) in figure and last.group(2) in figure  # the overview's figures
    marks = chrome.find_elements("css selector", "svg.trend g.mark text")
    # The demo's report no. 150 and this test's own, each marked once.
    assert sorted(mark.text.split(" ngày")[0] for mark in marks) == ["số 12/BC-STTTT", "số 150"]
    chrome.find_element("css selector", "svg.trend").screenshot(str(SCREENSHOTS / "trend.png"))
    screenshot(chrome, "overview-trend")

    chrome.get(demo_site.url + "/units/HCL")
    filled(chrome)
    assert len(dots(chrome)) >= 40
    tabs = chrome.find_elements("css selector", "nav.tabs a")
    assert all(tab.find_element("css selector", ".count").text for tab in tabs)
    screenshot(chrome, "unit-trend")


def test_the_province_machine_list_downloads_with_its_filters(demo_site, chrome):
    chrome.get(demo_site.url + "/machines?state=missing&sort=unit")
    total = int(chrome.find_element("css selector", "h1 small").text.split()[0].replace(".", ""))
    assert total > 10
    screenshot(chrome, "machines-missing")
    chrome.find_element("css selector", ".exports a[href*='machines.csv']").click()
    saved = wait_for_download(chrome.downloads)
    assert saved.name.startswith("danh-sach-may-toan-tinh-all-")
    rows = list(csv.reader(io.StringIO(saved.read_bytes().decode("utf-8-sig"))))
    assert len(rows) == 1 + total
    states = {row[rows[0].index("Trạng thái")] for row in rows[1:]}
    assert states == {"Chưa cài"}
    units = [row[rows[0].index("Đơn vị")] for row in rows[1:]]
    assert units == sorted(units)

    saved.unlink()
    chrome.get(demo_site.url + "/machines")
    chrome.find_element("css selector", ".exports a[href*='machines.xlsx']").click()
    book = load_workbook(wait_for_download(chrome.downloads))
    listed = [row for row in book.active.iter_rows(values_only=True) if isinstance(row[0], int)]
    everything = open_db(demo_site.db_path).execute("SELECT count(*) FROM machines")
    assert len(listed) == everything.fetchone()[0]
