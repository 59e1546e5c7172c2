"""`avroll mail` (the SMTP settings) and `avroll remind` (preview or send the reminders)."""

from __future__ import annotations

import sys

import click

from collector.cli.options import database, db_option


@click.group("mail")
def mail_group():
    """The SMTP server reminders are sent through."""


@mail_group.command("show")
@db_option
def mail_show(db_path):
    """Print the SMTP settings (the password only as set or not)."""
    from collector.store import mail

    with database(db_path) as db:
        config = mail.current(db)
    for key in mail.FIELDS:
        click.echo(f"{key} = {config[key]}")
    click.echo(f"password = {'(set)' if config['password_set'] else '(not set)'}")


@mail_group.command("set")
@click.option("--host", help="SMTP server name or address.")
@click.option("--port", type=click.IntRange(1, 65535), help="587 for STARTTLS, 465 for TLS.")
@click.option("--security", type=click.Choice(["starttls", "tls", "none"]),
              help="STARTTLS (port 587), TLS from the start (465), or none (a server on "
                   "this machine only).")
@click.option("--username", help="Login name on the SMTP server (empty: no login).")
@click.option("--sender", help="The From address.")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from the first line of stdin (never give it as an "
                   "argument: it would stay in the shell history and process list).")
@click.option("--clear-password", is_flag=True, help="Forget the stored password.")
@db_option
def mail_set(host, port, security, username, sender, password_stdin, clear_password,
             db_path):
    """Change the SMTP settings; options not given keep their value."""
    from collector.store import audit, mail

    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    with database(db_path) as db:
        fields = mail.current(db)
        given = {"host": host, "port": port, "security": security, "username": username,
                 "sender": sender}
        fields.update({key: value for key, value in given.items() if value is not None})
        try:
            mail.save(db, fields, audit.cli_actor(), password=password or None,
                      clear_password=clear_password)
        except mail.MailSettingError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo("mail: saved")


@click.command("remind")
@click.option("--below", "below", default="100", show_default=True, metavar="RATE",
              help="Units whose install rate is below this percentage (e.g. 80 or 80,5).")
@click.option("--send", "send_now", is_flag=True,
              help="Send the messages (without it: only show who would get what).")
@db_option
def remind(below, send_now, db_path):
    """E-mail each unit below RATE its figures and its lists (no agent, not connected,
    missing, misnamed) as XLSX; every sending is logged, a failure reported per unit."""
    from collector.exports import reminders
    from collector.formats.formatting import percent
    from collector.store import audit

    try:
        rate = reminders.parse_rate(below)
    except reminders.BadRate as exc:
        raise click.BadParameter(str(exc), param_hint="--below") from None
    from collector.store import mail

    with database(db_path) as db:
        planned, result = reminders.plan(db, rate)
        if not mail.current(db)["ready"]:
            click.echo("remind: the SMTP server and sender are not set yet (avroll mail set)",
                       err=True)
        if not planned:
            click.echo(f"remind: no unit below {below.rstrip('%')}%")
            return
        if send_now:
            reminders.send(db, planned, result, audit.cli_actor())
    failed = 0
    for reminder in planned:
        unit, lists = reminder.unit, reminder.lists
        figures = ", ".join(f"{key} {'-' if value is None else value}"
                            for key, value in lists.items())
        click.echo(f"{unit['code']}\t{unit['name']}\t{percent(reminder.figures['install_rate'])}\t"
                   f"{reminder.recipient or '(no e-mail)'}\t{figures}")
        if reminder.error or (not send_now and not reminder.recipient):
            failed += 1
            click.echo(f"  {'FAILED' if send_now else 'cannot send'}: "
                       f"{reminder.error or 'the unit has no contact e-mail'}", err=True)
        elif send_now:
            click.echo(f"  sent, {len(reminder.attachments)} attachments")
    verb = "sent" if send_now else "would be sent"
    click.echo(f"remind: {len(planned) - failed} of {len(planned)} {verb}"
               + ("" if send_now else " (preview: add --send to send)"))
    if send_now and failed:
        raise click.ClickException(f"{failed} reminder(s) failed (see above and the log)")
