"""`avroll`: the collector's admin command line. Every command takes --db (or AVROLL_DB).

This module holds the group and `serve`; `cli_accounts.py` (users, tokens, machines) and
`cli_units.py` (units, settings) and `cli_exports.py` (export) add theirs.
"""

from __future__ import annotations

import os
import sys

import click

from collector.cli.language import LANGUAGES, LocalisedGroup, choose, localise
from collector.cli.options import database, db_option


@click.group(cls=LocalisedGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="avroll")
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    is_eager=True,
    expose_value=False,
    callback=choose,
    help="Language of help and messages: vi (default) or en (env AVROLL_LANG).",
)
def main():
    """avroll collector: inventory of antivirus rollout on government computers."""


@main.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (0.0.0.0 for every interface).",
)
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--threads",
    default=8,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Requests served at once.",
)
@click.option(
    "--trusted-proxy",
    envvar="AVROLL_TRUSTED_PROXY",
    metavar="ADDRESS",
    help="Address of the reverse proxy (nginx, IIS) in front; only from it are "
    "X-Forwarded-For (the client's address: login limits) and "
    "X-Forwarded-Proto believed (env AVROLL_TRUSTED_PROXY).",
)
@click.option(
    "--secure-cookies",
    envvar="AVROLL_SECURE_COOKIES",
    default="auto",
    show_default=True,
    type=click.Choice(["auto", "on", "off"]),
    help="Secure flag of the session cookie; auto: when the request came over "
    "HTTPS (env AVROLL_SECURE_COOKIES).",
)
@click.option(
    "--role",
    type=click.Choice(["province", "nation"]),
    help="nation: a national collector, whose units are the provinces and which "
    "takes their pushes (kept in the database from then on).",
)
@click.option(
    "--push-to",
    envvar="AVROLL_PUSH_TO",
    metavar="URL",
    help="A province's national collector: push to it every night (env "
    "AVROLL_PUSH_TO; the credential from AVROLL_PUSH_CREDENTIAL or "
    "DB.push-credential).",
)
@db_option
def serve(host, port, threads, trusted_proxy, secure_cookies, role, push_to, db_path):
    """Serve the collector with waitress (a production WSGI server for Windows and Linux).

    On a database without an administrator, it creates `admin` with a random password
    shown once on this console, or, without a console, written to DB.admin-password (0600).
    Every night at 02:00 (Vietnam time) it applies the retention rule to the reports, and
    with --push-to sends the day's figures to the national collector."""
    from collector.cli import nightly
    from collector.cli.port_free import port_taken_message
    from collector.web.app import create_app

    taken = port_taken_message(host, port)
    if taken:
        raise click.ClickException(taken)
    app = create_app({"DATABASE": str(db_path), "SESSION_COOKIE_SECURE": secure_cookies})
    click.echo(f"avroll collector: database {db_path.resolve()}")
    _first_admin(db_path)
    _set_role(db_path, role)
    shown_host = "localhost" if host in ("127.0.0.1", "::1") else host
    click.echo(f"avroll collector: listening on http://{shown_host}:{port}/")
    nightly.log_to_console()
    retention = nightly.NightlyRetention(db_path, push_to=push_to).start()
    try:
        serve_app(app, host, port, threads, trusted_proxy=trusted_proxy)
    except OSError as exc:  # taken between the check and waitress's own bind
        raise click.ClickException(port_taken_message(host, port) or str(exc)) from None
    finally:
        retention.stop()


def _set_role(db_path, role):
    """Record `--role` in the database, and say which collector this is."""
    from collector.store import audit, national

    with database(db_path) as db:
        if role is not None:
            national.set_role(db, audit.cli_actor(), role)
        if national.role(db) == "nation":
            click.echo(
                "avroll collector: national collector (units are provinces; they push "
                "to /api/v1/national)"
            )


def serve_app(app, host, port, threads=8, trusted_proxy=None):
    """Serve `app` with waitress as `avroll serve` does (limits in collector/web/server.py)."""
    from collector.web import server

    server.serve(app, host=host, port=port, **server.options(threads, trusted_proxy))


def _first_admin(db_path):
    """No open door: an admin must exist before the collector serves anyone. Its random
    password is shown on the console, or, when no one reads this output (a script, the
    background, a service log), written to a file only this user can read."""
    from collector.store import users

    with database(db_path) as db:
        if users.has_admin(db):
            return
        try:
            password = users.create_first_admin(db)
        except users.AccountError as exc:
            raise click.ClickException(f"no enabled administrator and {exc}") from None
    change = f"avroll users reset-password {users.FIRST_ADMIN}"
    if console_attached():
        # Shown on the console only, never logged; it is not stored anywhere in clear.
        click.echo(
            f"avroll collector: first start: created administrator "
            f"'{users.FIRST_ADMIN}' with password {password}"
        )
        click.echo(f"avroll collector: it is shown only this once; change it with `{change}`.")
        return
    secret = password_file(db_path)
    write_secret(secret, password + "\n")
    click.echo(
        f"avroll collector: first start: created administrator '{users.FIRST_ADMIN}'; "
        f"its password is in {secret.resolve()} (readable by you only): read it, "
        f"then delete the file or change it with `{change}`."
    )


def password_file(db_path):
    """Where the first admin's password goes when no console shows it: beside the database."""
    return db_path.with_name(db_path.name + ".admin-password")


def write_secret(path, text):
    """Write `text` to a new file of mode 0600 (an older one is replaced, never reused)."""
    path.unlink(missing_ok=True)
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(handle, "w", encoding="utf-8") as secret:
        secret.write(text)


def console_attached():
    """True when a person can read this process's output (not a service log or a pipe)."""
    return sys.stdout.isatty()


def _register_commands():
    from collector.cli import accounts as cli_accounts
    from collector.cli import api_tokens as cli_api_tokens
    from collector.cli import backup as cli_backup
    from collector.cli import console_views as cli_console_views
    from collector.cli import demo as cli_demo
    from collector.cli import exports as cli_exports
    from collector.cli import figures as cli_figures
    from collector.cli import letterheads as cli_letterheads
    from collector.cli import national as cli_national
    from collector.cli import reminders as cli_reminders
    from collector.cli import units as cli_units

    for group in (
        cli_accounts.users,
        cli_accounts.tokens,
        cli_accounts.machines,
        cli_accounts.reports,
        cli_figures.figures,
        cli_units.units,
        cli_units.settings,
        cli_exports.export,
        cli_console_views.import_group,
        cli_reminders.mail_group,
        cli_reminders.remind,
        cli_reminders.replies_group,
        cli_letterheads.letterhead_group,
        cli_demo.demo,
        cli_api_tokens.api_tokens,
        cli_backup.backup,
        cli_backup.restore,
        cli_national.push_command,
        cli_national.provinces,
    ):
        main.add_command(group)


_register_commands()
localise(main)
