"""Downloads from the exports blueprint, their JSON twins, the CLI, and unit officers' scope."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from collector.cli.main import main
from collector.store import users
from tests.exports_data import seed_small_province
from tests.reporting import login


@pytest.fixture
def province(db):
    seed_small_province(db)
    users.add_user(db, "tests", "hcl", "officer-password", "unit", "HCL")
    return db


@pytest.fixture
def officer(app, anon_client, province):
    assert login(anon_client, "hcl", "officer-password").status_code == 302
    return anon_client


def test_rollup_download(client, province):
    answer = client.get("/exports/rollup.xlsx")
    assert answer.status_code == 200
    assert answer.mimetype == ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert answer.headers["Content-Disposition"].startswith(
        'attachment; filename="phu-luc-ty-le-cai-dat-'
    )
    rows = list(load_workbook(io.BytesIO(answer.data)).active.iter_rows(values_only=True))
    assert any(row[1] == "Sở Xây dựng" and row[2:4] == (6, 5) for row in rows)
    text = client.get("/exports/rollup.csv?as_of=2020-01-01").data.decode("utf-8-sig")
    assert "Sở Xây dựng,6,0,0.0,Chưa có máy báo cáo" in text  # nothing reported then


@pytest.mark.parametrize(
    "url",
    ["/exports/rollup.pdf", "/exports/units/NOPE/survey.xlsx", "/exports/rollup.csv?parent=NOPE"],
)
def test_unknown_formats_and_units_are_404(client, province, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/exports/rollup.csv?as_of=12/05/2022",
        "/exports/rollup.xlsx?as_of=2999-01-01",
        "/exports/units/SXD/machines.csv?tab=everything",
    ],
)
def test_bad_arguments_are_400(client, province, url):
    assert client.get(url).status_code == 400


def test_unit_officer_downloads_only_their_subtree(officer):
    assert officer.get("/exports/units/SXD/machines.csv").status_code == 404
    assert officer.get("/exports/units/SXD/survey.xlsx").status_code == 404
    assert officer.get("/exports/rollup.xlsx?parent=SXD").status_code == 404
    assert officer.get("/exports/reporting-status.csv?parent=SXD").status_code == 404
    machines = officer.get("/exports/units/XMH/machines.csv")
    assert machines.status_code == 200 and b"XMH-PC01" in machines.data
    # Without parent=, the rollup and the status are their own unit's.
    assert "Xã Mỹ Hiệp" in officer.get("/exports/rollup.csv").data.decode("utf-8-sig")
    status = officer.get("/exports/reporting-status.csv").data.decode("utf-8-sig")
    assert [row[1] for row in csv.reader(io.StringIO(status))][1:] == ["HCL", "XMH"]


def test_unit_officer_json_twins_are_scoped_too(officer):
    for url in (
        "/api/v1/units/SXD/machines",
        "/api/v1/units/SXD/survey",
        "/api/v1/reporting-status?parent=SXD",
    ):
        answer = officer.get(url)
        assert answer.status_code == 404 and answer.json["ok"] is False, url
    assert officer.get("/api/v1/units/HCL/machines").json["total"] == 1
    assert [
        unit["code"]
        for section in officer.get("/api/v1/reporting-status").json["sections"]
        for unit in section["units"]
    ] == ["HCL", "XMH"]


def test_json_twins(client, province):
    machines = client.get("/api/v1/units/SXD/machines?tab=installed&per_page=2").json
    assert (machines["total"], machines["pages"], len(machines["machines"])) == (5, 3, 2)
    first = machines["machines"][0]
    assert first["hostname"] == "SXD-LAP01" and first["department"] is None
    assert first["antivirus"] == ["Kaspersky Endpoint Security for Windows"]
    assert first["ram_installed_gb"] == 16.0
    survey = client.get("/api/v1/units/SXD/survey").json
    assert survey["unit"]["leader_name"] == "Nguyễn Văn A"
    assert survey["devices"][0] == {
        "device_type": "Máy chủ",
        "os": "Windows Server 2019 Standard",
        "count": 1,
    }
    status = client.get("/api/v1/reporting-status").json
    assert status["summary"] == {"units": 3, "reporting": 2, "contacts_complete": 0, "replied": 0}
    answer = client.get("/api/v1/units/SXD/machines?tab=nope")
    assert answer.status_code == 400 and "tab" in answer.json["error"]


def test_cli_writes_every_export(app, province, tmp_path):
    runner = CliRunner()
    database = app.config["DATABASE"]
    commands = {
        "rollup.xlsx": ["rollup", "--as-of", "2020-01-01"],
        "rollup.csv": ["rollup", "--format", "csv", "--parent", "HCL"],
        "machines.csv": ["machines", "--unit", "SXD", "--tab", "stale"],
        "survey.xlsx": ["survey", "--unit", "sxd"],
        "status.csv": ["reporting-status"],
    }
    (tmp_path / "rollup.csv").write_text("an older file, once readable by all")
    (tmp_path / "rollup.csv").chmod(0o644)
    for name, args in commands.items():
        out = tmp_path / name
        result = runner.invoke(main, ["export", *args, "--out", str(out), "--db", database])
        assert result.exit_code == 0, (name, result.output)
        assert out.stat().st_size > 100
        assert out.stat().st_mode & 0o777 == 0o600, name  # it names a province's PCs
    assert "SXD-OLD01" in (tmp_path / "machines.csv").read_text(encoding="utf-8-sig")
    rollup_rows = list(
        csv.reader(io.StringIO((tmp_path / "rollup.csv").read_text(encoding="utf-8-sig")))
    )
    assert [row[3] for row in rollup_rows if row[1] == "đơn vị"] == ["XMH"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["machines", "--unit", "NOPE", "--out", "x.csv"], "no unit with code 'NOPE'"),
        (["rollup", "--as-of", "2999-01-01", "--out", "x.csv"], "in the future"),
        (["rollup", "--out", "x.pdf"], "give --format xlsx or csv"),
    ],
)
def test_cli_refuses_with_a_reason(app, province, tmp_path, args, message):
    result = CliRunner().invoke(main, ["export", *args, "--db", app.config["DATABASE"]])
    assert result.exit_code != 0 and message in result.output
