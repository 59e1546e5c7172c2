"""The officer's month, walked in a real browser over a small example province (issue 21):
import the console's (KSC) and the directory's (AD) lists, chase the units with a test send
to a real SMTP server on 127.0.0.1, issue the reminder, retire a machine and bring it back,
assign the conflicts in bulk, and issue the report. Each step leaves a screenshot in
AVROLL_SCREENSHOTS (default /tmp/avroll-screenshots), named month-N-….
"""

from __future__ import annotations

import os

import pytest
from aiosmtpd.controller import Controller

from collector.cli.demo import fill
from collector.counting.rollup import rollup
from collector.store import migrations
from collector.store.db import open_db
from tests.browser.conftest import CHROMEDRIVER, CHROMIUM, Site, chromium_options, screenshot
from tests.browser.test_downloads import log_in
from tests.collector.test_reminders import Inbox
from tests.console_files import ad_row, ksc_row, write_ad, write_ksc
from tests.e2e.conftest import ADMIN, avroll, free_port, serving

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, inbox
    controller.stop()


@pytest.fixture(scope="module")
def month_site(tmp_path_factory):
    """`avroll serve` over a twentieth of `avroll demo`'s province."""
    folder = tmp_path_factory.mktemp("month")
    db_path = folder / "month.db"
    env = dict(os.environ, AVROLL_DB=str(db_path))
    avroll(env, "users", "add", ADMIN[0], "--role", "admin", stdin=ADMIN[1] + "\n")
    db = open_db(db_path)
    try:
        migrations.apply(db)
        fill(db, share=0.05)
        names = [
            row[0] for row in db.execute("SELECT hostname FROM machines ORDER BY hostname LIMIT 40")
        ]
    finally:
        db.close()
    ksc = write_ksc(
        folder / "ksc-thang-12.txt",
        [ksc_row(name, ip=f"10.9.0.{n}") for n, name in enumerate(names[:30], 1)],
    )
    ad = write_ad(folder / "ad-thang-12.csv", [ad_row(name) for name in names])
    with serving(env, free_port()) as url:
        yield Site(url, db_path), ksc, ad


@pytest.fixture
def officer(month_site, tmp_path):
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        pytest.skip("needs Debian's chromium and chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    driver = webdriver.Chrome(
        service=Service(str(CHROMEDRIVER)), options=chromium_options(tmp_path / "profile")
    )
    try:
        log_in(driver, month_site[0].url)
        yield driver
    finally:
        driver.quit()


def css(driver, selector):
    return driver.find_element("css selector", selector)


def submit(driver, selector):
    """Click a button and wait for the page it leads to."""
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.wait import WebDriverWait

    old = css(driver, "html")
    css(driver, selector).click()
    WebDriverWait(driver, 60).until(expected_conditions.staleness_of(old))


def fill_in(driver, selector, text):
    field = css(driver, selector)
    field.clear()
    field.send_keys(text)


def test_the_officers_month(month_site, officer, smtp):
    from selenium.webdriver.support.wait import WebDriverWait

    site, ksc, ad = month_site
    port, inbox = smtp
    page = officer

    # 0. The overview opens at once with the days already kept and fills in the rest.
    page.get(site.url + "/")
    WebDriverWait(page, 60).until(
        lambda seen: not seen.find_elements("css selector", "[data-fill]")
    )
    assert len(page.find_elements("css selector", "svg.trend circle.installed")) >= 40
    screenshot(page, "month-0-overview")

    # 1. The console's and the directory's lists, imported beside avroll.
    for source, path in (("ksc", ksc), ("directory", ad)):
        page.get(site.url + "/admin/imports")
        css(page, f"select[name=source] option[value={source}]").click()
        css(page, "input[type=file]").send_keys(str(path))
        submit(page, "form[enctype] button[type=submit]")
        assert "Đã nhập" in css(page, "p.ok").text, page.page_source[:2000]
    screenshot(page, "month-1-imports")
    page.get(site.url + "/reconcile")
    assert css(page, "h1").text.startswith("Đối chiếu")
    screenshot(page, "month-1-reconcile")

    # 2. Chase the units: the SMTP server, then a test send of the first unit's message.
    page.get(site.url + "/admin/mail")
    fill_in(page, "input[name=host]", "127.0.0.1")
    fill_in(page, "input[name=port]", str(port))
    css(page, "select[name=security] option[value=none]").click()
    fill_in(page, "input[name=sender]", "cntt@stttt.dongthap.gov.vn")
    submit(page, "form.box:not(.test-send) button[type=submit]")
    fill_in(page, "form.test-send input[name=test_address]", "canbo@stttt.dongthap.gov.vn")
    submit(page, "form.test-send button[type=submit]")
    assert "canbo@stttt.dongthap.gov.vn" in css(page, "section.box p.ok").text
    ((recipients, message),) = inbox.messages
    assert recipients == ["canbo@stttt.dongthap.gov.vn"] and message["Date"]
    screenshot(page, "month-2-test-send")

    # 3. Issue the reminder: numbered, its files kept as sent.
    page.get(site.url + "/reports/issued")
    fill_in(page, "form.issue-reminder input[name=number]", "151")
    submit(page, "form.issue-reminder button[type=submit]")
    issued = css(page, "tr.new").text
    assert "151" in issued and ".docx" in issued
    screenshot(page, "month-3-reminder-issued")

    # 4. Retire a machine (date, reason, confirmation), then bring it back.
    page.get(site.url + "/machines?q=-PC001")
    css(page, "table.machines td.host a").click()
    machine_page = page.current_url
    fill_in(page, "form.retire input[name=reason]", "Thanh lý theo quyết định 12/QĐ")
    css(page, "form.retire input[name=confirm]").click()
    submit(page, "form.retire button.danger")
    assert "máy đã thôi tính" in css(page, "dd.counted-for").text
    screenshot(page, "month-4-retired")
    submit(page, "form.restore button")
    assert page.current_url == machine_page
    assert css(page, "dd.counted-for").text.startswith("đơn vị")
    screenshot(page, "month-4-restored")

    # 5. The conflicts, assigned in bulk to the unit their names follow.
    page.get(site.url + "/machines?conflict=1")
    assert css(page, "h1 small").text.split()[0] == "6"
    css(page, "input[name=scope][value=filter]").click()
    css(page, "select[name=unit_code][form=bulk] option[value=SYT]").click()
    submit(page, "button[name=action][value=assign]")
    assert "Số máy đã thay đổi: 6" in css(page, "p.ok").text
    screenshot(page, "month-5-conflicts-assigned")
    db = open_db(site.db_path)
    try:
        assert rollup(db)["checks"]["attribution_conflicts"] == 0
    finally:
        db.close()

    # 6. Issue the report.
    page.get(site.url + "/reports/issued")
    fill_in(page, "form.box:not(.issue-reminder) input[name=number]", "152")
    submit(page, "form.box:not(.issue-reminder) button[type=submit]")
    issued = css(page, "tr.new").text
    assert "152" in issued and "cong-van-bao-cao" in issued
    screenshot(page, "month-6-report-issued")
