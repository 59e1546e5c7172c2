"""In a real browser: the letters downloaded from the overview (the report letter's link, the
reminder's form), read back with python-docx; their figures are the rollup's."""

from __future__ import annotations

import time

import pytest
from docx import Document

from collector.counting.rollup import rollup
from collector.formats.formatting import number, percent
from collector.store.db import open_db
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def downloaded(folder, prefix, seconds=20):
    """The finished .docx whose name starts with `prefix` (Chromium writes `.crdownload`
    until it is done)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done = [path for path in folder.glob(f"{prefix}*.docx")]
        if done:
            return done[0]
        time.sleep(0.2)
    pytest.fail(f"no {prefix}*.docx in {folder}: {sorted(p.name for p in folder.iterdir())}")


def paragraph(path, start):
    return next(p.text for p in Document(path).paragraphs if p.text.startswith(start))


def test_report_letter_and_reminder_from_the_overview(site, browser, tmp_path):
    from selenium.webdriver.common.by import By

    db = open_db(site.db_path)
    try:
        report = rollup(db)
    finally:
        db.close()
    browser.get(site.url + "/")
    screenshot(browser, "overview-letters")
    browser.find_element(By.CSS_SELECTOR, 'a[href^="/exports/report-letter.docx"]').click()
    letter = downloaded(tmp_path, "cong-van-bao-cao-")
    total = report["total"]
    assert f"toàn tỉnh có {number(total['installed_official'])} máy tính" in paragraph(
        letter, "Tính đến ngày"
    )
    first = report["sections"][0]["total"]
    assert (
        f"đã cài đặt là {number(first['installed_official'])}/{number(first['allocated'])}"
        f" license, đạt tỷ lệ là {percent(first['install_rate'])}"
    ) in paragraph(letter, "Trong đó")
    rate = browser.find_element(By.CSS_SELECTOR, "form.letters input[name=below]")
    rate.clear()
    rate.send_keys("90")
    browser.find_element(By.CSS_SELECTOR, "form.letters button").click()
    reminder = downloaded(tmp_path, "cong-van-don-doc-")
    assert "dưới 90,0%" in paragraph(reminder, "Qua kết quả rà soát")
    # The units under their sections' titles (a title row is one cell across the table).
    listed = [
        row.cells[1].text
        for row in Document(reminder).tables[1].rows[1:]
        if len({cell.text for cell in row.cells}) > 1
    ]
    below = [
        row["name"]
        for section in report["sections"]
        for row in section["units"]
        if row["install_rate"] is not None and row["install_rate"] < 0.9
    ]
    assert listed == below and listed
