"""`avroll`: the collector's admin command line. Every command takes --db (or AVROLL_DB)."""

from __future__ import annotations

import contextlib
import logging
import sys

import click

from collector.db import open_db, resolve_path


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
@click.option("--trusted-proxy", envvar="AVROLL_TRUSTED_PROXY", metavar="ADDRESS",
              help="Address of the reverse proxy that terminates HTTPS; its "
                   "X-Forwarded-For and X-Forwarded-Proto are believed (env "
                   "AVROLL_TRUSTED_PROXY).")
@click.option("--secure-cookies", envvar="AVROLL_SECURE_COOKIES", default="auto",
              show_default=True, type=click.Choice(["auto", "on", "off"]),
              help="Secure flag of the session cookie; auto: when the request came over "
                   "HTTPS (env AVROLL_SECURE_COOKIES).")
@db_option
def serve(host, port, threads, trusted_proxy, secure_cookies, db_path):
    """Serve the collector with waitress (a production WSGI server for Windows and Linux).

    On a database without an administrator, it creates `admin` with a random password
    shown once on this console, or refuses to start when there is no console to show it."""
    from collector import create_app

    app = create_app({"DATABASE": str(db_path), "SESSION_COOKIE_SECURE": secure_cookies})
    click.echo(f"avroll collector: database {db_path.resolve()}")
    _first_admin(db_path)
    proxy = {}
    if trusted_proxy:
        proxy = {"trusted_proxy": trusted_proxy, "clear_untrusted_proxy_headers": True,
                 "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"}}
    shown_host = "localhost" if host in ("127.0.0.1", "::1") else host
    click.echo(f"avroll collector: listening on http://{shown_host}:{port}/")
    serve_app(app, host, port, threads, **proxy)


def serve_app(app, host, port, threads=8, **options):
    """Serve `app` with waitress as `avroll serve` does."""
    import waitress

    # A queue of requests under load is normal for a collector; waitress warns on each.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    waitress.serve(app, host=host, port=port, threads=threads, ident="avroll",
                   max_request_body_size=MAX_BODY_BYTES, _quiet=True, **options)


# waitress refuses bodies past this before Flask sees them (Flask's own limit is smaller).
MAX_BODY_BYTES = 1024 * 1024


def _first_admin(db_path):
    """No open door: an admin must exist before the collector serves anyone."""
    from collector import users

    with _database(db_path) as db:
        if users.has_admin(db):
            return
        if not console_attached():
            raise click.ClickException(
                "no administrator yet; create one first: "
                "avroll users add NAME --role admin (the password is read from stdin)")
        try:
            password = users.create_first_admin(db)
        except users.AccountError as exc:
            raise click.ClickException(f"no enabled administrator and {exc}") from None
    # Shown on the console only, never logged; it is not stored anywhere in clear.
    click.echo(f"avroll collector: first start: created administrator "
               f"'{users.FIRST_ADMIN}' with password {password}")
    click.echo("avroll collector: it is shown only this once; change it with "
               f"`avroll users reset-password {users.FIRST_ADMIN}`.")


def console_attached():
    """True when a person can read this process's output (not a service log or a pipe)."""
    return sys.stdout.isatty()


def read_password(prompt):
    """A password from stdin (one line), or typed twice without echo at a terminal."""
    if sys.stdin.isatty():
        return click.prompt(prompt, hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


def _run(change, *args):
    """Run an account or token change, turning its refusal into a one-line error."""
    from collector.enrollment import UnknownToken
    from collector.users import AccountError

    try:
        return change(*args)
    except (AccountError, UnknownToken) as exc:
        raise click.ClickException(str(exc)) from None


@main.group()
def users():
    """Officer accounts: admin (everything), viewer (reads all), unit (their units only)."""


@users.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(["admin", "viewer", "unit"]))
@click.option("--unit", "unit_code", metavar="CODE",
              help="The unit a unit officer sees (with the units under it).")
@db_option
def users_add(name, role, unit_code, db_path):
    """Add an officer; the password is read from stdin."""
    from collector import audit
    from collector import users as accounts

    password = read_password("Password")
    with _database(db_path) as db:
        _run(accounts.add_user, db, audit.cli_actor(), name, password, role, unit_code)
    click.echo(f"user {accounts.normalise_username(name)} added ({role})")


@users.command("list")
@db_option
def users_list(db_path):
    """List officers with their role, unit and state."""
    from collector import users as accounts

    with _database(db_path) as db:
        rows = accounts.list_users(db)
    for row in rows:
        state = "disabled" if row["disabled"] else "active"
        click.echo(f"{row['username']:<24} {row['role']:<7} {row['unit_code'] or '-':<12} "
                   f"{state:<9} since {row['created_at']}")


@users.command("disable")
@click.argument("name")
@db_option
def users_disable(name, db_path):
    """Disable an officer's account; their sessions end at once."""
    _set_disabled(name, db_path, True)


@users.command("enable")
@click.argument("name")
@db_option
def users_enable(name, db_path):
    """Enable a disabled account again."""
    _set_disabled(name, db_path, False)


def _set_disabled(name, db_path, disabled):
    from collector import audit
    from collector import users as accounts

    with _database(db_path) as db:
        _run(accounts.set_disabled, db, audit.cli_actor(), name, disabled)
    click.echo("user {} {}".format(accounts.normalise_username(name),
                                   "disabled" if disabled else "enabled"))


@users.command("reset-password")
@click.argument("name")
@db_option
def users_reset_password(name, db_path):
    """Set a new password (read from stdin); the officer's sessions end."""
    from collector import audit
    from collector import users as accounts

    password = read_password("New password")
    with _database(db_path) as db:
        _run(accounts.reset_password, db, audit.cli_actor(), name, password)
    click.echo(f"password of {accounts.normalise_username(name)} changed")


@main.group()
def tokens():
    """Enrollment tokens: what an agent sends with its first report."""


@tokens.command("create")
@click.option("--unit", "unit_code", metavar="CODE",
              help="Enroll machines for this unit, whatever their agent says.")
@click.option("--note", help="What the token is for (shown by `tokens list`).")
@db_option
def tokens_create(unit_code, note, db_path):
    """Create a token and print it (only this once; only its hash is kept)."""
    from collector import audit, enrollment

    with _database(db_path) as db:
        token_id, token = _run(enrollment.create_token, db, audit.cli_actor(), unit_code, note)
    click.echo(f"token {token_id} created", err=True)
    click.echo(token)


@tokens.command("list")
@db_option
def tokens_list(db_path):
    """List tokens: id, unit, machines enrolled, state (never the tokens themselves)."""
    from collector import enrollment

    with _database(db_path) as db:
        rows = enrollment.list_tokens(db)
    for row in rows:
        state = f"revoked {row['revoked_at']}" if row["revoked_at"] else "active"
        click.echo(f"{row['token_id']:>4}  unit {row['unit_code'] or '-':<10} "
                   f"enrolled {row['enrolled_count']:>5}  created {row['created_at']} by "
                   f"{row['created_by']}  {state}  {row['note'] or ''}".rstrip())


@tokens.command("revoke")
@click.argument("token_id", type=int)
@db_option
def tokens_revoke(token_id, db_path):
    """Revoke a token: it enrolls no more machines (enrolled ones keep reporting)."""
    from collector import audit, enrollment

    with _database(db_path) as db:
        changed = _run(enrollment.revoke_token, db, audit.cli_actor(), token_id)
    click.echo(f"token {token_id} revoked" if changed else f"token {token_id} was revoked already")


@main.group()
def machines():
    """Enrolled machines."""


@machines.command("reset-credential")
@click.argument("machine_id")
@db_option
def machines_reset_credential(machine_id, db_path):
    """Forget a machine's credential, so its agent may enroll again with a token
    (after a reinstall that lost the credential file)."""
    from collector import audit, enrollment

    with _database(db_path) as db:
        changed = enrollment.reset_credential(db, audit.cli_actor(), machine_id)
    if not changed:
        raise click.ClickException(f"machine {machine_id} has no credential")
    click.echo(f"credential of {machine_id} forgotten; its agent can enroll again")


@contextlib.contextmanager
def _database(db_path):
    """The database, brought up to date, for one command."""
    from collector import migrations

    db = open_db(db_path)
    try:
        migrations.apply(db)
        yield db
    finally:
        db.close()
