"""Whatever sits in the spool, `send` sets aside what it cannot read (with a log line) and
delivers the rest, newest first; refused reports past the kept number are logged, not lost
silently."""

from __future__ import annotations

import json
import os
import threading

import pytest

from agent.delivery import spool as spool_module
from agent.delivery.deliverer import Backoff, Deliverer
from agent.delivery.spool import Spool
from agent.delivery.transport import Rejected, send_report
from tests.builders import make_report

OK = {"ok": True, "duplicate": False}


class Recorder:
    def __init__(self, answer=OK):
        self.answer, self.received = answer, []

    def __call__(self, report, timeout):
        self.received.append(report["report_id"])
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def deliver(spool, send):
    run = Deliverer(send, 30.0, 5.0, Backoff(rng=lambda: 1.0), sleep=lambda _s: None)
    return run.deliver_spool(spool, lambda *_: None)


@pytest.fixture
def spool(tmp_path):
    return Spool(str(tmp_path / "spool"))


def spooled_name(spool, stem):
    return os.path.join(spool.directory, f"{stem}-hostile.json")


def hostile_entries(spool):
    """One of each kind of unreadable spool entry this OS can make, named to sort before a
    good report; returns how many."""
    os.makedirs(spool.directory, exist_ok=True)
    with open(spooled_name(spool, "00000000000000000001"), "w") as handle:
        handle.write("[" * 100_000 + "]" * 100_000)  # deeper than json can read
    os.mkdir(spooled_name(spool, "00000000000000000002"))
    nan = make_report()
    nan["machine"]["ram"]["visible_bytes"] = float("nan")
    with open(spooled_name(spool, "00000000000000000003"), "w") as handle:
        json.dump(nan, handle)  # writes NaN, which no collector can read
    with open(spooled_name(spool, "00000000000000000004"), "w") as handle:
        handle.write('{"report_id": "x", "collected_at": Infinity}')
    if os.name != "posix":
        return 4
    os.mkfifo(spooled_name(spool, "00000000000000000005"))
    unreadable = spooled_name(spool, "00000000000000000006")
    if os.geteuid() == 0:  # root reads any file: a link to nowhere cannot be read either
        os.symlink(unreadable + ".gone", unreadable)
    else:
        with open(unreadable, "w") as handle:
            json.dump(make_report(), handle)
        os.chmod(unreadable, 0)
    return 6


def test_unreadable_entries_are_set_aside_and_the_good_report_is_delivered(spool, caplog):
    hostile = hostile_entries(spool)
    good = make_report(hostname="GOOD")
    spool.put(good)
    send = Recorder()
    outcome = {}
    runner = threading.Thread(target=lambda: outcome.update(run=deliver(spool, send)))
    runner.start()
    runner.join(10)
    assert not runner.is_alive(), "send hung on a spool entry"
    assert send.received == [good["report_id"]]
    assert len(outcome["run"].set_aside) == hostile and spool.pending() == []
    assert spool.set_aside_count() == hostile
    assert caplog.text.count("set aside") >= hostile


def test_a_nan_in_a_report_is_refused_before_sending_not_called_unreachable():
    report = make_report()
    report["machine"]["ram"]["visible_bytes"] = float("inf")
    with pytest.raises(Rejected, match="JSON"):
        send_report("http://127.0.0.1:9", report, timeout=1)


def test_after_an_outage_the_newest_report_goes_first(spool):
    reports = [make_report(hostname=f"PC-{n}") for n in range(4)]
    for report in reports:
        spool.put(report)
    send = Recorder()
    deliver(spool, send)
    assert send.received == [r["report_id"] for r in reversed(reports)]


def test_refused_reports_beyond_the_kept_number_are_logged_when_dropped(spool, caplog, monkeypatch):
    monkeypatch.setattr(spool_module, "MAX_SET_ASIDE", 3)
    reports = [make_report(hostname=f"PC-{n}") for n in range(5)]
    for report in reports:
        spool.put(report)
    deliver(spool, Recorder(Rejected("collector answered 422 bad")))
    assert spool.set_aside_count() == 3
    dropped = [line for line in caplog.text.splitlines() if "set-aside folder full" in line]
    assert len(dropped) == 2
    # The newest refused reports are the ones kept.
    kept = sorted(os.listdir(spool.set_aside_dir))
    assert all(r["report_id"] in " ".join(kept) for r in reports[2:])


@pytest.mark.parametrize("report_id", [{"a": 1}, ["x"], 7, True, "", "   "])
def test_an_entry_whose_report_id_is_not_text_is_set_aside(spool, report_id):
    os.makedirs(spool.directory, exist_ok=True)
    odd = make_report()
    odd["report_id"] = report_id
    with open(spooled_name(spool, "00000000000000000001"), "w") as handle:
        json.dump(odd, handle)
    good = make_report(hostname="GOOD")
    spool.put(good)
    send = Recorder()
    outcome = deliver(spool, send)
    assert send.received == [good["report_id"]]
    assert list(outcome.set_aside) == ["00000000000000000001-hostile.json"]
    assert "report id" in outcome.set_aside["00000000000000000001-hostile.json"]
    assert spool.pending() == [] and spool.set_aside_count() == 1
