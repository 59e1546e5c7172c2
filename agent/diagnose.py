"""`avroll-agent collect --diagnose`: per source, what it read, what failed and how long it took.

An officer runs it on a few PCs before a rollout; the lines say which source an antivirus,
a policy or a broken WMI repository stops, before a thousand PCs report `unknown`.
"""

from __future__ import annotations

import json

SHOWN_CHARACTERS = 160


def diagnose_lines(outcomes, report):
    """The diagnosis as text lines: one per source, then what the report concluded."""
    slowest = max((o.seconds for o in outcomes), default=0.0)
    lines = [
        f"{len(outcomes)} sources, the slowest {slowest:.2f} s "
        f"({sum(o.error is not None for o in outcomes)} failed)",
        "",
    ]
    width = max((len(o.name) for o in outcomes), default=0)
    for outcome in outcomes:
        result = (
            "FAILED " + outcome.error if outcome.error is not None else "ok " + shown(outcome.value)
        )
        lines.append(f"{outcome.name:<{width}}  {outcome.seconds:6.2f} s  {result}")
    machine, found = report["machine"], report["antivirus"]
    lines += [
        "",
        "machine: {} ({}), id {}, hardware UUID {}".format(
            machine["hostname"],
            machine["os"]["name"],
            machine["machine_id"],
            machine.get("hardware_uuid") or "none",
        ),
    ]
    lines.append("antivirus: " + found["status"])
    for product in found["products"]:
        lines.append(
            "  {name}: enabled {enabled}, signatures {signatures}, from {sources}".format(
                name=product["name"],
                enabled=_yes_no(product["enabled"]),
                signatures=product.get("signatures_updated_at") or "unknown",
                sources=", ".join(product["sources"]),
            )
        )
    agent = report["management_agent"]
    lines.append(
        "console agent: "
        + (
            "none"
            if agent is None
            else "{}, running {}, server {}, last connected {}".format(
                agent["name"],
                _yes_no(agent["running"]),
                agent.get("server") or "unknown",
                agent.get("last_connected_at") or "unknown",
            )
        )
    )
    lines += ["errors: " + ("none" if not report["errors"] else "")]
    lines += ["  " + line for line in report["errors"]]
    return lines


def shown(value):
    """A raw record as one line of JSON, cut to SHOWN_CHARACTERS."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, list):
        text = f"{len(value)} rows: {text}"
    return text if len(text) <= SHOWN_CHARACTERS else text[: SHOWN_CHARACTERS - 1] + "…"


def _yes_no(value):
    return "unknown" if value is None else "yes" if value else "no"
