"""`avroll-agent collect --record DIR`: this PC's raw records, in the replay fixtures' format.

DIR/records.json holds one key per source with the raw record it read, `errors` with how the
others failed ("timeout", or "<Exception>: <message>"), and `visible_ram_bytes` (what psutil
saw); DIR/report.json the report built from them. Copied into
tests/agent/fixtures/windows/, records.json replays through the agent's own code to the same
report (tests/agent/windows_replay.py), so one pilot PC becomes a test case. Network
addresses are left out: a fixture keeps no PC's identity beyond what the report needs.
"""

from __future__ import annotations

import json
import os

from agent.sources import TIMED_OUT

RECORDS_FILE = "records.json"
REPORT_FILE = "report.json"
# The sources common to every OS (agent/collect.py) that a fixture holds, under its key.
COMMON_RECORDS = {"visible RAM": "visible_ram_bytes"}
COMMON_SOURCES = {"visible RAM", "addresses"}


def records_of(outcomes):
    """The outcomes as one fixture: {source: raw record, ..., "errors": {source: failure}}."""
    records, errors = {}, {}
    for outcome in outcomes:
        if outcome.name in COMMON_SOURCES:
            if outcome.name in COMMON_RECORDS and outcome.error is None:
                records[COMMON_RECORDS[outcome.name]] = outcome.value
        elif outcome.error is None:
            records[outcome.name] = outcome.value
        else:
            errors[outcome.name] = (
                "timeout" if outcome.error.startswith(TIMED_OUT) else (outcome.error)
            )
    records["errors"] = errors
    return records


def write_record(directory, outcomes, report):
    """Write DIR/records.json and DIR/report.json; return their paths."""
    os.makedirs(directory, exist_ok=True)
    paths = []
    for name, content in ((RECORDS_FILE, records_of(outcomes)), (REPORT_FILE, report)):
        path = os.path.join(directory, name)
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(content, handle, ensure_ascii=False, indent=1, default=str)
            handle.write("\n")
        paths.append(path)
    return paths
