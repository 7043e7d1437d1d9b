"""The total deadline (``Timeouts(total=...)``) bounds every phase, in every front-end.

Each scenario plays a peer that keeps the client busy without ever letting a
per-phase timeout fire (a byte now and then, a slow hop): only the total
deadline can stop it. Bounds are generous (total=1 must end well before 10 s);
a deadline that did not hold would take the whole drip (tens of seconds) instead.
Afterwards the session's pool still serves a normal request.
"""
from __future__ import absolute_import, division, print_function

import time

import httpkit
import httpkit.cache

from scenarios.corpus import ok, raised, scenario

#: The deadline under test, and the bound its error must arrive within (slack for slow CI).
TOTAL = 1.0
BOUND = 10.0
#: Per-phase timeouts far above the deadline: only the deadline may end the call.
TIMEOUT = httpkit.Timeouts(8, total=TOTAL)


def _drip(data, gap=0.25):
    """Script steps sending ``data`` one byte every ``gap`` seconds."""
    steps = []
    for i in range(len(data)):
        steps.extend([data[i:i + 1], ("sleep", gap)])
    return steps


def _times_out(s, method, url, **kwargs):
    """Send through session handle ``s``; assert DeadlineExceeded within BOUND seconds."""
    started = time.time()
    res = s.request(method, url, timeout=TIMEOUT, **kwargs)
    elapsed = time.time() - started
    raised(res, "DeadlineExceeded", "deadline")
    assert elapsed < BOUND, "the %ss deadline took %.1fs" % (TOTAL, elapsed)
    return res


def _pool_still_serves(s, servers):
    ok(s.request("GET", servers.http.base_url("/get"), timeout=5))


@scenario
def deadline_holds_while_the_head_drips(adapter, servers):
    """A status line and headers sent a byte at a time never reset the deadline."""
    head = b"HTTP/1.1 200 OK\r\nX-Slow: " + b"x" * 60 + b"\r\nContent-Length: 0\r\n\r\n"
    server = servers.scripted(_drip(head))
    with adapter.session() as s:
        _times_out(s, "GET", server.url + "/slow-head")
        _pool_still_serves(s, servers)


@scenario
def deadline_holds_while_a_proxy_drips_connect(adapter, servers):
    """A proxy answering CONNECT a byte at a time: the deadline ends the tunnel setup."""
    proxy = servers.scripted(_drip(b"HTTP/1.1 200 Connection established" + b" " * 40
                                   + b"\r\n\r\n"))
    with adapter.session() as s:
        _times_out(s, "GET", servers.https.base_url("/get"), proxies={"https": proxy.url},
                   verify=servers.ca_bundle)
        assert proxy.received and proxy.received[0].startswith(b"CONNECT ")
        _pool_still_serves(s, servers)


@scenario
def deadline_holds_through_a_silent_tls_handshake(adapter, servers):
    """A server that accepts TCP and never answers the ClientHello."""
    silent = servers.scripted([("sleep", 8)], read_first=False)
    with adapter.session() as s:
        _times_out(s, "GET", "https://127.0.0.1:%d/" % silent.port, verify=servers.ca_bundle)
        _pool_still_serves(s, servers)


@scenario
def deadline_holds_across_slow_redirect_hops(adapter, servers):
    """Each hop answers within its read timeout; the chain as a whole does not."""
    def hop(ctx):
        return (b"HTTP/1.1 302 Found\r\nLocation: /hop/%d\r\nConnection: close\r\n"
                b"Content-Length: 0\r\n\r\n" % (ctx.index + 1))
    server = servers.scripted([("sleep", 0.4), hop])
    with adapter.session(max_redirects=50) as s:
        _times_out(s, "GET", server.url + "/hop/0")
        assert server.connections >= 2  # it did follow hops before the deadline
        _pool_still_serves(s, servers)


@scenario
def deadline_holds_while_the_body_drips(adapter, servers):
    """The body-drip variant, streamed: the read that crosses the deadline is the error."""
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n"
    server = servers.scripted([head] + _drip(b"y" * 40))
    with adapter.session() as s:
        _times_out(s, "GET", server.url + "/slow-body")
        _pool_still_serves(s, servers)


@scenario
def deadline_holds_while_a_streamed_body_drips(adapter, servers):
    """stream=True: the deadline still bounds iter_content, and the error says deadline."""
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n"
    server = servers.scripted([head] + _drip(b"z" * 40))
    with adapter.session() as s:
        started = time.time()
        res = s.stream("GET", server.url + "/slow-stream", chunk_size=1, timeout=TIMEOUT)
        assert time.time() - started < BOUND
        raised(res, "DeadlineExceeded", "deadline")
        assert 0 < len(res.chunks) < 40  # some of it came, and it did not pass as complete
        _pool_still_serves(s, servers)


# --------------------------------------------------------------------------- blocking calls
#: How long the blocking calls below take: past the deadline, well inside BOUND.
SLOW_CALL = 3.0


class _SlowStore(httpkit.cache.MemoryCache):
    """A store whose lookups block (a slow disk or cache server)."""

    blocking = True

    def load(self, key):
        time.sleep(SLOW_CALL)
        return super(_SlowStore, self).load(key)


def _slow_wsgi_app(environ, start_response):
    time.sleep(SLOW_CALL)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"late"]


@scenario
def deadline_bounds_a_slow_cache_store(adapter, servers):
    """A blocking store lookup (an Offload) past the deadline: DeadlineExceeded, not a miss.

    asyncio and Twisted abandon the call when the deadline passes; the blocking
    front-end cannot interrupt it and raises as soon as it returns.
    """
    with adapter.session(cache=_SlowStore()) as s:
        res = _times_out(s, "GET", servers.http.base_url("/cache/60"))
        assert "blocking call" in res.error_message, res.error_message
        ok(s.request("GET", servers.http.base_url("/get"), timeout=5, cache=False))


@scenario
def deadline_bounds_a_blocking_wsgi_app(adapter, servers):
    """A WSGI app slower than the deadline (run through Offload)."""
    app = httpkit.WSGITransport(_slow_wsgi_app)
    with adapter.session(mounts={"http://wsgi.test/": app}) as s:
        res = _times_out(s, "GET", "http://wsgi.test/slow")
        assert "blocking call" in res.error_message, res.error_message
        _pool_still_serves(s, servers)
