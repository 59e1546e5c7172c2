"""The one-file agent's size and start-up, next to the import cost of the agent's CLI.

Sample output (Linux, x86-64):
    agent binary (dist/avroll-agent): 8.5 MiB, built in 24.1 s
    collect with the binary: first run 0.61 s, then median 0.44 s of 5
    python -c 'import agent.cli': 0.093 s (bare interpreter 0.021 s: imports cost 0.072 s)
    heaviest imports of agent.cli: psutil 17 ms, agent.collect 36 ms, ...
"""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUNS = 5


def timed(args):
    started = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def build_binary(folder):
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "build" / "build.py"),
            "--distpath",
            str(folder / "dist"),
            "--workpath",
            str(folder / "work"),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(done.stdout.strip().splitlines()[-1]), time.perf_counter() - started


def heaviest_imports(module, count=6):
    """Cumulative import times (ms) of the slowest modules below `module`, from -X importtime."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        check=True,
    )
    rows = []
    for line in done.stderr.splitlines():
        found = re.match(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)", line)
        if not found:
            continue
        if found.group(3) == module:
            return sorted(rows, reverse=True)[:count]
        if len(found.group(2)) == 1:  # a top-level import before ours (site, ...): not ours
            rows = []
        else:
            rows.append((int(found.group(1)) / 1000, found.group(3)))
    return []


def main():
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        print("agent binary: PyInstaller is not installed (pip install -e .[build])")
    else:
        with tempfile.TemporaryDirectory(prefix="avroll-bench-") as temp:
            binary, build_seconds = build_binary(Path(temp))
            size = binary.stat().st_size / 2**20
            print(f"agent binary ({binary.name}): {size:.1f} MiB, built in {build_seconds:.1f} s")
            first = timed([str(binary), "collect"])
            rest = [timed([str(binary), "collect"]) for _ in range(RUNS)]
            print(
                f"collect with the binary: first run {first:.2f} s, "
                f"then median {statistics.median(rest):.2f} s of {RUNS}"
            )

    bare = statistics.median(timed([sys.executable, "-c", "pass"]) for _ in range(RUNS))
    cli = statistics.median(timed([sys.executable, "-c", "import agent.cli"]) for _ in range(RUNS))
    print(
        f"python -c 'import agent.cli': {cli:.3f} s (bare interpreter {bare:.3f} s: "
        f"imports cost {cli - bare:.3f} s)"
    )
    print(
        "heaviest imports of agent.cli: "
        + ", ".join(f"{name} {ms:.0f} ms" for ms, name in heaviest_imports("agent.cli"))
    )


if __name__ == "__main__":
    main()
