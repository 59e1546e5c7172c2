"""`avroll`: the collector's admin command line. Every command takes --db (or AVROLL_DB)."""

from __future__ import annotations

import logging

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
    from collector import create_app

    app = create_app({"DATABASE": str(db_path)})
    shown_host = "localhost" if host in ("127.0.0.1", "::1") else host
    click.echo(f"avroll collector: database {db_path.resolve()}")
    click.echo(f"avroll collector: listening on http://{shown_host}:{port}/")
    serve_app(app, host, port, threads)


def serve_app(app, host, port, threads=8):
    """Serve `app` with waitress as `avroll serve` does."""
    import waitress

    # A queue of requests under load is normal for a collector; waitress warns on each.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    waitress.serve(app, host=host, port=port, threads=threads, ident="avroll", _quiet=True)
