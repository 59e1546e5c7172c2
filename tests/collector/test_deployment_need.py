"""Biểu mẫu 2 (deployment need) pre-filled from the machines missing the product."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from collector.cli.main import main
from collector.counting.rollup import rollup
from collector.counting.states import UnknownUnit
from collector.exports.deployment_need import build_deployment_need, build_deployment_need_export
from collector.store import users
from collector.store.ingest import store_report
from tests.builders import make_report
from tests.exports_data import seed_small_province
from tests.reporting import login


@pytest.fixture
def province(db):
    seed_small_province(db)
    # Two more SXD machines without the product: a desktop and a laptop (4 GB, not exempt).
    store_report(db, make_report("SXD-PC03", products=(), ram_gb=4))
    store_report(db, make_report("SXD-LAP02", products=(), ram_gb=4, device_type="laptop"))
    return db


def test_the_need_is_the_missing_count_by_device_and_system(province):
    need = build_deployment_need(province)
    assert [(block["unit"]["code"], block["rows"]) for block in need["blocks"]] == [
        ("SXD", [("Máy tính để bàn", "Windows 10 Pro", 1), ("Laptop", "Windows 10 Pro", 1)]),
        ("HCL", [("Máy tính để bàn", "Windows 10 Pro", 1)]),  # its commune's Defender PC
    ]
    missing = {
        row["code"]: row["missing"]
        for section in rollup(province)["sections"]
        for row in section["units"]
    }
    assert {
        block["unit"]["code"]: sum(count for *_, count in block["rows"]) for block in need["blocks"]
    } == {code: n for code, n in missing.items() if n}


def test_one_units_form(province):
    sheet = load_workbook(
        io.BytesIO(build_deployment_need_export(province, "xlsx", unit="XMH").body)
    ).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0].startswith("BIỂU MẪU 2: Đăng ký nhu cầu triển khai sử dụng phần mềm")
    assert rows[1][0].startswith("(Gửi kèm theo Công văn số")
    assert ["TÊN ĐƠN VỊ: Xã Mỹ Hiệp"] == [
        row[0] for row in rows if row[0] and str(row[0]).startswith("TÊN ĐƠN VỊ")
    ]
    header = next(number for number, row in enumerate(rows) if row[0] == "TT")
    assert rows[header + 1 : header + 4] == [
        [1, "Máy tính để bàn", 1, "Windows 10 Pro", None, None],
        [2, "Smartphone", None, None, None, None],
        [3, "Máy tính bảng", None, None, None, None],
    ]
    assert sheet.print_title_rows == f"${header + 1}:${header + 1}"


def test_province_csv_and_unknown_unit(province):
    body = build_deployment_need_export(province, "csv").body.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[1] == ["SXD", "Sở Xây dựng", "1", "Máy tính để bàn", "1", "Windows 10 Pro", "", ""]
    assert [row[0] for row in rows[1:]].count("HCL") == 3
    with pytest.raises(UnknownUnit):
        build_deployment_need(province, "NOPE")


def test_cli_and_download(app, anon_client, province, tmp_path):
    out = tmp_path / "need.xlsx"
    result = CliRunner().invoke(
        main, ["export", "deployment-need", "--out", str(out), "--db", app.config["DATABASE"]]
    )
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 1000
    users.add_user(province, "tests", "hcl", "officer-password", "unit", "HCL")
    assert login(anon_client, "hcl", "officer-password").status_code == 302
    answer = anon_client.get("/exports/deployment-need.csv")
    assert answer.status_code == 200
    assert {row[0] for row in csv.reader(io.StringIO(answer.data.decode("utf-8-sig")))} == {
        "Mã đơn vị",
        "HCL",
    }  # their own unit only
    assert anon_client.get("/exports/deployment-need.csv?unit=SXD").status_code == 404
