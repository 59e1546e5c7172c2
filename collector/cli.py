"""`avroll`: the collector's admin command line. Every command takes --db (or AVROLL_DB)."""

from __future__ import annotations

import sys

import click

from collector.db import resolve_path


def db_option(command):
    """The --db option every command shares, resolved to a path."""
    return click.option(
        "--db", "db_path", envvar="AVROLL_DB", type=click.Path(dir_okay=False),
        callback=lambda _ctx, _param, value: resolve_path(value),
        help="SQLite database file (env AVROLL_DB; default ./avroll.db if present, "
             "else one in your user data directory).")(command)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="avroll")
def main():
    """avroll collector: inventory of antivirus rollout on government computers."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0 for every interface).")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64),
              help="Requests served at once.")
@db_option
def serve(host, port, threads, db_path):
    """Serve the collector with waitress (a production WSGI server for Windows and Linux)."""
    import waitress

    from collector import create_app

    app = create_app({"DATABASE": str(db_path)})
    shown_host = "localhost" if host in ("127.0.0.1", "::1") else host
    click.echo(f"avroll collector: database {db_path.resolve()}")
    click.echo(f"avroll collector: listening on http://{shown_host}:{port}/")
    waitress.serve(app, host=host, port=port, threads=threads, ident="avroll",
                   _quiet=True)


def _database(db_path):
    """Open the database with its schema up to date, for commands that run without a server."""
    from collector import migrations
    from collector.db import open_db

    db = open_db(db_path)
    migrations.apply(db)
    return db


@main.group()
def units():
    """Units, their licence allocations and contacts."""


@units.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--if-empty", is_flag=True,
              help="Import only when there are no units yet (for first starts).")
@db_option
def units_import(file, if_empty, db_path):
    """Add or update units from a CSV or XLSX FILE (header code,name,group,parent,allocated
    plus contact columns; Vietnamese headings accepted). Nothing changes if any line is bad."""
    from collector import units as unit_store
    from collector.spreadsheets import TableError

    db = _database(db_path)
    try:
        if if_empty and unit_store.count_units(db):
            click.echo("units: already defined, nothing imported")
            return
        try:
            saved = unit_store.import_units(db, file)
        except TableError as exc:
            raise click.ClickException(f"{file}: {exc}") from None
        except unit_store.UnitImportError as exc:
            for problem in exc.errors:
                click.echo(f"{file}: {problem}", err=True)
            raise click.ClickException(
                f"{len(exc.errors)} problem(s): nothing was imported") from None
        click.echo(f"units: {saved.created} added, {saved.updated} updated")
    finally:
        db.close()


@units.command("export")
@click.option("--out", "out", type=click.Path(dir_okay=False, allow_dash=True), default="-",
              show_default=True, help="CSV file to write ('-' for the screen).")
@db_option
def units_export(out, db_path):
    """Write every unit as CSV (UTF-8 with BOM) in the format `units import` reads."""
    from collector import units as unit_store

    db = _database(db_path)
    try:
        if out == "-":
            unit_store.export_units(db, sys.stdout)
        else:
            with open(out, "w", encoding="utf-8", newline="") as stream:
                unit_store.export_units(db, stream)
    finally:
        db.close()


@main.group()
def settings():
    """Settings: the naming pattern, the RAM exemption, staleness, the mandated product."""


@settings.command("show")
@db_option
def settings_show(db_path):
    """Print every setting with its value, default and meaning."""
    from collector import settings as store

    db = _database(db_path)
    try:
        for item in store.described(db):
            mark = "" if item["changed"] else "  (default)"
            click.echo(f"{item['key']} = {item['value']}{mark}")
            click.echo(f"    {item['help']}")
    finally:
        db.close()


# A negative number is a value to refuse with a reason, not an unknown option.
@settings.command("set", context_settings={"ignore_unknown_options": True})
@click.argument("key")
@click.argument("value")
@db_option
def settings_set(key, value, db_path):
    """Set KEY to VALUE (checked first; a bad value changes nothing)."""
    from collector import settings as store

    db = _database(db_path)
    try:
        stored = store.set_value(db, key, value)
    except store.SettingError as exc:
        raise click.ClickException(f"{key}: {exc}") from None
    finally:
        db.close()
    click.echo(f"{key} = {stored}")
