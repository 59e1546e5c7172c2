"""`avroll backup` and `avroll restore`: the whole province is one SQLite file; these copy it
while the collector runs and put a copy back (`collector/store/backup.py`)."""

from __future__ import annotations

import click

from collector.cli.options import database, db_option


def _said(found):
    return (
        f"{found['units']} units, {found['machines']} machines, {found['reports']} "
        f"reports (last observed {found['last_report'] or 'never'})"
    )


@click.command("backup")
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="The copy to write (replaced if it exists; readable by you only).",
)
@db_option
def backup(out_path, db_path):
    """Copy the database while the collector runs: one consistent moment (SQLite's online
    backup), written to a new file of mode 0600. The session key file beside the database
    is not copied (a restored database makes a new one: open sessions end)."""
    from collector.store import backup as store_backup

    try:
        found = store_backup.backup(db_path, out_path)
    except store_backup.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"backup of {db_path.resolve()} written to {out_path}: {_said(found)}")


@click.command("restore")
@click.argument("backup_file", type=click.Path(dir_okay=False, exists=True))
@db_option
def restore(backup_file, db_path):
    """Put a backup in place of the database (stop the collector first: a running one keeps
    figures of the old database in memory). The database it replaces is backed up beside it
    first; the restored one is brought up to this version's schema."""
    from collector.store import backup as store_backup

    try:
        kept = store_backup.restore(backup_file, db_path)
    except store_backup.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    with database(db_path):
        pass  # migrations: a backup from an older version is brought up to date
    if kept:
        click.echo(f"the database it replaced is kept as {kept}")
    click.echo(
        f"restored {backup_file} into {db_path.resolve()}: {_said(store_backup.summary(db_path))}"
    )
