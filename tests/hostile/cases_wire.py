"""Hostile cases on the wire: what a server sends back (garbage, framing, truncation...).

Each case is one named misbehaviour with ONE outcome on every front-end and
every h11 (0.11 on 2.7, 0.16 on 3.x); docs/hostile.md has the table. Where a
session is used, :func:`pool_recovers` then proves the pool still serves the
origin. Registered by the import at the bottom of catalog.py. 2.7-compatible
syntax.
"""
from __future__ import absolute_import, division, print_function

import gzip
import io
import socket
import time

import httpkit
from httpkit import _decoders

from hostile.catalog import GOOD, call, expect_body, expect_error, hostile, pool_recovers

OK_HEAD = b"HTTP/1.1 200 OK\r\n"
CHUNKED_HEAD = OK_HEAD + b"Transfer-Encoding: chunked\r\n\r\n"
#: The body limit for the endless cases (small: the error comes fast).
SMALL = 64 * 1024
#: An "endless" peer stops on its own after this long (the client never waits for it).
_ENDLESS_FOR = 30.0


# --------------------------------------------------------------------------- helpers
def _refused(adapter, peer, bad, name, fragment=None, **kwargs):
    """Play ``bad`` on the first connection: ``name`` naming ``fragment``, then the pool recovers."""
    server = peer.serve(bad, [GOOD])
    with adapter.session() as s:
        res = expect_error(call(s, peer, "GET", server.url + "/x", **kwargs), name, fragment)
        pool_recovers(s, peer, server)
    return res


def _answered(adapter, peer, bad, body, status=200, **kwargs):
    """Play ``bad`` on the first connection: a response with exactly ``body``; pool recovers."""
    server = peer.serve(bad, [GOOD])
    with adapter.session() as s:
        res = expect_body(call(s, peer, "GET", server.url + "/x", **kwargs), body, status)
        pool_recovers(s, peer, server)
    return res, server


def _endless(piece):
    """A script step sending ``piece`` until the client goes away (bounded in time)."""
    def step(ctx):
        stop = time.time() + _ENDLESS_FOR
        try:
            while time.time() < stop and not ctx.server._stop.is_set():
                ctx.sock.sendall(piece)
        except (socket.error, IOError, ValueError):
            pass  # the client closed the connection: what the case expects
    return step


def _drip(data, gap=0.25):
    """Script steps sending ``data`` one byte every ``gap`` seconds."""
    steps = []
    for i in range(len(data)):
        steps.extend([data[i:i + 1], ("sleep", gap)])
    return steps


def _answer_after_head(response):
    """A script step: read the request head only, answer ``response`` (body left unread)."""
    def step(ctx):
        from peer_base import Reader
        Reader(ctx.sock).read_until(b"\r\n\r\n", 65536)
        return response
    return step


def _gzipped(data, times=1):
    for _ in range(times):
        out = io.BytesIO()
        with gzip.GzipFile(fileobj=out, mode="wb") as f:
            f.write(data)
        data = out.getvalue()
    return data


_BOMB = []


def bomb_body():
    """~1 GiB of zeros as 16 gzip members of 64 MiB each (~1 MiB on the wire), built once."""
    if not _BOMB:
        _BOMB.append(_gzipped(b"\0" * (64 << 20)) * 16)
    return _BOMB[0]


def _encoded(body, coding):
    return (OK_HEAD + b"Content-Encoding: " + coding + b"\r\nContent-Length: %d\r\n\r\n"
            % len(body) + body)


# --------------------------------------------------------------------------- status line
@hostile()
def status_line_garbage(adapter, servers, peer):
    """A status line that is not HTTP: RemoteProtocolError, then the pool recovers."""
    server = peer.serve([b"HTTZ/1.1 2OO OK\r\nContent-Length: 2\r\n\r\nok"], [GOOD])
    with adapter.session() as s:
        expect_error(call(s, peer, "GET", server.url + "/x"), "RemoteProtocolError")
        pool_recovers(s, peer, server)


@hostile()
def status_line_not_http(adapter, servers, peer):
    """Another protocol's banner (SSH) on the port: refused at its first bytes."""
    _refused(adapter, peer, [b"SSH-2.0-OpenSSH_8.9\r\n"], "RemoteProtocolError",
             "did not answer in HTTP/1.x")


@hostile()
def status_line_major_version_2(adapter, servers, peer):
    """``HTTP/2.0 200`` in HTTP/1.1 syntax: a major version httpkit does not speak."""
    _refused(adapter, peer, [b"HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nok"],
             "RemoteProtocolError", "HTTP/2.0")


@hostile()
def status_line_minor_version_2(adapter, servers, peer):
    """``HTTP/1.2``: a higher minor version is read as HTTP/1.1 (RFC 9112 section 2.3)."""
    _answered(adapter, peer, [b"HTTP/1.2 200 OK\r\nContent-Length: 2\r\n\r\nok"], b"ok")


@hostile()
def status_line_without_status(adapter, servers, peer):
    """``HTTP/1.1 OK``: no status code at all."""
    _refused(adapter, peer, [b"HTTP/1.1 OK\r\nContent-Length: 2\r\n\r\nok"],
             "RemoteProtocolError", "illegal status line")


@hostile()
def status_line_two_digit_status(adapter, servers, peer):
    """``HTTP/1.1 20 OK``: a status code must have three digits."""
    _refused(adapter, peer, [b"HTTP/1.1 20 OK\r\nContent-Length: 2\r\n\r\nok"],
             "RemoteProtocolError", "illegal status line")


@hostile()
def status_999(adapter, servers, peer):
    """Status 999: outside 100..599 (h11 0.16 passes it on; httpkit refuses on every h11)."""
    _refused(adapter, peer, [b"HTTP/1.1 999 Weird\r\nContent-Length: 2\r\n\r\nok"],
             "RemoteProtocolError", "999")


@hostile()
def status_099(adapter, servers, peer):
    """Status 099: three digits, but not an HTTP status."""
    _refused(adapter, peer, [b"HTTP/1.1 099 Weird\r\nContent-Length: 2\r\n\r\nok"],
             "RemoteProtocolError", "99")


@hostile()
def status_line_after_empty_line(adapter, servers, peer):
    """A blank line before the status line: not HTTP/1.x (RFC 9112 tolerates it in requests only)."""
    _refused(adapter, peer, [b"\r\n" + GOOD], "RemoteProtocolError", "did not answer in HTTP/1.x")


@hostile()
def binary_noise_held_open(adapter, servers, peer):
    """Binary noise with no line end, connection held open: refused at once, not at the timeout."""
    server = peer.serve([b"\x00\xff\x13\x37\x16\x03\x01garbage", ("sleep", 8)], [GOOD])
    with adapter.session() as s:
        res = call(s, peer, "GET", server.url + "/x", timeout=httpkit.Timeouts(8, total=6))
        expect_error(res, "RemoteProtocolError", "did not answer in HTTP/1.x")
        pool_recovers(s, peer, server)


@hostile()
def http09_body_without_head(adapter, servers, peer):
    """An HTTP/0.9-style reply (a body, no head), held open: refused at its first bytes."""
    server = peer.serve([b"<html><body>hello</body></html>\n", ("sleep", 8)], [GOOD])
    with adapter.session() as s:
        res = call(s, peer, "GET", server.url + "/x", timeout=httpkit.Timeouts(8, total=6))
        expect_error(res, "RemoteProtocolError", "did not answer in HTTP/1.x")
        pool_recovers(s, peer, server)


@hostile()
def unsolicited_101(adapter, servers, peer):
    """101 Switching Protocols to a request that asked for no upgrade."""
    _refused(adapter, peer, [b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n"],
             "RemoteProtocolError", "101 Switching Protocols")


@hostile()
def informational_then_garbage(adapter, servers, peer):
    """A valid 100 Continue followed by garbage instead of the final response."""
    _refused(adapter, peer, [b"HTTP/1.1 100 Continue\r\n\r\nGARBAGE\r\n\r\n"],
             "RemoteProtocolError", "illegal status line")


@hostile()
def head_cut_by_close(adapter, servers, peer):
    """The connection closes in the middle of the head."""
    _refused(adapter, peer, [b"HTTP/1.1 200 OK\r\nContent-Le", ("close",)],
             "RemoteProtocolError", "closed")


@hostile()
def close_without_response(adapter, servers, peer):
    """The request is read, then the connection closes with no answer at all."""
    _refused(adapter, peer, [("close",)], "RemoteProtocolError", "without sending a response")


# --------------------------------------------------------------------------- header garbage
def _bad_header(adapter, peer, line, fragment="illegal header line"):
    _refused(adapter, peer, [OK_HEAD + line + b"\r\nContent-Length: 2\r\n\r\nok"],
             "RemoteProtocolError", fragment)


@hostile()
def header_without_colon(adapter, servers, peer):
    _bad_header(adapter, peer, b"X-Bad header")


@hostile()
def header_space_before_colon(adapter, servers, peer):
    """``X-Bad : v``: RFC 9112 section 5.1 requires rejecting it (a smuggling vector)."""
    _bad_header(adapter, peer, b"X-Bad : v")


@hostile()
def header_nul_in_value(adapter, servers, peer):
    _bad_header(adapter, peer, b"X-Bad: a\x00b")


@hostile()
def header_cr_in_value(adapter, servers, peer):
    _bad_header(adapter, peer, b"X-Bad: a\rb")


@hostile()
def header_non_ascii_name(adapter, servers, peer):
    _bad_header(adapter, peer, b"X-B\xe4d: a")


@hostile()
def header_empty_name(adapter, servers, peer):
    _bad_header(adapter, peer, b": a")


@hostile()
def header_continuation_first(adapter, servers, peer):
    """An obs-fold line with no header before it."""
    _refused(adapter, peer, [OK_HEAD + b" X-Bad: a\r\nContent-Length: 2\r\n\r\nok"],
             "RemoteProtocolError", "continuation line")


@hostile()
def header_obs_fold(adapter, servers, peer):
    """obs-fold continuation lines are joined with a space (RFC 9112 section 5.2)."""
    res, _ = _answered(adapter, peer, [OK_HEAD + b"X-Folded: a\r\n  folded\r\n\tagain\r\n"
                                       b"Content-Length: 2\r\n\r\nok"], b"ok")
    assert res.headers["x-folded"] == "a folded again", res.headers


@hostile()
def header_non_ascii_value(adapter, servers, peer):
    """A Latin-1 byte in a value is passed on as that character (http.client does the same)."""
    res, _ = _answered(adapter, peer, [OK_HEAD + b"X-Name: caf\xe9\r\n"
                                       b"Content-Length: 2\r\n\r\nok"], b"ok")
    assert res.headers["x-name"] == "caf\xe9", res.headers  # native str: latin-1


# --------------------------------------------------------------------------- framing
@hostile()
def content_length_and_chunked(adapter, servers, peer):
    """Content-Length beside Transfer-Encoding: chunked: chunked frames the body (RFC 9112
    section 6.3) and the connection is never reused (a smuggling attempt reads both ways)."""
    bad = OK_HEAD + b"Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"
    _, server = _answered(adapter, peer, [bad, ("sleep", 5)], b"ok")
    assert server.connections == 2, server.connections


@hostile()
def two_different_content_lengths(adapter, servers, peer):
    _refused(adapter, peer, [OK_HEAD + b"Content-Length: 2\r\nContent-Length: 3\r\n\r\nok!"],
             "RemoteProtocolError", "conflicting Content-Length")


@hostile()
def content_length_list(adapter, servers, peer):
    """``Content-Length: 5, 6``."""
    _refused(adapter, peer, [OK_HEAD + b"Content-Length: 5, 6\r\n\r\nhello!"],
             "RemoteProtocolError", "conflicting Content-Length")


@hostile()
def content_length_same_twice(adapter, servers, peer):
    """``Content-Length: 2, 2`` (and twice the same header): one length, accepted."""
    _answered(adapter, peer, [OK_HEAD + b"Content-Length: 2, 2\r\nContent-Length: 2\r\n\r\nok"],
              b"ok")


@hostile()
def content_length_negative(adapter, servers, peer):
    _refused(adapter, peer, [OK_HEAD + b"Content-Length: -1\r\n\r\nok"],
             "RemoteProtocolError", "bad Content-Length")


@hostile()
def content_length_huge(adapter, servers, peer):
    """26 digits: h11 0.16 refuses over 20, and httpkit does on 0.11 too (not an IncompleteRead)."""
    _refused(adapter, peer, [OK_HEAD + b"Content-Length: 99999999999999999999999999\r\n\r\nok"],
             "RemoteProtocolError", "bad Content-Length")


@hostile()
def content_length_not_digits(adapter, servers, peer):
    _refused(adapter, peer, [OK_HEAD + b"Content-Length: 0x10\r\n\r\nok"],
             "RemoteProtocolError", "bad Content-Length")


@hostile()
def transfer_encoding_gzip(adapter, servers, peer):
    """A transfer coding other than chunked cannot be framed."""
    _refused(adapter, peer, [OK_HEAD + b"Transfer-Encoding: gzip\r\n\r\nok"],
             "RemoteProtocolError", "Transfer-Encoding: chunked")


@hostile()
def transfer_encoding_chunked_twice(adapter, servers, peer):
    """``Transfer-Encoding: chunked, chunked``: chunked applied twice is refused."""
    _refused(adapter, peer, [OK_HEAD + b"Transfer-Encoding: chunked, chunked\r\n\r\n"
                                       b"2\r\nok\r\n0\r\n\r\n"],
             "RemoteProtocolError", "Transfer-Encoding: chunked")


@hostile()
def chunked_in_http10(adapter, servers, peer):
    """An HTTP/1.0 response with Transfer-Encoding: chunked is read chunked, not reused."""
    _, server = _answered(adapter, peer, [b"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                          b"2\r\nok\r\n0\r\n\r\n", ("sleep", 5)], b"ok")
    assert server.connections == 2, server.connections


@hostile()
def bytes_after_the_body(adapter, servers, peer):
    """Junk after a complete Content-Length body: the response stands, the connection goes."""
    _, server = _answered(adapter, peer, [OK_HEAD + b"Content-Length: 2\r\n\r\nokJUNK",
                                          ("sleep", 5)], b"ok")
    assert server.connections == 2, server.connections


@hostile()
def unsolicited_response_on_idle_connection(adapter, servers, peer):
    """A second response sent on a kept-alive connection while it is idle in the pool:
    the next request takes a new connection, never that stale answer as its own."""
    evil = OK_HEAD + b"Content-Length: 5\r\n\r\nEVIL!"
    server = peer.serve([GOOD, ("sleep", 0.3), evil, ("sleep", 5)], [GOOD])
    with adapter.session() as s:
        expect_body(call(s, peer, "GET", server.url + "/first"), b"good")
        time.sleep(1.0)  # the stale response is in the idle connection's buffer by now
        expect_body(call(s, peer, "GET", server.url + "/second"), b"good")
    assert server.connections == 2, server.connections


@hostile()
def body_sent_with_a_head_response(adapter, servers, peer):
    """A HEAD answered with its body anyway: no body for the caller, the bytes are not
    read as the next response (the connection is not reused)."""
    server = peer.serve([OK_HEAD + b"Content-Length: 5\r\n\r\nhello", ("sleep", 5)], [GOOD])
    with adapter.session() as s:
        res = expect_body(call(s, peer, "HEAD", server.url + "/x"), b"")
        assert res.headers["content-length"] == "5"
        time.sleep(0.5)  # the stray body is in the idle connection's buffer by now
        pool_recovers(s, peer, server)
    assert server.connections == 2, server.connections


@hostile()
def body_sent_with_a_304(adapter, servers, peer):
    """A 304 carrying a body (RFC 9110 forbids one): same as the HEAD case."""
    server = peer.serve([b"HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\nhello",
                         ("sleep", 5)], [GOOD])
    with adapter.session() as s:
        expect_body(call(s, peer, "GET", server.url + "/x"), b"", 304)
        time.sleep(0.5)
        pool_recovers(s, peer, server)
    assert server.connections == 2, server.connections


# --------------------------------------------------------------------------- truncation
@hostile()
def body_shorter_than_content_length(adapter, servers, peer):
    """Content-Length 10, five bytes, close: IncompleteRead, never a 5-byte success."""
    server = peer.serve([b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello", ("close",)],
                        [GOOD])
    with adapter.session() as s:
        expect_error(call(s, peer, "GET", server.url + "/x"), "IncompleteRead", "5 bytes")
        pool_recovers(s, peer, server)


@hostile("tls")
def body_cut_without_close_notify(adapter, servers, peer):
    """TLS: Content-Length 10, five bytes, TCP closed with no close_notify."""
    _refused(adapter, peer, [OK_HEAD + b"Content-Length: 10\r\n\r\nhello",
                             ("tls_close_without_notify",)], "IncompleteRead", "5 bytes")


@hostile()
def chunked_cut_mid_chunk(adapter, servers, peer):
    _refused(adapter, peer, [CHUNKED_HEAD + b"10\r\nabc", ("close",)], "IncompleteRead")


@hostile()
def chunked_cut_before_last_chunk(adapter, servers, peer):
    _refused(adapter, peer, [CHUNKED_HEAD + b"3\r\nabc\r\n", ("close",)], "IncompleteRead")


@hostile()
def close_delimited_body(adapter, servers, peer):
    """No framing headers, ended by a clean close (over TLS: with close_notify): complete."""
    _answered(adapter, peer, [OK_HEAD + b"\r\nhello", ("close",)], b"hello")


@hostile("tls")
def close_delimited_body_without_close_notify(adapter, servers, peer):
    """TLS: a body that ends at close, closed without close_notify: IncompleteRead.

    urllib3/requests accept it as complete; httpkit cannot tell it from a
    truncation attack (RFC 8446 section 6.1), so it reports it (docs/hostile.md).
    """
    _refused(adapter, peer, [OK_HEAD + b"\r\nhello", ("tls_close_without_notify",)],
             "IncompleteRead", "close_notify")


# --------------------------------------------------------------------------- chunk sizes
def _bad_chunks(adapter, peer, body, name="InvalidBodyFraming", fragment=None):
    res = _refused(adapter, peer, [CHUNKED_HEAD + body], name, fragment)
    assert "ChunkedEncodingError" in res.error_mro, res.error_mro


@hostile()
def chunk_size_40_digits(adapter, servers, peer):
    """A 40-digit chunk size (hex overflow)."""
    _bad_chunks(adapter, peer, b"1" * 40 + b"\r\nok\r\n0\r\n\r\n", fragment="chunk header")


@hostile()
def chunk_size_beyond_64_bits(adapter, servers, peer):
    """17 hex digits: a size past 2**64 is read as one (it never comes): IncompleteRead."""
    _bad_chunks(adapter, peer, b"f" * 17 + b"\r\nok\r\n0\r\n\r\n", "IncompleteRead")


@hostile()
def chunk_size_negative(adapter, servers, peer):
    _bad_chunks(adapter, peer, b"-2\r\nok\r\n0\r\n\r\n", fragment="chunk header")


@hostile()
def chunk_size_not_hex(adapter, servers, peer):
    _bad_chunks(adapter, peer, b"zz\r\nok\r\n0\r\n\r\n", fragment="chunk header")


@hostile()
def chunk_size_0x_prefix(adapter, servers, peer):
    _bad_chunks(adapter, peer, b"0x2\r\nok\r\n0\r\n\r\n", fragment="chunk header")


@hostile()
def chunk_extensions_galore(adapter, servers, peer):
    """8 KB of chunk extensions (and one on the last chunk) are ignored."""
    _answered(adapter, peer, [CHUNKED_HEAD + b"2" + b";a=b" * 2000 + b"\r\nok\r\n"
                              b"0;x=\"y\"\r\n\r\n"], b"ok")


@hostile()
def chunk_extension_endless(adapter, servers, peer):
    """A chunk-size line that never ends: the 64 KiB bound."""
    _bad_chunks(adapter, peer, b"2;", fragment=None)


@hostile()
def chunk_longer_than_its_size(adapter, servers, peer):
    """Size 2, seven bytes of data: the footer check (h11 0.11 would skip two bytes unchecked)."""
    _bad_chunks(adapter, peer, b"2\r\nokEXTRA\r\n0\r\n\r\n", fragment="chunk footer")


@hostile()
def chunk_without_crlf_after_data(adapter, servers, peer):
    _bad_chunks(adapter, peer, b"2\r\nok0\r\n\r\n", fragment="chunk footer")


# --------------------------------------------------------------------------- endless
def _too_large(adapter, peer, steps):
    server = peer.serve(steps, [GOOD])
    with adapter.session(limits=httpkit.Limits(max_body_size=SMALL)) as s:
        res = call(s, peer, "GET", server.url + "/endless", timeout=10)
        expect_error(res, "ResponseTooLarge", "larger than %d bytes" % SMALL)
        pool_recovers(s, peer, server)


@hostile()
def endless_chunked_body(adapter, servers, peer):
    chunk = b"4000\r\n" + b"x" * 0x4000 + b"\r\n"
    _too_large(adapter, peer, [CHUNKED_HEAD, _endless(chunk * 4)])


@hostile()
def endless_close_delimited_body(adapter, servers, peer):
    _too_large(adapter, peer, [OK_HEAD + b"Connection: close\r\n\r\n", _endless(b"y" * 65536)])


@hostile()
def endless_counted_body(adapter, servers, peer):
    """A Content-Length of 1 TB, sent for as long as the client reads."""
    _too_large(adapter, peer, [OK_HEAD + b"Content-Length: 1000000000000\r\n\r\n",
                               _endless(b"z" * 65536)])


@hostile()
def endless_header_line(adapter, servers, peer):
    _refused(adapter, peer, [OK_HEAD + b"X-Endless: ", _endless(b"a" * 4096)],
             "RemoteProtocolError", "larger than 65536 bytes", timeout=10)


@hostile()
def endless_header_fields(adapter, servers, peer):
    """Header fields forever: the head size bound ends it (the 100-field cap needs an end)."""
    _refused(adapter, peer, [OK_HEAD, _endless(b"X-More: 1\r\n" * 100)],
             "RemoteProtocolError", "larger than 65536 bytes", timeout=10)


@hostile()
def too_many_header_fields(adapter, servers, peer):
    fields = b"".join(b"X-F" + str(i).encode("ascii") + b": 1\r\n" for i in range(150))
    _refused(adapter, peer, [OK_HEAD + fields + b"Content-Length: 0\r\n\r\n"],
             "RemoteProtocolError", "limit of 100")


@hostile()
def endless_trailers(adapter, servers, peer):
    _refused(adapter, peer, [CHUNKED_HEAD + b"1\r\na\r\n0\r\n", _endless(b"X-Trailer: 1\r\n" * 100)],
             "InvalidBodyFraming", "trailer section is larger than 65536", timeout=10)


@hostile()
def endless_informational(adapter, servers, peer):
    _refused(adapter, peer, [_endless(b"HTTP/1.1 102 Processing\r\n\r\n" * 10)],
             "RemoteProtocolError", "more than 20 informational", timeout=10)


# --------------------------------------------------------------------------- slow and silent
#: Per-phase timeouts the drips never trip (a byte every 0.25 s), under a total deadline.
DRIP_TIMEOUT = httpkit.Timeouts(1.5, total=2)


@hostile()
def drip_head(adapter, servers, peer):
    """The head a byte per 0.25 s: the read timeout never fires, the deadline does."""
    head = b"HTTP/1.1 200 OK\r\nX-Slow: " + b"x" * 60 + b"\r\nContent-Length: 0\r\n\r\n"
    _refused(adapter, peer, _drip(head), "DeadlineExceeded", "deadline", timeout=DRIP_TIMEOUT)


@hostile()
def drip_body(adapter, servers, peer):
    """The body a byte per 0.25 s: DeadlineExceeded, never a short body."""
    _refused(adapter, peer, [OK_HEAD + b"Content-Length: 40\r\n\r\n"] + _drip(b"y" * 40),
             "DeadlineExceeded", "deadline", timeout=DRIP_TIMEOUT)


@hostile()
def silent_server(adapter, servers, peer):
    """Reads the request, never answers: ReadTimeout after the read timeout."""
    _refused(adapter, peer, [("sleep", 8)], "ReadTimeout", timeout=1)


@hostile("tls")
def tls_handshake_never_completes(adapter, servers, peer):
    """TCP accepted, the ClientHello never answered: the handshake is under the connect
    timeout, so ConnectTimeout (safe to retry: nothing was sent)."""
    silent = servers.scripted([("sleep", 8)], read_first=False)
    res = call(adapter, peer, "GET", "https://127.0.0.1:%d/" % silent.port, timeout=1)
    expect_error(res, "ConnectTimeout")


@hostile("tls")
def proxy_never_answers_connect(adapter, servers, peer):
    """A proxy that reads CONNECT and never answers: ProxyConnectTimeout (a ConnectTimeout)."""
    proxy = servers.scripted([("sleep", 8)])
    res = call(adapter, peer, "GET", servers.https.base_url("/get"), timeout=1,
               proxies={"https": proxy.url})
    expect_error(res, "ProxyConnectTimeout", "CONNECT tunnel")
    assert "ConnectTimeout" in res.error_mro and "ProxyError" in res.error_mro


@hostile("tls")
def plaintext_reply_to_tls(adapter, servers, peer):
    """An http server on the https URL answers the ClientHello in plain HTTP: SSLError naming it."""
    plain = servers.scripted([b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"],
                             read_first=False)
    res = call(adapter, peer, "GET", "https://127.0.0.1:%d/" % plain.port)
    expect_error(res, "SSLError", "did not answer in TLS")
    assert res.error_reason == "not_tls", res.error_reason


# --------------------------------------------------------------------------- resets
@hostile()
def reset_mid_head(adapter, servers, peer):
    _refused(adapter, peer, [b"HTTP/1.1 200 OK\r\nContent-Le", ("sleep", 0.2), ("rst",)],
             "ConnectionError")


@hostile()
def reset_mid_body(adapter, servers, peer):
    _refused(adapter, peer, [OK_HEAD + b"Content-Length: 100\r\n\r\nabc", ("sleep", 0.2),
                             ("rst",)], "ConnectionError")


def _stream_cut(adapter, peer, bad, name, fragment=None):
    """Stream ``bad`` with iter_content: ``name`` raised mid-body, the pieces so far short."""
    server = peer.serve(bad, [GOOD])
    with adapter.session() as s:
        res = s.stream("GET", server.url + "/x", chunk_size=1, **peer.call_kwargs())
        expect_error(res, name, fragment)
        assert not res.complete and res.body == b"abc"[:len(res.body)], res.chunks
        pool_recovers(s, peer, server)


@hostile()
def reset_mid_streamed_body(adapter, servers, peer):
    """stream=True: the reset is raised by the iteration, which never ends as if complete."""
    _stream_cut(adapter, peer, [OK_HEAD + b"Content-Length: 100\r\n\r\nabc", ("sleep", 0.2),
                                ("rst",)], "ConnectionError")


@hostile()
def streamed_body_cut_by_close(adapter, servers, peer):
    """stream=True, Content-Length 100, three bytes and a close: IncompleteRead."""
    _stream_cut(adapter, peer, [OK_HEAD + b"Content-Length: 100\r\n\r\nabc", ("sleep", 0.2),
                                ("close",)], "IncompleteRead", "97 bytes")


@hostile()
def streamed_chunked_body_cut_by_close(adapter, servers, peer):
    _stream_cut(adapter, peer, [CHUNKED_HEAD + b"3\r\nabc\r\n", ("sleep", 0.2), ("close",)],
                "IncompleteRead")


# --------------------------------------------------------------------------- uploads
BIG_UPLOAD = 2 << 20


@hostile()
def early_413_during_upload(adapter, servers, peer):
    """A 413 + close after the head, while a 2 MB upload is being sent: the 413 is the answer."""
    answer = (b"HTTP/1.1 413 Payload Too Large\r\nContent-Length: 8\r\n"
              b"Connection: close\r\n\r\ntoo big!")
    server = peer.serve([_answer_after_head(answer), ("sleep", 0.2)], [("read_request",), GOOD],
                        read_first=False)
    with adapter.session() as s:
        expect_body(call(s, peer, "POST", server.url + "/up", data=b"x" * BIG_UPLOAD),
                    b"too big!", 413)
        pool_recovers(s, peer, server)


@hostile()
def early_401_during_upload(adapter, servers, peer):
    answer = (b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer\r\n"
              b"Content-Length: 6\r\nConnection: close\r\n\r\nlog in")
    server = peer.serve([_answer_after_head(answer), ("sleep", 0.2)], [("read_request",), GOOD],
                        read_first=False)
    with adapter.session() as s:
        expect_body(call(s, peer, "PUT", server.url + "/up", data=b"x" * BIG_UPLOAD),
                    b"log in", 401)
        pool_recovers(s, peer, server)


@hostile()
def upload_never_read(adapter, servers, peer):
    """The server never reads a 32 MB upload: the send stalls, WriteTimeout."""
    server = peer.serve([("sleep", 8)], [("read_request",), GOOD],
                        read_first=False)
    with adapter.session() as s:
        expect_error(call(s, peer, "POST", server.url + "/up", data=b"x" * (32 << 20),
                          timeout=1), "WriteTimeout")
        pool_recovers(s, peer, server)


@hostile()
def upload_never_read_deadline(adapter, servers, peer):
    """The same stall under a total deadline: DeadlineExceeded."""
    server = peer.serve([("sleep", 8)], [("read_request",), GOOD],
                        read_first=False)
    with adapter.session() as s:
        expect_error(call(s, peer, "POST", server.url + "/up", data=b"x" * (32 << 20),
                          timeout=httpkit.Timeouts(8, total=1)), "DeadlineExceeded", "deadline")
        pool_recovers(s, peer, server)


@hostile()
def expect_continue_answered_with_final_status(adapter, servers, peer):
    """``Expect: 100-continue`` answered with 417 and no 100: the 417 is the response."""
    answer = (b"HTTP/1.1 417 Expectation Failed\r\nContent-Length: 2\r\n"
              b"Connection: close\r\n\r\nno")
    server = peer.serve([_answer_after_head(answer), ("sleep", 0.2)], [("read_request",), GOOD],
                        read_first=False)
    with adapter.session() as s:
        expect_body(call(s, peer, "POST", server.url + "/up", data=b"x" * 100000,
                         headers={"Expect": "100-continue"}), b"no", 417)
        pool_recovers(s, peer, server)


# --------------------------------------------------------------------------- decoding
@hostile()
def gzip_bomb(adapter, servers, peer):
    """~1 MiB of gzip that decodes to 1 GiB: DecompressionBombError (the ratio limit)."""
    res = _refused(adapter, peer, [_encoded(bomb_body(), b"gzip")], "DecompressionBombError",
                   "max_ratio", timeout=10)
    assert "ContentDecodingError" in res.error_mro


@hostile()
def gzip_nested_bomb(adapter, servers, peer):
    """``gzip, gzip``: the 1 GiB bomb gzipped again (a few KB on the wire): the ratio limit."""
    body = _gzipped(bomb_body())
    _refused(adapter, peer, [_encoded(body, b"gzip, gzip")], "DecompressionBombError",
             "max_ratio", timeout=10)


@hostile()
def gzip_bomb_decoded_size(adapter, servers, peer):
    """The bomb with the ratio limit off: the decoded-size limit (max_decoded_size) stops it."""
    server = peer.serve([_encoded(bomb_body(), b"gzip")], [GOOD])
    with adapter.session(max_decoded_size=8 << 20, max_decompression_ratio=10 ** 9) as s:
        expect_error(call(s, peer, "GET", server.url + "/bomb", timeout=10),
                     "DecompressionBombError", "max_size=%d" % (8 << 20))
        pool_recovers(s, peer, server)


@hostile()
def gzip_bomb_body_limit(adapter, servers, peer):
    """A small bomb (1 MiB decoded, under the ratio floor): Limits(max_body_size) counts decoded bytes."""
    _too_large(adapter, peer, [_encoded(_gzipped(b"\0" * (1 << 20)), b"gzip")])


@hostile()
def gzip_chain_of_four(adapter, servers, peer):
    """``gzip, gzip, gzip, gzip``: within the limit of 5 codings, decoded in order."""
    _answered(adapter, peer, [_encoded(_gzipped(b"hello", 4), b"gzip, gzip, gzip, gzip")],
              b"hello")


@hostile()
def gzip_chain_too_long(adapter, servers, peer):
    """Six stacked codings: ContentDecodingError naming the limit."""
    _refused(adapter, peer, [_encoded(_gzipped(b"hello", 6), b", ".join([b"gzip"] * 6))],
             "ContentDecodingError", "too many content codings")


@hostile()
def unknown_coding(adapter, servers, peer):
    """``Content-Encoding: snappy``: passed through undecoded, as requests does."""
    res, _ = _answered(adapter, peer, [_encoded(b"xyz", b"snappy")], b"xyz")
    assert res.headers["content-encoding"] == "snappy"


@hostile()
def garbage_gzip(adapter, servers, peer):
    _refused(adapter, peer, [_encoded(b"\x1f\x8bnot really gzip at all", b"gzip")],
             "ContentDecodingError", "gzip")


@hostile()
def truncated_gzip(adapter, servers, peer):
    """A gzip stream cut short (with a correct Content-Length): not a short success."""
    _refused(adapter, peer, [_encoded(_gzipped(b"hello world" * 100)[:30], b"gzip")],
             "ContentDecodingError", "ended before")


@hostile()
def garbage_brotli(adapter, servers, peer):
    """``br`` that is not brotli: ContentDecodingError when a brotli library is installed,
    passed through undecoded when none is (brotli is optional)."""
    if "br" in _decoders.supported_encodings():
        _refused(adapter, peer, [_encoded(b"definitely not brotli", b"br")],
                 "ContentDecodingError", "br")
    else:
        _answered(adapter, peer, [_encoded(b"definitely not brotli", b"br")],
                  b"definitely not brotli")
