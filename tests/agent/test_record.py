"""`collect --record DIR` writes what a replay fixture holds: replayed, it gives the report."""

from __future__ import annotations

import json

import pytest

from agent.cli import main
from agent.record import records_of
from tests.agent.windows_replay import FIXTURES, install, load, replay


def comparable(report):
    return {k: v for k, v in report.items() if k not in ("report_id", "collected_at")}


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.json")), ids=lambda p: p.stem)
def test_the_records_of_a_collection_are_the_fixture_it_came_from(monkeypatch, path):
    recorded = dict(load(path.name), visible_ram_bytes=8 * 2**30)
    outcomes = []
    replay(monkeypatch, recorded, outcomes=outcomes)
    assert records_of(outcomes) == recorded


def test_a_recorded_folder_replays_to_the_same_report(monkeypatch, tmp_path, capsys):
    recorded = load("win10_kes11_defender_passive.json")
    recorded["errors"]["defender"] = "timeout"
    recorded["errors"]["kaspersky_data"] = "PermissionError: [WinError 5] Access is denied"
    install(monkeypatch, recorded)
    assert main(["collect", "--record", str(tmp_path / "pc"), "--unit", "STTTT"]) == 0
    printed = json.loads(capsys.readouterr().out)
    records = json.loads((tmp_path / "pc" / "records.json").read_text(encoding="utf-8"))
    report = json.loads((tmp_path / "pc" / "report.json").read_text(encoding="utf-8"))
    assert comparable(printed) == comparable(report)
    assert records["errors"] == {
        "defender": "timeout",
        "kaspersky_data": ("PermissionError: [WinError 5] Access is denied"),
    }
    assert comparable(replay(monkeypatch, records)) == comparable(report)


def test_a_folder_that_cannot_be_written_is_one_line(tmp_path, capsys):
    (tmp_path / "file").write_text("", encoding="utf-8")
    assert main(["collect", "--record", str(tmp_path / "file" / "pc")]) == 1
    assert capsys.readouterr().err.startswith("avroll-agent: cannot record in ")
