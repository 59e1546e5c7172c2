"""`avroll letterhead`: who each level's letters come from (the province's in the settings,
a unit's of its own)."""

from __future__ import annotations

import click

from collector.cli.options import database, db_option


@click.group("letterhead")
def letterhead_group():
    """The letterheads: the province's, and each unit's own (a district's UBND or office)."""


@letterhead_group.command("show")
@click.option("--unit", metavar="CODE", help="A unit's own letterhead (default the province's).")
@db_option
def letterhead_show(unit, db_path):
    """Print each key of the letterhead and what the letters print for it."""
    from collector.counting.states import UnknownUnit
    from collector.exports.letterhead import letterhead
    from collector.store import letterheads

    with database(db_path) as db:
        try:
            head = letterhead(db, unit)
        except UnknownUnit:
            raise click.ClickException(f"no unit with code '{unit}'") from None
        values = letterheads.unit_values(db, unit) if unit else letterheads.province_values(db)
    for key in letterheads.KEYS:
        click.echo(f"{key} = {values.get(key, '')}")
    click.echo(
        f"(the letters' issuer: {head.issuer}; report to: "
        f"{'; '.join(head.report_recipients) or '-'})"
    )


@letterhead_group.command("set")
@click.argument("key")
@click.argument("value")
@click.option(
    "--unit",
    metavar="CODE",
    help="Set it in this unit's own letterhead (default "
    "the province's, which is the setting of the same name).",
)
@db_option
def letterhead_set(key, value, unit, db_path):
    """Set KEY of a letterhead to VALUE ('' clears a unit's key). A "|" in issuer_name or
    issuer_parent breaks the heading there."""
    from collector.store import audit, letterheads, settings

    with database(db_path) as db:
        try:
            if unit:
                stored = letterheads.set_unit_value(db, unit, key, value, audit.cli_actor())
            elif key in letterheads.KEYS:
                stored = settings.set_value(db, key, value)
            else:
                raise letterheads.UnknownKey(
                    f"'{key}' is not a letterhead key: one of {', '.join(letterheads.KEYS)}"
                )
        except settings.SettingError as exc:
            raise click.ClickException(f"{key}: {exc}") from None
        except LookupError:
            raise click.ClickException(f"no unit with code '{unit}'") from None
    click.echo(f"{key} = {stored}")
