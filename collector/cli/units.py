"""`avroll units` and `avroll settings`: the units, their allocations, and the counting settings."""

from __future__ import annotations

import io
import sys

import click

from collector.cli.options import database, db_option
from collector.store.keyfile import write_private


@click.group()
def units():
    """Units, their licence allocations and contacts."""


@units.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--if-empty", is_flag=True, help="Import only when there are no units yet (for first starts)."
)
@click.option(
    "--from",
    "effective_from",
    metavar="YYYY-MM-DD",
    help="Changes take effect from this day (default today; a new unit counts from "
    "the beginning); figures as of an earlier day keep the values then in force.",
)
@db_option
def units_import(file, if_empty, effective_from, db_path):
    """Add or update units from a CSV or XLSX FILE (header code,name,group,parent,allocated
    plus contact columns; Vietnamese headings accepted). Nothing changes if any line is bad."""
    from collector.formats.spreadsheets import TableError
    from collector.store import units as unit_store

    with database(db_path) as db:
        if if_empty and unit_store.count_units(db):
            click.echo("units: already defined, nothing imported")
            return
        try:
            saved = unit_store.import_units(db, file, effective_from=effective_from)
        except TableError as exc:
            raise click.ClickException(f"{file}: {exc}") from None
        except unit_store.UnitImportError as exc:
            for problem in exc.errors:
                click.echo(f"{file}: {problem}", err=True)
            raise click.ClickException(
                f"{len(exc.errors)} problem(s): nothing was imported"
            ) from None
        click.echo(f"units: {saved.created} added, {saved.updated} updated")


@units.command("export")
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, allow_dash=True),
    default="-",
    show_default=True,
    help="CSV file to write ('-' for the screen).",
)
@db_option
def units_export(out, db_path):
    """Write every unit as CSV (UTF-8 with BOM) in the format `units import` reads."""
    from collector.store import units as unit_store

    with database(db_path) as db:
        if out == "-":
            unit_store.export_units(db, sys.stdout)
        else:
            stream = io.StringIO(newline="")
            unit_store.export_units(db, stream)
            write_private(out, stream.getvalue().encode("utf-8"))


@click.group()
def settings():
    """Settings: the naming pattern, the RAM exemption, staleness, the mandated product."""


@settings.command("show")
@db_option
def settings_show(db_path):
    """Print every setting with its value, default and meaning."""
    from collector.store import settings as store

    with database(db_path) as db:
        for item in store.described(db):
            mark = "" if item["changed"] else "  (default)"
            click.echo(f"{item['key']} = {item['value']}{mark}")
            click.echo(f"    {item['help']}")


# A negative number is a value to refuse with a reason, not an unknown option.
@settings.command("set", context_settings={"ignore_unknown_options": True})
@click.argument("key")
@click.argument("value")
@click.option(
    "--from",
    "effective_from",
    metavar="YYYY-MM-DD",
    help="It takes effect from this day (default today); figures as of an earlier "
    "day keep the value then in force.",
)
@db_option
def settings_set(key, value, effective_from, db_path):
    """Set KEY to VALUE (checked first; a bad value changes nothing)."""
    from collector.store import settings as store

    with database(db_path) as db:
        try:
            stored = store.set_value(db, key, value, effective_from=effective_from)
        except store.SettingError as exc:
            raise click.ClickException(f"{key}: {exc}") from None
    click.echo(f"{key} = {stored}")
