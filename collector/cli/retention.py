"""The retention rule as the settings say, in one step shared by `avroll reports prune` and
the server's nightly run: thin to days, keep the figures of the days before the monthly
horizon, then thin to months (rule and proofs in collector/store/retention.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from collector.counting import figures
from collector.formats.timefmt import now_stored
from collector.store import audit, settings
from collector.store.db import write_transaction
from collector.store.retention import horizons, thin_reports

# Keeps the per-unit figures of every closed day before a day for good, so that the
# thinning to months may remove the reports those days were counted from.
KEEP_FIGURES_BEFORE = figures.keep_days_before


@dataclass(frozen=True)
class Pruned:
    """What one run removed and where the rule's horizons were."""

    to_days: int
    to_months: int
    all_from: str
    daily_from: date
    monthly: bool  # whether the thinning to months ran

    @property
    def removed(self):
        return self.to_days + self.to_months


def prune(db, actor, now=None, keep_figures_before=KEEP_FIGURES_BEFORE):
    """Apply the retention rule in force at `now` (a stored time, default now) and write
    what it removed to the audit log as done by `actor`."""
    now = now or now_stored()
    values = settings.current(db)
    keep_all, keep_daily = values["keep_all_reports_days"], values["keep_daily_reports_days"]
    bounds = horizons(keep_all, keep_daily, now)
    to_days = thin_reports(db, keep_all, now=now)
    to_months = 0
    if keep_figures_before is not None:
        keep_figures_before(db, bounds.daily_from)
        to_months = thin_reports(db, keep_all, keep_daily, now)
    done = Pruned(
        to_days, to_months, bounds.all_from, bounds.daily_from, keep_figures_before is not None
    )
    with write_transaction(db):
        audit.record(
            db,
            actor,
            "reports.prune",
            {
                "removed": done.removed,
                "to_days": to_days,
                "to_months": to_months,
                "keep_all_reports_days": keep_all,
                "keep_daily_reports_days": keep_daily,
                "monthly_from": done.daily_from.isoformat() if done.monthly else None,
            },
            at=now,
        )
    return done


def last_run(db):
    """When the rule last ran (a stored time), or None."""
    return db.execute("SELECT max(at) FROM audit_log WHERE action = 'reports.prune'").fetchone()[0]


def summary(done):
    """One line saying what a run removed and kept."""
    line = (
        f"{done.removed} report(s) removed: every report kept since {done.all_from}, "
        f"then each machine's last report of each day"
    )
    if done.monthly:
        return line + (
            f" from {done.daily_from.isoformat()}, and its last of each month "
            "before (the daily figures of those days are kept)"
        )
    return line + " (the thinning to months waits for the kept daily figures)"
