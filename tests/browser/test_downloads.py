"""A real headless Chromium logs in through the form and downloads the install-rate appendix
from a real `avroll serve`; the saved file is read back with openpyxl."""

from __future__ import annotations

import os
import time

import pytest
from openpyxl import load_workbook

from collector.store.db import open_db
from collector.store.units import save_units
from tests.e2e.conftest import ADMIN, collector  # noqa: F401  (the fixture)

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)),
        reason="Debian's chromium and chromium-driver are not installed "
        "(apt-get install chromium chromium-driver)",
    ),
]


@pytest.fixture
def browser(tmp_path):
    """Headless Chromium saving downloads to tmp_path/downloads; nothing fetched from the
    internet (no Selenium Manager: the driver and the browser are given)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
    ):
        options.add_argument(argument)
    options.add_experimental_option(
        "prefs",
        {
            "download.default_directory": str(downloads),
            "download.prompt_for_download": False,
            "safebrowsing.enabled": False,
        },
    )
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.downloads = downloads
    try:
        yield driver
    finally:
        driver.quit()


def log_in(driver, url):
    from selenium.webdriver.common.by import By

    driver.get(url + "/login")
    driver.find_element(By.NAME, "username").send_keys(ADMIN[0])
    driver.find_element(By.NAME, "password").send_keys(ADMIN[1])
    driver.find_element(By.CSS_SELECTOR, "form [type=submit]").click()
    deadline = time.monotonic() + 10
    while "/login" in driver.current_url and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "/login" not in driver.current_url, driver.page_source[:500]


def wait_for_download(folder, seconds=20):
    """The first finished file in `folder` (Chromium writes a hidden temporary file, then
    `*.crdownload`, until the download is done)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done = [
            path
            for path in folder.iterdir()
            if not path.name.startswith(".") and not path.name.endswith(".crdownload")
        ]
        if done:
            return done[0]
        time.sleep(0.2)
    pytest.fail(f"nothing downloaded into {folder}: {list(folder.iterdir())}")


def test_download_the_appendix(collector, browser):  # noqa: F811
    db = open_db(collector.db_path)
    try:
        save_units(
            db,
            [
                (
                    2,
                    {
                        "code": "SXD",
                        "name": "Sở Xây dựng",
                        "group": "Các Sở, ban, ngành Tỉnh",
                        "allocated": "55",
                    },
                )
            ],
        )
    finally:
        db.close()
    log_in(browser, collector.url)
    browser.get(collector.url + "/exports/rollup.xlsx")
    saved = wait_for_download(browser.downloads)
    assert saved.name.startswith("phu-luc-ty-le-cai-dat-") and saved.suffix == ".xlsx"
    rows = list(load_workbook(saved).active.iter_rows(values_only=True))
    assert rows[1][0].startswith(
        "Thống kê số lượng máy tính cài đặt phần mềm phòng, chống mã độc tập trung đến ngày "
    )
    assert ("Sở Xây dựng", 55, 0) in [row[1:4] for row in rows]
