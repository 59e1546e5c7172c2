"""`avroll import ksc|directory FILE`: the Kaspersky console's and the directory's computer
lists, each import a dated snapshot."""

from __future__ import annotations

import click

from collector.cli.options import database, db_option


def _export_moment(text):
    """`--exported-at` as an aware datetime (None when not given), or a usage error."""
    from collector.formats.console_values import ValueProblem, export_moment

    try:
        return export_moment(text)
    except ValueProblem as exc:
        raise click.BadParameter(str(exc), param_hint="--exported-at") from None


def _import(source, file, db_path, exported_at=None):
    from collector.formats.spreadsheets import TableError
    from collector.store import console_imports

    with database(db_path) as db:
        try:
            snapshot = console_imports.import_file(
                db, source, file, exported_at=_export_moment(exported_at)
            )
        except TableError as exc:
            raise click.ClickException(f"{file}: {exc}; nothing was imported") from None
        except console_imports.ImportProblems as exc:
            for problem in console_imports.error_lines(exc.errors):
                click.echo(f"{file}: {problem}", err=True)
            raise click.ClickException(
                f"{len(exc.errors):,} problem(s): nothing was imported"
            ) from None
    click.echo(
        f"{source}: snapshot {snapshot.import_id} of {snapshot.imported_at}: "
        f"{snapshot.devices:,} computers"
    )
    if snapshot.exported_from == "file":
        click.echo(
            f"{source}: exported at {snapshot.exported_at}, as the file says; "
            "relative times ('12 minutes ago') count back from then"
        )
    elif snapshot.exported_from == "given":
        click.echo(
            f"{source}: exported at {snapshot.exported_at}, as --exported-at says; "
            "relative times ('12 minutes ago') count back from then"
        )


@click.group("import")
def import_group():
    """Import what the Kaspersky console and the directory know about the computers."""


EXPORTED_AT = click.option(
    "--exported-at",
    metavar="'YYYY-MM-DD HH:MM'",
    help="When the file was exported (Vietnam time), for a file that writes '12 minutes "
    "ago' and does not say when it was made (an XLSX says so itself).",
)


@import_group.command("ksc")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@EXPORTED_AT
@db_option
def import_ksc(file, exported_at, db_path):
    """The device list exported from Kaspersky Security Center (tab-delimited text or CSV,
    UTF-8 or UTF-16), in the English or Russian console's headings, or a dump through the
    Open API under its KLHST_WKS_* attribute names. A file with any bad line changes
    nothing."""
    _import("ksc", file, db_path, exported_at)


@import_group.command("directory")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@db_option
@EXPORTED_AT
def import_directory(file, exported_at, db_path):
    """A computer list from Active Directory (Get-ADComputer | Export-Csv, or csvde). A
    file with any bad line changes nothing."""
    _import("directory", file, db_path, exported_at)
