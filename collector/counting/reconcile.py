"""The three views of the province's computers side by side: avroll's reports, the Kaspersky
console's (KSC) device list and the directory's computer list (their newest imports), and
the lists the letters ask for.

The rules (also in the README, "How avroll counts"):
- avroll's view is every machine counted as seen now (neither stale nor retired), each row
  read through the door (`figures.py`); the directory's leaves out disabled computer
  accounts.
- Machines are matched by NetBIOS name without case (a DNS name cut to its first label). Where
  a view lists a name more than once, only records with a common IP address are matched; the
  others stay apart (flagged `shared_name`).
- A machine's unit: the avroll machine's unit when avroll knows it (its name, else the unit
  its agent was enrolled for); else the unit its name follows under the naming guideline.
- *no agent*: seen by KSC or the directory under a name no avroll machine reports.
  *not connected*: installed and not connected as avroll counts them (the one meaning of
  "connected", the unit page's: its own Network Agent's last contact, `connected_days`).
  *not in the KSC list*: installed, and the KSC export (as of its own date) does not list
  it; the console's own view of its last contact is shown beside, as `ksc_connected`.
  *unowned in the console*: in KSC under a name that follows no unit. *confirmed*: installed
  and connected as avroll counts them, named for a unit, and listed by the KSC export when
  one was imported (the directory says whether an account exists, not whether it is
  protected). Without a KSC import, the lists that need it are not given (None).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from collector.counting import figures
from collector.counting.rollup import subtree_codes
from collector.counting.states import UnknownUnit
from collector.formats.timefmt import parse_stored, to_stored
from collector.store import settings
from collector.store.console_imports import devices_of, latest_import
from collector.store.guideline import naming_rule
from collector.store.units import get_unit, list_units, unit_parents

LISTS = ("no_agent", "not_connected", "not_in_ksc", "unowned", "confirmed")
VIEWS = ("avroll", "ksc", "directory")


@dataclass(slots=True)
class Machine:
    """One computer as the views saw it (None: that view did not)."""

    key: str
    avroll: dict | None = None
    ksc: dict | None = None
    directory: dict | None = None
    shared_name: bool = False
    unit: str | None = None
    named_unit: str | None = None
    connected: bool | None = None
    lists: tuple = ()

    def ips(self):
        found = set()
        if self.avroll:
            found.update(self.avroll["ips"])
        for record in (self.ksc, self.directory):
            if record and record["ip"]:
                found.add(record["ip"])
        return found

    @property
    def views(self):
        return tuple(view for view in VIEWS if getattr(self, view) is not None)

    @property
    def name(self):
        if self.avroll:
            return self.avroll["hostname"]
        record = self.ksc or self.directory
        assert record is not None, "a machine some view saw"
        return record["name"]


def _merge(machines, view, records):
    """Attach each record of a view to the machine of its name, by IP where a name is
    listed more than once on either side; the others become machines of their own."""
    by_key: dict[str, list[Machine]] = {}
    for machine in machines:
        by_key.setdefault(machine.key, []).append(machine)
    wanted: dict[str, list[dict]] = {}
    for record in records:
        wanted.setdefault(record["netbios"], []).append(record)
    for key, group in wanted.items():
        known = by_key.get(key, ())
        if len(group) == 1 and len(known) == 1 and getattr(known[0], view) is None:
            setattr(known[0], view, group[0])
            continue
        if not known and len(group) == 1:
            machine = Machine(key)
            setattr(machine, view, group[0])
            machines.append(machine)
            by_key[key] = [machine]
            continue
        candidates = [machine for machine in known if getattr(machine, view) is None]
        shared = len(group) > 1 or len(known) > 1
        for record in group:
            match = next(
                (
                    machine
                    for machine in candidates
                    if record["ip"] and record["ip"] in machine.ips()
                ),
                None,
            )
            if match is not None:
                candidates.remove(match)
                setattr(match, view, record)
                match.shared_name = match.shared_name or shared
            else:
                machine = Machine(key, shared_name=shared)
                setattr(machine, view, record)
                machines.append(machine)
                by_key.setdefault(key, []).append(machine)
        for machine in by_key.get(key, []):
            machine.shared_name = machine.shared_name or shared


@dataclass(frozen=True)
class Reconciliation:
    """Every machine with its lists, and what the views were."""

    machines: list
    imports: dict
    connected_days: int
    connected_since: str | None


def reconcile(db):
    """The three views now, matched, each machine with its unit and lists."""
    rule = naming_rule(db)
    imports = {source: latest_import(db, source) for source in ("ksc", "directory")}
    machines: list[Machine] = []
    if imports["ksc"] is None and imports["directory"] is None:
        # Nothing to compare with: every list is empty (or not given), so avroll's own
        # machines need not be read on every page.
        return Reconciliation(machines, imports, settings.current(db)["connected_days"], None)
    for row in figures.seen_machines(db):
        machines.append(Machine(row["hostname"].split(".", 1)[0].upper(), avroll=row))
    for source in ("ksc", "directory"):
        if imports[source] is None:
            continue
        records = devices_of(db, imports[source]["import_id"])
        if source == "directory":
            records = [record for record in records if record["enabled"] is not False]
        _merge(machines, source, records)
    days = settings.current(db)["connected_days"]
    since = None
    if imports["ksc"]:
        # Connected as of the export, not of its import: a file exported on Monday and
        # imported on Thursday says nothing of Tuesday.
        exported = imports["ksc"].get("exported_at") or imports["ksc"]["imported_at"]
        since = to_stored(parse_stored(exported) - timedelta(days=days))
    reported = {machine.key for machine in machines if machine.avroll is not None}
    for machine in machines:
        _classify(machine, rule, imports, since, reported)
    machines.sort(key=lambda machine: (machine.key, machine.views))
    return Reconciliation(machines, imports, days, since)


def _classify(machine, rule, imports, since, reported):
    machine.named_unit = rule.unit_of(machine.key)
    machine.unit = machine.avroll["unit"] if machine.avroll else machine.named_unit
    have_ksc = imports["ksc"] is not None
    if machine.ksc is not None:
        seen = machine.ksc["last_seen_at"]
        machine.connected = seen is not None and seen >= since
    lists = []
    avroll = machine.avroll
    if avroll is None:
        if machine.key not in reported:
            lists.append("no_agent")
    elif avroll["installed"]:
        if not avroll["connected"]:
            lists.append("not_connected")
        if have_ksc and machine.ksc is None:
            lists.append("not_in_ksc")
    if machine.ksc is not None and machine.named_unit is None:
        lists.append("unowned")
    if (
        avroll is not None
        and avroll["installed"]
        and avroll["connected"]
        and not lists
        and machine.named_unit
        and (not have_ksc or machine.ksc is not None)
    ):
        lists.append("confirmed")
    machine.lists = tuple(lists)


def _scope(db, unit):
    if unit is None:
        return None
    if get_unit(db, unit) is None:
        raise UnknownUnit(unit)
    return set(subtree_codes(unit_parents(db), unit.upper()))


def counts(result, unit_codes=None):
    """How many machines each list holds, among `unit_codes` (None: the whole province,
    machines of no unit included); lists that need a KSC import are None without one."""
    counted = dict.fromkeys(LISTS, 0)
    for machine in result.machines:
        if unit_codes is None or machine.unit in unit_codes:
            for name in machine.lists:
                counted[name] += 1
    found: dict[str, int | None] = dict(counted)
    if result.imports["ksc"] is None:
        found.update(not_in_ksc=None, unowned=None)
    if result.imports["ksc"] is None and result.imports["directory"] is None:
        found.update(not_connected=None, confirmed=None)  # nothing to set beside
    return found


def summary(db, unit=None, result=None):
    """The figures of one unit (its descendants included) or of the province, with the
    imports they come from."""
    result = result or reconcile(db)
    return {
        "unit": unit.upper() if unit else None,
        "counts": counts(result, _scope(db, unit)),
        "imports": result.imports,
        "connected_days": result.connected_days,
    }


def per_unit(db, result=None):
    """Each unit's counts, its descendants included, in import order."""
    result = result or reconcile(db)
    units = list_units(db)
    return [
        {
            "code": unit["code"],
            "name": unit["name"],
            "counts": counts(result, set(subtree_codes(units, unit["code"]))),
        }
        for unit in units
    ]


def machines(db, unit=None, list_name=None, result=None, unit_codes=None):
    """The machines of one list (None: every list), within `unit` and its descendants, or
    within `unit_codes` (an officer's units; None: everyone's), each as a plain row."""
    if list_name is not None and list_name not in LISTS:
        raise ValueError(f"list '{list_name}' is not one of {', '.join(LISTS)}")
    result = result or reconcile(db)
    scope = _scope(db, unit)
    rows = []
    for machine in result.machines:
        if scope is not None and machine.unit not in scope:
            continue
        if unit_codes is not None and machine.unit not in unit_codes:
            continue
        for name in machine.lists:
            if list_name in (None, name):
                rows.append(row_of(machine, name))
    return rows


def row_of(machine, list_name):
    """A machine as lists and exports show it."""
    ksc, directory, avroll = machine.ksc or {}, machine.directory or {}, machine.avroll or {}
    return {
        "list": list_name,
        "name": machine.name,
        "netbios": machine.key,
        "unit": machine.unit,
        "views": list(machine.views),
        "shared_name": machine.shared_name,
        "avroll_state": avroll.get("state"),
        "avroll_last_seen_at": avroll.get("observed_at"),
        "machine_id": avroll.get("machine_id"),
        "ksc_name": ksc.get("name"),
        "ksc_last_connected_at": ksc.get("last_seen_at"),
        "ksc_connected": machine.connected,
        "ksc_ip": ksc.get("ip"),
        "ksc_group": ksc.get("place"),
        "ksc_agent_installed": ksc.get("agent_installed"),
        "directory_ou": directory.get("place"),
        "directory_last_logon_at": directory.get("last_seen_at"),
    }
