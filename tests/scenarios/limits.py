"""Scenarios: bounded bodies and heads (issue 11), through every front-end.

- A body read into memory (``.content``, ``aread()``, Twisted ``content()``)
  stops with ResponseTooLarge once its decoded size passes
  ``Limits(max_body_size=...)``: an endless server cannot exhaust memory.
  The error names the limit and how to raise it. Streaming reads are not capped.
- A response head past httpkit's limits (64 KiB, 100 header fields, 20 1xx
  responses) is a RemoteProtocolError naming the limit, on every h11 version;
  endless trailers are bounded by the same 64 KiB (InvalidBodyFraming).
- The pool is usable afterwards (the connection of a refused body is closed).

Registered by the import at the bottom of corpus.py. 2.7-compatible syntax.
"""
from __future__ import absolute_import, division, print_function

import gzip
import io

import httpkit
import httpkit.cache
from scenarios.corpus import ok, raised, scenario
from servers import endless as _endless

__all__ = []

SMALL = 64 * 1024




def _endless_chunked(servers):
    chunk = b"4000\r\n" + b"x" * 0x4000 + b"\r\n"
    return servers.scripted([b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                             _endless(chunk * 4)])


def _endless_close_delimited(servers):
    return servers.scripted([b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n",
                             _endless(b"y" * 65536)])


def _small_limits():
    return httpkit.Limits(max_body_size=SMALL)


def _too_large(res):
    raised(res, "ResponseTooLarge", "larger than %d bytes" % SMALL)
    raised(res, "RequestException", "max_body_size")
    assert "stream=True" in res.error_message, res.error_message


def _pool_still_works(s, servers):
    ok(s.request("GET", servers.http.base_url("/get"), timeout=5))


# --------------------------------------------------------------------------- bodies
@scenario
def limits_endless_bodies_are_too_large(adapter, servers):
    for make in (_endless_chunked, _endless_close_delimited):
        server = make(servers)
        with adapter.session(limits=_small_limits()) as s:
            res = s.request("GET", server.url + "/endless", timeout=10)
            _too_large(res)
            _pool_still_works(s, servers)


@scenario
def limits_streaming_reads_are_not_capped(adapter, servers):
    for make in (_endless_chunked, _endless_close_delimited):
        server = make(servers)
        with adapter.session(limits=_small_limits()) as s:
            res = s.stream("GET", server.url + "/endless", chunk_size=SMALL, max_chunks=4,
                           timeout=10)
            assert res.error is None, (res.error, res.error_message)
            assert len(res.chunks) == 4 and sum(len(c) for c in res.chunks) == 4 * SMALL
            _pool_still_works(s, servers)


@scenario
def limits_body_at_the_limit_and_none(adapter, servers):
    with adapter.session(limits=httpkit.Limits(max_body_size=20000)) as s:
        res = s.request("GET", servers.http.base_url("/bytes/20000"), timeout=5)
        ok(res)
        assert len(res.body) == 20000
        res = s.request("GET", servers.http.base_url("/bytes/20001"), timeout=5)
        raised(res, "ResponseTooLarge", "20000")
        _pool_still_works(s, servers)
    with adapter.session(limits=httpkit.Limits(max_body_size=None)) as s:
        res = s.request("GET", servers.http.base_url("/bytes/300000"), timeout=5)
        assert len(res.body) == 300000, res.error_message
    assert httpkit.Limits().max_body_size == 256 * 1024 * 1024


def _gzipped(data):
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb") as f:
        f.write(data)
    return out.getvalue()


@scenario
def limits_decoded_size_counts(adapter, servers):
    # 1 MiB of zeros is ~1 KiB on the wire: the limit is on what the caller would hold.
    body = _gzipped(b"\0" * (1024 * 1024))
    server = servers.scripted([b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n"
                               b"Content-Length: %d\r\n\r\n" % len(body) + body])
    with adapter.session(limits=_small_limits()) as s:
        _too_large(s.request("GET", server.url + "/bomb", timeout=5))
        _pool_still_works(s, servers)


@scenario
def limits_cached_bodies_are_capped_too(adapter, servers):
    cache = httpkit.cache.MemoryCache()
    url = servers.http.base_url("/cache/600")
    # (the echo holds the URL twice: a target under the 64 KiB request line limit)
    big = servers.http.base_url("/cache/600?pad=" + "p" * (SMALL // 2 + 1000))
    with adapter.session(cache=cache) as s:
        ok(s.request("GET", big, timeout=5))
        ok(s.request("GET", url, timeout=5))
    with adapter.session(cache=cache, limits=_small_limits()) as s:
        res = s.request("GET", big, timeout=5)  # a hit: the stored echo is over the limit
        _too_large(res)
        ok(s.request("GET", url, timeout=5))  # a small hit is served as before
        streamed = s.stream("GET", big, chunk_size=1024, timeout=5)
        assert streamed.error is None and sum(len(c) for c in streamed.chunks) > SMALL


# --------------------------------------------------------------------------- heads
def _head_refused(adapter, servers, head, fragment):
    server = servers.scripted([head])
    with adapter.session() as s:
        res = s.request("GET", server.url + "/head", timeout=5)
        raised(res, "RemoteProtocolError", fragment)
        _pool_still_works(s, servers)


@scenario
def limits_huge_heads_are_refused(adapter, servers):
    end = b"Content-Length: 0\r\n\r\n"
    _head_refused(adapter, servers, b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 100000 + b"\r\n" + end,
                  "larger than 65536 bytes")
    _head_refused(adapter, servers, b"HTTP/1.1 200 " + b"O" * 70000 + b"\r\n" + end,
                  "larger than 65536 bytes")
    fields = b"".join(b"X-F" + str(i).encode("ascii") + b": 1\r\n" for i in range(150))
    _head_refused(adapter, servers, b"HTTP/1.1 200 OK\r\n" + fields + end,
                  "more than httpkit's limit of 100")
    _head_refused(adapter, servers, b"HTTP/1.1 100 Continue\r\n\r\n" * 50 +
                  b"HTTP/1.1 200 OK\r\n" + end, "more than 20 informational")
    # An endless head (never a blank line) is refused too, not read forever.
    server = servers.scripted([b"HTTP/1.1 200 OK\r\n", _endless(b"X-More: 1\r\n" * 100)])
    with adapter.session() as s:
        res = s.request("GET", server.url + "/endless-head", timeout=10)
        raised(res, "RemoteProtocolError", "larger than 65536 bytes")
    # Endless trailers after a chunked body: the same bound.
    server = servers.scripted([b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                               b"1\r\na\r\n0\r\n", _endless(b"X-Trailer: 1\r\n" * 100)])
    with adapter.session() as s:
        res = s.request("GET", server.url + "/endless-trailers", timeout=10)
        raised(res, "RemoteProtocolError", "trailer section is larger than 65536 bytes")
        _pool_still_works(s, servers)
    # Within the limits: 100 fields and 20 1xx responses are fine.
    fields = b"".join(b"X-F" + str(i).encode("ascii") + b": 1\r\n" for i in range(99))
    server = servers.scripted([b"HTTP/1.1 103 Early Hints\r\n\r\n" * 20 +
                               b"HTTP/1.1 200 OK\r\n" + fields + end])
    ok(adapter.request("GET", server.url + "/fine", timeout=5))
