"""The agent beside FusionInventory's: `collect` and the one-file `send` vs `fusioninventory-agent --local`.

Targets (issue 11): `avroll-agent collect` ≤ 0.15× the wall time of
`fusioninventory-agent --local DIR` (Debian's package) and the one-file `send` ≤ 0.35×,
measured in the same run, interleaved. Needs `apt-get install -y fusioninventory-agent`.

Sample output (2 cores, other jobs running; the one-file `send` spends about 0.2 s of CPU
unpacking itself and 0.12 s importing requests):
    fusioninventory-agent --local: median 2.98 s of 5 (CPU 1.07 s), peak RSS 63.6 MiB
    avroll-agent collect:          median 0.43 s of 5 (CPU 0.15 s), peak RSS 18.9 MiB  ratio 0.15 (goal ≤ 0.15)
    avroll-agent send (one-file):  median 1.38 s of 5 (CPU 0.47 s), peak RSS 32.5 MiB  ratio 0.38 (goal ≤ 0.35, MISSED)
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from collector.cli.wait_ready import wait_ready
from collector.store import enrollment
from collector.store.db import open_db
from collector.web.app import create_app
from tests.bench.bench_agent_binary import build_binary
from tests.e2e.conftest import free_port

RUNS = 5
GNU_TIME = "/usr/bin/time"  # Debian package `time`
COLLECT_GOAL, SEND_GOAL = 0.15, 0.35


def measured(args, env=None):
    """Wall seconds, peak RSS (MiB, of its largest process) and CPU seconds of one run.

    GNU time reports the peak: a child of this (large) Python process would start its
    count from this process's own size, a child of `time` does not.
    """
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        started = time.perf_counter()
        done = subprocess.run(
            [GNU_TIME, "-f", "%M %U %S", "-o", rss.name, *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wall = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"{args[0]} exited with {done.returncode}")
        peak, user, system = rss.read().split()[-3:]
        return wall, int(peak) / 1024, float(user) + float(system)


def summary(label, runs, reference=None, goal=None):
    walls, peaks, cpus = zip(*runs, strict=True)
    line = (
        f"{label:<30} median {statistics.median(walls):.2f} s of {len(runs)} "
        f"(CPU {statistics.median(cpus):.2f} s), peak RSS {max(peaks):.1f} MiB"
    )
    if reference is not None:
        ratio = statistics.median(walls) / reference
        line += f"  ratio {ratio:.2f} (goal ≤ {goal:.2f}{'' if ratio <= goal else ', MISSED'})"
    return line


def main():
    fusion = shutil.which("fusioninventory-agent")
    if fusion is None or not os.path.exists(GNU_TIME):
        print(
            "needs fusioninventory-agent and GNU time "
            "(apt-get install -y fusioninventory-agent time)"
        )
        return
    collect = [str(Path(sys.executable).with_name("avroll-agent")), "collect"]
    with tempfile.TemporaryDirectory(prefix="avroll-bench-") as temp:
        temp = Path(temp)
        binary, _seconds = build_binary(temp)
        db_path = temp / "collector.db"
        create_app({"DATABASE": str(db_path)})  # applies the migrations
        token = enrollment.create_token(open_db(str(db_path)), "bench")[1]
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "tests.bench.serve_bench", str(db_path), str(port)],
            stderr=subprocess.DEVNULL,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            if not wait_ready(url):
                raise SystemExit("bench collector did not start")
            send = [
                str(binary),
                "send",
                "--server",
                url,
                "--state-dir",
                str(temp / "state"),
                "--config",
                str(temp / "none.ini"),
            ]
            env = dict(os.environ, AVROLL_TOKEN=token)
            measured(send, env)  # enrolls: later runs are the scheduled run's steady state
            (temp / "fusion").mkdir()
            runs = {"fusion": [], "collect": [], "send": []}
            for _ in range(RUNS):  # interleaved, so a busy moment weighs on all three
                runs["fusion"].append(measured([fusion, "--local", str(temp / "fusion")]))
                runs["collect"].append(measured(collect))
                runs["send"].append(measured(send, env))
        finally:
            server.terminate()
            server.wait(timeout=10)
    reference = statistics.median(run[0] for run in runs["fusion"])
    print(summary("fusioninventory-agent --local:", runs["fusion"]))
    print(summary("avroll-agent collect:", runs["collect"], reference, COLLECT_GOAL))
    print(summary("avroll-agent send (one-file):", runs["send"], reference, SEND_GOAL))


if __name__ == "__main__":
    main()
