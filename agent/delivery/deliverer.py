"""One run's deliveries: spooled reports newest first, retried with backoff until a deadline.

Newest first: after an outage the collector learns each PC's current state from the first
report it gets, instead of catching up through days of old ones (the collector takes at most
60 reports an hour from one machine). The older reports follow as history; a late report
never replaces a newer one as the machine's latest."""

from __future__ import annotations

import json
import logging
import os
import random
import time
from datetime import datetime, timezone

from agent.delivery.spool import CorruptSpoolFile, write_atomically
from agent.delivery.transport import Rejected, SendError, Unreachable

log = logging.getLogger("avroll")

LAST_DELIVERY_FILENAME = "last-delivery.json"
# A retry with less time than this left could only run out of it.
MIN_RETRY_SECONDS = 0.5


class Backoff:
    """Exponential waits with jitter, so thousands of PCs retrying do not retry in step."""

    def __init__(self, base=1.0, cap=30.0, rng=random.random):
        self.base, self.cap, self.rng = base, cap, rng

    def delay(self, attempt):
        """Seconds to wait after failed attempt number `attempt` (0-based)."""
        ceiling = min(self.cap, self.base * 2**attempt)
        return ceiling / 2 + self.rng() * ceiling / 2


class Outcome:
    """What a run did: report ids delivered and set aside, and the error that stopped it."""

    def __init__(self):
        self.delivered = []
        self.set_aside = {}  # report id or file name -> reason
        self.stopped_by = None


class Deliverer:
    """Sends reports with one `send(report, timeout)` function, within one total time limit."""

    def __init__(
        self,
        send,
        time_limit,
        request_timeout,
        backoff=None,
        clock=time.monotonic,
        sleep=time.sleep,
    ):
        self.send = send
        self.request_timeout = request_timeout
        self.backoff = backoff or Backoff()
        self.clock, self.sleep = clock, sleep
        self.deadline = clock() + time_limit

    def send_with_retries(self, report):
        """The collector's answer for `report`; the last SendError once retrying cannot help."""
        attempt = 0
        while True:
            remaining = self.deadline - self.clock()
            if remaining <= 0:
                raise Unreachable("the run's time limit was reached before this report was sent")
            try:
                return self.send(report, min(self.request_timeout, remaining))
            except SendError as exc:
                if not exc.retry:
                    raise
                wait = max(self.backoff.delay(attempt), getattr(exc, "retry_after", None) or 0)
                if self.clock() + wait + MIN_RETRY_SECONDS > self.deadline:
                    raise
                log.info(
                    "report %s: attempt %d failed (%s); retrying in %.1f s",
                    report.get("report_id"),
                    attempt + 1,
                    exc,
                    wait,
                )
                self.sleep(wait)
                attempt += 1

    def deliver_spool(self, spool, on_delivered):
        """Send every spooled report newest first; stop at the first one the collector cannot
        take now. An entry that cannot be read is set aside (logged) and the run goes on."""
        outcome = Outcome()
        for path in reversed(spool.pending()):
            try:
                report = spool.load(path)
            except FileNotFoundError:  # another run delivered it meanwhile
                continue
            except CorruptSpoolFile as exc:
                log.error("set aside an unreadable spool entry: %s", exc)
                spool.set_aside(path, str(exc))
                outcome.set_aside[os.path.basename(path)] = str(exc)
                continue
            report_id = report["report_id"]
            try:
                answer = self.send_with_retries(report)
            except Rejected as exc:
                log.error("report %s refused by the collector, set aside: %s", report_id, exc)
                spool.set_aside(path, str(exc))
                outcome.set_aside[report_id] = str(exc)
                continue
            except SendError as exc:
                log.warning("report %s not delivered, kept in the spool: %s", report_id, exc)
                outcome.stopped_by = exc
                return outcome
            spool.remove(path)
            outcome.delivered.append(report_id)
            log.info(
                "report %s delivered%s",
                report_id,
                " (already stored)" if answer.get("duplicate") else "",
            )
            on_delivered(report, answer)
        return outcome


def record_delivery(state_dir, server, report, answer):
    """Keep the collector's last success answer (naming advice included) for `status`."""
    machine = report.get("machine")  # a spooled file may hold anything
    record = {
        "delivered_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "server": server,
        "report_id": report.get("report_id"),
        "hostname": machine.get("hostname") if isinstance(machine, dict) else None,
        "answer": answer,
    }
    os.makedirs(state_dir, exist_ok=True)
    write_atomically(
        os.path.join(state_dir, LAST_DELIVERY_FILENAME),
        json.dumps(record, ensure_ascii=False, indent=2),
    )


def read_last_delivery(state_dir):
    """The record of the last delivered report, or None if there is none (or it is unreadable)."""
    try:
        with open(os.path.join(state_dir, LAST_DELIVERY_FILENAME), encoding="utf-8") as handle:
            record = json.load(handle)
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None
