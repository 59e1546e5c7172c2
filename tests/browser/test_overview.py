"""In a real browser: the overview, a unit reached from its chart bar, the units table."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def by_css(driver, selector):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, selector)


def figure(driver, label):
    """The value shown under a figure's label."""
    from selenium.webdriver.common.by import By

    for box in driver.find_elements(By.CSS_SELECTOR, ".figure"):
        if box.find_element(By.CSS_SELECTOR, ".label").text == label:
            return box.find_element(By.CSS_SELECTOR, ".value").text
    raise AssertionError(f"no figure {label!r}")


def test_overview_then_a_unit_from_its_bar(site, browser):
    browser.get(site.url + "/")
    assert browser.find_element("tag name", "h1").text.startswith("Tổng quan")
    # 45 allocated; 35 installed and named (SXD 11, STC 8, SYT 9, XMH 3, XBT 4) plus 3 misnamed.
    assert figure(browser, "Số lượng bản quyền được phân bổ") == "45"
    assert figure(browser, "Số lượng bản quyền được cài đặt") == "38"
    assert figure(browser, "Tỷ lệ cài đặt") == "84,4%"
    assert "lowest" in by_css(browser, 'svg.chart a[href="/units/STP"]').find_element(
        "xpath", ".."
    ).get_attribute("class")
    assert "over" in by_css(browser, 'svg.chart a[href="/units/SXD"]').find_element(
        "xpath", ".."
    ).get_attribute("class")
    screenshot(browser, "overview")

    by_css(browser, 'svg.chart a[href="/units/SXD"] text').click()
    assert browser.current_url == site.url + "/units/SXD"
    assert browser.find_element("tag name", "h1").text.startswith("Sở Xây dựng")
    assert figure(browser, "Số lượng bản quyền được cài đặt") == "11"
    assert figure(browser, "Tỷ lệ cài đặt") == "110,0%"
    assert figure(browser, "Miễn cài (RAM thấp)") == "1"
    assert "Nguyễn Văn An" in by_css(browser, ".contacts").text
    rows = browser.find_elements("css selector", "table.list tbody tr")
    assert len(rows) == 11 and "SXD-KT00" in rows[0].text
    screenshot(browser, "unit")

    by_css(browser, "nav.tabs a:nth-child(2)").click()  # missing
    assert [
        row.text.split()[0] for row in browser.find_elements("css selector", "table.list tbody tr")
    ] == ["SXD-CHUA0"]


def test_units_table_as_the_appendix(site, browser):
    browser.get(site.url + "/units")
    rows = [
        row.get_attribute("data-code")
        for row in browser.find_elements("css selector", "table.rollup tr[data-code]")
    ]
    assert rows == ["SXD", "STC", "SYT", "STP", "HCL"]
    total = by_css(browser, "table.rollup tr.total").text
    assert "45" in total and "38" in total and "84,4%" in total
    screenshot(browser, "units")
    by_css(browser, 'table.rollup tr[data-code="HCL"] a').click()
    assert browser.current_url.startswith(site.url + "/units/HCL")
    assert [
        row.get_attribute("data-code")
        for row in browser.find_elements("css selector", "table.rollup tr[data-code]")
    ] == ["XBT", "XMH"]
    screenshot(browser, "district")
