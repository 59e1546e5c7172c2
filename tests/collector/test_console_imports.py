"""Importing the Kaspersky console's and the directory's computer lists: realistic files,
hostile ones, and the all-or-nothing rule."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from collector.cli.main import main
from collector.formats.spreadsheets import TableError
from collector.store import console_imports
from collector.store.console_imports import ImportProblems, import_file, read_devices
from tests.console_files import (
    AD_HEADINGS,
    KSC_HEADINGS,
    ad_row,
    ksc_row,
    ksc_text,
    write_ad,
    write_ksc,
)

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=timezone.utc)


def _problems(source, path):
    with pytest.raises(ImportProblems) as caught:
        read_devices(source, path, NOW)
    return caught.value.errors


def test_ksc_utf16_tab_file_is_read_by_heading(tmp_path):
    seen = NOW - timedelta(hours=1)
    path = write_ksc(
        tmp_path / "ksc.txt", [ksc_row("SXD-KT01", "10.1.2.3", seen, "Managed devices/SXD")]
    )
    [device] = read_devices("ksc", path, NOW)
    assert device["netbios"] == "SXD-KT01" and device["ip"] == "10.1.2.3"
    assert device["last_seen_at"] == "2026-11-27T02:00:00Z"  # written in Vietnam time
    assert device["agent_installed"] is True and device["place"] == "Managed devices/SXD"


def test_ksc_csv_in_utf8_with_columns_in_another_order_and_some_missing(tmp_path):
    path = tmp_path / "ksc.csv"
    path.write_text(
        "\ufeffConnection IP address,Parent group,NAME,Status\r\n"
        "10.0.0.9,Managed devices,pc-01.sxd.local,Critical\r\n",
        encoding="utf-8",
    )
    [device] = read_devices("ksc", path, NOW)
    assert (device["name"], device["netbios"], device["status"]) == (
        "pc-01.sxd.local",
        "PC-01",
        "Critical",
    )
    assert device["last_seen_at"] is None and device["agent_installed"] is None


@pytest.mark.parametrize(
    "written, stored",
    [
        ("11/26/2026 9:05:00 PM", "2026-11-26T14:05:00Z"),  # an English console (en-US)
        ("27.11.2026 08:00:00", "2026-11-27T01:00:00Z"),  # a Russian one
        ("26/11/2026 9:05:00 CH", "2026-11-26T14:05:00Z"),  # Export-Csv on a vi-VN Windows
        ("27/11/2026 8:00 SA", "2026-11-27T01:00:00Z"),
        ("2026-11-27 08:00", "2026-11-27T01:00:00Z"),
        ("3 hours ago", "2026-11-27T00:00:00Z"),
        ("Never", None),
    ],
)
def test_ksc_dates_as_consoles_write_them(tmp_path, written, stored):
    row = ksc_row("SXD-KT01")
    row[KSC_HEADINGS.index("Last connected to Administration Server")] = written
    [device] = read_devices("ksc", write_ksc(tmp_path / "k.txt", [row]), NOW)
    assert device["last_seen_at"] == stored


def test_every_bad_line_is_reported_with_its_number(tmp_path):
    rows = [
        ksc_row("SXD-KT01"),
        ksc_row(""),
        ksc_row("SXD-KT03", ip="10.0.0.300"),
        ksc_row("SXD-KT04"),
        ksc_row("SXD-KT05"),
    ]
    rows[3][KSC_HEADINGS.index("Network Agent is installed")] = "maybe"
    rows[4][KSC_HEADINGS.index("Last connected to Administration Server")] = "31/31/2026"
    errors = _problems("ksc", write_ksc(tmp_path / "k.txt", rows))
    assert [error.split(":")[0] for error in errors] == ["line 3", "line 4", "line 5", "line 6"]
    assert "10.0.0.300" in errors[1] and "maybe" in errors[2] and "31/31/2026" in errors[3]


def test_a_file_with_an_error_changes_nothing(db, tmp_path):
    good = write_ksc(tmp_path / "good.txt", [ksc_row("SXD-KT01")])
    first = import_file(db, "ksc", good, actor="tests")
    bad = write_ksc(tmp_path / "bad.txt", [ksc_row("SXD-KT02"), ksc_row("")])
    with pytest.raises(ImportProblems):
        import_file(db, "ksc", bad, actor="tests")
    assert console_imports.latest_import(db, "ksc")["import_id"] == first.import_id
    assert db.execute("SELECT count(*) FROM console_devices").fetchone()[0] == 1


def test_formula_cells_are_kept_as_text_and_neutralised_on_export(db, tmp_path):
    from collector.exports.reconcile_lists import build_reconcile_export

    path = write_ksc(
        tmp_path / "k.txt",
        [
            ksc_row('=HYPERLINK("http://evil.example/x","SXD-KT01")', group="=cmd|' /C calc'!A0"),
            ksc_row("+SXD-KT02", group="@SUM(A1)"),
        ],
    )
    import_file(db, "ksc", path, actor="tests")
    body = build_reconcile_export(db, "csv").body.decode("utf-8")
    assert "'=cmd|' /C calc'!A0" in body and "'@SUM(A1)" in body
    assert "'=HYPERLINK" in body and "'+SXD-KT02" in body
    for line in body.splitlines()[1:]:
        assert not any(cell.startswith(("=", "+", "@")) for cell in line.split(","))


@pytest.mark.parametrize(
    "name",
    [
        "SXD-KT01\u200b",
        "\u202eSXD-KT01",
        "SXD\u2066-KT01",
        "SXD-\x07KT01",
        "SXD-KT01\uffff",
        "SXD-\ufffeKT01",
        "SXD-\x85KT01",
    ],
)
def test_invisible_and_direction_characters_in_a_name_are_refused(tmp_path, name):
    [error] = _problems("ksc", write_ksc(tmp_path / "k.txt", [ksc_row(name)]))
    assert error.startswith("line 2:") and "invisible" in error


def test_invisible_characters_are_removed_from_descriptive_cells(tmp_path):
    path = write_ksc(
        tmp_path / "k.txt", [ksc_row("SXD-KT01", group="Sở\u200b Xây\u202e dựng\uffff")]
    )
    [device] = read_devices("ksc", path, NOW)
    assert device["place"] == "Sở Xây dựng"


def test_a_truncated_line_is_reported(tmp_path):
    text = ksc_text([ksc_row("SXD-KT01"), ksc_row("SXD-KT02")])
    path = tmp_path / "k.txt"
    path.write_bytes(text[:-60].encode("utf-16"))
    [error] = _problems("ksc", path)
    assert error.startswith("line 3:") and "truncated" in error


def test_utf16_cut_in_the_middle_of_a_character_is_refused(tmp_path):
    path = tmp_path / "k.txt"
    path.write_bytes(ksc_text([ksc_row("SXD-KT01")]).encode("utf-16")[:-1])
    with pytest.raises(TableError, match="UTF-16"):
        read_devices("ksc", path, NOW)


def test_the_wrong_encoding_is_refused_with_the_line(tmp_path):
    path = tmp_path / "k.txt"
    text = ksc_text([ksc_row("SXD-KT01"), ksc_row("SXD-KT02", group="Sở Xây dựng")])
    # What Excel on a Vietnamese Windows saves: the ANSI code page (tone marks apart).
    path.write_bytes(unicodedata.normalize("NFD", text).encode("cp1258", errors="replace"))
    with pytest.raises(TableError, match="line 3: not UTF-8"):
        read_devices("ksc", path, NOW)
    path.write_bytes(text.encode("utf-16-le"))  # no BOM
    with pytest.raises(TableError, match="NUL"):
        read_devices("ksc", path, NOW)


def test_not_a_ksc_export(tmp_path):
    path = tmp_path / "k.csv"
    path.write_text("code,name,allocated\nSXD,Sở Xây dựng,10\n", encoding="utf-8")
    [error] = _problems("ksc", path)
    assert "besides 'Name'" in error
    path.write_text("Tên,Phân bổ\nSXD,10\n", encoding="utf-8")
    [error] = _problems("ksc", path)
    assert "no 'Name', 'Имя' or 'KLHST_WKS_DN' column" in error


def test_fifty_thousand_lines(db, tmp_path):
    seen = NOW - timedelta(hours=1)
    rows = [
        ksc_row(
            f"XA{n // 100:03d}-PC{n % 100:02d}", f"10.{n // 65536}.{n // 256 % 256}.{n % 256}", seen
        )
        for n in range(50_000)
    ]
    path = write_ksc(tmp_path / "big.txt", rows)
    snapshot = import_file(db, "ksc", path, actor="tests", now=NOW)
    assert snapshot.devices == 50_000
    assert db.execute("SELECT count(DISTINCT netbios) FROM console_devices").fetchone()[0] == 50_000


def test_get_adcomputer_export_csv(tmp_path):
    seen = NOW - timedelta(days=2)
    path = write_ad(
        tmp_path / "ad.csv",
        [
            ad_row("SXD-KT01", seen, description="Phòng Kế toán"),
            ad_row("SXD-CU", None, enabled="False"),
        ],
    )
    first, second = read_devices("directory", path, NOW)
    assert first["line"] == 3  # after the #TYPE line and the header
    assert (first["netbios"], first["place"], first["description"]) == (
        "SXD-KT01",
        "OU=KeToan,OU=SXD,DC=sxd,DC=dongthap,DC=gov,DC=vn",
        "Phòng Kế toán",
    )
    assert first["last_seen_at"] == "2026-11-25T03:00:00Z"
    assert second["enabled"] is False and second["last_seen_at"] is None


def test_csvde_output_in_utf16(tmp_path):
    path = tmp_path / "csvde.csv"
    text = (
        "DN,objectClass,cn,description,sAMAccountName,lastLogonTimestamp,"
        "userAccountControl\r\n"
        '"CN=SXD-KT01,OU=SXD,DC=sxd,DC=vn",computer,SXD-KT01,Máy kế toán,SXD-KT01$,'
        "134087436000000000,4096\r\n"
        '"CN=SXD-KT02,OU=SXD,DC=sxd,DC=vn",computer,SXD-KT02,,SXD-KT02$,0,4098\r\n'
        '"CN=Nguyen Van A,OU=SXD,DC=sxd,DC=vn",user,Nguyen Van A,,nva,0,512\r\n'
    )
    path.write_bytes(text.encode("utf-16"))
    [error] = _problems("directory", path)
    assert error == "line 4: not a computer (objectClass 'user')"
    path.write_bytes(text.rsplit("\r\n", 2)[0].encode("utf-16") + "\r\n".encode("utf-16-le"))
    first, second = read_devices("directory", path, NOW)
    assert first["place"] == "OU=SXD,DC=sxd,DC=vn" and first["enabled"] is True
    assert first["last_seen_at"] == "2025-11-27T19:00:00Z"  # 1.34087436e17 × 100 ns after 1601
    assert second["enabled"] is False and second["last_seen_at"] is None


def test_directory_file_without_a_name_column(tmp_path):
    path = tmp_path / "ad.csv"
    path.write_text("Enabled,Description\nTrue,x\n", encoding="utf-8")
    [error] = _problems("directory", path)
    assert "sAMAccountName" in error


def test_cli_import_reports_lines_and_imports_nothing(tmp_path):
    db_path = tmp_path / "cli.db"
    bad = write_ad(tmp_path / "ad.csv", [ad_row("SXD-KT01"), ad_row("")])
    runner = CliRunner()
    result = runner.invoke(main, ["import", "directory", str(bad), "--db", str(db_path)])
    assert result.exit_code == 1
    assert "line 4: the computer name is empty" in result.output
    assert "nothing was imported" in result.output
    good = write_ksc(tmp_path / "k.txt", [ksc_row("SXD-KT01")])
    result = runner.invoke(main, ["import", "ksc", str(good), "--db", str(db_path)])
    assert result.exit_code == 0 and "1 computers" in result.output
    assert AD_HEADINGS  # the directory layout the file above used


def test_a_cell_past_the_csv_limit_is_a_line_error_not_a_crash(tmp_path):
    path = tmp_path / "k.csv"
    path.write_text("Name,Status\nSXD-KT01,OK\nSXD-KT02," + "x" * 200_000 + "\n", encoding="utf-8")
    with pytest.raises(TableError, match="line 3"):
        read_devices("ksc", path, NOW)


def test_a_linux_host_reporting_its_dns_name_matches_its_console_name(db, tmp_path):
    from collector.counting import reconcile
    from collector.store.ingest import store_report
    from tests.builders import make_report

    store_report(db, make_report(hostname="sxd-web01.sxd.local"))
    import_file(
        db,
        "ksc",
        write_ksc(tmp_path / "k.txt", [ksc_row("SXD-WEB01", last=datetime.now(timezone.utc))]),
        actor="tests",
    )
    [machine] = reconcile.reconcile(db).machines
    assert machine.views == ("avroll", "ksc")


def test_console_duplicate_suffix_and_hidden_heading_characters(tmp_path):
    headings = ("\u200bName", "Connection IP address")
    path = write_ksc(tmp_path / "k.txt", [["SXD-KT01~1", "10.0.0.1"]], headings=headings)
    [device] = read_devices("ksc", path, NOW)
    assert (device["name"], device["netbios"]) == ("SXD-KT01~1", "SXD-KT01")


def test_an_error_quoting_a_hidden_character_shows_it_escaped(tmp_path):
    [error] = _problems(
        "ksc", write_ksc(tmp_path / "k.txt", [ksc_row("SXD-KT01", ip="\u202e1.2.3.4")])
    )
    assert "\u202e" not in error and "\\u202e" in error
