"""`avroll export`: the official files from the command line, as an administrator sees them
(no unit scope), written to --out."""

from __future__ import annotations

from pathlib import Path

import click

from collector.cli.options import database, db_option

FORMATS = ("xlsx", "csv")


def _common(command):
    """--format, --out and --db, which every export takes."""
    command = click.option("--out", "out", required=True,
                           type=click.Path(dir_okay=False, writable=True),
                           help="File to write.")(command)
    command = click.option("--format", "fmt", type=click.Choice(FORMATS),
                           help="xlsx (to print and send) or csv (to process further); "
                                "default: from the --out file's extension.")(command)
    return db_option(command)


def _write(db_path, out, fmt, build, *args, **kwargs):
    """Build the export with the database and save it to `out`; errors as click errors."""
    from collector.counting.machine_states import UnknownTab
    from collector.counting.rollup import BadAsOf, UnknownUnit

    fmt = fmt or Path(out).suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise click.UsageError("give --format xlsx or csv (or an --out ending in .xlsx/.csv)")
    with database(db_path) as db:
        try:
            made = build(db, *args, fmt=fmt, **kwargs)
        except (BadAsOf, UnknownTab) as exc:
            raise click.ClickException(str(exc)) from None
        except UnknownUnit as exc:
            raise click.ClickException(f"no unit with code '{exc}'") from None
    Path(out).write_bytes(made.body)
    click.echo(f"{out}: {len(made.body):,} bytes")


@click.group("export")
def export():
    """The files officers send: install-rate appendix, machine lists, survey, status."""


@export.command("rollup")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Figures as of this date "
              "(default today).")
@click.option("--parent", metavar="CODE", help="Only the units under this unit.")
@_common
def export_rollup(as_of, parent, fmt, out, db_path):
    """The install-rate appendix ("Thống kê số lượng máy tính cài đặt … đến ngày …")."""
    from collector.exports.rollup_appendix import build_rollup_export

    _write(db_path, out, fmt, build_rollup_export, as_of=as_of, parent=parent)


@export.command("machines")
@click.option("--unit", metavar="CODE", help="The unit (its descendants too); without it, "
              "the whole province.")
@click.option("--tab", default="all", show_default=True,
              type=click.Choice(["all", "installed", "missing", "exempt", "misnamed", "stale",
                                 "duplicates"]),
              help="Which machines, as the unit page's tabs.")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="As of this date (default today).")
@_common
def export_machines(unit, tab, as_of, fmt, out, db_path):
    """A unit's (or the province's) list of machines: hostname, OS, RAM, antivirus, state."""
    from collector.exports.machine_list import build_machines_export

    _write(db_path, out, fmt, build_machines_export, unit, tab=tab, as_of=as_of)


@export.command("survey")
@click.option("--unit", required=True, metavar="CODE", help="The unit (its descendants too).")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="As of this date (default today).")
@_common
def export_survey(unit, as_of, fmt, out, db_path):
    """Biểu mẫu 1 (Bac Ninh 2026): devices by type and OS, pre-filled for the unit."""
    from collector.exports.survey import build_survey_export

    _write(db_path, out, fmt, build_survey_export, unit, as_of=as_of)


@export.command("reporting-status")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="As of this date (default today).")
@click.option("--parent", metavar="CODE", help="Only this unit and the units under it.")
@_common
def export_reporting_status(as_of, parent, fmt, out, db_path):
    """Who has answered: machines reporting and contacts per unit, marked x."""
    from collector.exports.reporting_status import build_reporting_status_export

    _write(db_path, out, fmt, build_reporting_status_export, as_of=as_of, parent=parent)


@export.command("reconcile")
@click.option("--unit", metavar="CODE", help="Only this unit (its descendants too); "
              "default the whole province.")
@click.option("--list", "list_name",
              type=click.Choice(["no_agent", "not_connected", "unowned", "confirmed"]),
              help="Only this list (default: all four).")
@_common
def export_reconcile(unit, list_name, fmt, out, db_path):
    """The machines avroll, the Kaspersky console and the directory disagree on (no agent,
    not connected, unowned in the console) and those they agree on, with which views saw
    each."""
    from collector.exports.reconcile_lists import build_reconcile_export

    _write(db_path, out, fmt, build_reconcile_export, unit=unit, list_name=list_name)
