"""`avroll-agent`: collect this PC's report, print it, or send it to the collector."""

from __future__ import annotations

import argparse
import json
import os
import sys

from agent import __version__
from agent.collect import collect_report
from agent.credential import CredentialError, default_state_dir, load_credential, save_credential
from agent.transport import NotEnrolled, SendError, send_report


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
    send.add_argument("--token", default=os.environ.get("AVROLL_TOKEN"),
                      help="enrollment token from the collector's admin, needed until this "
                           "computer has its own credential (env AVROLL_TOKEN)")
    send.add_argument("--state-dir", default=None,
                      help="where this computer's credential is kept (env AVROLL_STATE_DIR; "
                           "default %%ProgramData%%\\avroll or /var/lib/avroll)")
    send.add_argument("--ca-bundle", default=os.environ.get("AVROLL_CA_BUNDLE"),
                      help="CA certificates to trust for an https:// collector "
                           "(env AVROLL_CA_BUNDLE); TLS is always verified")
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
    state_dir = args.state_dir or default_state_dir()
    try:
        deliver(args.server, report, state_dir, args.token, timeout=args.timeout,
                verify=args.ca_bundle or True)
    except MissingToken:
        print(f"avroll-agent: no credential in {state_dir} yet: enroll with --token TOKEN "
              "or AVROLL_TOKEN", file=sys.stderr)
        return 2
    except SendError as exc:
        print(f"avroll-agent: report not delivered: {exc}", file=sys.stderr)
        return 1
    except CredentialError as exc:
        print(f"avroll-agent: report delivered, but the credential was not kept: {exc}",
              file=sys.stderr)
        return 1
    print("avroll-agent: report {} delivered to {}".format(report["report_id"], args.server))
    return 0


class MissingToken(Exception):
    """The machine has no credential yet and no enrollment token was given."""


def deliver(server, report, state_dir, token, timeout, verify=True):
    """Send with this machine's credential; enroll with `token` when it has none (or the
    collector no longer knows it), keeping the credential it answers with."""
    credential = load_credential(state_dir)
    if credential:
        try:
            return send_report(server, report, timeout=timeout, token=credential, verify=verify)
        except NotEnrolled:
            if not token:
                raise
    if not token:
        raise MissingToken
    answer = send_report(server, report, timeout=timeout, token=token, verify=verify)
    if answer.get("credential"):
        save_credential(state_dir, answer["credential"])
    return answer


if __name__ == "__main__":
    sys.exit(main())
