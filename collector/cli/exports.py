"""`avroll export`: the official files from the command line, as an administrator sees them
(no unit scope), written to --out."""

from __future__ import annotations

from pathlib import Path

import click

from collector.cli.language import word
from collector.cli.options import database, db_option
from collector.store.keyfile import write_private

FORMATS = ("xlsx", "csv")


def _common(command):
    """--format, --out and --db, which every export takes."""
    command = click.option(
        "--out",
        "out",
        required=True,
        type=click.Path(dir_okay=False, writable=True),
        help="File to write.",
    )(command)
    command = click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        help="xlsx (to print and send) or csv (to process further); "
        "default: from the --out file's extension.",
    )(command)
    return db_option(command)


def _write(db_path, out, fmt, build, *args, **kwargs):
    """Build the export with the database and save it to `out`; errors as click errors."""
    fmt = fmt or Path(out).suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise click.UsageError("give --format xlsx or csv (or an --out ending in .xlsx/.csv)")
    _save(db_path, out, build, *args, fmt=fmt, **kwargs)


def _save(db_path, out, build, *args, **kwargs):
    """Run `build(db, …)` and write the file it makes to `out`; refusals as click errors."""
    from collector.counting.machine_states import UnknownTab
    from collector.counting.states import BadAsOf, UnknownUnit
    from collector.exports.reminder_letter import BadReminder
    from collector.exports.reminders import BadRate

    with database(db_path) as db:
        try:
            made = build(db, *args, **kwargs)
        except (BadAsOf, UnknownTab, BadReminder, BadRate) as exc:
            raise click.ClickException(str(exc)) from None
        except UnknownUnit as exc:
            raise click.ClickException(f"no unit with code '{exc}'") from None
        body = made.body  # made as it is read: while the database is open
    write_private(out, body)
    click.echo(f"{out}: {len(body):,} bytes")


def _docx_out(command):
    """--out (a .docx file) and --db, which every letter takes."""
    command = click.option(
        "--out",
        "out",
        required=True,
        type=click.Path(dir_okay=False, writable=True),
        help="The .docx file to write (open it in Word, check, sign).",
    )(command)
    return db_option(command)


@click.group("export")
def export():
    """The files officers send: install-rate appendix, machine lists, survey, status, and
    drafts of the letters that go with them."""


@export.command("rollup")
@click.option(
    "--as-of", "as_of", metavar="YYYY-MM-DD", help="Figures as of this date (default today)."
)
@click.option("--parent", metavar="CODE", help="Only the units under this unit.")
@_common
def export_rollup(as_of, parent, fmt, out, db_path):
    """The install-rate appendix ("Thống kê số lượng máy tính cài đặt … đến ngày …")."""
    from collector.exports.rollup_appendix import build_rollup_export

    _write(db_path, out, fmt, build_rollup_export, as_of=as_of, parent=parent)


@export.command("machines")
@click.option(
    "--unit", metavar="CODE", help="The unit (its descendants too); without it, the whole province."
)
@click.option(
    "--tab",
    default="all",
    show_default=True,
    type=click.Choice(["all", "installed", "missing", "exempt", "misnamed", "stale", "duplicates"]),
    help="Which machines, as the unit page's tabs.",
)
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


@export.command("deployment-need")
@click.option(
    "--unit",
    metavar="CODE",
    help="The unit (its descendants too); default: the "
    "whole province, one block per unit with a need.",
)
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="As of this date (default today).")
@_common
def export_deployment_need(unit, as_of, fmt, out, db_path):
    """Biểu mẫu 2 (Bac Ninh 2026): deployment need, pre-filled from the machines missing
    the product."""
    from collector.exports.deployment_need import build_deployment_need_export

    _write(db_path, out, fmt, build_deployment_need_export, unit=unit, as_of=as_of)


@export.command("reporting-status")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="As of this date (default today).")
@click.option("--parent", metavar="CODE", help="Only this unit and the units under it.")
@_common
def export_reporting_status(as_of, parent, fmt, out, db_path):
    """Who has answered: machines reporting and contacts per unit, marked x."""
    from collector.exports.reporting_status import build_reporting_status_export

    _write(db_path, out, fmt, build_reporting_status_export, as_of=as_of, parent=parent)


@export.command("reconcile")
@click.option(
    "--unit",
    metavar="CODE",
    help="Only this unit (its descendants too); default the whole province.",
)
@click.option(
    "--list",
    "list_name",
    type=click.Choice(["no_agent", "not_connected", "not_in_ksc", "unowned", "confirmed"]),
    help="Only this list (default: all four).",
)
@_common
def export_reconcile(unit, list_name, fmt, out, db_path):
    """The machines avroll, the Kaspersky console and the directory disagree on (no agent,
    not connected, unowned in the console) and those they agree on, with which views saw
    each."""
    from collector.exports.reconcile_lists import build_reconcile_export

    _write(db_path, out, fmt, build_reconcile_export, unit=unit, list_name=list_name)


@export.command("report-letter")
@click.option(
    "--as-of", "as_of", metavar="YYYY-MM-DD", help="Figures as of this date (default today)."
)
@click.option("--parent", metavar="CODE", help="Only the units under this unit.")
@_docx_out
def export_report_letter(as_of, parent, out, db_path):
    """Draft of the covering report letter (letter 002), its figures from the appendix."""
    from collector.exports.report_letter import build_report_letter

    _save(db_path, out, build_report_letter, as_of=as_of, parent=parent)


@export.command("reminder-letter")
@click.option(
    "--below",
    metavar="RATE",
    help="List the units whose install rate is under "
    "this percentage, e.g. 90 or 96,7 (default 100).",
)
@click.option(
    "--deadline",
    metavar="YYYY-MM-DD",
    help="Date the units must report by (default reminder_answer_days after --as-of).",
)
@click.option(
    "--as-of", "as_of", metavar="YYYY-MM-DD", help="Figures as of this date (default today)."
)
@click.option("--parent", metavar="CODE", help="Only the units under this unit.")
@_docx_out
def export_reminder_letter(below, deadline, as_of, parent, out, db_path):
    """Draft of a reminder ("đôn đốc", letter 004) to the units below the rate."""
    from collector.exports.reminder_letter import build_reminder_letter

    _save(
        db_path,
        out,
        build_reminder_letter,
        below=below,
        deadline=deadline,
        as_of=as_of,
        parent=parent,
    )


@export.command("issue-report")
@click.option("--number", required=True, help="The number the report letter was signed with.")
@click.option("--date", "issued_on", metavar="YYYY-MM-DD", help="Its date (default today).")
@click.option(
    "--as-of", "as_of", metavar="YYYY-MM-DD", help="Figures as of this date (default today)."
)
@click.option("--parent", metavar="CODE", help="Only the units under this unit.")
@db_option
def export_issue_report(number, issued_on, as_of, parent, db_path):
    """Issue a report: its appendix and letter with number and date, kept as sent."""
    from collector.counting.states import BadAsOf, UnknownUnit
    from collector.exports.issue import issue_report
    from collector.exports.letterhead import BadIssue
    from collector.store.audit import cli_actor
    from collector.store.issued_reports import DuplicateIssue

    with database(db_path) as db:
        try:
            report_id, files = issue_report(db, number, issued_on, as_of, parent, cli_actor())
        except (BadIssue, BadAsOf, DuplicateIssue) as exc:
            raise click.ClickException(str(exc)) from None
        except UnknownUnit as exc:
            raise click.ClickException(f"no unit with code '{exc}'") from None
    click.echo(f"issued report {report_id}: {', '.join(files)}")


@export.command("issue-reminder")
@click.option("--number", required=True, help="The number the reminder was signed with.")
@click.option("--date", "issued_on", metavar="YYYY-MM-DD", help="Its date (default today).")
@click.option("--below", metavar="RATE", help="The units under this install rate (default 100).")
@click.option("--deadline", metavar="YYYY-MM-DD", help="Date the units must report by.")
@click.option(
    "--as-of", "as_of", metavar="YYYY-MM-DD", help="Figures as of this date (default today)."
)
@click.option("--parent", metavar="CODE", help="Only the units under this unit (its letterhead).")
@db_option
def export_issue_reminder(number, issued_on, below, deadline, as_of, parent, db_path):
    """Issue a reminder: its letter with number and date, the appendix and the form the
    units answer on, kept as sent."""
    from collector.counting.states import BadAsOf, UnknownUnit
    from collector.exports.issue import issue_reminder
    from collector.exports.letterhead import BadIssue
    from collector.exports.reminder_letter import BadReminder
    from collector.exports.reminders import BadRate
    from collector.store.audit import cli_actor
    from collector.store.issued_reports import DuplicateIssue

    with database(db_path) as db:
        try:
            reminder_id, files = issue_reminder(
                db, number, issued_on, below, deadline, as_of, parent, cli_actor()
            )
        except (BadIssue, BadAsOf, DuplicateIssue, BadReminder, BadRate) as exc:
            raise click.ClickException(str(exc)) from None
        except UnknownUnit as exc:
            raise click.ClickException(f"no unit with code '{exc}'") from None
    click.echo(f"issued reminder {reminder_id}: {', '.join(files)}")


def _late_data(found):
    """The lines saying what late data would change in an issued report's figures."""
    from collector.cli.language import language
    from collector.formats.formatting import number

    if found.state == "unknown":
        return ["  neither its figures nor its appendix were kept: not compared"]
    if found.state == "gone":
        return ["  its unit no longer exists: not compared"]
    lines = []
    for moved in found.changes:
        row = {"misnamed": "Installed but not named per the guideline", "total": "Total"}.get(
            moved.kind, f"{moved.name} ({moved.code})" if moved.code else moved.name
        )
        issued, today = (
            "—" if value is None else number(value, language())
            for value in (moved.issued, moved.today)
        )
        lines.append(
            f"  late data would change it: {row}: licences {moved.figure} {issued} → {today}"
        )
    return lines


@export.command("issued-reports")
@click.option("--id", "report_id", type=int, help="Write this issued report's files ...")
@click.option("--out-dir", type=click.Path(file_okay=False), help="... into this folder.")
@db_option
def export_issued_reports(report_id, out_dir, db_path):
    """List the issued reports, or write one's files exactly as they were sent."""
    from collector.exports.issued_figures import check
    from collector.store.issued_reports import issued_file, issued_reports

    if (report_id is None) != (out_dir is None):
        raise click.UsageError("give --id and --out-dir together")
    with database(db_path) as db:
        reports = issued_reports(db)
        if report_id is None:
            for report in reports:
                click.echo(
                    f"{report['id']}\t{word(report['kind'])}\tsố {report['number']}\t"
                    f"{report['issued_on']}\t"
                    f"{word('as of')} {report['as_of']}\t"
                    + ", ".join(file["filename"] for file in report["files"])
                )
                for line in _late_data(check(db, report)):
                    click.echo(line)
            return
        found = next((report for report in reports if report["id"] == report_id), None)
        if found is None:
            raise click.ClickException(f"no issued report {report_id}")
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        for file in found["files"]:
            target = Path(out_dir) / file["filename"]
            write_private(target, issued_file(db, report_id, file["filename"]))
            click.echo(f"{target}: {file['size']:,} bytes")
