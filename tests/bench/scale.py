"""How big the benches run: `AVROLL_BENCH_SCALE=small` for a quick check while working
(minutes, figures not comparable with the goals), unset (full) for the measurement the
goals are about. Each bench reads its sizes here; its own variables still win."""

from __future__ import annotations

import os

SMALL = os.environ.get("AVROLL_BENCH_SCALE", "full") == "small"


def pick(variable, full, small, kind=int):
    """The setting `variable` from the environment, else the full or the small value."""
    text = os.environ.get(variable)
    return kind(text) if text else (small if SMALL else full)
