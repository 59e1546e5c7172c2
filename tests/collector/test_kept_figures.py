"""The figures kept up to date at ingest are the figures counted from the reports: for random
streams of changes (late spool deliveries, renames, retirements, assignments, allocation and
setting changes from a past day, a new unit) read and kept at random moments in between,
counting everything again (`avroll figures rebuild`) finds nothing different, and every
figure as of every date reads the same before and after, and whether the reads found the
kept figures up to date or behind (the door then counts what is behind itself)."""

from __future__ import annotations

import json
import tempfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from collector.cli.main import main
from collector.counting import figures, kept, states
from collector.counting.machine_states import (
    COUNT_TOTALS,
    TABS,
    _conditions,
    list_machine_states,
    list_tab,
    tab_counts,
)
from collector.counting.rollup import rollup
from collector.counting.states import COUNTS, when_for
from collector.store import lifecycle, settings
from collector.store.db import open_db, write_transaction
from collector.store.ingest import store_report
from collector.store.migrations import apply
from collector.store.units import UnitImportError, save_units
from tests.builders import DEFENDER, KES, NETWORK_AGENT, make_report

NOW = datetime.now(timezone.utc).replace(microsecond=0)
LOCAL = timezone(timedelta(hours=7))
DAYS = 8
MACHINES = 3
NAMES = ("SXD-{}", "XA-{}", "XB-{}", "DESKTOP-{}", "SXD-SHARED")
UNITS = [
    (2, {"code": "SXD", "name": "Sở Xây dựng", "allocated": "10"}),
    (3, {"code": "HUYEN", "name": "Huyện", "allocated": "8"}),
    (4, {"code": "XA", "name": "Xã A", "allocated": "5", "parent": "HUYEN"}),
]


def day(days_ago):
    return (NOW - timedelta(days=days_ago)).astimezone(LOCAL).date().isoformat()


def machine_id(number):
    return f"00000000-0000-4000-8000-00000000000{number}"


machines = st.integers(0, MACHINES - 1)
report = st.fixed_dictionaries(
    {
        "kind": st.just("report"),
        "machine": machines,
        "hours_ago": st.integers(0, DAYS * 24),
        "name": st.sampled_from(NAMES),
        "installed": st.booleans(),
        "enabled": st.booleans(),
        "connected_hours_ago": st.one_of(st.none(), st.integers(0, 400)),
        "ram_gb": st.sampled_from([1, 8]),
        "unit_code": st.sampled_from([None, "SXD", "XA"]),
        "token_bound": st.booleans(),
        # When the product says its licence ends (days from now), if it says.
        "licence_in_days": st.one_of(st.none(), st.integers(-3, 40)),
    }
)
change = st.one_of(
    report,
    report,
    report,
    report,
    st.just({"kind": "read"}),
    st.just({"kind": "keep"}),
    st.just({"kind": "step"}),
    st.just({"kind": "step"}),
    st.just({"kind": "step"}),
    st.fixed_dictionaries({"kind": st.just("begin day"), "days_ago": st.integers(1, DAYS)}),
    st.fixed_dictionaries(
        {"kind": st.just("retire"), "machine": machines, "days_ago": st.integers(0, DAYS)}
    ),
    st.fixed_dictionaries(
        {
            "kind": st.just("assign"),
            "machine": machines,
            "unit": st.sampled_from([None, "SXD", "XA"]),
        }
    ),
    st.fixed_dictionaries(
        {
            "kind": st.just("allocate"),
            "allocated": st.integers(1, 20),
            "days_ago": st.integers(0, DAYS),
        }
    ),
    st.fixed_dictionaries(
        {
            "kind": st.just("setting"),
            "key": st.sampled_from(
                [
                    "ram_exempt_below_mb",
                    "connected_days",
                    "stale_after_days",
                    "licence_warning_days",
                ]
            ),
            "value": st.sampled_from(["3", "4096"]),
            "days_ago": st.integers(0, DAYS),
        }
    ),
    st.just({"kind": "new unit"}),
    st.fixed_dictionaries(
        {"kind": st.just("naming"), "pattern": st.sampled_from(["{unit}-{any}", "{unit}-{n}"])}
    ),
)


def play(db, change):
    kind = change["kind"]
    if kind == "report":
        connected = change["connected_hours_ago"]
        agent = dict(
            NETWORK_AGENT,
            last_connected_at=None
            if connected is None
            else (NOW - timedelta(hours=change["hours_ago"] + connected)).isoformat(),
        )
        product = dict(KES, enabled=change["enabled"]) if change["installed"] else DEFENDER
        if change["installed"] and change["licence_in_days"] is not None:
            ends = NOW + timedelta(days=change["licence_in_days"])
            product["licence_expires_at"] = ends.isoformat().replace("+00:00", "Z")
        store_report(
            db,
            make_report(
                hostname=change["name"].format(change["machine"]),
                machine_id=machine_id(change["machine"]),
                products=(product,),
                unit_code=change["unit_code"],
                ram_gb=change["ram_gb"],
                management_agent=agent,
                collected_at=NOW - timedelta(hours=change["hours_ago"]),
            ),
        )
        if change["token_bound"] and change["unit_code"]:
            # As enrolled with a token bound to that unit (a name elsewhere: a conflict).
            db.execute(
                "UPDATE reports SET unit_bound = 1 WHERE rowid = (SELECT max(rowid) FROM reports)"
            )
            db.conn.commit()
    elif kind == "step":  # the keeping a step further, lagging behind what came since
        kept.keep_step(db)
    elif kind == "begin day":  # a past day's count begun, its steps to come in between
        past = datetime.fromisoformat(day(change["days_ago"])).date()
        with write_transaction(db):
            if kept._day_in_count(db) is None:
                kept._start_day_count(db, past)
    elif kind == "read":  # reads keep nothing
        for days_ago in range(DAYS + 2):
            rollup(db, as_of=day(days_ago))
        assert_tabs_are_their_lists(db)
    elif kind == "keep":  # the keeper: now and every day, kept from then on
        keep_everything(db)
    elif kind == "retire" and _known(db, change["machine"]):
        lifecycle.retire(db, "tests", machine_id(change["machine"]), on=day(change["days_ago"]))
    elif kind == "assign" and _known(db, change["machine"]):
        lifecycle.assign(db, "tests", machine_id(change["machine"]), change["unit"])
    elif kind == "allocate":
        _quietly(
            save_units,
            db,
            [(2, {"code": "SXD", "name": "Sở Xây dựng", "allocated": str(change["allocated"])})],
            effective_from=day(change["days_ago"]),
        )
    elif kind == "setting":
        _quietly(
            settings.set_value,
            db,
            change["key"],
            change["value"],
            "tests",
            effective_from=day(change["days_ago"]),
        )
    elif kind == "naming":
        settings.set_value(db, "naming_pattern", change["pattern"], "tests")
    elif kind == "new unit":
        save_units(db, [(5, {"code": "XB", "name": "Xã B", "allocated": "4", "parent": "HUYEN"})])


def keep_everything(db):
    figures.keep(db)
    for days_ago in range(1, DAYS + 2):
        figures.keep_day(db, date.fromisoformat(day(days_ago)))


def _known(db, number):
    return (
        db.execute("SELECT 1 FROM machines WHERE machine_id = ?", [machine_id(number)]).fetchone()
        is not None
    )


def _quietly(change, *args, **kwargs):
    """A change dated before one already recorded is refused: that is not this test's."""
    try:
        change(*args, **kwargs)
    except (ValueError, settings.SettingError, UnitImportError):
        pass


def every_figure(db):
    found = [rollup(db, as_of=day(days_ago)) for days_ago in range(DAYS + 1, -1, -1)]
    found += [
        rollup(db, as_of=day(days_ago), parent=parent)
        for days_ago in (0, 1, DAYS)
        for parent in ("SXD", "HUYEN")
    ]
    found += [tab_counts(db, code) for code in ("SXD", "HUYEN", "XA")]
    found.append(tab_counts(db, "HUYEN", as_of=day(1)))
    found.append(list_machine_states(db, per_page=100).rows)
    found.append([figures.machine(db, machine_id(number)) for number in range(MACHINES)])
    return found


@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(change, min_size=1, max_size=30))
def test_kept_figures_equal_figures_counted_from_the_reports(changes):
    # A recount of many steps, and the marks kept one machine a step.
    chunk, kept.RECOUNT_CHUNK = kept.RECOUNT_CHUNK, 1
    marked, kept.MARKED_PER_STEP = kept.MARKED_PER_STEP, 1
    renamed, kept.RENAME_CHUNK = kept.RENAME_CHUNK, 1
    try:
        with tempfile.TemporaryDirectory() as folder:
            check_stream(folder, changes)
    finally:
        kept.RECOUNT_CHUNK, kept.MARKED_PER_STEP = chunk, marked
        kept.RENAME_CHUNK = renamed


def test_a_past_day_begun_during_a_recount_leaves_the_reports_meanwhile_to_it(monkeypatch):
    """Found by the test above: a report stored while a recount is half done, then a past
    day's count begun, kept that report's mark into the counts of before the recount, which
    the recount then replaced: the machine counted in its old unit until a rebuild."""
    monkeypatch.setattr(kept, "RECOUNT_CHUNK", 1)
    monkeypatch.setattr(kept, "MARKED_PER_STEP", 1)
    first = {"kind": "report", "machine": 1, "hours_ago": 100, "name": "SXD-{}"}
    moved = {"kind": "report", "machine": 1, "hours_ago": 64, "name": "XB-{}", "unit_code": "XA"}
    changes = [
        {"kind": "keep"},
        dict(QUIET_REPORT, **first),
        {"kind": "setting", "key": "ram_exempt_below_mb", "days_ago": 2, "value": "4096"},
        {"kind": "step"},
        {"kind": "step"},
        dict(QUIET_REPORT, **moved),
        {"kind": "begin day", "days_ago": 2},
    ]
    with tempfile.TemporaryDirectory() as folder:
        check_stream(folder, changes)


QUIET_REPORT = {
    "installed": False,
    "enabled": True,
    "connected_hours_ago": None,
    "ram_gb": 1,
    "unit_code": None,
    "token_bound": False,
    "licence_in_days": None,
}


def check_stream(folder, changes):
    db = open_db(Path(folder) / "k.db")
    apply(db)
    save_units(db, UNITS)
    for each in changes:
        play(db, each)
    before = every_figure(db)
    keep_everything(db)
    assert every_figure(db) == before  # read behind the keeper, then kept
    rebuilt = kept.rebuild(db)
    assert rebuilt["differed"] == []
    assert every_figure(db) == before
    assert_list_totals_are_the_machines_counted(db)
    assert_tabs_are_their_lists(db)
    db.close()


def assert_tabs_are_their_lists(db):
    """Each count of a unit page's tabs is the number of machines its list shows, whether
    the keeping is behind or not."""
    for code in ("SXD", "HUYEN", "XA"):
        for as_of in (None, day(1)):
            counts = tab_counts(db, code, as_of=as_of)
            lists = {tab: list_tab(db, tab, unit=code, as_of=as_of).total for tab in TABS}
            assert counts == lists, (code, as_of)


def three_exempt_machines_kept(db):
    """SXD-0 to SXD-2, each with 1 GB of RAM and Defender alone (exempt), kept."""
    save_units(db, UNITS)
    for number in range(3):
        store_report(
            db,
            make_report(
                hostname=f"SXD-{number}",
                machine_id=machine_id(number),
                ram_gb=1,
                products=(DEFENDER,),
            ),
        )
    kept.catch_up(db)


def test_a_recount_shows_the_counts_of_before_until_it_is_switched_in(db, monkeypatch):
    """A change that moves every machine is counted again a few machines a step, each step
    a transaction of its own; `unit_now` keeps the counts of before the change until the
    last step puts the new ones in place at once, reports stored meanwhile included."""
    monkeypatch.setattr(kept, "RECOUNT_CHUNK", 1)
    three_exempt_machines_kept(db)
    counts = "SELECT exempt, missing, installed FROM unit_now WHERE unit = 'SXD'"
    assert db.execute(counts).fetchall() == [(3, 0, 0)]
    settings.set_value(db, "ram_exempt_below_mb", "512", "tests")  # 1 GB is no exemption now
    assert kept.recounting(db)
    steps = 0
    while kept.keep_step(db):
        steps += 1
        assert not db.conn.in_transaction  # each step committed on its own
        assert db.execute(counts).fetchall() == [(3, 0, 0)]  # the counts of before
        if steps == 2:  # a report in the middle of the recount, kept after it
            store_report(db, make_report(hostname="SXD-9", machine_id=machine_id(9)))
    assert steps == 1 + 4  # the start, then one machine a step
    assert not kept.recounting(db)
    kept.catch_up(db)
    assert db.execute(counts).fetchall() == [(0, 3, 1)]
    assert kept.rebuild(db)["differed"] == []


def assert_list_totals_are_the_machines_counted(db):
    """The machine lists' totals come from the unit counts: the same as counting the
    machines listed, for every state filter, in the province and under a unit."""
    when = when_for(db)
    for state in COUNT_TOTALS:
        for unit in (None, "HUYEN"):
            with figures.reading(db):
                found = figures.view(db, when)
                condition, params = _conditions(db, found, when, unit, state)
                if "units" in params:
                    params["units"] = json.dumps(params["units"])
                counted = db.execute(
                    found.sql(f"SELECT count(*) FROM {{source}} WHERE {condition}"),  # noqa: S608
                    dict(found.params, **params),
                ).fetchone()[0]
            assert list_machine_states(db, unit=unit, state=state).total == counted


def test_a_late_report_moves_the_kept_day_it_was_observed_on(db):
    save_units(db, UNITS)
    store_report(db, make_report(hostname="SXD-1", collected_at=NOW - timedelta(days=3)))
    three_days_ago = rollup(db, as_of=day(3))["total"]["installed"]
    figures.keep_day(db, date.fromisoformat(day(3)))
    assert day(3) in [each.isoformat() for each in kept.kept_days(db)]
    # A second PC's spool delivers its report of three days ago today.
    store_report(db, make_report(hostname="SXD-2", collected_at=NOW - timedelta(days=3)))
    assert rollup(db, as_of=day(3))["total"]["installed"] == three_days_ago + 1
    assert kept.rebuild(db)["differed"] == []


def _report(db, name, days_ago, machine=None, unit_code=None, bound=False):
    store_report(
        db,
        make_report(
            hostname=name,
            machine_id=machine,
            unit_code=unit_code,
            collected_at=NOW - timedelta(days=days_ago),
        ),
    )
    if bound:  # as enrolled with a token bound to `unit_code`
        db.execute(
            "UPDATE reports SET unit_bound = 1 WHERE rowid = (SELECT max(rowid) FROM reports)"
        )
        db.conn.commit()


def test_a_retirement_dated_back_leaves_the_kept_days_from_that_day(db):
    save_units(db, UNITS)
    _report(db, "SXD-1", 4, machine=machine_id(1))
    assert rollup(db, as_of=day(2))["total"]["installed"] == 1  # day 2 is kept now
    lifecycle.retire(db, "tests", machine_id(1), on=day(3))
    assert rollup(db, as_of=day(2))["total"]["installed"] == 0
    assert rollup(db, as_of=day(4))["total"]["installed"] == 1
    assert kept.rebuild(db)["differed"] == []


def test_a_late_report_moves_a_kept_day_s_conflicts_and_shared_names(db):
    save_units(db, UNITS)
    _report(db, "XA-1", 3, machine=machine_id(1))
    checks = rollup(db, as_of=day(2))["checks"]
    assert checks["attribution_conflicts"] == 0 and checks["duplicate_hostnames"] == []
    # Late: a PC enrolled for SXD but named for XA (a conflict), and a second XA-1.
    _report(db, "XA-2", 3, machine=machine_id(2), unit_code="SXD", bound=True)
    _report(db, "XA-1", 3, machine=machine_id(3))
    checks = rollup(db, as_of=day(2))["checks"]
    assert checks["attribution_conflicts"] == 1
    assert [each["hostname"] for each in checks["duplicate_hostnames"]] == ["XA-1"]
    assert rollup(db, as_of=day(2), parent="SXD")["checks"]["attribution_conflicts"] == 1
    assert kept.rebuild(db)["differed"] == []


def test_a_state_changes_with_time_alone(db):
    """A machine counted connected when its Network Agent's last contact was within the
    window is counted again once the moment kept with it has passed, with no new report."""
    save_units(db, UNITS)
    now = datetime.now(timezone.utc)
    agent = dict(NETWORK_AGENT, last_connected_at=(now - timedelta(days=6)).isoformat())
    store_report(db, make_report(hostname="SXD-1", management_agent=agent))
    assert rollup(db)["total"]["connected"] == 1
    figures.keep(db)
    until = db.execute("SELECT state_until FROM machine_now").fetchone()[0]
    assert until == (now - timedelta(days=6) + timedelta(days=7, seconds=1)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    # As if that moment had come: the contact is now 8 days old.
    db.execute(
        "UPDATE reports SET mgmt_last_connected_at = ?",
        [(now - timedelta(days=8)).strftime("%Y-%m-%dT%H:%M:%SZ")],
    )
    db.execute("UPDATE machine_now SET state_until = '2000-01-01T00:00:00Z'")
    db.conn.commit()
    assert rollup(db)["total"]["connected"] == 0
    assert kept.rebuild(db)["differed"] == []


def test_the_kept_counts_are_the_counting_rules_counts(db):
    columns = [row[1] for row in db.execute("PRAGMA table_info(unit_now)")][1:]
    assert tuple(columns) == COUNTS
    assert [row[1] for row in db.execute("PRAGMA table_info(unit_days)")][2:] == columns


def test_avroll_figures_rebuild_says_whether_the_kept_figures_differed(tmp_path):
    path = tmp_path / "f.db"
    db = open_db(path)
    apply(db)
    save_units(db, UNITS)
    store_report(db, make_report(hostname="SXD-1", collected_at=NOW - timedelta(days=2)))
    figures.keep_day(db, date.fromisoformat(day(2)))
    run = CliRunner().invoke(main, ["figures", "rebuild", "--db", str(path)])
    assert run.exit_code == 0, run.output
    assert "no difference" in run.output
    # Damage a kept day behind avroll's back: the rebuild finds it and puts it right.
    db.execute("UPDATE unit_days SET installed = installed + 5 WHERE day = ?", [day(2)])
    db.conn.commit()
    run = CliRunner().invoke(main, ["figures", "rebuild", "--db", str(path)])
    assert run.exit_code == 1, run.output
    assert day(2) in run.output
    assert rollup(db, as_of=day(2))["total"]["installed"] == 1
    db.close()


def test_the_machines_now_are_searched_by_their_latest_report(db):
    save_units(db, UNITS)
    store_report(
        db,
        make_report(hostname="SXD-1", addresses=[{"ip": "10.9.9.9", "mac": "00:1A:2B:3C:4D:5E"}]),
    )
    assert list_machine_states(db, query="10.9.9").total == 1
    assert list_machine_states(db, query="1a2b3c").total == 1
    store_report(
        db,
        make_report(hostname="SXD-1", addresses=[{"ip": "10.7.7.7", "mac": "00-AA-BB-CC-DD-EE"}]),
    )
    assert list_machine_states(db, query="10.9.9").total == 0
    assert list_machine_states(db, query="aa:bb").total == 1
    assert list_machine_states(db, query="SXD-1").total == 1


def test_days_thinned_to_months_stay_as_kept(db):
    """Before the monthly horizon a day's reports may be thinned to one a month: its kept
    figures stay as they are through a units change, a setting dated back and a rebuild."""
    from collector.cli import retention

    save_units(db, UNITS)
    settings.set_value(db, "keep_all_reports_days", "1", "tests")
    settings.set_value(db, "keep_daily_reports_days", "20", "tests")
    now = datetime.now(timezone.utc).replace(microsecond=0)
    # SXD-1 has the product 60 days ago, not 50 days ago, again 44 days ago and today.
    for days, product in ((60, KES), (50, DEFENDER), (44, KES), (0, KES)):
        store_report(
            db,
            make_report(
                hostname="SXD-1", products=(product,), collected_at=now - timedelta(days=days)
            ),
        )
    before = {days: rollup(db, as_of=day(days))["total"]["installed"] for days in (55, 47)}
    assert before == {55: 1, 47: 0}
    done = retention.prune(db, "tests")
    assert done.monthly and done.to_months > 0
    save_units(db, [(5, {"code": "XB", "name": "Xã B", "allocated": "4"})])  # every day
    assert kept.rebuild(db)["differed"] == []
    assert {days: rollup(db, as_of=day(days))["total"]["installed"] for days in (55, 47)} == before


def test_a_search_with_like_wildcards_takes_them_literally(db):
    save_units(db, UNITS)
    store_report(db, make_report(hostname="SXD-1"))
    store_report(db, make_report(hostname="SXD_2"))
    assert [row["hostname"] for row in list_machine_states(db, query="D_").rows] == ["SXD_2"]
    assert list_machine_states(db, query="%").total == 0
    assert list_machine_states(db, query="sxd").total == 2


def test_a_machine_whose_window_passes_during_the_rebuild_is_no_difference(db, monkeypatch):
    from collector.counting import states

    save_units(db, UNITS)
    store_report(
        db,
        make_report(
            hostname="SXD-1",
            collected_at=datetime.now(timezone.utc) - timedelta(days=30) + timedelta(seconds=30),
        ),
    )
    assert kept.rebuild(db)["differed"] == []
    started = datetime.now(timezone.utc)
    calls = []

    class Clock(datetime):
        """Every look at the clock is 20 s later: the rebuild of a large database."""

        @classmethod
        def now(cls, tz=None):
            calls.append(1)
            return started + timedelta(seconds=20 * len(calls))

    monkeypatch.setattr(states, "datetime", Clock)
    assert kept.rebuild(db)["differed"] == []


def test_a_past_day_is_kept_in_steps_and_a_late_report_meanwhile_still_moves_it(db, monkeypatch):
    """Keeping a past day counts a few machines a step, each a transaction of its own; a
    report observed that day and stored between two steps is counted once it is kept."""
    monkeypatch.setattr(kept, "RECOUNT_CHUNK", 1)
    save_units(db, UNITS)
    for number in range(3):
        store_report(
            db,
            make_report(
                hostname=f"SXD-{number}",
                machine_id=machine_id(number),
                products=(DEFENDER,),
                collected_at=NOW - timedelta(days=2),
            ),
        )
    kept.catch_up(db)
    past = datetime.fromisoformat(day(2)).date()
    with write_transaction(db):
        kept._start_day_count(db, past)
    assert kept.keep_step(db) and kept.keep_step(db)  # two machines counted
    assert not db.conn.in_transaction
    store_report(
        db,
        make_report(
            hostname="SXD-0",
            machine_id=machine_id(0),
            collected_at=NOW - timedelta(days=2, seconds=-30),
        ),
    )
    kept.catch_up(db)  # the last machine, the day kept, then the late report's mark
    assert rollup(db, as_of=day(2))["total"]["installed"] == 1
    assert kept.rebuild(db)["differed"] == []


def test_one_machine_s_row_during_a_recount_is_counted_from_its_reports_alone(db, monkeypatch):
    """Each report's answer reads its machine's row: during a recount of every machine it is
    that machine counted from its reports with the rules in force, never every machine."""
    three_exempt_machines_kept(db)
    assert figures.machine(db, machine_id(0))["state"] == "exempt"
    settings.set_value(db, "ram_exempt_below_mb", "512", "tests")  # 1 GB is no exemption now
    assert kept.recounting(db)
    asked = []
    counted = figures.state_query

    def state_query(*args, **kwargs):
        asked.append(kwargs.get("machines"))
        return counted(*args, **kwargs)

    monkeypatch.setattr(figures, "state_query", state_query)
    assert figures.machine(db, machine_id(0))["state"] == "missing"
    assert asked == [[machine_id(0)]]


def test_a_new_naming_rule_is_applied_to_the_names_of_the_machine_read_alone(db, monkeypatch):
    """A read of one machine before the keeping applied a new naming rule applies it to that
    machine's names, not to every name reported (seconds at 300,000 machines)."""
    save_units(db, UNITS)
    store_report(db, make_report(hostname="SXD-1", machine_id=machine_id(1)))
    store_report(db, make_report(hostname="XA-2", machine_id=machine_id(2)))
    kept.catch_up(db)
    assert figures.machine(db, machine_id(1))["named_unit"] == "SXD"
    settings.set_value(db, "naming_pattern", "PC-{unit}-{n}", "tests")

    def every_name(_db):
        raise AssertionError("every name read")

    monkeypatch.setattr(states, "pending_hostname_units", every_name)
    assert figures.machine(db, machine_id(1))["named_unit"] is None
    store_report(db, make_report(hostname="PC-XA-7", machine_id=machine_id(2)))
    assert figures.machine(db, machine_id(2))["named_unit"] == "XA"


def test_a_new_naming_rule_is_applied_to_the_names_reported_in_steps(db, monkeypatch):
    """A new naming rule is applied to the names reported a share of the reports a step,
    each step a transaction of its own, before any machine is counted again; a name
    reported meanwhile follows the new rule too."""
    monkeypatch.setattr(kept, "RENAME_CHUNK", 1)
    save_units(db, UNITS)
    for number in range(3):
        store_report(db, make_report(hostname=f"SXD-{number}", machine_id=machine_id(number)))
    kept.catch_up(db)
    counts = "SELECT seen FROM unit_now WHERE unit = ?"
    assert db.execute(counts, ["SXD"]).fetchall() == [(3,)]
    settings.set_value(db, "naming_pattern", "PC-{unit}-{n}", "tests")
    steps = 0
    while kept.keep_step(db):
        steps += 1
        assert not db.conn.in_transaction
        assert db.execute(counts, ["SXD"]).fetchall() == [(3,)]  # the counts of before
        if steps == 2:
            store_report(db, make_report(hostname="PC-XA-7", machine_id=machine_id(7)))
    assert steps == 3 + 1 + 1  # a report's names a step, the start, the machines
    names = dict(db.execute("SELECT hostname, unit FROM hostname_units").fetchall())
    assert names == {"SXD-0": None, "SXD-1": None, "SXD-2": None, "PC-XA-7": "XA"}
    assert db.execute(counts, ["SXD"]).fetchall() == []  # no machine counted for it
    assert db.execute(counts, ["XA"]).fetchall() == [(1,)]
    assert kept.rebuild(db)["differed"] == []


def test_the_unit_page_tabs_count_what_their_lists_show_while_the_keeping_lags(db):
    """A name another machine takes, a licence about to end, a misnamed machine gone
    stale: each tab's count, read before the keeping reaches them and after, is its
    list's length, and the kept counts are the counts from the reports."""
    save_units(db, UNITS)
    _report(db, "SXD-1", 0, machine=machine_id(1))
    _report(db, "desktop-9", 40, machine=machine_id(2), unit_code="XA")  # stale, misnamed
    figures.keep(db)
    ends = (NOW + timedelta(days=5)).isoformat().replace("+00:00", "Z")
    store_report(
        db,
        make_report(
            hostname="sxd-1",
            machine_id=machine_id(3),
            unit_code="XA",
            products=(dict(KES, licence_expires_at=ends),),
        ),
    )
    _tabs_read_behind_and_kept(db, {"duplicates": 2, "licence_expiring": 1, "misnamed": 0})
    # Its next report under another name: SXD-1 is no longer shared.
    store_report(
        db,
        make_report(
            hostname="XA-3",
            machine_id=machine_id(3),
            unit_code="XA",
            collected_at=datetime.now(timezone.utc),
        ),
    )
    _tabs_read_behind_and_kept(db, {"duplicates": 0, "licence_expiring": 0, "misnamed": 0})
    assert kept.rebuild(db)["differed"] == []


def _tabs_read_behind_and_kept(db, shown_for_sxd):
    for keep in (False, True):
        if keep:
            figures.keep(db)
        for code, shown in (("SXD", shown_for_sxd), ("XA", {"misnamed": 1})):
            counts = tab_counts(db, code)
            assert counts == {tab: list_tab(db, tab, unit=code).total for tab in TABS}
            assert {tab: counts[tab] for tab in shown} == shown


def test_a_past_day_counted_in_steps_gathers_only_the_names_another_machine_reported(
    db, monkeypatch
):
    """The last step of a day's count groups by name only the names another machine ever
    reported (grouping every machine of the day took seconds at 300,000): the shared name
    is kept all the same."""
    monkeypatch.setattr(kept, "RECOUNT_CHUNK", 1)
    save_units(db, UNITS)
    for number, name in enumerate(["SXD-1", "sxd-shared", "SXD-SHARED"]):
        store_report(
            db,
            make_report(
                hostname=name,
                machine_id=machine_id(number),
                collected_at=NOW - timedelta(days=2),
            ),
        )
    kept.catch_up(db)
    past = datetime.fromisoformat(day(2)).date()
    with write_transaction(db):
        kept._start_day_count(db, past)
    while kept._day_in_count(db) is not None:
        gathered = db.execute("SELECT machine_id FROM day_names ORDER BY 1").fetchall()
        kept.keep_step(db)
    assert gathered == [(machine_id(1),), (machine_id(2),)]
    assert [row["hostname"] for row in figures.shared_names(db, when_for(db, past))] == [
        "SXD-SHARED"
    ]
    assert kept.rebuild(db)["differed"] == []
