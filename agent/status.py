"""`avroll-agent status`: what an officer checks on one PC, in plain lines."""

from __future__ import annotations

import os
from datetime import datetime

from agent import __version__
from agent.delivery.deliverer import read_last_delivery
from agent.delivery.transport import printable


def status_lines(config, spool):
    """The agent's settings, last delivery, spool and naming advice, one fact per line."""
    last = read_last_delivery(config.state_dir)
    config_note = "" if os.path.exists(config.path) else " (not found)"
    lines = [
        f"avroll-agent {__version__}",
        f"config file:      {config.path}{config_note}",
        f"collector:        {_setting(config, 'server')}",
        f"unit:             {_setting(config, 'unit')}",
        "token:            {}".format(
            f"set ({_source(config, 'token')})" if config.token else "not set"
        ),
        "CA bundle:        {}".format(
            _setting(config, "ca_bundle") if config.ca_bundle else "system default"
        ),
        f"interval:         every {config.interval_hours} h",
        f"state folder:     {config.state_dir}",
        f"last report:      {_last_report(last)}",
        f"spooled reports:  {len(spool.pending())} waiting" + _set_aside_note(spool),
    ]
    lines += naming_lines(last)
    return lines


def naming_lines(last):
    """Whether this PC's name follows its unit's naming guideline, as the collector last said
    (its words shown on one printable line each: another host wrote them)."""
    naming = ((last or {}).get("answer") or {}).get("naming")
    if not isinstance(naming, dict) or "follows_guideline" not in naming:
        return ["PC name:          unknown yet (the collector says so in its answer to a report)"]
    hostname = _shown(last.get("hostname") or "this PC")
    unit = _shown(naming.get("unit_code") or "(no unit)")
    pattern = f", pattern {_shown(naming['pattern'])}" if naming.get("pattern") else ""
    if naming["follows_guideline"]:
        return [
            f"PC name:          {hostname} follows the naming guideline of unit {unit}{pattern}"
        ]
    return [
        f"PC name:          {hostname} does NOT follow the naming guideline of unit "
        f"{unit}{pattern}",
        "what to do:       "
        + _shown(
            naming.get("advice")
            or "rename this PC as the unit's guideline says, then run `avroll-agent send`",
            1000,
        ),
    ]


def _shown(value, limit=255):
    return printable(str(value))[:limit]


def _setting(config, name):
    value = config.values.get(name)
    return f"{value} ({_source(config, name)})" if value else "not set"


def _source(config, name):
    return "from " + config.sources.get(name, "default")


def _last_report(last):
    if not last:
        return "none yet"
    try:
        moment = datetime.fromisoformat(last["delivered_at"]).astimezone()
        when = moment.strftime("%Y-%m-%d %H:%M (local time)")
    except (KeyError, TypeError, ValueError):
        when = "at an unknown time"
    return f"{when} to {last.get('server')}"


def _set_aside_note(spool):
    count = spool.set_aside_count()
    return f", {count} set aside in {spool.set_aside_dir}" if count else ""
