"""`avroll-agent`: collect this PC's report, send it (spooling what cannot go now), install the schedule."""

from __future__ import annotations

import argparse
import json
import os
import sys

from agent import __version__
from agent.collect import collect_report
from agent.config import SETTINGS, ConfigError, resolve

# Delivery, logging and status are imported by the commands that use them: `collect` (and
# the pilot's `collect --diagnose`) starts without them.

DEFAULT_REQUEST_TIMEOUT = 15.0
DEFAULT_TIME_LIMIT = 60.0


def seconds(text):
    """A positive, finite number of seconds (argparse type): NaN or infinity would make a
    deadline that never comes."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    return value


def build_parser():
    # Every subcommand takes every setting, so a flag works wherever an officer types it.
    settings = argparse.ArgumentParser(add_help=False)
    group = settings.add_argument_group("settings (flag, else environment, else agent.ini)")
    group.add_argument(
        "--config",
        metavar="PATH",
        help="agent.ini to read (env AVROLL_CONFIG; default "
        r"%%ProgramData%%\avroll\agent.ini or /etc/avroll/agent.ini)",
    )
    for setting in SETTINGS:
        group.add_argument(
            "--" + setting.name.replace("_", "-"),
            dest=setting.name,
            metavar=setting.name.upper(),
            help=f"{setting.help} (env {setting.env})",
        )

    parser = argparse.ArgumentParser(
        prog="avroll-agent",
        description="Report this computer's antivirus state to the avroll collector.",
    )
    parser.add_argument("--version", action="version", version="avroll-agent " + __version__)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    collect_command = commands.add_parser(
        "collect", parents=[settings], help="print this computer's report as JSON (no network)"
    )
    collect_command.add_argument(
        "--diagnose",
        action="store_true",
        help="instead, print per source what it read, what failed and how long it took "
        "(run it on a few PCs before a rollout)",
    )
    collect_command.add_argument(
        "--record",
        metavar="DIR",
        help="also write every source's raw records (DIR/records.json, the test fixtures' "
        "format) and the report (DIR/report.json): send DIR back from a pilot PC",
    )
    send = commands.add_parser(
        "send",
        parents=[settings],
        help="send spooled reports, oldest first, then this computer's report now "
        "(what the scheduled run does)",
    )
    send.add_argument(
        "--timeout",
        type=seconds,
        default=DEFAULT_REQUEST_TIMEOUT,
        help="seconds for one answer, from connecting to its last byte (default 15)",
    )
    send.add_argument(
        "--time-limit",
        type=seconds,
        default=DEFAULT_TIME_LIMIT,
        help="seconds for the whole run, retries included; what is not "
        "delivered by then stays spooled (default 60)",
    )
    send.add_argument(
        "-v", "--verbose", action="store_true", help="also print the log on the console"
    )
    commands.add_parser(
        "install",
        parents=[settings],
        help="write agent.ini and schedule a report at start-up and every few hours "
        "(needs Administrator / root; --server and --token)",
    )
    commands.add_parser(
        "uninstall", parents=[settings], help="remove the schedule, agent.ini and the state folder"
    )
    commands.add_parser(
        "status",
        parents=[settings],
        help="settings, last report, spooled reports, PC naming advice",
    )
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    flags = {name: value for name, value in vars(args).items() if value is not None}
    try:
        config = resolve(flags)
    except ConfigError as exc:
        print(f"avroll-agent: {exc}", file=sys.stderr)
        return 2
    return COMMANDS[args.command](args, config)


def collect(args, config):
    outcomes = [] if args.diagnose or args.record else None
    report = collect_report(unit_code=config.unit, outcomes=outcomes)
    if args.record:
        from agent.record import write_record

        try:
            paths = write_record(args.record, outcomes, report)
        except OSError as exc:
            print(
                f"avroll-agent: cannot record in {args.record}: {exc.strerror or exc}",
                file=sys.stderr,
            )
            return 1
        print("avroll-agent: recorded " + " and ".join(paths), file=sys.stderr)
    if not sys.stdout.isatty() and hasattr(sys.stdout, "reconfigure"):
        # piped on Windows, stdout speaks the ANSI code page: Vietnamese names need UTF-8
        sys.stdout.reconfigure(encoding="utf-8")
    if args.diagnose:
        from agent.diagnose import diagnose_lines

        print("\n".join(diagnose_lines(outcomes, report)))
        return 0
    json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


def send(args, config):
    from agent.delivery.credential import send_enrolled
    from agent.delivery.deliverer import Deliverer
    from agent.delivery.spool import Spool
    from agent.logfile import start_logging

    if not config.server:
        print(
            "avroll-agent: no collector given: use --server URL, AVROLL_SERVER or agent.ini",
            file=sys.stderr,
        )
        return 2
    # The time limit counts from here: collecting, spooling and every delivery fit in it.
    deliverer = Deliverer(
        lambda one, timeout: send_enrolled(config, one, timeout), args.time_limit, args.timeout
    )
    start_logging(config.state_dir, config.secrets(), args.verbose)
    report = collect_report(unit_code=config.unit)
    spool = Spool(os.path.join(config.state_dir, "spool"))
    try:
        spool.remove_stale_temp_files()
        spool.put(report)
    except OSError as exc:
        _log().error("cannot spool report %s: %s", report["report_id"], exc)
        return _send_unspooled(config, deliverer, report, exc)
    outcome = deliverer.deliver_spool(spool, lambda one, answer: _remember(config, one, answer))
    report_id = report["report_id"]
    if report_id in outcome.delivered:
        earlier = len(outcome.delivered) - 1
        print(
            "avroll-agent: report {} delivered to {}{}".format(
                report_id, config.server, f" with {earlier} spooled earlier" if earlier else ""
            )
        )
        return 0
    if report_id in outcome.set_aside:
        _fail(f"{outcome.set_aside[report_id]}; set aside in {spool.set_aside_dir}")
    else:
        _fail(
            f"{outcome.stopped_by}; spooled ({len(spool.pending())} waiting in "
            f"{spool.directory}), to be sent on the next run"
        )
    return 1


def _send_unspooled(config, deliverer, report, spool_error):
    """Deliver `report` straight away when the state folder cannot hold it."""
    from agent.delivery.transport import SendError

    try:
        answer = deliverer.send_with_retries(report)
    except SendError as exc:
        _fail(f"{exc}; and it could not be spooled: {spool_error.strerror or spool_error}")
        return 1
    _remember(config, report, answer)
    print("avroll-agent: report {} delivered to {}".format(report["report_id"], config.server))
    return 0


def _remember(config, report, answer):
    from agent.delivery.deliverer import record_delivery

    try:
        record_delivery(config.state_dir, config.server, report, answer)
    except OSError as exc:
        _log().warning("cannot record the last delivery: %s", exc)


def _log():
    import logging

    return logging.getLogger("avroll")


def _fail(reason):
    print(f"avroll-agent: report not delivered: {reason}", file=sys.stderr)


def install(args, config):
    from agent.install import Installer, InstallError  # once per PC: kept out of every run

    try:
        done = Installer(config).install()
    except InstallError as exc:
        print(f"avroll-agent: not installed: {exc}", file=sys.stderr)
        return 1
    except PermissionError as exc:
        print(
            f"avroll-agent: not installed: {exc.strerror}: {exc.filename} "
            "(run as Administrator or root)",
            file=sys.stderr,
        )
        return 1
    for line in done:
        print("avroll-agent: " + line)
    return 0


def uninstall(args, config):
    from agent.install import Installer

    try:
        done = Installer(config).uninstall()
    except OSError as exc:
        print(
            f"avroll-agent: not uninstalled: {exc} (run as Administrator or root)", file=sys.stderr
        )
        return 1
    for line in done:
        print("avroll-agent: " + line)
    return 0


def status(args, config):
    from agent.delivery.spool import Spool
    from agent.status import status_lines

    print("\n".join(status_lines(config, Spool(os.path.join(config.state_dir, "spool")))))
    return 0


COMMANDS = {
    "collect": collect,
    "send": send,
    "install": install,
    "uninstall": uninstall,
    "status": status,
}


if __name__ == "__main__":
    sys.exit(main())
