"""Agent against hostile collectors: wall time and peak RSS of `avroll-agent send` per case.

Each case is a real server on 127.0.0.1 (tests/agent/hostile.py) answering as the attacks
of issue 24 did, at full size: a byte every 3 s, a 3 GiB body, chunks without end, 6 MB
of headers, a captive portal, a redirect, credentials in the wrong form. Goal: every run
ends within its time limit (plus start-up) with the report kept, under a bounded RSS.

    $ python -m tests.bench hostile_collector
    agent send --time-limit 6 --timeout 5; goal: wall <= 7.0 s, peak RSS <= 64 MiB, not delivered
    case                          wall s   RSS MiB  exit  spooled  verdict why not delivered
    acknowledged (reference)        0.54      30.7     0        0  ok
    headers, a byte every 3 s       5.77      30.7     1        1  ok      no answer from http://...
    3 GiB body                      0.89      30.7     1        1  ok      http://... answered with a body ...
    95 headers of 64 KB             1.10      30.7     1        1  ok      http://... answered with headers ...
    ...
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

from tests.agent import hostile

TIME_LIMIT, TIMEOUT = 6.0, 5.0  # the timeout is above the drip: only the deadline stops it
START_UP = 1.0  # interpreter, imports and collection, also counted in the time limit
# A normal run peaks near 31 MiB; whatever answers, a run stays within twice that.
RSS_GOAL_MIB = 64
GiB = 1024**3

CASES = [
    ("acknowledged (reference)", hostile.acknowledging(), False),
    ("headers, a byte every 3 s", hostile.dripping_headers(3.0), False),
    ("body, a byte every 3 s", hostile.dripping_body(3.0), False),
    ("3 GiB body", hostile.huge_body(3 * GiB), False),
    ("chunks without end", hostile.endless_chunks(), False),
    ("95 headers of 64 KB", hostile.huge_headers(95, 64_000), False),
    ("200 captive portal", hostile.answer(200, b"<html>Wi-Fi login</html>", "text/html"), False),
    ("308 to another host", None, False),
    ("credential of 50 MB", hostile.issuing_credential("avrm_" + "a" * 50_000_000), True),
    ("credential not ASCII", hostile.issuing_credential("avrm_" + "é" * 43), True),
    ("credential with a newline", hostile.issuing_credential("avrm_" + "a" * 43 + "\nX: 1"), True),
]


def run_agent(url, state, token):
    """(wall s, peak RSS MiB, exit code, last line) of one `avroll-agent send` in a fresh
    process. The peak is the child's VmHWM, read until it exits: ru_maxrss of a child
    counts the parent's memory copied at fork."""
    args = [
        sys.executable,
        "-m",
        "agent.cli",
        "send",
        "--server",
        url,
        "--state-dir",
        state,
        "--time-limit",
        str(TIME_LIMIT),
        "--timeout",
        str(TIMEOUT),
    ]
    if token:
        args += ["--token", hostile.ENROLLMENT_TOKEN]
    env = dict(os.environ, AVROLL_CONFIG=os.path.join(state, "absent.ini"))
    env.pop("AVROLL_TOKEN", None)
    started = time.perf_counter()
    process = subprocess.Popen(
        args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    peak_kib = 0
    while process.poll() is None:
        peak_kib = max(peak_kib, _high_water_kib(process.pid))
        time.sleep(0.02)
    wall = time.perf_counter() - started
    last_line = process.stderr.read().strip().rpartition("report not delivered: ")[2]
    return wall, peak_kib / 1024, process.returncode, last_line


def _high_water_kib(pid):
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def main():
    print(
        f"agent send --time-limit {TIME_LIMIT:g} --timeout {TIMEOUT:g}; goal: wall <= "
        f"{TIME_LIMIT + START_UP:.1f} s, peak RSS <= {RSS_GOAL_MIB} MiB, not delivered"
    )
    print(
        f"{'case':<28}{'wall s':>8}{'RSS MiB':>10}{'exit':>6}{'spooled':>9}  "
        "verdict why not delivered"
    )
    thief = hostile.HostileCollector(hostile.acknowledging())
    try:
        for name, behaviour, token in CASES:
            behaviour = behaviour or hostile.redirecting(308, thief.url + "/api/v1/reports")
            server = hostile.HostileCollector(behaviour)
            try:
                with tempfile.TemporaryDirectory() as state:
                    wall, rss, code, why = run_agent(server.url, state, token)
                    spooled = len(os.listdir(os.path.join(state, "spool")))
            finally:
                server.close()
            reference = name.endswith("(reference)")
            kept = code == 0 and spooled == 0 if reference else code == 1 and spooled == 1
            met = kept and wall <= TIME_LIMIT + START_UP and rss <= RSS_GOAL_MIB
            print(
                f"{name:<28}{wall:>8.2f}{rss:>10.1f}{code:>6}{spooled:>9}  "
                f"{'ok' if met else 'MISSED':<8}{why[:70]}",
                flush=True,
            )
        print(f"the redirect's target received {len(thief.requests)} request(s) (goal 0)")
    finally:
        thief.close()


if __name__ == "__main__":
    main()
