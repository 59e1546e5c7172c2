"""`avroll figures`: the figures kept up to date at ingest, counted again from the reports."""

from __future__ import annotations

import sys
from datetime import date

import click

from collector.cli.options import database, db_option


@click.group()
def figures():
    """The figures kept up to date at ingest (each unit's counts now and on each past day)."""


@figures.command("rebuild")
@click.option(
    "--from",
    "first",
    metavar="YYYY-MM-DD",
    help="Count again only the kept days from this one on (default: every day).",
)
@db_option
def figures_rebuild(first, db_path):
    """Count every kept figure again from the reports, replace it, and say whether any
    differed (exit status 1 when one did). The figures of days whose reports were thinned
    to one a month are counted again from those reports only when asked with --from."""
    from collector.counting import figures

    try:
        start = date.fromisoformat(first) if first else None
    except ValueError:
        raise click.BadParameter(f"'{first}' is not YYYY-MM-DD", param_hint="--from") from None
    with database(db_path) as db:
        done = figures.rebuild(db, start)
    if not done["differed"]:
        click.echo(
            f"{done['days']} kept day(s) and today counted again from the reports: no difference."
        )
        return
    click.echo(
        f"{done['days']} kept day(s) and today counted again from the reports; these "
        f"differed and now hold the counts from the reports: "
        f"{', '.join(done['differed'])}"
    )
    sys.exit(1)
