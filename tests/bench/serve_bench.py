"""The collector as `avroll serve` runs it, plus `/bench/parse`: a route that only parses JSON.

`python -m tests.bench.serve_bench DB PORT` — for bench_ingest only, never shipped.
"""

from __future__ import annotations

import json
import sys

from flask import request

from collector import create_app
from collector.cli import serve_app


def main(db_path, port):
    app = create_app({"DATABASE": db_path})

    @app.post("/bench/parse")
    def parse_only():
        json.loads(request.get_data())
        return {"ok": True}, 201

    serve_app(app, "127.0.0.1", int(port))


if __name__ == "__main__":
    main(*sys.argv[1:])
