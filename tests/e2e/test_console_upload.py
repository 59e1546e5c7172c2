"""A province's KSC export uploaded through the real server (waitress's body limit included),
and the reconciliation API answering from it."""

from __future__ import annotations

import pytest
import requests

from tests.console_files import ksc_row, ksc_text
from tests.e2e.conftest import logged_in

pytestmark = pytest.mark.e2e


def test_a_few_megabyte_ksc_export_uploads_and_counts(collector, tmp_path):
    rows = [
        ksc_row(
            f"XA{n // 100:03d}-PC{n % 100:02d}",
            f"10.0.{n // 256}.{n % 256}",
            group="Managed devices/" + "Phòng ban " * 6,
        )
        for n in range(6000)
    ]
    body = ksc_text(rows).encode("utf-16")
    assert len(body) > 1024 * 1024  # past waitress's old 1 MB limit, as a province's is
    browser = logged_in(collector.url)
    page = browser.get(collector.url + "/admin/imports", timeout=10).text
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    answer = browser.post(
        collector.url + "/admin/imports",
        timeout=60,
        data={"csrf_token": token, "source": "ksc"},
        files={"file": ("Danh sach thiet bi.txt", body)},
    )
    assert answer.status_code == 200, answer.text[:500]
    counts = browser.get(collector.url + "/api/v1/reconcile", timeout=30).json()["counts"]
    assert counts["no_agent"] == 6000 and counts["unowned"] == 6000
    # A report keeps its own limit.
    report = requests.post(
        collector.url + "/api/v1/reports",
        timeout=30,
        data=b"x" * (300 * 1024),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {collector.token}"},
    )
    assert report.status_code == 413
