"""Bulk actions on the `/machines` list (administrators): the machines ticked on the page,
or every machine its filters match, assigned to a unit or retired in one transaction, each
change audited as one machine's would be."""

from __future__ import annotations

from collector.counting import machine_states
from collector.store import lifecycle
from collector.store.paging import PER_PAGE_MAX
from collector.web.machine_lists import list_filters, list_options

# At most this many machines change at once: a filter left too wide must not retire a
# province by accident.
BULK_MAX = 2000


class BulkError(ValueError):
    """A bulk action that cannot be done as asked; the message says why."""


def chosen_machines(db, scope, ticked):
    """The machine ids an action applies to: with `scope` "filter", every machine the list's
    filters (the query string) match now; else the `ticked` ids."""
    if scope == "filter":
        filters = list_filters()
        filters["as_of"] = None  # a change applies to the machines as they are now
        options = list_options(db, filters)
        found, page = [], 1
        while True:
            listed = machine_states.list_machine_states(
                db, **options, page=page, per_page=PER_PAGE_MAX
            )
            if listed.total > BULK_MAX:
                raise BulkError(
                    f"the filter matches {listed.total} machines, more than "
                    f"{BULK_MAX} at once: narrow it"
                )
            found += [row["machine_id"] for row in listed.rows]
            if page >= listed.pages:
                return found
            page += 1
    ticked = list(dict.fromkeys(machine_id.strip() for machine_id in ticked if machine_id))
    if len(ticked) > BULK_MAX:
        raise BulkError(f"more than {BULK_MAX} machines at once")
    return ticked


def assign(db, actor, machine_ids, unit_code):
    """Count every chosen machine for `unit_code` (None: as its name says); how many."""
    try:
        return lifecycle.assign_machines(db, actor, machine_ids, unit_code)
    except lifecycle.UnknownMachine as exc:
        raise BulkError(f"no machine has reported with id {exc}") from None


def retire(db, actor, machine_ids, day, reason):
    """Retire every chosen machine from `day`; how many."""
    try:
        return lifecycle.retire_machines(db, actor, machine_ids, day, reason)
    except lifecycle.UnknownMachine as exc:
        raise BulkError(f"no machine has reported with id {exc}") from None
