"""A real collector with a small province in it, and a headless Chromium logged in to it.

The browser is Debian's `chromium` driven through `chromedriver` (both from apt, installed by
`.ci/run`); Selenium Manager is never asked to download anything.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

import pytest

from collector.store.db import open_db
from tests.e2e.conftest import ADMIN, avroll, free_port, serving
from tests.province import seed

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCREENSHOTS = Path(os.environ.get("AVROLL_SCREENSHOTS", "/tmp/avroll-screenshots"))


class Site(NamedTuple):
    """A running collector: its URL and database."""

    url: str
    db_path: Path


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """`avroll serve` on 127.0.0.1 and a free port, over the small province."""
    db_path = tmp_path_factory.mktemp("browser") / "collector.db"
    env = dict(os.environ, AVROLL_DB=str(db_path))
    avroll(env, "users", "add", ADMIN[0], "--role", "admin", stdin=ADMIN[1] + "\n")
    db = open_db(db_path)
    try:
        seed(db)
    finally:
        db.close()
    with serving(env, free_port()) as url:
        yield Site(url, db_path)


def chromium_options(profile_dir, download_dir=None):
    """Headless Chromium that talks to nothing but the collector under test."""
    from selenium.webdriver.chrome.options import Options

    options = Options()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile_dir}",
        "--window-size=1366,900",
        "--lang=vi",
    ):
        options.add_argument(argument)
    if download_dir is not None:
        options.add_experimental_option(
            "prefs",
            {
                "download.default_directory": str(download_dir),
                "download.prompt_for_download": False,
            },
        )
    return options


@pytest.fixture
def browser(site, tmp_path):
    """A Chromium logged in as the admin through the real login form."""
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        pytest.skip(
            "needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.wait import WebDriverWait

    driver = webdriver.Chrome(
        service=Service(str(CHROMEDRIVER)), options=chromium_options(tmp_path / "profile", tmp_path)
    )
    try:
        driver.get(site.url + "/login")
        driver.find_element(By.NAME, "username").send_keys(ADMIN[0])
        driver.find_element(By.NAME, "password").send_keys(ADMIN[1])
        driver.find_element(By.CSS_SELECTOR, "form.login button").click()
        # The click only starts the form's navigation: wait for the session it sets, or a
        # page asked for next may still be answered as to a visitor not logged in.
        WebDriverWait(driver, 10).until(lambda seen: "/login" not in seen.current_url)
        yield driver
    finally:
        driver.quit()


def screenshot(driver, name):
    """Save the page as a PNG to look at (AVROLL_SCREENSHOTS, default /tmp/avroll-screenshots)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1366, max(900, min(height + 100, 4000)))
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))
