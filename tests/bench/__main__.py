"""`make bench`: run every `tests/bench/bench_*.py` module's `main()`, each printing figures.

`python -m tests.bench NAME…` runs only the named ones (e.g. `agent ingest`).
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
    for module_name in modules:
        module = importlib.import_module(f"tests.bench.{module_name}")
        print(f"== {module_name}: {(module.__doc__ or '').strip().splitlines()[0]}", flush=True)
        started = time.perf_counter()
        module.main()
        print(f"   ({time.perf_counter() - started:.1f} s)\n", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
