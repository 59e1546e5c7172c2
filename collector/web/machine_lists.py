"""The machine list as the query string filters and orders it, shared by the `/machines`
page and its downloads, and the columns it shows."""

from __future__ import annotations

from flask import request

from collector.counting import machine_states
from collector.counting.inventory import products_by_report
from collector.store.machines import addresses_by_report
from collector.web.access import current_user, scoped_unit
from collector.web.request_args import choice_arg, text_arg

NAMING_CHOICES = ("named", "misnamed")
# The list's columns in order: (sort key of machine_states.SORTS, heading). A new column
# (e.g. "connected", once counted) is added here, to SORTS and to _machine_table.html.
LIST_COLUMNS = (
    ("hostname", "Hostname"),
    ("unit", "Unit"),
    ("state", "State"),
    ("named", "Named per guideline"),
    ("product", "Antivirus"),
    ("ip", "IP address"),
    ("os", "Operating system"),
    ("ram", "RAM installed"),
    ("device", "Device type"),
    ("agent", "Management agent"),
    ("last_report", "Last report"),
)


def list_filters():
    """The list's filters from the query string (400 for a value it does not know)."""
    return {
        "q": text_arg("q"),
        "unit": text_arg("unit"),
        "state": choice_arg("state", machine_states.STATE_FILTERS),
        "naming": choice_arg("naming", NAMING_CHOICES),
        "duplicates": choice_arg("duplicates", ("1",)),
        "mismatch": choice_arg("mismatch", ("1",)),
        "conflict": choice_arg("conflict", ("1",)),
        "as_of": text_arg("as_of"),
        "sort": choice_arg("sort", tuple(machine_states.SORTS)),
        "desc": choice_arg("desc", ("1",)),
    }


def list_options(db, filters):
    """`list_machine_states()` arguments for the filters, held to the officer's units
    (OutOfScope for a unit they may not see)."""
    naming = filters["naming"]
    return {
        "as_of": filters["as_of"],
        "unit": scoped_unit(db, current_user(), filters["unit"]),
        "state": filters["state"],
        "follows_guideline": None if naming is None else naming == "named",
        "mismatch": True if filters["mismatch"] else None,
        "conflict": True if filters.get("conflict") else None,
        "duplicates": bool(filters["duplicates"]),
        "query": filters["q"],
        "sort": filters["sort"],
        "descending": bool(filters["desc"]),
    }


def with_products_and_addresses(db, page):
    """The page's rows with the antivirus products and IP addresses of their report."""
    ids = [row["report_id"] for row in page.rows]
    products, addresses = products_by_report(db, ids), addresses_by_report(db, ids)
    for row in page.rows:
        row["products"], row["ips"] = products[row["report_id"]], addresses[row["report_id"]]
    return page


def query_without_page():
    """The current filters as export arguments (the page number left out)."""
    return {key: value for key, value in request.args.items() if key not in ("page", "lang")}
