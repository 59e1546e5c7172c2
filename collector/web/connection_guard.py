"""Each client's share of the server: connections per address, time to send a request, and
the bodies held in flight, decided in waitress's event loop before a body is buffered.

waitress alone gives every connection the same rights until its fixed connection limit, and
spools any body up to its one size limit: thousands of trickling sockets took the collector
offline, and a hundred anonymous 23 MB bodies held 2 GB of temp files. Here:

- an address holds at most `PER_ADDRESS` connections (a trusted reverse proxy any number);
- a request's headers must be complete `HEADER_SECONDS` after it began (total time, not time
  between bytes), and its body must arrive at `MIN_BODY_RATE` or better;
- near the connection limit, the oldest request still arriving (else the longest idle
  connection) is closed to admit a new one, so the slow are shed, not the agents and
  officers whose requests arrive whole; the listener accepts many connections a turn, so
  a new one does not wait behind a queue of reconnecting sockets;
- a body over the report limit is refused (413) from its Content-Length, before one byte of
  it is read, unless it is an administrator's upload; bodies in flight share a total budget
  (503 past it): one for everyone's small bodies, one for administrators' uploads.
"""

from __future__ import annotations

import functools
import threading
import time
from collections import OrderedDict

from waitress.parser import HTTPRequestParser
from waitress.utilities import Error, RequestEntityTooLarge

PER_ADDRESS = 64  # an office behind one NAT address sends its reports over < 1 s each
HEADER_SECONDS = 20.0
MIN_BODY_RATE = 8 * 1024  # bytes a second: a 256 KB report in 32 s, a 20 MB upload in 43 min
HEADROOM = 32  # connection slots kept free by shedding the slowest
ACCEPTS_PER_TURN = 64  # connections the listener accepts each turn of the event loop
SMALL_BODIES_IN_FLIGHT = 32 * 1024 * 1024
LARGE_BODIES_IN_FLIGHT = 64 * 1024 * 1024


class TooManyBodies(Error):
    code = 503
    reason = "Service Unavailable"


class GuardedParser(HTTPRequestParser):
    """waitress's request parser, which asks the guard once the headers are in and tells it
    when the request is whole."""

    def __init__(self, adj, channel):
        super().__init__(adj)
        self.channel = channel
        self.body_limit = None
        channel.guard.begin(channel)

    def received(self, data):
        had_headers = self.headers_finished
        consumed = super().received(data)
        guard = self.channel.guard
        if self.headers_finished and not had_headers and self.error is None:
            guard.headers_in(self.channel, self)
        elif (
            self.body_limit is not None
            and self.error is None
            and self.body_bytes_received > self.body_limit
        ):  # a chunked body
            self.error = RequestEntityTooLarge(f"exceeds the limit of {self.body_limit}")
            self.completed = True
        if self.completed:
            guard.whole(self.channel)
        return consumed


class Guard:
    """The shared accounting of one server's connections (the event loop and the worker
    threads that may close a channel both touch it: one lock)."""

    def __init__(self, connection_limit, small_body_limit, may_send_large, exempt=()):
        self.connection_limit = connection_limit
        self.small_body_limit = small_body_limit
        self.may_send_large = may_send_large  # (path, cookie header) -> bool
        self.exempt = frozenset(exempt)
        self.lock = threading.Lock()
        self.per_address = {}
        self.open = set()
        # The connections to shed first: a request arriving, the oldest first; then those
        # waiting for a request (new, or idle between requests). Each has a deadline.
        self.arriving = OrderedDict()
        self.waiting = OrderedDict()
        self.deadline = {}
        self.reserved = {}  # channel -> (pool, bytes)
        self.in_flight = {"small": 0, "large": 0}
        self.budget = {"small": SMALL_BODIES_IN_FLIGHT, "large": LARGE_BODIES_IN_FLIGHT}

    def admit(self, channel):
        """Whether a new connection may stay (its address under the cap); makes room by
        shedding the slowest connection when the server is nearly full."""
        host = channel.client_host
        with self.lock:
            if host not in self.exempt and self.per_address.get(host, 0) >= PER_ADDRESS:
                return False
            self.per_address[host] = self.per_address.get(host, 0) + 1
            self.open.add(channel)
            shed = (
                self._oldest_idle() if len(self.open) > self.connection_limit - HEADROOM else None
            )
        if shed is not None:
            shed.handle_close()
        return True

    def forget(self, channel):
        """A connection closed: its share comes back."""
        with self.lock:
            if channel not in self.open:
                return
            self.open.discard(channel)
            host = channel.client_host
            self.per_address[host] -= 1
            if not self.per_address[host]:
                del self.per_address[host]
            self._unlist(channel)
            self.deadline.pop(channel, None)
            self._release(channel)

    def opened(self, channel):
        """A new connection: its first request is due within HEADER_SECONDS."""
        with self.lock:
            if channel in self.open:
                self._list(self.waiting, channel, time.monotonic() + HEADER_SECONDS)

    def begin(self, channel):
        """A request's first bytes came: its headers are due within HEADER_SECONDS."""
        with self.lock:
            if channel in self.open:
                self._list(self.arriving, channel, time.monotonic() + HEADER_SECONDS)

    def headers_in(self, channel, request):
        """Refuse a body over its limit or over the budget in flight, or give it its time."""
        large = False
        size = request.content_length
        if request.chunked:
            size = self.small_body_limit
        elif size > self.small_body_limit:
            large = self.may_send_large(request.path, request.headers.get("COOKIE", ""))
            if not large:
                request.error = RequestEntityTooLarge(
                    f"exceeds the limit of {self.small_body_limit}"
                )
                request.completed = True
                return
        if request.chunked:
            request.body_limit = self.small_body_limit
        if not size:
            return
        pool = "large" if large else "small"
        with self.lock:
            if self.in_flight[pool] + size > self.budget[pool]:
                refused = True
            else:
                refused = False
                self.in_flight[pool] += size
                self.reserved[channel] = (pool, size)
                if channel in self.deadline:
                    self.deadline[channel] = (
                        time.monotonic() + HEADER_SECONDS + size / MIN_BODY_RATE
                    )
        if refused:
            request.error = TooManyBodies("too many request bodies in flight; try again soon")
            request.completed = True

    def whole(self, channel):
        """The request is whole (or refused): its reservation ends; the connection may now
        wait for the next request as long as a request may take to arrive."""
        with self.lock:
            self._release(channel)
            if channel in self.open:
                self._list(self.waiting, channel, time.monotonic() + HEADER_SECONDS)

    def overdue(self):
        """The connections past their deadline and not being answered (for the server's
        maintenance to close); one being answered gets its time again from now."""
        now = time.monotonic()
        late = []
        with self.lock:
            for channel, deadline in list(self.deadline.items()):
                if deadline > now:
                    continue
                if channel.requests:
                    self._list(self.waiting, channel, now + HEADER_SECONDS)
                else:
                    late.append(channel)
        return late

    def _oldest_idle(self):
        """The connection to shed: the oldest request still arriving, else the longest
        waiting; never one being answered nor an administrator's upload."""
        for queue in (self.arriving, self.waiting):
            for channel in queue:
                if not channel.requests and self.reserved.get(channel, ("", 0))[0] != "large":
                    return channel
        return None

    def _list(self, queue, channel, deadline):
        self._unlist(channel)
        queue[channel] = True
        self.deadline[channel] = deadline

    def _unlist(self, channel):
        self.arriving.pop(channel, None)
        self.waiting.pop(channel, None)

    def _release(self, channel):
        pool, size = self.reserved.pop(channel, (None, 0))
        if pool:
            self.in_flight[pool] -= size


def guarded_channel(base):
    """A channel class on `base` whose connections the server's guard accounts for."""

    class GuardedChannel(base):
        def __init__(self, server, sock, addr, adj, map=None):
            self.guard = server.guard
            self.client_host = addr[0] if isinstance(addr, tuple) and addr else str(addr)
            self.parser_class = functools.partial(GuardedParser, channel=self)
            admitted = self.guard.admit(self)
            super().__init__(server, sock, addr, adj, map=map)
            if admitted:
                self.guard.opened(self)
            else:
                self.will_close = True  # closed at the loop's next turn, nothing read

        def del_channel(self, map=None):
            self.guard.forget(self)
            super().del_channel(map)

    return GuardedChannel


def accept_many(listener):
    """waitress's handle_accept, ACCEPTS_PER_TURN times a turn (it accepts one): one turn of
    the loop over thousands of sockets takes milliseconds, and a new connection must not
    wait for a turn per connection queued before it."""
    for _ in range(ACCEPTS_PER_TURN):
        try:
            pair = listener.accept()
        except OSError:  # out of descriptors, or a bogus socket: the next turn tries again
            return
        if pair is None:
            return
        conn, addr = pair
        try:
            listener.set_socket_options(conn)
        except OSError:  # the client went away before it was accepted
            conn.close()
            continue
        listener.channel_class(
            listener, conn, listener.fix_addr(addr), listener.adj, map=listener._map
        )
