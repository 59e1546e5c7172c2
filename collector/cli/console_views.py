"""`avroll import ksc|directory FILE`: the Kaspersky console's and the directory's computer
lists, each import a dated snapshot."""

from __future__ import annotations

import click

from collector.cli.options import database, db_option


def _import(source, file, db_path):
    from collector.formats.spreadsheets import TableError
    from collector.store import console_imports

    with database(db_path) as db:
        try:
            snapshot = console_imports.import_file(db, source, file)
        except TableError as exc:
            raise click.ClickException(f"{file}: {exc}; nothing was imported") from None
        except console_imports.ImportProblems as exc:
            for problem in console_imports.error_lines(exc.errors):
                click.echo(f"{file}: {problem}", err=True)
            raise click.ClickException(
                f"{len(exc.errors):,} problem(s): nothing was imported") from None
    click.echo(f"{source}: snapshot {snapshot.import_id} of {snapshot.imported_at}: "
               f"{snapshot.devices:,} computers")


@click.group("import")
def import_group():
    """Import what the Kaspersky console and the directory know about the computers."""


@import_group.command("ksc")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@db_option
def import_ksc(file, db_path):
    """The device list exported from Kaspersky Security Center (tab-delimited text or CSV,
    UTF-8 or UTF-16). A file with any bad line changes nothing."""
    _import("ksc", file, db_path)


@import_group.command("directory")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@db_option
def import_directory(file, db_path):
    """A computer list from Active Directory (Get-ADComputer | Export-Csv, or csvde). A
    file with any bad line changes nothing."""
    _import("directory", file, db_path)
