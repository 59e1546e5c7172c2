"""The audit log: who changed units, allocations, settings, users and tokens, and when.

Call `record()` inside the same write transaction as the change it describes, so a change
and its audit line are committed (or rolled back) together:

    with write_transaction(db):
        ...change...
        audit.record(db, actor, "units.import", {"file": name, "units": 34})

`actor` is a username for changes made on a page, `cli_actor()` for the command line.
`action` is a dotted noun.verb (`users.add`, `tokens.revoke`, `settings.set`, ...).
"""

from __future__ import annotations

import getpass
import json

from collector.formats.timefmt import now_stored
from collector.store.paging import MAX_PAGE, Page

PER_PAGE = 100


def record(db, actor, action, detail, at=None):
    """Add one line to the audit log; `detail` is a dict (stored as JSON) or a text; `at`:
    when (a stored time, default now)."""
    if not isinstance(detail, str):
        detail = json.dumps(detail, ensure_ascii=False, sort_keys=True)
    db.execute(
        "INSERT INTO audit_log (at, actor, action, detail) VALUES (?, ?, ?, ?)",
        [at or now_stored(), actor, action, detail],
    )


def cli_actor():
    """Who runs the `avroll` command: `cli:` and the operating-system user."""
    try:
        return "cli:" + getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (containers)
        return "cli"


def recent(db, page=1, per_page=PER_PAGE):
    """One page of the log, newest first."""
    page = min(max(1, page), MAX_PAGE)
    total = db.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    rows = list(
        db.query(
            "SELECT id, at, actor, action, detail FROM audit_log ORDER BY id DESC LIMIT ? OFFSET ?",
            [per_page, (page - 1) * per_page],
        )
    )
    return Page(rows, total, page, per_page)
