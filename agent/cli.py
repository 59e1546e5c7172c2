"""`avroll-agent`: collect this PC's report, print it, or send it to the collector."""

from __future__ import annotations

import argparse
import json
import os
import sys

from agent import __version__
from agent.collect import collect_report
from agent.transport import SendError, send_report


def build_parser():
    parser = argparse.ArgumentParser(
        prog="avroll-agent",
        description="Report this computer's antivirus state to the avroll collector.")
    parser.add_argument("--version", action="version", version="avroll-agent " + __version__)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    collect = commands.add_parser("collect", help="print this computer's report as JSON")
    _add_unit(collect)

    send = commands.add_parser("send", help="collect the report and send it to the collector")
    send.add_argument("--server", default=os.environ.get("AVROLL_SERVER"),
                      help="collector URL, e.g. http://10.0.0.5:8080 (env AVROLL_SERVER)")
    send.add_argument("--timeout", type=float, default=15.0,
                      help="seconds to wait for the collector (default 15)")
    _add_unit(send)
    return parser


def _add_unit(command):
    command.add_argument("--unit", default=os.environ.get("AVROLL_UNIT"),
                         help="code of the unit this computer belongs to (env AVROLL_UNIT)")


def main(argv=None):
    args = build_parser().parse_args(argv)
    report = collect_report(unit_code=args.unit or None)
    if args.command == "collect":
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    if not args.server:
        print("avroll-agent: no collector given: use --server URL or AVROLL_SERVER",
              file=sys.stderr)
        return 2
    try:
        send_report(args.server, report, timeout=args.timeout)
    except SendError as exc:
        print(f"avroll-agent: report not delivered: {exc}", file=sys.stderr)
        return 1
    print("avroll-agent: report {} delivered to {}".format(report["report_id"], args.server))
    return 0


if __name__ == "__main__":
    sys.exit(main())
