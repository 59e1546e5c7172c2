"""`avroll mail` (the SMTP settings), `avroll remind` (preview, send or test-send the
reminders) and `avroll replies` (each unit's answers)."""

from __future__ import annotations

import sys

import click

from collector.cli.language import word
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
    click.echo(f"password = {word('(set)') if config['password_set'] else word('(not set)')}")


@mail_group.command("set")
@click.option("--host", help="SMTP server name or address.")
@click.option("--port", type=click.IntRange(1, 65535), help="587 for STARTTLS, 465 for TLS.")
@click.option(
    "--security",
    type=click.Choice(["starttls", "tls", "none"]),
    help="STARTTLS (port 587), TLS from the start (465), or none (a server on this machine only).",
)
@click.option("--username", help="Login name on the SMTP server (empty: no login).")
@click.option("--sender", help="The From address.")
@click.option(
    "--sender-name",
    help="The name shown beside it (default the letterhead's "
    "issuer, e.g. Sở Thông tin và Truyền thông).",
)
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of stdin (never give it as an "
    "argument: it would stay in the shell history and process list).",
)
@click.option("--clear-password", is_flag=True, help="Forget the stored password.")
@db_option
def mail_set(
    host, port, security, username, sender, sender_name, password_stdin, clear_password, db_path
):
    """Change the SMTP settings; options not given keep their value."""
    from collector.store import audit, mail

    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    with database(db_path) as db:
        fields = mail.current(db)
        given = {
            "host": host,
            "port": port,
            "security": security,
            "username": username,
            "sender": sender,
            "sender_name": sender_name,
        }
        fields.update({key: value for key, value in given.items() if value is not None})
        try:
            mail.save(
                db,
                fields,
                audit.cli_actor(),
                password=password or None,
                clear_password=clear_password,
            )
        except mail.MailSettingError as exc:
            for key, problem in exc.errors.items():
                click.echo(f"mail: {key}: {problem}", err=True)
            raise click.ClickException("the SMTP settings were not saved") from None
    click.echo("mail: saved")


@click.command("remind")
@click.option(
    "--below",
    "below",
    default="100",
    show_default=True,
    metavar="RATE",
    help="Units whose install rate is below this percentage (e.g. 80 or 80,5).",
)
@click.option(
    "--deadline",
    metavar="YYYY-MM-DD",
    help="The date the units must answer by (default reminder_answer_days after the figures).",
)
@click.option(
    "--send",
    "send_now",
    is_flag=True,
    help="Send the messages (without it: only show who would get what).",
)
@click.option(
    "--test",
    "test_address",
    metavar="ADDRESS",
    help="Send only one sample, the first unit's message, to ADDRESS (to check the "
    "SMTP settings and what the units get).",
)
@click.option(
    "--include-answered",
    is_flag=True,
    help="Remind also the units whose answer to their last reminder is recorded (a new "
    "round); without it they are skipped.",
)
@db_option
def remind(below, deadline, send_now, test_address, include_answered, db_path):
    """E-mail each unit below RATE its figures, a deadline, whom to answer and its
    non-empty lists (no agent, not connected, missing, misnamed) as XLSX; every sending is
    logged, a failure reported per unit on stderr. A unit that answered its last reminder
    is skipped, and said so."""
    from collector.exports import reminders
    from collector.exports.files import day_text
    from collector.exports.reminder_letter import BadReminder, parse_deadline
    from collector.formats.formatting import percent
    from collector.store import audit, mail
    from collector.store.lifecycle import today
    from collector.store.units import EMAIL

    try:
        rate = reminders.parse_rate(below)
    except reminders.BadRate as exc:
        raise click.BadParameter(str(exc), param_hint="--below") from None
    if test_address is not None and not EMAIL.fullmatch(test_address):
        raise click.BadParameter(f"'{test_address}' is not an e-mail address", param_hint="--test")
    with database(db_path) as db:
        if not mail.current(db)["ready"]:
            click.echo(
                "remind: the SMTP server and sender are not set yet (avroll mail set)", err=True
            )
        if test_address is not None:
            _test_send(db, test_address, rate, below)
            return
        try:  # the figures are today's
            day = parse_deadline(deadline, today().isoformat()) if deadline else None
        except BadReminder as exc:
            raise click.BadParameter(str(exc), param_hint="--deadline") from None
        planned, result = reminders.plan(db, rate, day, include_answered)
        if not planned:
            click.echo(f"remind: no unit below {below.rstrip('%')}%")
            return
        if send_now:
            reminders.send(db, planned, result, audit.cli_actor())
    failed = skipped = 0
    for reminder in planned:
        unit, lists = reminder.unit, reminder.lists
        figures = ", ".join(
            f"{key} {'-' if value is None else value}" for key, value in lists.items()
        )
        click.echo(
            f"{unit['code']}\t{unit['name']}\t{percent(reminder.figures['install_rate'])}\t"
            f"{reminder.recipient or word('(no e-mail)')}\t{figures}"
        )
        if reminder.answered:
            skipped += 1
            answer = reminder.answered
            click.echo(
                f"remind: {unit['code']} ({unit['name']}): skipped: answered on "
                f"{day_text(answer['replied_on'])} by {answer['replied_by']}, after the "
                f"reminder of {day_text(answer['reminded_on'])}"
            )
        elif reminder.error or (not send_now and not reminder.recipient):
            failed += 1
            problem = reminder.error or "the unit has no contact e-mail"
            click.echo(
                f"remind: {unit['code']} ({unit['name']}): FAILED: {problem}"
                if send_now
                else f"remind: {unit['code']} ({unit['name']}): cannot send: {problem}",
                err=True,
            )
        elif send_now:
            click.echo(f"  sent, {len(reminder.attachments)} attachments")
    tried = len(planned) - skipped
    click.echo(
        f"remind: {tried - failed} of {tried} sent"
        if send_now
        else f"remind: {tried - failed} of {tried} would be sent (preview: add --send to send)"
    )
    if skipped:
        click.echo(
            f"remind: {skipped} skipped: they answered their last reminder "
            "(--include-answered to remind them too)"
        )
    if send_now and failed:
        raise click.ClickException(f"{failed} reminder(s) failed (see above and the log)")


def _test_send(db, address, rate, below):
    from collector.exports import reminders
    from collector.store import audit

    sample = reminders.send_test(db, address, rate, audit.cli_actor())
    if sample is None:
        raise click.ClickException(f"no unit below {below.rstrip('%')}%: nothing to show")
    if sample.error:
        raise click.ClickException(
            f"test to {address} ({sample.unit['code']}'s message) FAILED: {sample.error}"
        )
    click.echo(
        f"remind: test sent to {address}: {sample.unit['code']}'s message, "
        f"{len(sample.attachments)} attachments"
    )


@click.group("replies")
def replies_group():
    """Each unit's answers to the reminders (shown in the reporting status)."""


@replies_group.command("add")
@click.argument("unit")
@click.option("--by", "replied_by", required=True, help="Who answered for the unit.")
@click.option(
    "--on", "replied_on", metavar="YYYY-MM-DD", help="The day it answered (default today)."
)
@click.option("--note", default="", help="What it said, in short.")
@db_option
def replies_add(unit, replied_by, replied_on, note, db_path):
    """Record that UNIT answered."""
    from collector.store import audit, replies

    with database(db_path) as db:
        try:
            row = replies.record_reply(db, unit, replied_by, replied_on, note, audit.cli_actor())
        except replies.BadReply as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"replies: {row['unit_code']} answered on {row['replied_on']} ({row['replied_by']})")


@replies_group.command("list")
@db_option
def replies_list(db_path):
    """Each unit's latest answer and its last reminder sent."""
    from collector.store import mail, replies

    with database(db_path) as db:
        latest, reminded = replies.latest_replies(db), mail.last_sent(db)
    for code in sorted(set(latest) | set(reminded)):
        reply = latest.get(code)
        answer = (
            f"{word('answered')} {reply['replied_on']} {word('by')} {reply['replied_by']}"
            if reply
            else word("no answer")
        )
        click.echo(f"{code}\t{word('reminded')} {reminded.get(code, '-')}\t{answer}")
