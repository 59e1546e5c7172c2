"""KSC files as the console and its API write them: the Open API's KLHST_WKS_* attributes
(status bits and RTP states decoded as Kaspersky documents them), the Russian console's
headings and words, KSC's own product names, and relative times counted from the export.

Shapes:
- The Open API dump is what a KlAkOAPI script writes when it calls
  `HostGroup.FindHosts(...)` with a list of KLHST_WKS_* attributes and writes each host's
  values under the attribute names (csv.DictWriter): integers as integers, datetimes as the
  JSON API carries them (`…Z`, UTC). The values follow the KSC Open API reference ("List of
  host attributes", "Host State enum": CS_VISIBLE 0x1, CS_ADDEDTOGROUP 0x2,
  CS_AGENTINSTALLED 0x4, CS_AGENTISALIVE 0x8, CS_PRODUCTINSTALLED 0x10; "Global RTP State
  enum": 0 unknown … 4 running … 9 failure).
- The Russian file is the device list exported by the Russian KSC 14 console: tab-delimited,
  UTF-16 with a BOM, its headings ("Имя", "Последнее появление в сети", "Последнее
  соединение с Сервером администрирования", "Статус постоянной защиты"…), "Да"/"Нет",
  dates day first with dots, and relative times ("12 минут назад").
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from collector.cli.main import main
from collector.counting.products import family_key, is_mandated
from collector.counting.reconcile import reconcile
from collector.store import settings
from collector.store.console_imports import ImportProblems, import_file, read_devices
from tests.console_files import seed_views

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=timezone.utc)  # 10:00 in Vietnam
FAMILIES = settings.SETTINGS["required_product"].parse(
    settings.SETTINGS["required_product"].default
)

API_HEADER = (
    "KLHST_WKS_DN,KLHST_WKS_HOSTNAME,KLHST_WKS_WINHOSTNAME,KLHST_WKS_WINDOMAIN,"
    "KLHST_WKS_DNSNAME,KLHST_WKS_IP_LONG,KLHST_WKS_GROUPID,KLHST_WKS_STATUS,"
    "KLHST_WKS_STATUS_ID,KLHST_WKS_RTP_STATE,KLHST_WKS_LAST_NAGENT_CONNECTED,"
    "KLHST_WKS_LAST_UPDATE,KLHST_WKS_NAG_VERSION"
)
API_ROWS = [
    # online, in a group, agent installed and alive, protection installed: 0x1F = 31
    "SXD-KT01,3b7c1a8e-5d2f-4e9a-8c61-0f2d9e4b7a15,SXD-KT01,SOXAYDUNG,"
    "sxd-kt01.sxd.local,167772161,12,31,0,4,2026-11-27T01:00:00Z,2026-11-26T22:14:05Z,"
    "14.2.0.26967",
    # a display name changed by hand: the NetBIOS name is what matches
    "Máy kế toán 2,9a1e77c0-2b4d-4f83-a6d5-5c3e8f0b1d22,SXD-KT02,SOXAYDUNG,"
    "sxd-kt02.sxd.local,167772162,12,6,1,1,2026-11-20 08:30:00,,14.2.0.26967",
    # found by a network poll only: no agent, no protection, never connected
    "DESKTOP-9QX,c0ffee00-1111-2222-3333-444455556666,DESKTOP-9QX,WORKGROUP,,167772169,2,3,1,0,,,",
]
RU_HEADINGS = (
    "Имя",
    "Домен Windows",
    "Агент администрирования установлен",
    "Агент администрирования работает",
    "Статус постоянной защиты",
    "Последнее появление в сети",
    "Последнее соединение с Сервером администрирования",
    "Последнее обновление антивирусных баз",
    "IP-адрес соединения",
    "Версия Агента администрирования",
    "Версия программы",
    "Статус",
    "Родительская группа",
)
RU_ROWS = [
    (
        "SXD-KT01",
        "SOXAYDUNG",
        "Да",
        "Да",
        "Выполняется",
        "27.11.2026 09:55:00",
        "27.11.2026 09:50:00",
        "27.11.2026 05:14:05",
        "10.0.0.1",
        "14.2.0.26967",
        "12.3.0.493",
        "ОК",
        "Управляемые устройства/SXD",
    ),
    (
        "SXD-KT03",
        "SOXAYDUNG",
        "Да",
        "Нет",
        "Остановлена",
        "12 минут назад",
        "3 часа назад",
        "2 дня назад",
        "10.0.0.3",
        "14.2.0.26967",
        "12.3.0.493",
        "Критический",
        "Управляемые устройства",
    ),
    (
        "WIN-7H3K",
        "WORKGROUP",
        "Нет",
        "Нет",
        "",
        "1 час назад",
        "Никогда",
        "",
        "10.0.9.9",
        "",
        "",
        "Предупреждение",
        "Нераспределенные устройства",
    ),
]


def write_api(path):
    path.write_text(API_HEADER + "\r\n" + "\r\n".join(API_ROWS) + "\r\n", encoding="utf-8")
    return path


def write_russian(path):
    lines = ["\t".join(RU_HEADINGS), *("\t".join(row) for row in RU_ROWS)]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-16"))
    return path


def test_open_api_dump_decodes_status_bits_and_rtp_states(tmp_path):
    first, second, third = read_devices("ksc", write_api(tmp_path / "hosts.csv"))
    assert (first["name"], first["netbios"], first["domain"]) == (
        "SXD-KT01",
        "SXD-KT01",
        "SOXAYDUNG",
    )
    assert first["agent_installed"] is True and first["agent_running"] is True
    assert first["protection"] == "Running" and first["status"] == "OK"
    assert first["last_seen_at"] == "2026-11-27T01:00:00Z"  # UTC, as the API gives it
    assert first["bases_at"] == "2026-11-26T22:14:05Z"
    assert first["agent_version"] == "14.2.0.26967"
    assert (second["name"], second["netbios"]) == ("Máy kế toán 2", "SXD-KT02")
    assert second["agent_installed"] is True and second["agent_running"] is False
    assert second["protection"] == "Stopped" and second["status"] == "Critical"
    assert second["last_seen_at"] == "2026-11-20T08:30:00Z"
    assert third["agent_installed"] is False and third["agent_running"] is False
    assert third["protection"] == "Unknown" and third["last_seen_at"] is None


@pytest.mark.parametrize(
    "column, value, word",
    [
        ("KLHST_WKS_RTP_STATE", "12", "not a state Kaspersky documents"),
        ("KLHST_WKS_STATUS", "0x1f", "is not a whole number"),
        ("KLHST_WKS_LAST_NAGENT_CONNECTED", "27/11/2026", "not an Open API date"),
    ],
)
def test_open_api_values_are_read_strictly(tmp_path, column, value, word):
    header = API_HEADER.split(",")
    cells = API_ROWS[0].split(",")
    cells[header.index(column)] = value
    path = tmp_path / "hosts.csv"
    path.write_text(API_HEADER + "\n" + ",".join(cells) + "\n", encoding="utf-8")
    with pytest.raises(ImportProblems) as refused:
        read_devices("ksc", path)
    assert refused.value.errors[0].startswith("line 2:") and word in refused.value.errors[0]


def test_russian_console_export_with_its_export_date(tmp_path):
    exported = NOW - timedelta(days=3)  # exported on Monday, imported on Thursday
    first, second, third = read_devices("ksc", write_russian(tmp_path / "ru.txt"), exported)
    assert first["agent_installed"] is True and first["agent_running"] is True
    assert first["protection"] == "Выполняется" and first["place"].startswith("Управляемые")
    assert first["last_seen_at"] == "2026-11-27T02:50:00Z"  # the connection, not "visible"
    assert second["agent_running"] is False
    assert second["last_seen_at"] == "2026-11-24T00:00:00Z"  # 3 hours before the export
    assert second["bases_at"] == "2026-11-22T03:00:00Z"
    assert third["agent_installed"] is False and third["last_seen_at"] is None


def test_relative_times_without_an_export_date_ask_for_it(tmp_path):
    path = write_russian(tmp_path / "ru.txt")
    with pytest.raises(ImportProblems) as refused:
        read_devices("ksc", path)
    [error] = refused.value.errors
    # Line 4's "1 час назад" is when it was last visible, which is not read.
    assert error.startswith("line(s) 3:") and "--exported-at" in error


def test_the_cli_asks_for_the_export_date_and_says_which_it_used(app, db, tmp_path):
    path = write_russian(tmp_path / "ru.txt")
    runner = CliRunner()
    refused = runner.invoke(main, ["import", "ksc", str(path), "--db", app.config["DATABASE"]])
    assert refused.exit_code != 0 and "--exported-at" in refused.output
    assert db.execute("SELECT count(*) FROM console_imports").fetchone()[0] == 0
    done = runner.invoke(
        main,
        [
            "import",
            "ksc",
            str(path),
            "--exported-at",
            "2026-11-24 10:00",
            "--db",
            app.config["DATABASE"],
        ],
    )
    assert done.exit_code == 0, done.output
    assert "exported at 2026-11-24T03:00:00Z, as --exported-at says" in done.output
    row = db.execute("SELECT exported_at, exported_from FROM console_imports").fetchone()
    assert tuple(row) == ("2026-11-24T03:00:00Z", "given")
    seen = db.execute("SELECT last_seen_at FROM console_devices WHERE netbios = 'SXD-KT03'")
    assert seen.fetchone()[0] == "2026-11-24T00:00:00Z"  # 3 hours before the export


def test_an_xlsx_says_when_it_was_written(db, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(list(RU_HEADINGS))
    for row in RU_ROWS:
        sheet.append(list(row))
    book.properties.created = datetime(2026, 11, 24, 3, 0)  # saved again later: modified moves
    path = tmp_path / "ru.xlsx"
    book.save(path)
    snapshot = import_file(db, "ksc", path, actor="tests", now=NOW)
    assert (snapshot.exported_at, snapshot.exported_from) == ("2026-11-24T03:00:00Z", "file")
    seen = db.execute("SELECT last_seen_at FROM console_devices WHERE netbios = 'SXD-KT03'")
    assert seen.fetchone()[0] == "2026-11-24T00:00:00Z"


def test_the_upload_page_takes_the_export_date(client, db, tmp_path):
    path = write_russian(tmp_path / "ru.txt")
    from tests.reporting import csrf_token

    def upload(exported_at):
        with open(path, "rb") as handle:
            return client.post(
                "/admin/imports",
                data={
                    "source": "ksc",
                    "exported_at": exported_at,
                    "file": (handle, "ru.txt"),
                    "csrf_token": csrf_token(client),
                },
                content_type="multipart/form-data",
            )

    refused = upload("")
    assert refused.status_code == 422 and "--exported-at" in refused.get_data(as_text=True)
    done = upload("24/11/2026 10:00")
    assert done.status_code == 200
    assert "Thời điểm xuất tệp (theo người nhập)" in done.get_data(as_text=True)
    assert (
        db.execute("SELECT exported_at FROM console_imports").fetchone()[0]
        == "2026-11-24T03:00:00Z"
    )


def test_connected_is_judged_as_of_the_export_not_the_import(db, tmp_path):
    """A file exported 10 days ago lists SXD-KT01 connected 2 hours before the export:
    connected within 7 days of the export, whatever day it is imported."""
    paths = seed_views(db, tmp_path)
    exported = datetime.now(timezone.utc) - timedelta(days=10)
    path = tmp_path / "old.txt"
    text = paths[0].read_bytes().decode("utf-16")
    path.write_bytes(text.encode("utf-16"))
    from tests.console_files import console_time

    recent_text = console_time(datetime.now(timezone.utc) - timedelta(hours=2))
    path.write_bytes(text.replace(recent_text, "2 hours ago").encode("utf-16"))
    import_file(db, "ksc", path, actor="tests", exported_at=exported)
    found = {machine.key: machine for machine in reconcile(db).machines}
    assert found["SXD-KT01"].connected is True


@pytest.mark.parametrize(
    "name",
    [
        "Kaspersky Endpoint Security 10 MR1",
        "Kaspersky Endpoint Security 10 SP1 MR1",
        "Kaspersky Endpoint Security 11",
        "Kaspersky Enterprise Security 10.0 Service Pack 1",
    ],
)
def test_kscs_own_product_names_count_as_their_family(name):
    assert family_key(name) == ("kaspersky", "endpoint", "security", "for", "windows")
    assert is_mandated(name, FAMILIES)


@pytest.mark.parametrize(
    "name",
    [
        "Kaspersky Endpoint Security Cloud",
        "Kaspersky Security Center 14 Network Agent",
        "Kaspersky Enterprise Security Manager",
    ],
)
def test_other_kaspersky_names_stay_what_they_are(name):
    assert not is_mandated(name, FAMILIES)
