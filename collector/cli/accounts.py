"""`avroll users`, `avroll tokens`, `avroll machines`: officer accounts and agent enrollment."""

from __future__ import annotations

import sys

import click

from collector.cli.language import word
from collector.cli.options import database, db_option


def read_password(prompt):
    """A password from stdin (one line), or typed twice without echo at a terminal."""
    if sys.stdin.isatty():
        return click.prompt(prompt, hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


def _run(change, *args):
    """Run an account or token change, turning its refusal into a one-line error."""
    from collector.store.enrollment import UnknownToken
    from collector.store.held import UnknownHeld
    from collector.store.lifecycle import (
        AmbiguousMachine,
        BadRetirement,
        NotRetired,
        UnknownMachine,
    )
    from collector.store.users import AccountError

    try:
        return change(*args)
    except UnknownMachine as exc:
        raise click.ClickException(f"no machine has reported with id or name {exc}") from None
    except AmbiguousMachine as exc:
        raise click.ClickException(
            f"{len(exc.machine_ids)} machines report under the name {exc.name}: say which "
            f"by its id ({', '.join(exc.machine_ids)})"
        ) from None
    except NotRetired as exc:
        raise click.ClickException(f"machine {exc} is not retired") from None
    except UnknownHeld as exc:
        raise click.ClickException(f"no held enrollment has id {exc}") from None
    except (AccountError, UnknownToken, BadRetirement, ValueError) as exc:
        raise click.ClickException(str(exc)) from None


def _reported_or_enrolled(machines, db, reference):
    """The id of a machine that reported (by id or name), else `reference` as an id (a
    machine enrolled that never reported)."""
    try:
        return machines.resolve_machine(db, reference)
    except machines.UnknownMachine:
        return reference


@click.group()
def users():
    """Officer accounts: admin (everything), viewer (reads all), unit (their units only)."""


@users.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(["admin", "viewer", "unit"]))
@click.option(
    "--unit",
    "unit_code",
    metavar="CODE",
    help="The unit a unit officer sees (with the units under it).",
)
@db_option
def users_add(name, role, unit_code, db_path):
    """Add an officer; the password is read from stdin."""
    from collector.store import audit
    from collector.store import users as accounts

    password = read_password("Password")
    with database(db_path) as db:
        _run(accounts.add_user, db, audit.cli_actor(), name, password, role, unit_code)
    click.echo(f"user {accounts.normalise_username(name)} added ({role})")


@users.command("list")
@db_option
def users_list(db_path):
    """List officers with their role, unit and state."""
    from collector.store import users as accounts

    with database(db_path) as db:
        rows = accounts.list_users(db)
    for row in rows:
        state = word("disabled") if row["disabled"] else word("active")
        click.echo(
            f"{row['username']:<24} {row['role']:<7} {row['unit_code'] or '-':<12} "
            f"{state:<9} {word('since')} {row['created_at']}"
        )


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
    from collector.store import audit
    from collector.store import users as accounts

    with database(db_path) as db:
        _run(accounts.set_disabled, db, audit.cli_actor(), name, disabled)
    click.echo(
        "user {} {}".format(
            accounts.normalise_username(name), "disabled" if disabled else "enabled"
        )
    )


@users.command("reset-password")
@click.argument("name")
@db_option
def users_reset_password(name, db_path):
    """Set a new password (read from stdin); the officer's sessions end."""
    from collector.store import audit
    from collector.store import users as accounts

    password = read_password("New password")
    with database(db_path) as db:
        _run(accounts.reset_password, db, audit.cli_actor(), name, password)
    click.echo(f"password of {accounts.normalise_username(name)} changed")


@click.group()
def tokens():
    """Enrollment tokens: what an agent sends with its first report."""


@tokens.command("create")
@click.option(
    "--unit",
    "unit_code",
    metavar="CODE",
    help="Enroll machines for this unit, whatever their agent says.",
)
@click.option("--note", help="What the token is for (shown by `tokens list`).")
@click.option(
    "--limit",
    "machine_limit",
    type=click.IntRange(1, 1_000_000),
    help="Enroll at most this many machines.",
)
@db_option
def tokens_create(unit_code, note, machine_limit, db_path):
    """Create a token and print it (only this once; only its hash is kept)."""
    from collector.store import audit, enrollment

    with database(db_path) as db:
        token_id, token = _run(
            enrollment.create_token, db, audit.cli_actor(), unit_code, note, machine_limit
        )
    click.echo(f"token {token_id} created", err=True)
    click.echo(token)


@tokens.command("list")
@db_option
def tokens_list(db_path):
    """List tokens: id, unit, machines enrolled, state (never the tokens themselves)."""
    from collector.store import enrollment

    with database(db_path) as db:
        rows = enrollment.list_tokens(db)
    for row in rows:
        state = f"{word('revoked')} {row['revoked_at']}" if row["revoked_at"] else word("active")
        limit = f"/{row['machine_limit']}" if row["machine_limit"] else ""
        click.echo(
            f"{row['token_id']:>4}  {word('unit')} {row['unit_code'] or '-':<10} "
            f"{word('enrolled')} {row['enrolled_count']:>5}{limit}  {word('created')} "
            f"{row['created_at']} {word('by')} {row['created_by']}  {state}  "
            f"{row['note'] or ''}".rstrip()
        )


@tokens.command("revoke")
@click.argument("token_id", type=int)
@click.option(
    "--retire-machines",
    is_flag=True,
    help="Also retire the machines it enrolled (a leaked token's fakes): those "
    "enrolled from --enrolled-after on, or, without it, every one, listed "
    "first for you to confirm.",
)
@click.option(
    "--enrolled-after",
    metavar="YYYY-MM-DD[THH:MM]",
    help="With --retire-machines: only the machines enrolled from this moment on "
    "(Vietnam time), when the token leaked; the unit's genuine PCs enrolled "
    "before it with the same token stay.",
)
@click.option(
    "--date",
    "day",
    metavar="YYYY-MM-DD",
    help="With --retire-machines: they leave the counts from this day (default today).",
)
@db_option
def tokens_revoke(token_id, retire_machines, enrolled_after, day, db_path):
    """Revoke a token: it enrolls no more machines (enrolled ones keep reporting, unless
    --retire-machines)."""
    from collector.store import audit, enrollment, lifecycle

    if enrolled_after and not retire_machines:
        raise click.UsageError("--enrolled-after goes with --retire-machines")
    with database(db_path) as db:
        after = enrolled_after and _run(lifecycle.enrolled_moment, enrolled_after)
        if retire_machines and not after:
            _confirm_retirements(lifecycle.enrolled_by(db, token_id))
        changed = _run(enrollment.revoke_token, db, audit.cli_actor(), token_id)
        click.echo(
            f"token {token_id} revoked" if changed else f"token {token_id} was revoked already"
        )
        if retire_machines:
            retired = _run(
                lifecycle.retire_enrolled_by, db, audit.cli_actor(), token_id, day, after
            )
            click.echo(f"{retired} machine(s) it enrolled retired")


def _confirm_retirements(rows):
    """List what --retire-machines would retire, and ask: a unit's genuine PCs share its
    token with the fakes made after a leak."""
    rows = list(rows)
    click.echo(f"The token enrolled {len(rows)} machine(s); all of them would be retired:")
    for row in rows:
        click.echo(f"  {row['enrolled_at']}  {row['machine_id']}  {row['hostname'] or '-'}")
    click.echo(
        "Genuine PCs of the unit that enrolled with this token would stop reporting; "
        "--enrolled-after keeps those enrolled before the leak."
    )
    click.confirm("Retire them all?", abort=True)


@click.group()
def machines():
    """Enrolled machines."""


@machines.command("reset-credential")
@click.argument("machine_id")
@db_option
def machines_reset_credential(machine_id, db_path):
    """Forget a machine's credential, so its agent may enroll again with a token
    (after a reinstall that lost the credential file). MACHINE_ID: its id, or its name when
    it has reported."""
    from collector.store import audit, enrollment, machines

    with database(db_path) as db:
        machine_id = _run(_reported_or_enrolled, machines, db, machine_id)
        changed = enrollment.reset_credential(db, audit.cli_actor(), machine_id)
    if not changed:
        raise click.ClickException(f"machine {machine_id} has no credential")
    click.echo(f"credential of {machine_id} forgotten; its agent can enroll again")


@machines.command("held")
@click.option("--all", "everything", is_flag=True, help="Also those decided already.")
@db_option
def machines_held(everything, db_path):
    """List the enrollments waiting for an administrator: a reinstall that would rename a
    machine or move it to another unit, a machine id already enrolled reported by another
    agent. Each line: id, kind, the id reported and the machine it would be stored as, its
    name and unit now and asked, the token, tries, first and last seen."""
    from collector.store import held

    with database(db_path) as db:
        rows = held.listing(db, waiting_only=not everything)
    if not rows:
        click.echo("no enrollment waits for an administrator")
    for row in rows:
        click.echo(
            f"{row.held_id:>4}  {row.kind:<9} {row.machine_id} -> {row.stored_as}  "
            f"{row.current_hostname or '-'} ({row.current_unit or '-'}) -> {row.hostname} "
            f"({row.unit_code or '-'})  {word('token')} {row.token_id}  {word('tries')} "
            f"{row.tries}  {row.first_seen_at} .. {row.last_seen_at}  "
            f"{word(row.decision or 'waiting')}"
        )


def _decide(held_id, decision, db_path):
    from collector.store import audit, held

    with database(db_path) as db:
        return _run(held.decide, db, audit.cli_actor(), held_id, decision)


@machines.command("accept")
@click.argument("held_id")
@db_option
def machines_accept(held_id, db_path):
    """Accept a held enrollment (ID from `avroll machines held`): the agent's next report
    is admitted, renaming or moving the machine, or taking its id over (the old
    credential is removed)."""
    row = _decide(held_id, "accepted", db_path)
    click.echo(
        f"enrollment {row.held_id} accepted: the next report of its agent is stored as "
        f"machine {row.stored_as}"
    )


@machines.command("refuse")
@click.argument("held_id")
@db_option
def machines_refuse(held_id, db_path):
    """Refuse a held enrollment (ID from `avroll machines held`): its agent stays refused."""
    row = _decide(held_id, "refused", db_path)
    click.echo(f"enrollment {row.held_id} refused: its agent stays refused")


@click.group()
def reports():
    """Stored reports."""


@reports.command("prune")
@db_option
def reports_prune(db_path):
    """Apply the retention rule now (the server also applies it every night): every report
    for keep_all_reports_days, then each machine's last of each day (no figure of any past
    day changes) for keep_daily_reports_days, then its last of each month."""
    from collector.cli import retention
    from collector.store import audit

    with database(db_path) as db:
        done = retention.prune(db, audit.cli_actor())
    click.echo(retention.summary(done))


@machines.command("retire")
@click.argument("machine")
@click.option(
    "--date",
    "day",
    metavar="YYYY-MM-DD",
    required=True,
    help="It leaves every count from this day (today or earlier).",
)
@click.option("--reason", required=True, help="Why (kept in the audit log and on its page).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@db_option
def machines_retire(machine, day, reason, yes, db_path):
    """Retire a machine (MACHINE: its id or its name): it leaves every count from that day,
    its history stays, and its credential no longer reports. `avroll machines restore`
    brings it back."""
    from collector.store import audit, lifecycle, machines

    reason = " ".join(reason.split())
    if not reason:
        raise click.ClickException("give a reason (--reason)")
    day = _run(lifecycle.retirement_day, day)
    with database(db_path) as db:
        machine_id = _run(machines.resolve_machine, db, machine)
        if not yes:
            click.confirm(f"retire machine {machine_id} from {day} ({reason})?", abort=True)
        machine_id = _run(lifecycle.retire, db, audit.cli_actor(), machine_id, day, reason)
    click.echo(f"machine {machine_id} retired from {day}")


@machines.command("restore")
@click.argument("machine")
@click.option("--reason", help="Why (kept in the audit log).")
@db_option
def machines_restore(machine, reason, db_path):
    """Bring a retired machine back (MACHINE: its id or its name): it counts again as if never
    retired; its agent enrolls again with a token on its next run."""
    from collector.store import audit, lifecycle

    with database(db_path) as db:
        machine_id = _run(lifecycle.restore, db, audit.cli_actor(), machine, reason)
    click.echo(
        f"machine {machine_id} restored: it counts again; its agent enrolls again "
        "with a token on its next run"
    )


@machines.command("assign")
@click.argument("machine")
@click.argument("unit_code", required=False)
@db_option
def machines_assign(machine, unit_code, db_path):
    """Count a machine (MACHINE: its id or its name) for a unit from now on, whatever its
    name (a naming conflict); without UNIT_CODE, the naming rule decides again."""
    from collector.store import audit, lifecycle, machines

    with database(db_path) as db:
        machine_id = _run(machines.resolve_machine, db, machine)
        unit = _run(lifecycle.assign, db, audit.cli_actor(), machine_id, unit_code)
    click.echo(
        f"machine {machine_id} counts for {unit}"
        if unit
        else f"machine {machine_id} follows the naming rule again"
    )
