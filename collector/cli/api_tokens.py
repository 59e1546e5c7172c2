"""`avroll api-tokens`: read tokens for scripts and collectors above (GET /api/v1/* only)."""

from __future__ import annotations

import click

from collector.cli.language import word
from collector.cli.options import database, db_option


def _run(change, *args):
    """Run a read-token change, turning its refusal into a one-line error."""
    from collector.store.api_tokens import BadReadToken, UnknownReadToken
    from collector.store.users import AccountError

    try:
        return change(*args)
    except UnknownReadToken as exc:
        raise click.ClickException(f"no read token has id {exc}") from None
    except (BadReadToken, AccountError) as exc:
        raise click.ClickException(str(exc)) from None


@click.group("api-tokens")
def api_tokens():
    """Read tokens: `Authorization: Bearer avrr_...` on GET /api/v1/* only."""


@api_tokens.command("create")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["viewer", "unit"]),
    help="viewer: every unit; unit: --unit and the units under it.",
)
@click.option("--unit", "unit_code", metavar="CODE", help="The unit of a unit token.")
@click.option(
    "--expires",
    required=True,
    metavar="YYYY-MM-DD",
    help="The last day the token is accepted (at most five years ahead).",
)
@click.option("--note", help="What the token is for (shown by `api-tokens list`).")
@db_option
def create(role, unit_code, expires, note, db_path):
    """Create a read token and print it (only this once; only its hash is kept)."""
    from collector.store import api_tokens as store
    from collector.store import audit

    with database(db_path) as db:
        token_id, token = _run(store.create, db, audit.cli_actor(), role, expires, unit_code, note)
    click.echo(f"read token {token_id} created", err=True)
    click.echo(token)


@api_tokens.command("list")
@db_option
def list_(db_path):
    """List read tokens: id, role, unit, last day, last use, state (never the tokens)."""
    from collector.store import api_tokens as store

    with database(db_path) as db:
        rows = store.listed(db)
    for row in rows:
        state = f"{word('revoked')} {row['revoked_at']}" if row["revoked_at"] else word("active")
        click.echo(
            f"{row['token_id']:>4}  {row['role']:<6} {word('unit')} {row['unit_code'] or '-':<10} "
            f"{word('expires')} {row['expires_on']}  {word('last used')} "
            f"{row['last_used_on'] or '-'}  {word('created')} {row['created_at']} {word('by')} "
            f"{row['created_by']}  {state}  {row['note'] or ''}".rstrip()
        )


@api_tokens.command("revoke")
@click.argument("token_id", type=int)
@db_option
def revoke(token_id, db_path):
    """Revoke a read token: refused from the next request on."""
    from collector.store import api_tokens as store
    from collector.store import audit

    with database(db_path) as db:
        changed = _run(store.revoke, db, audit.cli_actor(), token_id)
    click.echo(
        f"read token {token_id} revoked"
        if changed
        else f"read token {token_id} was revoked already"
    )
