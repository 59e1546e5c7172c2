"""Agent collection time when PowerShell hangs, with the real time limits.

    $ python -m tests.bench.bench_agent_hang
    agent collection with a hanging PowerShell: 8.03 s (budget 10 s), 1 error line
"""

from __future__ import annotations

import sys
import time

from agent import collect, windows


def main():
    hang = [sys.executable, "-c", "import time; time.sleep(600)"]
    original = (collect.platform_facts, windows.inventory_command)
    collect.platform_facts, windows.inventory_command = windows, lambda: hang
    try:
        started = time.perf_counter()
        report = collect.collect_report()
        elapsed = time.perf_counter() - started
    finally:
        collect.platform_facts, windows.inventory_command = original
    print(f"agent collection with a hanging PowerShell: {elapsed:.2f} s (budget 10 s), "
          f"{len(report['errors'])} error line(s)")


if __name__ == "__main__":
    main()
