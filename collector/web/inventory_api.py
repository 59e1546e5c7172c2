"""`POST /api/v1/inventory`: a GLPI agent's JSON inventory, or FusionInventory's XML, taken
as a report, with the same enrollment token and machine credential as avroll's agent.

The inventory is read into a schema-1 report (`formats/glpi_inventory.py`), checked like
any report, then stored as `POST /reports` stores one (`web/api.py`).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

from flask import Blueprint, request

from collector.formats.glpi_inventory import NotAnInventory, as_report, from_xml
from collector.store.db import get_db
from collector.web.api import identify_agent, store_report
from collector.web.errors import json_error
from shared.report import validate

bp = Blueprint("inventory", __name__, url_prefix="/api/v1")
JSON_TYPES = {"application/json"}
XML_TYPES = {"application/xml", "text/xml"}


def _inventory():
    """The request's inventory as GLPI's JSON, or NotAnInventory (415 for another type)."""
    # Held to a report's size, as the server's guard holds every body but an admin's upload:
    # an inventory without its software list (--no-category=software) is well within it.
    raw = request.get_data(cache=False)
    if request.mimetype in XML_TYPES:
        return from_xml(raw)
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise NotAnInventory(
            "the body is not valid JSON: {}".format(
                str(exc)[:200] if isinstance(exc, ValueError) else "nested too deeply"
            )
        ) from None


@bp.post("/inventory")
def post_inventory():
    db = get_db()
    agent, refused = identify_agent(db)
    if refused is not None:
        return refused
    if request.mimetype not in JSON_TYPES | XML_TYPES:
        return json_error(
            415,
            "send a GLPI inventory as application/json, or a "
            "FusionInventory one as application/xml",
        )
    try:
        report = as_report(_inventory(), datetime.now(timezone.utc))
    except NotAnInventory as exc:
        return json_error(422, str(exc))
    problems = validate(report)
    if problems:
        return json_error(422, "the inventory does not make a valid report", problems[:50])
    return store_report(db, agent, report)
