"""The collector as `avroll serve` runs it, plus `/bench/parse`: the report endpoint's work
without the database (the body read, parsed and checked against the schema exactly as
`POST /api/v1/reports` does, the same kind of JSON answer, nothing stored), served by the same
app (its before/after-request hooks included) and the same waitress server.

`python -m tests.bench.serve_bench DB PORT` — for bench_ingest only, never shipped.
"""

from __future__ import annotations

import os
import sys

from flask import Blueprint, jsonify

from collector.cli.main import serve_app
from collector.store import writer
from collector.web import access, api, csrf
from collector.web.app import create_app
from shared.report import canonical_machine_id, canonical_report_id

bench = Blueprint("bench", __name__, url_prefix="/bench")


@bench.post("/parse")
def parse():
    report, error = api.parse_report()
    if error is not None:
        return error
    response = jsonify(
        {
            "ok": True,
            "report_id": canonical_report_id(report["report_id"]),
            "machine_id": canonical_machine_id(report["machine"]["machine_id"]),
            "duplicate": False,
        }
    )
    response.headers["Cache-Control"] = "no-store"
    return response, 201


def parse_only_app(db_path):
    """The real app with `/bench/parse` public and exempt from CSRF, as the report endpoint."""
    access.PUBLIC_ENDPOINTS = access.PUBLIC_ENDPOINTS | {"bench.parse"}
    csrf.EXEMPT_ENDPOINTS = csrf.EXEMPT_ENDPOINTS | {"bench.parse"}
    app = create_app({"DATABASE": db_path})
    app.register_blueprint(bench)
    return app


def main(db_path, port):
    synchronous = os.environ.get("AVROLL_BENCH_SYNCHRONOUS")  # NORMAL, to compare
    if synchronous:
        writer.SYNCHRONOUS = synchronous
    threads = os.environ.get("AVROLL_BENCH_THREADS")  # to compare with the default
    serve_app(
        parse_only_app(db_path),
        "127.0.0.1",
        int(port),
        **({"threads": int(threads)} if threads else {}),
    )


if __name__ == "__main__":
    main(*sys.argv[1:])
