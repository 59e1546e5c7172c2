"""`make bench`: run every `tests/bench/bench_*.py` module's `main()`, each printing figures,
then the table of the goals: the rows `(figure, measured, target, met)` the mains return.

`python -m tests.bench NAME…` runs only the named ones (e.g. `agent ingest`);
`AVROLL_BENCH_SCALE=small` runs them small and quick (tests/bench/scale.py).
"""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path


def main(names=()):
    here = Path(__file__).parent
    modules = sorted(path.stem for path in here.glob("bench_*.py"))
    if names:
        modules = [m for m in modules if m.removeprefix("bench_") in names or m in names]
    table = []
    for module_name in modules:
        module = importlib.import_module(f"tests.bench.{module_name}")
        print(f"== {module_name}: {(module.__doc__ or '').strip().splitlines()[0]}", flush=True)
        started = time.perf_counter()
        table.extend(module.main() or [])
        print(f"   ({time.perf_counter() - started:.1f} s)\n", flush=True)
    if table:
        print_table(table)


def print_table(rows):
    """The goals' table, each figure beside its target."""
    width = max(len(figure) for figure, *_ in rows)
    print(f"{'figure':<{width}}  {'measured':<48} target")
    for figure, measured, target, met in rows:
        mark = "✅" if met else "❌"
        print(f"{figure:<{width}}  {measured:<48} {target} {mark}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
