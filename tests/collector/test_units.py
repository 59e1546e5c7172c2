"""Units import and export: every bad line reported, all or nothing, CSV and XLSX."""

from __future__ import annotations

import csv

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from collector.cli.main import main
from collector.store.units import UnitImportError, count_units, get_unit, import_units, list_units

HEADER = "code,name,group,parent,allocated,leader_name,leader_phone,officer_name,officer_phone\n"


def write(tmp_path, text, name="units.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_then_upsert_by_code(db, tmp_path):
    saved = import_units(
        db,
        write(
            tmp_path,
            HEADER + "htm,Huyện Tháp Mười,UBND huyện,,330,,,,\n"
            "XMH,Xã Mỹ Hòa,,HTM,30,Nguyễn Văn A,0912 345 678,,\n",
        ),
    )
    assert (saved.created, saved.updated) == (2, 0)
    saved = import_units(db, write(tmp_path, "code,name,allocated\nHTM,Huyện Tháp Mười,335\n"))
    assert (saved.created, saved.updated) == (0, 1)
    htm = get_unit(db, "htm")
    assert (htm["allocated"], htm["group"]) == (335, "UBND huyện")  # absent column kept
    assert get_unit(db, "XMH")["parent"] == "HTM"
    assert get_unit(db, "XMH")["leader_phone"] == "0912 345 678"


def test_every_bad_line_is_reported_and_nothing_changes(db, tmp_path):
    import_units(db, write(tmp_path, HEADER + "SXD,Sở Xây dựng,Sở,,55,,,,\n"))
    bad = write(
        tmp_path,
        HEADER + "SXD,Sở Xây dựng,Sở,,56,,,,\n"  # line 2: fine, must not be applied
        "S X D,Bad code,Sở,,1,,,,\n"  # line 3
        "STC,,Sở,,65,,,,\n"  # line 4: no name
        "STP,Sở Tư pháp,Sở,,-3,,,,\n"  # line 5
        "SYT,Sở Y tế,Sở,NOPE,69,,,,\n"  # line 6
        "SXD,Again,Sở,,1,,,,\n"  # line 7: duplicate code
        "SNV,Sở Nội vụ,Sở,,64,,abc,,\n",
    )  # line 8: phone
    with pytest.raises(UnitImportError) as refused:
        import_units(db, bad)
    lines = [problem.split(":")[0] for problem in refused.value.errors]
    assert lines == ["line 3", "line 4", "line 5", "line 6", "line 7", "line 8"]
    assert count_units(db) == 1
    assert get_unit(db, "SXD")["allocated"] == 55


def test_a_parent_loop_is_refused(db, tmp_path):
    import_units(db, write(tmp_path, HEADER + "A,A,,,,,,,\nB,B,,A,,,,,\n"))
    with pytest.raises(UnitImportError, match="own ancestor"):
        import_units(db, write(tmp_path, "code,name,parent\nA,A,B\n"))
    assert get_unit(db, "A")["parent"] is None


def test_unknown_column_is_refused(db, tmp_path):
    with pytest.raises(UnitImportError, match="unknown column 3 'alocated'"):
        import_units(db, write(tmp_path, "code,name,alocated\nSXD,Sở Xây dựng,55\n"))


def test_xlsx_with_vietnamese_headings(db, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(
        [
            "STT",
            "Mã",
            "Tên đơn vị",
            "Nhóm",
            "Đơn vị cấp trên",
            "Số lượng bản quyền được phân bổ",
            "Cán bộ đầu mối",
            "SĐT cán bộ",
        ]
    )
    sheet.append(
        [1, "SXD", "Sở Xây dựng", "Các Sở, ban, ngành Tỉnh", None, 55, "Trần B", "0277 3851 234"]
    )
    sheet.append(
        [2, "HTM", "Huyện Tháp Mười", "UBND các huyện, thành phố", None, "1.330", None, None]
    )
    book.save(tmp_path / "units.xlsx")
    import_units(db, tmp_path / "units.xlsx")
    assert [(u["code"], u["allocated"], u["officer_name"]) for u in list_units(db)] == [
        ("SXD", 55, "Trần B"),
        ("HTM", 1330, None),
    ]


def test_export_round_trips_and_neutralises_formulas(db, tmp_path):
    import_units(db, write(tmp_path, HEADER + 'SXD,=HYPERLINK("x"),Sở,,55,,+84 912,,\n'))
    runner = CliRunner()
    out = tmp_path / "out.csv"
    result = runner.invoke(
        main,
        [
            "units",
            "export",
            "--out",
            str(out),
            "--db",
            db.conn.execute("PRAGMA database_list").fetchone()[2],
        ],
    )
    assert result.exit_code == 0, result.output
    assert out.stat().st_mode & 0o777 == 0o600  # officers' names and phone numbers
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[1][:2] == ["SXD", '\'=HYPERLINK("x")']
    assert rows[1][6] == "'+84 912"
    import_units(db, out)  # read back: the quote is removed again
    assert get_unit(db, "SXD")["name"] == '=HYPERLINK("x")'


def test_cli_import_reports_lines_and_if_empty(tmp_path):
    path = str(tmp_path / "cli.db")
    runner = CliRunner()
    bad = write(tmp_path, HEADER + "SXD,,,,x,,,,\n")
    result = runner.invoke(main, ["units", "import", str(bad), "--db", path])
    assert result.exit_code == 1
    assert "line 2: name is empty" in result.output
    assert "nothing was imported" in result.output
    good = write(tmp_path, HEADER + "SXD,Sở Xây dựng,,,55,,,,\n", "good.csv")
    assert runner.invoke(main, ["units", "import", str(good), "--db", path]).exit_code == 0
    again = runner.invoke(main, ["units", "import", str(bad), "--if-empty", "--db", path])
    assert again.exit_code == 0 and "nothing imported" in again.output


def test_shipped_dong_thap_units(db):
    from pathlib import Path

    import_units(db, Path(__file__).parents[2] / "collector/data/dong_thap_2021_units.csv")
    units = list_units(db)
    assert len(units) == 34
    assert sum(unit["allocated"] for unit in units) == 5137
    assert sum(1 for unit in units if unit["allocated"] == 330) == 12
