"""Hostile collectors: real HTTP servers on 127.0.0.1 that answer an agent wrongly on purpose.

Each behaviour is a generator given the request it answers; it yields the bytes to write
and, between them, pauses in seconds (a float). The server writes exactly that, so a test
(or `make bench`) can drip headers, stream a body without end, redirect, or hand out a
credential in any shape. The tests and the bench use the same behaviours.
"""

from __future__ import annotations

import json
import socketserver
import ssl
import threading
from http.client import parse_headers

ENROLLMENT_TOKEN = "avre_hostile-test-token"
PIECE = 64 * 1024


class Request:
    """What the agent sent: path, headers, body and, when the body is a report, its id."""

    def __init__(self, path, headers, body):
        self.path, self.headers, self.body = path, headers, body
        try:
            self.report_id = json.loads(body).get("report_id")
        except (ValueError, AttributeError):
            self.report_id = None


class HostileCollector(socketserver.ThreadingTCPServer):
    """Serves `behaviour` on a free port of 127.0.0.1 until `close()`; keeps every request
    and counts the answers the agent hung up on before they were all written."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, behaviour, tls=None):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.behaviour = behaviour
        self.requests = []
        self.hung_up = 0
        self.stopping = threading.Event()
        scheme = "http"
        if tls:  # (certificate, key) files: HTTPS, as an agent with --ca-bundle meets it
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.socket, scheme = context.wrap_socket(self.socket, server_side=True), "https"
        self.url = f"{scheme}://127.0.0.1:{self.server_address[1]}"
        threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True).start()

    def close(self):
        self.stopping.set()
        self.shutdown()
        self.server_close()


class _Handler(socketserver.StreamRequestHandler):
    def handle(self):
        request_line = self.rfile.readline(65537)
        if not request_line:
            return
        headers = parse_headers(self.rfile)
        body = self.rfile.read(int(headers.get("Content-Length") or 0))
        request = Request(request_line.split()[1].decode("latin-1"), headers, body)
        self.server.requests.append(request)
        try:
            for piece in self.server.behaviour(request):
                if isinstance(piece, float):
                    if self.server.stopping.wait(piece):
                        return
                else:
                    self.wfile.write(piece)
                    self.wfile.flush()
        except ConnectionError:  # broken pipe, reset, or aborted (Windows)
            self.server.hung_up += 1


def acknowledgement_of(report, **extra):
    """The collector's answer to storing `report` (collector/web/api.py)."""
    return {
        "ok": True,
        "report_id": report["report_id"],
        "machine_id": "m-1",
        "duplicate": False,
        "naming": {},
        **extra,
    }


def acknowledgement(report_id, **extra):
    """The collector's answer to a stored report, as JSON bytes."""
    return json.dumps(acknowledgement_of({"report_id": report_id}, **extra)).encode()


def head(status, length=None, content_type="application/json", extra=()):
    """A status line and headers, ready to write."""
    lines = [
        f"HTTP/1.1 {status} {_REASONS.get(status, 'Answer')}",
        f"Content-Type: {content_type}",
        "Connection: close",
        *extra,
    ]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


_REASONS = {
    200: "OK",
    201: "Created",
    307: "Temporary Redirect",
    308: "Permanent Redirect",
    401: "Unauthorized",
}


def answer(status, body, content_type="application/json"):
    """A whole answer at once."""

    def behaviour(request):
        data = body(request) if callable(body) else body
        yield head(status, len(data), content_type) + data

    return behaviour


def acknowledging(status=201, **extra):
    """A well-formed acknowledgement of whatever report arrives."""
    return answer(status, lambda request: acknowledgement(request.report_id, **extra))


def dripping_headers(interval):
    """A valid 201 acknowledgement, one byte every `interval` seconds from its first line."""

    def behaviour(request):
        data = acknowledgement(request.report_id)
        for byte in head(201, len(data)) + data:
            yield bytes([byte])
            yield interval

    return behaviour


def dripping_body(interval):
    """Headers at once, then a valid acknowledgement one byte every `interval` seconds."""

    def behaviour(request):
        data = acknowledgement(request.report_id)
        yield head(201, len(data))
        for byte in data:
            yield bytes([byte])
            yield interval

    return behaviour


def huge_body(size):
    """A 201 acknowledgement padded with JSON whitespace to `size` bytes, sent as fast as
    the agent reads (a valid answer, only too large to be the collector's)."""

    def behaviour(request):
        data = acknowledgement(request.report_id)
        yield head(201, size) + data
        padding, left = b" " * PIECE, size - len(data)
        while left > 0:
            yield padding[:left]
            left -= PIECE

    return behaviour


def endless_chunks(limit=None):
    """A chunked 201 whose chunks (JSON whitespace after the acknowledgement) never end, or
    end after `limit` bytes with a valid acknowledgement."""

    def behaviour(request):
        data = acknowledgement(request.report_id)
        yield head(201, extra=["Transfer-Encoding: chunked"])
        yield b"%x\r\n%s\r\n" % (len(data), data)
        chunk, sent = b"%x\r\n%s\r\n" % (PIECE, b" " * PIECE), len(data)
        while limit is None or sent < limit:
            yield chunk
            sent += PIECE
        yield b"0\r\n\r\n"

    return behaviour


def huge_headers(count=90, size=1000):
    """A valid acknowledgement behind `count` headers of `size` bytes each."""

    def behaviour(request):
        data = acknowledgement(request.report_id)
        padding = [f"X-Padding-{n}: {'a' * size}" for n in range(count)]
        yield head(201, len(data), extra=padding) + data

    return behaviour


def redirecting(status, location):
    """A redirect to `location` (another server, which would get the report and headers)."""

    def behaviour(request):
        yield head(status, 0, extra=[f"Location: {location}"])

    return behaviour


def issuing_credential(credential):
    """Unknown credential (401), then an enrollment with the token answered with
    `credential` (any JSON value, or raw bytes put into the body as they are)."""

    def behaviour(request):
        if request.headers.get("Authorization") != "Bearer " + ENROLLMENT_TOKEN:
            data = b'{"ok": false, "error": "unknown credential"}'
            yield head(401, len(data)) + data
            return
        if isinstance(credential, bytes):
            data = acknowledgement(request.report_id, credential="@").replace(b'"@"', credential)
        else:
            data = acknowledgement(request.report_id, credential=credential)
        yield head(201, len(data)) + data

    return behaviour
