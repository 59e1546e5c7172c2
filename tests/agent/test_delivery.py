"""A run delivers spooled reports newest first, retries with backoff, and stops at its deadline."""

from __future__ import annotations

import pytest

from agent.delivery.deliverer import Backoff, Deliverer, read_last_delivery, record_delivery
from agent.delivery.spool import Spool
from agent.delivery.transport import AgentRefused, Rejected, ServerBusy, Unreachable
from tests.builders import make_report


class FakeTime:
    """A clock that only moves when the deliverer sleeps (or a send takes time)."""

    def __init__(self):
        self.now, self.sleeps = 0.0, []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


class Collector:
    """A `send` that answers from a script of results (an exception or an answer dict)."""

    def __init__(self, *script, default=None):
        self.script, self.default, self.received = list(script), default, []

    def __call__(self, report, timeout):
        self.received.append((report["report_id"], timeout))
        result = self.script.pop(0) if self.script else self.default
        if isinstance(result, Exception):
            raise result
        return result


OK = {"ok": True, "duplicate": False}


def deliverer(send, time, limit=60.0):
    return Deliverer(send, limit, 15.0, Backoff(rng=lambda: 1.0), time.clock, time.sleep)


@pytest.fixture
def spool(tmp_path):
    return Spool(str(tmp_path / "spool"))


def test_backoff_grows_exponentially_with_jitter_and_a_cap():
    low, high = Backoff(rng=lambda: 0.0), Backoff(rng=lambda: 1.0)
    assert [high.delay(n) for n in range(7)] == [1, 2, 4, 8, 16, 30, 30]
    assert [low.delay(n) for n in range(3)] == [0.5, 1, 2]


def test_spool_is_delivered_newest_first_and_emptied(spool):
    reports = [make_report(hostname=f"PC-{n}") for n in range(3)]
    for report in reports:
        spool.put(report)
    send, delivered = Collector(default=OK), []
    outcome = deliverer(send, FakeTime()).deliver_spool(
        spool, lambda report, answer: delivered.append(report["report_id"])
    )
    ids = [report["report_id"] for report in reversed(reports)]
    assert [received for received, _ in send.received] == ids
    assert outcome.delivered == delivered == ids
    assert spool.pending() == [] and outcome.stopped_by is None


def test_temporary_failures_are_retried_with_growing_waits(spool):
    spool.put(make_report())
    time = FakeTime()
    send = Collector(Unreachable("down"), ServerBusy("503"), ServerBusy("429"), OK)
    outcome = deliverer(send, time).deliver_spool(spool, lambda *_: None)
    assert len(outcome.delivered) == 1
    assert time.sleeps == [1.0, 2.0, 4.0]


def test_retry_after_is_honoured(spool):
    spool.put(make_report())
    time = FakeTime()
    deliverer(Collector(ServerBusy("429", retry_after=12), OK), time).deliver_spool(
        spool, lambda *_: None
    )
    assert time.sleeps == [12]


def test_deadline_stops_retrying_and_keeps_the_reports(spool):
    for n in range(2):
        spool.put(make_report(hostname=f"PC-{n}"))
    time = FakeTime()
    send = Collector(default=ServerBusy("collector answered 500"))
    outcome = deliverer(send, time, limit=10).deliver_spool(spool, lambda *_: None)
    assert str(outcome.stopped_by) == "collector answered 500"
    assert time.now < 10 and sum(time.sleeps) < 10
    assert len(send.received) == 4  # 0 + 1 + 2 + 4 s; the next wait (8 s) passes the deadline
    assert len(spool.pending()) == 2


def test_no_retry_is_started_that_could_only_run_out_of_time(spool):
    spool.put(make_report())
    time = FakeTime()

    def slow_failure(report, timeout):  # fails after 8.6 s: with a 1 s wait, 0.4 s is left
        time.now += 8.6
        raise Unreachable("no answer")

    outcome = deliverer(slow_failure, time, limit=10).deliver_spool(spool, lambda *_: None)
    assert str(outcome.stopped_by) == "no answer"
    assert time.sleeps == []


def test_nothing_is_sent_once_the_time_limit_is_reached(spool):
    spool.put(make_report())
    time = FakeTime()
    run = deliverer(Collector(default=OK), time, limit=5)
    time.now = 5  # the collection took the whole run
    outcome = run.deliver_spool(spool, lambda *_: None)
    assert run.send.received == [] and len(spool.pending()) == 1
    assert "time limit" in str(outcome.stopped_by)


def test_request_timeout_never_exceeds_the_time_left(spool):
    spool.put(make_report())
    time = FakeTime()
    run = deliverer(Collector(default=OK), time, limit=4)
    send = run.send
    run.deliver_spool(spool, lambda *_: None)
    assert send.received[0][1] == 4


def test_rejected_report_is_set_aside_and_the_next_is_sent(spool, caplog):
    first, second = make_report(hostname="A"), make_report(hostname="B")
    spool.put(second)
    spool.put(first)  # the newest goes first
    send = Collector(Rejected("collector answered 422 bad hostname"), OK)
    outcome = deliverer(send, FakeTime()).deliver_spool(spool, lambda *_: None)
    assert outcome.set_aside == {first["report_id"]: "collector answered 422 bad hostname"}
    assert outcome.delivered == [second["report_id"]]
    assert len(send.received) == 2  # no retry of a rejected report
    assert spool.set_aside_count() == 1 and spool.pending() == []
    assert "422 bad hostname" in caplog.text


def test_refused_agent_keeps_every_report_spooled(spool):
    for n in range(2):
        spool.put(make_report(hostname=f"PC-{n}"))
    send = Collector(AgentRefused("collector answered 401 unknown token"))
    outcome = deliverer(send, FakeTime()).deliver_spool(spool, lambda *_: None)
    assert isinstance(outcome.stopped_by, AgentRefused)
    assert len(send.received) == 1 and len(spool.pending()) == 2


def test_corrupt_spool_file_is_set_aside_not_fatal(spool):
    spool.put(make_report())
    with open(spool.pending()[0], "w", encoding="utf-8") as handle:
        handle.write('{"report_id": "x", "cut')
    good = make_report(hostname="GOOD")
    spool.put(good)
    outcome = deliverer(Collector(default=OK), FakeTime()).deliver_spool(spool, lambda *_: None)
    assert outcome.delivered == [good["report_id"]]
    assert spool.set_aside_count() == 1 and spool.pending() == []


def test_last_delivery_is_recorded_and_read_back(tmp_path):
    report = make_report(hostname="SXD-KT-01")
    answer = {
        "ok": True,
        "naming": {"follows_guideline": True, "unit_code": "SXD", "pattern": "SXD-*", "advice": ""},
    }
    record_delivery(str(tmp_path), "http://c", report, answer)
    last = read_last_delivery(str(tmp_path))
    assert (last["server"], last["hostname"], last["answer"]) == ("http://c", "SXD-KT-01", answer)
    assert read_last_delivery(str(tmp_path / "nowhere")) is None
