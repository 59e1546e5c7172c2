"""Agent one-shot: wall time and peak memory of `avroll-agent collect` on this machine.

Sample output:
    agent collect, 5 runs: wall median 0.31 s (min 0.29 s), peak RSS median 24.1 MiB
    in-process collect_report(): median 6.2 ms
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import time

RUNS = 5


def one_run():
    """Wall seconds and peak RSS (MiB) of one `collect` in a fresh process."""
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(
        [sys.executable, "-m", "agent.cli", "collect"], check=True, stdout=subprocess.DEVNULL
    )
    wall = time.perf_counter() - started
    # ru_maxrss of children is the largest child so far (KiB on Linux): fine for equal runs.
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return wall, peak / 1024


def main():
    walls, peaks = zip(*(one_run() for _ in range(RUNS)), strict=True)
    print(
        f"agent collect, {RUNS} runs: wall median {statistics.median(walls):.2f} s "
        f"(min {min(walls):.2f} s), peak RSS median {statistics.median(peaks):.1f} MiB"
    )
    from agent.collect import collect_report

    timings = []
    for _ in range(20):
        started = time.perf_counter()
        collect_report()
        timings.append(time.perf_counter() - started)
    print(f"in-process collect_report(): median {statistics.median(timings) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
