"""The collector as `avroll serve` runs it, plus `/bench/parse`: a Flask route that only parses
the JSON body (no login, no storage), served by the same waitress server.

`python -m tests.bench.serve_bench DB PORT` — for bench_ingest only, never shipped.
"""

from __future__ import annotations

import json
import sys

from flask import Flask, request
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from collector.cli.main import serve_app
from collector.web.app import create_app


def parse_only_app():
    app = Flask("parse_only")

    @app.post("/parse")
    def parse():
        json.loads(request.get_data())
        return {"ok": True}, 201

    return app


def main(db_path, port):
    app = create_app({"DATABASE": db_path})
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/bench": parse_only_app()})
    serve_app(app, "127.0.0.1", int(port))


if __name__ == "__main__":
    main(*sys.argv[1:])
