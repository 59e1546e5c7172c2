"""What every `avroll` command shares: the --db option and the database it opens."""

from __future__ import annotations

import contextlib

import click

from collector.store.db import open_db, resolve_path


def db_option(command):
    """The --db option every command shares, resolved to a path."""
    return click.option(
        "--db",
        "db_path",
        envvar="AVROLL_DB",
        type=click.Path(dir_okay=False),
        callback=lambda _ctx, _param, value: resolve_path(value),
        help="SQLite database file (env AVROLL_DB; default ./avroll.db if present, "
        "else one in your user data directory).",
    )(command)


@contextlib.contextmanager
def database(db_path):
    """The database with its schema up to date, for one command run without a server."""
    from collector.store import migrations

    db = open_db(db_path)
    try:
        migrations.apply(db)
        yield db
    finally:
        db.close()
