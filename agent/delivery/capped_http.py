"""A requests session whose answers' status line and headers are read within a byte budget.

http.client reads a whole header block before anyone can measure it, stopping only at 100
lines of 64 KiB (6.5 MB, ~45 MiB once parsed). Here each connection's response reads its
status line and headers through a budget of `limit` bytes, so a hostile answer costs no
more memory than a real one. The body is left to the caller (transport.py caps it).

The hook is http.client's documented `response_class`, set on urllib3's connection classes
through the pool classes a PoolManager picks by scheme (plain and HTTP-proxied; a SOCKS
proxy keeps urllib3's own classes, and its headers only http.client's bound).
"""

from __future__ import annotations

import http.client

import requests
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool


class HeadersTooLarge(http.client.HTTPException):
    """The status line and headers of an answer passed the budget."""


class _Budget:
    """The reader http.client parses the head from, refusing past `left` bytes."""

    def __init__(self, reader, left):
        self.reader, self.left = reader, left

    def readline(self, limit=-1):
        wanted = self.left + 1 if limit is None or limit < 0 else min(limit, self.left + 1)
        line = self.reader.readline(wanted)
        self.left -= len(line)
        if self.left < 0:
            raise HeadersTooLarge("the answer's headers are larger than the budget")
        return line

    def __getattr__(self, name):
        return getattr(self.reader, name)


def capped_session(limit):
    """A requests Session (proxies and CAs as requests finds them) whose answers' heads are
    read within `limit` bytes; a larger one raises (wrapped by requests) HeadersTooLarge."""

    class CappedResponse(http.client.HTTPResponse):
        def begin(self):
            reader, self.fp = self.fp, _Budget(self.fp, limit)
            try:
                super().begin()
            finally:
                self.fp = reader

    class CappedHTTPConnection(HTTPConnection):
        response_class = CappedResponse

    class CappedHTTPSConnection(HTTPSConnection):
        response_class = CappedResponse

    class CappedHTTPPool(HTTPConnectionPool):
        ConnectionCls = CappedHTTPConnection

    class CappedHTTPSPool(HTTPSConnectionPool):
        ConnectionCls = CappedHTTPSConnection

    pools = {"http": CappedHTTPPool, "https": CappedHTTPSPool}

    class CappedAdapter(requests.adapters.HTTPAdapter):
        def init_poolmanager(self, *args, **kwargs):
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = pools

        def proxy_manager_for(self, proxy, **kwargs):
            manager = super().proxy_manager_for(proxy, **kwargs)
            if not proxy.lower().startswith("socks"):
                manager.pool_classes_by_scheme = pools
            return manager

    session = requests.Session()
    session.mount("http://", CappedAdapter())
    session.mount("https://", CappedAdapter())
    return session


def raised_within(error, kind):
    """Whether `kind` is in `error`'s chain: requests and urllib3 wrap what http.client
    raised, as an argument or a cause."""
    seen, waiting = set(), [error]
    while waiting:
        current = waiting.pop()
        if isinstance(current, kind):
            return True
        if id(current) in seen:
            continue
        seen.add(id(current))
        waiting += [arg for arg in current.args if isinstance(arg, BaseException)]
        waiting += [link for link in (current.__cause__, current.__context__) if link]
    return False
