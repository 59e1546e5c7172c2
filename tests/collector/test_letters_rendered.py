"""The letters as printed: each drafted letter, at province and district scope, rendered to
PDF by LibreOffice and read back with pdftotext: the page count, the page numbers (none on
page 1, then "2", "3" … at the top), and the heading's names broken as the seeds break them.

LibreOffice and poppler-utils are system packages (`.ci/run` installs them); without them
the tests are skipped, unless AVROLL_REQUIRE_PDF is set (as `.ci/run` sets it).
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from collector.exports.reminder_letter import build_reminder_letter
from collector.exports.report_letter import build_report_letter
from collector.store import letterheads, settings
from collector.store.units import save_units
from tests.collector.test_letters import LETTERHEAD
from tests.dong_thap import allocation_2021, dong_thap_database
from tests.province import seed

TOOLS = ("soffice", "pdftotext")
if not all(shutil.which(tool) for tool in TOOLS) and not os.environ.get("AVROLL_REQUIRE_PDF"):
    pytest.skip("LibreOffice (soffice) and pdftotext are not installed", allow_module_level=True)

DISTRICT = {
    "issuer_parent": "",
    "issuer_name": "Ủy ban nhân dân huyện Cao Lãnh",
    "issuer_symbol": "UBND-TH",
    "issuer_place": "Cao Lãnh",
    "children_group": "Ủy ban nhân dân các xã, thị trấn",
    "reply_office": "Phòng Văn hóa và Thông tin",
    "reply_email": "phongvhtt@caolanh.gov.vn",
    "signer_title": "TM. ỦY BAN NHÂN DÂN; KT. CHỦ TỊCH; PHÓ CHỦ TỊCH",
    "signer_name": "Nguyễn Văn Hiệp",
    "letter_copies": "Sở Thông tin và Truyền thông; Lưu: VT",
    "reminder_copies": "CT và các PCT UBND huyện; LĐVP; Lưu: VT",
}
COMMUNES = 14  # enough for the district's reminder to run onto a second page
SECTION_BREAK = 9  # communes after which the next section's title ends page 1


def rendered(folder, letters):
    """`{name: [text of each page]}` of the DOCX `letters` ({name: bytes}), through PDF."""
    for name, body in letters.items():
        (folder / f"{name}.docx").write_bytes(body)
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{folder}/profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            *(str(folder / f"{name}.docx") for name in letters),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    pages = {}
    for name in letters:
        text = subprocess.run(
            ["pdftotext", str(folder / f"{name}.pdf"), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        pages[name] = text.split("\f")[:-1]  # each page ends with a form feed
    return pages


@pytest.fixture(scope="module")
def letters(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rendered")
    province = dong_thap_database(folder / "dong-thap.db")
    for key, value in LETTERHEAD.items():
        settings.set_value(province, key, value)
    with allocation_2021(province):
        made = {
            "province-report": build_report_letter(province, as_of="2022-05-12").body,
            "province-reminder": build_reminder_letter(province, as_of="2022-05-12").body,
        }
    province.close()
    district = dong_thap_database(folder / "district.db")
    district.execute("DELETE FROM units")
    seed(district)
    save_units(
        district,
        [
            (
                line,
                {
                    "code": f"HCLX{line}",
                    "name": f"UBND xã số {line}",
                    "group": "UBND các huyện, thành phố",
                    "parent": "HCL",
                    "allocated": "10",
                },
            )
            for line in range(2, COMMUNES + 2)
        ],
        actor="tests",
    )
    for key, value in DISTRICT.items():
        if value:
            letterheads.set_unit_value(district, "HCL", key, value, "tests")
    made["district-report"] = build_report_letter(district, parent="HCL").body
    made["district-reminder"] = build_reminder_letter(district, parent="HCL").body
    district.close()
    made["two-sections-reminder"] = two_sections(folder / "two-sections.db")
    return rendered(folder, made)


def two_sections(path):
    """A district's reminder to its communes and its offices, where the offices' title
    would fall on the last line of page 1."""
    district = dong_thap_database(path)
    district.execute("DELETE FROM units")
    seed(district)
    units = [
        {"code": f"HCLX{n}", "name": f"UBND xã số {n}", "group": "UBND các huyện, thành phố"}
        for n in range(SECTION_BREAK)
    ]
    units += [
        {"code": f"HCLP{n}", "name": f"Phòng số {n}", "group": "Các ban, ngành huyện"}
        for n in range(4)
    ]
    save_units(
        district,
        [(line, dict(unit, parent="HCL", allocated="10")) for line, unit in enumerate(units, 2)],
        actor="tests",
    )
    for key, value in DISTRICT.items():
        if value:
            letterheads.set_unit_value(district, "HCL", key, value, "tests")
    body = build_reminder_letter(district, parent="HCL").body
    district.close()
    return body


def lines(page):
    return [line.strip() for line in page.splitlines() if line.strip()]


@pytest.mark.parametrize(
    ("name", "count"),
    [
        ("province-report", 1),
        ("province-reminder", 2),
        ("district-report", 1),
        ("district-reminder", 2),
    ],
)
def test_page_count_and_numbers_from_page_two(letters, name, count):
    pages = letters[name]
    assert len(pages) == count
    assert not lines(pages[0])[0].isdigit()  # no number on the first page
    for number, page in enumerate(pages[1:], 2):
        assert lines(page)[0] == str(number)  # top centre, before the text


@pytest.mark.parametrize("name", ["province-report", "province-reminder"])
def test_the_provinces_heading_breaks_as_letter_002(letters, name):
    assert lines(letters[name][0])[:3] == ["UBND TỈNH ĐỒNG THÁP", "SỞ THÔNG TIN", "VÀ TRUYỀN THÔNG"]


@pytest.mark.parametrize("name", ["district-report", "district-reminder"])
def test_the_districts_heading_breaks_as_letter_004(letters, name):
    first = lines(letters[name][0])
    assert first[:2] == ["ỦY BAN NHÂN DÂN", "HUYỆN CAO LÃNH"]
    assert not any("SỞ THÔNG TIN" in line for line in first[:4])


def test_the_districts_reminder_is_addressed_and_laid_out_as_letter_004(letters):
    text = " ".join(" ".join(letters["district-reminder"]).split())  # cells wrap their text
    assert "Kính gửi: Ủy ban nhân dân các xã, thị trấn" in text
    assert "1. Ủy ban nhân dân các xã, thị trấn" in text
    assert "Chưa có máy báo cáo" in text
    assert "phongvhtt@caolanh.gov.vn" in text and "(có mẫu báo cáo kèm theo)" in text


def test_a_units_row_is_never_cut_by_the_page_break(letters):
    """The district's reminder runs onto page 2 inside its table: every row's note ("Chưa có
    máy báo cáo", two lines in its cell) is whole on its page, and the column headings come
    again at the top of page 2."""
    first, second = (" ".join(page.split()) for page in letters["district-reminder"])
    for page in (first, second):
        assert page.count("Chưa có máy") == page.count("Chưa có máy báo cáo")
    assert "STT Tên đơn vị" in second


def test_a_sections_title_stays_with_its_first_unit(letters):
    pages = [" ".join(page.split()) for page in letters["two-sections-reminder"]]
    [title_page] = [page for page in pages if "2. Các ban, ngành huyện" in page]
    assert "Phòng số 0" in title_page
