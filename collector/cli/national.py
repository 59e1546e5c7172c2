"""`avroll push` (a province sends its figures to the national collector) and `avroll
provinces` (a national collector's push credentials, one per province)."""

from __future__ import annotations

import click

from collector.cli.language import word
from collector.cli.options import database, db_option


@click.command("push")
@click.option(
    "--to",
    "url",
    envvar="AVROLL_PUSH_TO",
    required=True,
    metavar="URL",
    help="The national collector, e.g. https://avroll.gov.vn (env AVROLL_PUSH_TO).",
)
@click.option(
    "--through", metavar="YYYY-MM-DD", help="Send days through this one only (default: yesterday)."
)
@db_option
def push_command(url, through, db_path):
    """Send this province's appendix as of each day the national collector does not have
    yet (through yesterday), then every issued report it does not have. The push
    credential comes from AVROLL_PUSH_CREDENTIAL or the file DB.push-credential."""
    from collector.cli import push

    with database(db_path) as db:
        try:
            done = push.push(db, push.http_post_get(url, push.read_credential(db_path)), through)
        except push.PushFailed as exc:
            raise click.ClickException(
                f"push to {url} stopped: {exc}; run it again to resume"
            ) from None
    click.echo(push.summary(done))


@click.group("provinces")
def provinces():
    """A national collector's provinces: push credentials (one per province)."""


def _national(db):
    from collector.store import national

    if national.role(db) != "nation":
        raise click.ClickException(
            "this is a province's collector: start the national one "
            "with `avroll serve --role nation`"
        )


@provinces.command("credential")
@click.argument("code")
@db_option
def credential(code, db_path):
    """Make a push credential for the province CODE (a unit here) and print it, once."""
    from collector.store import audit, national
    from collector.store.users import AccountError

    with database(db_path) as db:
        _national(db)
        try:
            credential_id, secret = national.create_credential(db, audit.cli_actor(), code)
        except AccountError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"push credential {credential_id} for {code.upper()} created", err=True)
    click.echo(secret)


@provinces.command("credentials")
@db_option
def credentials(db_path):
    """List push credentials (never the secrets)."""
    from collector.store import national

    with database(db_path) as db:
        for row in national.credentials(db):
            state = (
                f"{word('revoked')} {row['revoked_at']}" if row["revoked_at"] else word("active")
            )
            click.echo(
                f"{row['id']:>4}  {row['province']:<10} {word('created')} {row['created_at']} "
                f"{word('by')} {row['created_by']}  {state}"
            )


@provinces.command("revoke")
@click.argument("credential_id", type=int)
@db_option
def revoke(credential_id, db_path):
    """Revoke a push credential: its province's pushes are refused from now on."""
    from collector.store import audit, national

    with database(db_path) as db:
        try:
            changed = national.revoke_credential(db, audit.cli_actor(), credential_id)
        except national.UnknownCredential:
            raise click.ClickException(f"no push credential has id {credential_id}") from None
    click.echo(
        f"push credential {credential_id} revoked"
        if changed
        else f"push credential {credential_id} was revoked already"
    )
