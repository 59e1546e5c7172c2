"""The spool keeps undelivered reports on disk, oldest first, bounded, and survives bad files."""

from __future__ import annotations

import json
import os

import pytest

from agent.delivery.spool import CorruptSpoolFile, Spool
from tests.builders import make_report


@pytest.fixture
def spool(tmp_path):
    return Spool(str(tmp_path / "state" / "spool"), limit=3)


def test_reports_come_back_oldest_first(spool):
    reports = [make_report(hostname=f"PC-{n}") for n in range(3)]
    for report in reports:
        spool.put(report)
    assert [spool.load(path) for path in spool.pending()] == reports


def test_past_the_limit_the_oldest_is_dropped_and_logged(spool, caplog):
    reports = [make_report(hostname=f"PC-{n}") for n in range(5)]
    for report in reports:
        spool.put(report)
    kept = [spool.load(path)["report_id"] for path in spool.pending()]
    assert kept == [report["report_id"] for report in reports[2:]]
    assert caplog.text.count("dropped the oldest") == 2


def test_no_temp_file_is_left_and_stale_ones_are_cleaned(spool):
    spool.put(make_report())
    assert [name for name in os.listdir(spool.directory) if name.endswith(".tmp")] == []
    stale = os.path.join(spool.directory, "00000000000000000001-x.json.tmp")
    with open(stale, "w") as handle:
        handle.write('{"cut sho')
    assert len(spool.pending()) == 1  # a half-written file is never taken for a report
    spool.remove_stale_temp_files()
    assert not os.path.exists(stale)


@pytest.mark.parametrize(
    "content", [b'{"report_id": "abc", "cut', b"[1, 2]", b"\xff\xfe\x00", b'{"no": "id"}']
)
def test_corrupt_file_is_recognised(spool, content):
    os.makedirs(spool.directory)
    path = os.path.join(spool.directory, "00000000000000000001-bad.json")
    with open(path, "wb") as handle:
        handle.write(content)
    with pytest.raises(CorruptSpoolFile):
        spool.load(path)


def test_set_aside_moves_the_file_with_its_reason(spool):
    path = spool.put(make_report())
    target = spool.set_aside(path, "collector answered 422 bad field")
    assert spool.pending() == [] and spool.set_aside_count() == 1
    assert json.load(open(target, encoding="utf-8"))["schema_version"] == 1
    with open(target + ".reason.txt", encoding="utf-8") as handle:
        assert handle.read() == "collector answered 422 bad field\n"


def test_order_holds_when_the_clock_does_not_move(spool, monkeypatch):
    monkeypatch.setattr("agent.delivery.spool.time.time_ns", lambda: 5)
    reports = [make_report(hostname=f"PC-{n}") for n in range(3)]
    for report in reports:
        spool.put(report)
    assert [spool.load(path) for path in spool.pending()] == reports
