"""Hostile cases on the wire: what a server sends back (garbage, framing, truncation...).

Each case is one named misbehaviour with ONE outcome on every front-end and
every h11 (0.11 on 2.7, 0.16 on 3.x); docs/hostile.md has the table. Where a
session is used, :func:`pool_recovers` then proves the pool still serves the
origin. Registered by the import at the bottom of catalog.py. 2.7-compatible
syntax.
"""
from __future__ import absolute_import, division, print_function

import functools
import gzip
import io
import time

import httpkit

from servers import endless as _endless
from hostile.catalog import GOOD, call, expect_body, expect_error, hostile, pool_recovers

OK_HEAD = b"HTTP/1.1 200 OK\r\n"
CHUNKED_HEAD = OK_HEAD + b"Transfer-Encoding: chunked\r\n\r\n"
#: The body limit for the endless cases (small: the error comes fast).
SMALL = 64 * 1024


#: The catalogue's per-phase timeout, with a connect phase (TCP and the TLS handshake)
#: that a loaded machine cannot trip: only the cases that test timeouts set their own.
SLACK_TIMEOUT = httpkit.Timeouts(3, connect=10)


def wire(*modes):
    """``@wire(*modes)``, calling with :data:`SLACK_TIMEOUT` unless a case says otherwise."""
    def register(func):
        @functools.wraps(func)
        def case(adapter, servers, peer):
            peer.kwargs["timeout"] = SLACK_TIMEOUT
            return func(adapter, servers, peer)
        hostile(*modes)(case)
        return func
    return register


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
@wire()
def status_line_garbage(adapter, servers, peer):
    """A status line that is not HTTP: RemoteProtocolError, then the pool recovers."""
    server = peer.serve([b"HTTZ/1.1 2OO OK\r\nContent-Length: 2\r\n\r\nok"], [GOOD])
    with adapter.session() as s:
        expect_error(call(s, peer, "GET", server.url + "/x"), "RemoteProtocolError")
        pool_recovers(s, peer, server)


@wire()
def status_line_not_http(adapter, servers, peer):
    """Another protocol's banner (SSH) on the port: refused at its first bytes."""
    _refused(adapter, peer, [b"SSH-2.0-OpenSSH_8.9\r\n"], "RemoteProtocolError",
             "did not answer in HTTP/1.x")


@wire()
def status_line_major_version_2(adapter, servers, peer):
    """``HTTP/2.0 200`` in HTTP/1.1 syntax: a major version httpkit does not speak."""
    _refused(adapter, peer, [b"HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nok"],
             "RemoteProtocolError", "HTTP/2.0")


@wire()
def status_line_minor_version_2(adapter, servers, peer):
    """``HTTP/1.2``: a higher minor version is read as HTTP/1.1 (RFC 9112 section 2.3)."""
    _answered(adapter, peer, [b"HTTP/1.2 200 OK\r\nContent-Length: 2\r\n\r\nok"], b"ok")


@wire()
def status_line_without_status(adapter, servers, peer):
    """``HTTP/1.1 OK``: no status code at all."""
    _refused(adapter, peer, [b"HTTP/1.1 OK\r\nContent-Length: 2\r\n\r\nok"],
             "RemoteProtocolError", "illegal status line")


@wire()
def status_line_two_digit_status(adapter, servers, peer):
    """``HTTP/1.1 20 OK``: a status code must have three digits."""
    _refused(adapter, peer, [b"HTTP/1.1 20 OK\r\nContent-Length: 2\r\n\r\nok"],
             "RemoteProtocolError", "illegal status line")


@wire()
def status_999(adapter, servers, peer):
    """Status 999: outside 100..599 (h11 0.16 passes it on; httpkit refuses on every h11)."""
    _refused(adapter, peer, [b"HTTP/1.1 999 Weird\r\nContent-Length: 2\r\n\r\nok"],
             "RemoteProtocolError", "999")


@wire()
def status_099(adapter, servers, peer):
    """Status 099: three digits, but not an HTTP status."""
    _refused(adapter, peer, [b"HTTP/1.1 099 Weird\r\nContent-Length: 2\r\n\r\nok"],
             "RemoteProtocolError", "99")


@wire()
def status_line_after_empty_line(adapter, servers, peer):
    """A blank line before the status line: not HTTP/1.x (RFC 9112 tolerates it in requests only)."""
    _refused(adapter, peer, [b"\r\n" + GOOD], "RemoteProtocolError", "did not answer in HTTP/1.x")


@wire()
def binary_noise_held_open(adapter, servers, peer):
    """Binary noise with no line end, connection held open: refused at once, not at the timeout."""
    server = peer.serve([b"\x00\xff\x13\x37\x16\x03\x01garbage", ("sleep", 8)], [GOOD])
    with adapter.session() as s:
        res = call(s, peer, "GET", server.url + "/x", timeout=httpkit.Timeouts(8, total=6))
        expect_error(res, "RemoteProtocolError", "did not answer in HTTP/1.x")
        pool_recovers(s, peer, server)


@wire()
def http09_body_without_head(adapter, servers, peer):
    """An HTTP/0.9-style reply (a body, no head), held open: refused at its first bytes."""
    server = peer.serve([b"<html><body>hello</body></html>\n", ("sleep", 8)], [GOOD])
    with adapter.session() as s:
        res = call(s, peer, "GET", server.url + "/x", timeout=httpkit.Timeouts(8, total=6))
        expect_error(res, "RemoteProtocolError", "did not answer in HTTP/1.x")
        pool_recovers(s, peer, server)


@wire()
def unsolicited_101(adapter, servers, peer):
    """101 Switching Protocols to a request that asked for no upgrade."""
    _refused(adapter, peer, [b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n"],
             "RemoteProtocolError", "101 Switching Protocols")


@wire()
def informational_then_garbage(adapter, servers, peer):
    """A valid 100 Continue followed by garbage instead of the final response."""
    _refused(adapter, peer, [b"HTTP/1.1 100 Continue\r\n\r\nGARBAGE\r\n\r\n"],
             "RemoteProtocolError", "illegal status line")


@wire()
def head_cut_by_close(adapter, servers, peer):
    """The connection closes in the middle of the head."""
    _refused(adapter, peer, [b"HTTP/1.1 200 OK\r\nContent-Le", ("close",)],
             "RemoteProtocolError", "closed")


@wire()
def close_without_response(adapter, servers, peer):
    """The request is read, then the connection closes with no answer at all."""
    _refused(adapter, peer, [("close",)], "RemoteProtocolError", "without sending a response")


# --------------------------------------------------------------------------- header garbage
def _bad_header(adapter, peer, line, fragment="illegal header line"):
    _refused(adapter, peer, [OK_HEAD + line + b"\r\nContent-Length: 2\r\n\r\nok"],
             "RemoteProtocolError", fragment)


@wire()
def header_without_colon(adapter, servers, peer):
    _bad_header(adapter, peer, b"X-Bad header")


@wire()
def header_space_before_colon(adapter, servers, peer):
    """``X-Bad : v``: RFC 9112 section 5.1 requires rejecting it (a smuggling vector)."""
    _bad_header(adapter, peer, b"X-Bad : v")


@wire()
def header_nul_in_value(adapter, servers, peer):
    _bad_header(adapter, peer, b"X-Bad: a\x00b")


@wire()
def header_cr_in_value(adapter, servers, peer):
    _bad_header(adapter, peer, b"X-Bad: a\rb")


@wire()
def header_non_ascii_name(adapter, servers, peer):
    _bad_header(adapter, peer, b"X-B\xe4d: a")


@wire()
def header_empty_name(adapter, servers, peer):
    _bad_header(adapter, peer, b": a")


@wire()
def header_continuation_first(adapter, servers, peer):
    """An obs-fold line with no header before it."""
    _refused(adapter, peer, [OK_HEAD + b" X-Bad: a\r\nContent-Length: 2\r\n\r\nok"],
             "RemoteProtocolError", "continuation line")


@wire()
def header_obs_fold(adapter, servers, peer):
    """obs-fold continuation lines are joined with a space (RFC 9112 section 5.2)."""
    res, _ = _answered(adapter, peer, [OK_HEAD + b"X-Folded: a\r\n  folded\r\n\tagain\r\n"
                                       b"Content-Length: 2\r\n\r\nok"], b"ok")
    assert res.headers["x-folded"] == "a folded again", res.headers


@wire()
def header_non_ascii_value(adapter, servers, peer):
    """A Latin-1 byte in a value is passed on as that character (http.client does the same)."""
    res, _ = _answered(adapter, peer, [OK_HEAD + b"X-Name: caf\xe9\r\n"
                                       b"Content-Length: 2\r\n\r\nok"], b"ok")
    assert res.headers["x-name"] == "caf\xe9", res.headers  # native str: latin-1


# --------------------------------------------------------------------------- framing
@wire()
def content_length_and_chunked(adapter, servers, peer):
    """Content-Length beside Transfer-Encoding: chunked: chunked frames the body (RFC 9112
    section 6.3) and the connection is never reused (a smuggling attempt reads both ways)."""
    bad = OK_HEAD + b"Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"
    _, server = _answered(adapter, peer, [bad, ("sleep", 5)], b"ok")
    assert server.connections == 2, server.connections


@wire()
def two_different_content_lengths(adapter, servers, peer):
    _refused(adapter, peer, [OK_HEAD + b"Content-Length: 2\r\nContent-Length: 3\r\n\r\nok!"],
             "RemoteProtocolError", "conflicting Content-Length")


@wire()
def content_length_list(adapter, servers, peer):
    """``Content-Length: 5, 6``."""
    _refused(adapter, peer, [OK_HEAD + b"Content-Length: 5, 6\r\n\r\nhello!"],
             "RemoteProtocolError", "conflicting Content-Length")


@wire()
def content_length_same_twice(adapter, servers, peer):
    """``Content-Length: 2, 2`` (and twice the same header): one length, accepted."""
    _answered(adapter, peer, [OK_HEAD + b"Content-Length: 2, 2\r\nContent-Length: 2\r\n\r\nok"],
              b"ok")


@wire()
def content_length_negative(adapter, servers, peer):
    _refused(adapter, peer, [OK_HEAD + b"Content-Length: -1\r\n\r\nok"],
             "RemoteProtocolError", "bad Content-Length")


@wire()
def content_length_huge(adapter, servers, peer):
    """26 digits: h11 0.16 refuses over 20, and httpkit does on 0.11 too (not an IncompleteRead)."""
    _refused(adapter, peer, [OK_HEAD + b"Content-Length: 99999999999999999999999999\r\n\r\nok"],
             "RemoteProtocolError", "bad Content-Length")


@wire()
def content_length_not_digits(adapter, servers, peer):
    _refused(adapter, peer, [OK_HEAD + b"Content-Length: 0x10\r\n\r\nok"],
             "RemoteProtocolError", "bad Content-Length")


@wire()
def transfer_encoding_gzip(adapter, servers, peer):
    """A transfer coding other than chunked cannot be framed."""
    _refused(adapter, peer, [OK_HEAD + b"Transfer-Encoding: gzip\r\n\r\nok"],
             "RemoteProtocolError", "Transfer-Encoding: chunked")


@wire()
def transfer_encoding_chunked_twice(adapter, servers, peer):
    """``Transfer-Encoding: chunked, chunked``: chunked applied twice is refused."""
    _refused(adapter, peer, [OK_HEAD + b"Transfer-Encoding: chunked, chunked\r\n\r\n"
                                       b"2\r\nok\r\n0\r\n\r\n"],
             "RemoteProtocolError", "Transfer-Encoding: chunked")


@wire()
def chunked_in_http10(adapter, servers, peer):
    """An HTTP/1.0 response with Transfer-Encoding: chunked is read chunked, not reused."""
    _, server = _answered(adapter, peer, [b"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                          b"2\r\nok\r\n0\r\n\r\n", ("sleep", 5)], b"ok")
    assert server.connections == 2, server.connections


@wire()
def bytes_after_the_body(adapter, servers, peer):
    """Junk after a complete Content-Length body: the response stands, the connection goes."""
    _, server = _answered(adapter, peer, [OK_HEAD + b"Content-Length: 2\r\n\r\nokJUNK",
                                          ("sleep", 5)], b"ok")
    assert server.connections == 2, server.connections


@wire()
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


@wire()
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


@wire()
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
@wire()
def body_shorter_than_content_length(adapter, servers, peer):
    """Content-Length 10, five bytes, close: IncompleteRead, never a 5-byte success."""
    server = peer.serve([b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello", ("close",)],
                        [GOOD])
    with adapter.session() as s:
        expect_error(call(s, peer, "GET", server.url + "/x"), "IncompleteRead", "5 bytes")
        pool_recovers(s, peer, server)


@wire("tls")
def body_cut_without_close_notify(adapter, servers, peer):
    """TLS: Content-Length 10, five bytes, TCP closed with no close_notify."""
    _refused(adapter, peer, [OK_HEAD + b"Content-Length: 10\r\n\r\nhello",
                             ("tls_close_without_notify",)], "IncompleteRead", "5 bytes")


@wire()
def chunked_cut_mid_chunk(adapter, servers, peer):
    _refused(adapter, peer, [CHUNKED_HEAD + b"10\r\nabc", ("close",)], "IncompleteRead")


@wire()
def chunked_cut_before_last_chunk(adapter, servers, peer):
    _refused(adapter, peer, [CHUNKED_HEAD + b"3\r\nabc\r\n", ("close",)], "IncompleteRead")


@wire()
def close_delimited_body(adapter, servers, peer):
    """No framing headers, ended by a clean close (over TLS: with close_notify): complete."""
    _answered(adapter, peer, [OK_HEAD + b"\r\nhello", ("close",)], b"hello")


@wire("tls")
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


@wire()
def chunk_size_40_digits(adapter, servers, peer):
    """A 40-digit chunk size (hex overflow)."""
    _bad_chunks(adapter, peer, b"1" * 40 + b"\r\nok\r\n0\r\n\r\n", fragment="chunk header")


@wire()
def chunk_size_beyond_64_bits(adapter, servers, peer):
    """17 hex digits: a size past 2**64 is read as one (it never comes): IncompleteRead."""
    _bad_chunks(adapter, peer, b"f" * 17 + b"\r\nok\r\n0\r\n\r\n", "IncompleteRead")


@wire()
def chunk_size_negative(adapter, servers, peer):
    _bad_chunks(adapter, peer, b"-2\r\nok\r\n0\r\n\r\n", fragment="chunk header")


@wire()
def chunk_size_not_hex(adapter, servers, peer):
    _bad_chunks(adapter, peer, b"zz\r\nok\r\n0\r\n\r\n", fragment="chunk header")


@wire()
def chunk_size_0x_prefix(adapter, servers, peer):
    _bad_chunks(adapter, peer, b"0x2\r\nok\r\n0\r\n\r\n", fragment="chunk header")


@wire()
def chunk_extensions_galore(adapter, servers, peer):
    """8 KB of chunk extensions (and one on the last chunk) are ignored."""
    _answered(adapter, peer, [CHUNKED_HEAD + b"2" + b";a=b" * 2000 + b"\r\nok\r\n"
                              b"0;x=\"y\"\r\n\r\n"], b"ok")


@wire()
def chunk_extension_endless(adapter, servers, peer):
    """A chunk-size line that never ends: the 64 KiB bound."""
    _bad_chunks(adapter, peer, b"2;", fragment=None)


@wire()
def chunk_longer_than_its_size(adapter, servers, peer):
    """Size 2, seven bytes of data: the footer check (h11 0.11 would skip two bytes unchecked)."""
    _bad_chunks(adapter, peer, b"2\r\nokEXTRA\r\n0\r\n\r\n", fragment="chunk footer")


@wire()
def chunk_without_crlf_after_data(adapter, servers, peer):
    _bad_chunks(adapter, peer, b"2\r\nok0\r\n\r\n", fragment="chunk footer")


# The cases about bodies over time (endless, slow, silent, resets, uploads, decoding).
from hostile import cases_wire_io  # noqa: E402,F401
