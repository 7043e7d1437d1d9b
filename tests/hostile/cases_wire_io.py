"""Hostile cases on the wire, continued: endless and slow peers, silence, resets,
early answers to uploads, content decoding.

Imported (so registered) at the bottom of cases_wire.py, whose helpers these cases
share; docs/hostile.md has the table. 2.7-compatible syntax.
"""
from __future__ import absolute_import, division, print_function

import httpkit
from httpkit import _decoders

from hostile.catalog import GOOD, call, expect_body, expect_error, pool_recovers
from hostile.cases_wire import (CHUNKED_HEAD, OK_HEAD, SMALL, _answer_after_head, _answered,
                                _drip, _encoded, _endless, _gzipped, _refused, bomb_body, wire)


# --------------------------------------------------------------------------- endless
def _too_large(adapter, peer, steps):
    server = peer.serve(steps, [GOOD])
    with adapter.session(limits=httpkit.Limits(max_body_size=SMALL)) as s:
        res = call(s, peer, "GET", server.url + "/endless", timeout=10)
        expect_error(res, "ResponseTooLarge", "larger than %d bytes" % SMALL)
        pool_recovers(s, peer, server)


@wire()
def endless_chunked_body(adapter, servers, peer):
    chunk = b"4000\r\n" + b"x" * 0x4000 + b"\r\n"
    _too_large(adapter, peer, [CHUNKED_HEAD, _endless(chunk * 4)])


@wire()
def endless_close_delimited_body(adapter, servers, peer):
    _too_large(adapter, peer, [OK_HEAD + b"Connection: close\r\n\r\n", _endless(b"y" * 65536)])


@wire()
def endless_counted_body(adapter, servers, peer):
    """A Content-Length of 1 TB, sent for as long as the client reads."""
    _too_large(adapter, peer, [OK_HEAD + b"Content-Length: 1000000000000\r\n\r\n",
                               _endless(b"z" * 65536)])


@wire()
def endless_header_line(adapter, servers, peer):
    _refused(adapter, peer, [OK_HEAD + b"X-Endless: ", _endless(b"a" * 4096)],
             "RemoteProtocolError", "larger than 65536 bytes", timeout=10)


@wire()
def endless_header_fields(adapter, servers, peer):
    """Header fields forever: the head size bound ends it (the 100-field cap needs an end)."""
    _refused(adapter, peer, [OK_HEAD, _endless(b"X-More: 1\r\n" * 100)],
             "RemoteProtocolError", "larger than 65536 bytes", timeout=10)


@wire()
def too_many_header_fields(adapter, servers, peer):
    fields = b"".join(b"X-F" + str(i).encode("ascii") + b": 1\r\n" for i in range(150))
    _refused(adapter, peer, [OK_HEAD + fields + b"Content-Length: 0\r\n\r\n"],
             "RemoteProtocolError", "limit of 100")


@wire()
def endless_trailers(adapter, servers, peer):
    _refused(adapter, peer, [CHUNKED_HEAD + b"1\r\na\r\n0\r\n", _endless(b"X-Trailer: 1\r\n" * 100)],
             "InvalidBodyFraming", "trailer section is larger than 65536", timeout=10)


@wire()
def endless_informational(adapter, servers, peer):
    _refused(adapter, peer, [_endless(b"HTTP/1.1 102 Processing\r\n\r\n" * 10)],
             "RemoteProtocolError", "more than 20 informational", timeout=10)


# --------------------------------------------------------------------------- slow and silent
#: Per-phase timeouts the drips never trip (a byte every 0.25 s), under a total deadline.
DRIP_TIMEOUT = httpkit.Timeouts(1.5, total=2)


@wire()
def drip_head(adapter, servers, peer):
    """The head a byte per 0.25 s: the read timeout never fires, the deadline does."""
    head = b"HTTP/1.1 200 OK\r\nX-Slow: " + b"x" * 60 + b"\r\nContent-Length: 0\r\n\r\n"
    _refused(adapter, peer, _drip(head), "DeadlineExceeded", "deadline", timeout=DRIP_TIMEOUT)


@wire()
def drip_body(adapter, servers, peer):
    """The body a byte per 0.25 s: DeadlineExceeded, never a short body."""
    _refused(adapter, peer, [OK_HEAD + b"Content-Length: 40\r\n\r\n"] + _drip(b"y" * 40),
             "DeadlineExceeded", "deadline", timeout=DRIP_TIMEOUT)


@wire()
def silent_server(adapter, servers, peer):
    """Reads the request, never answers: ReadTimeout after the read timeout."""
    _refused(adapter, peer, [("sleep", 8)], "ReadTimeout", timeout=1)


@wire("tls")
def tls_handshake_never_completes(adapter, servers, peer):
    """TCP accepted, the ClientHello never answered: the handshake is under the connect
    timeout, so ConnectTimeout (safe to retry: nothing was sent)."""
    silent = servers.scripted([("sleep", 8)], read_first=False)
    res = call(adapter, peer, "GET", "https://127.0.0.1:%d/" % silent.port, timeout=1)
    expect_error(res, "ConnectTimeout")


@wire("tls")
def proxy_never_answers_connect(adapter, servers, peer):
    """A proxy that reads CONNECT and never answers: ProxyConnectTimeout (a ConnectTimeout)."""
    proxy = servers.scripted([("sleep", 8)])
    res = call(adapter, peer, "GET", servers.https.base_url("/get"), timeout=1,
               proxies={"https": proxy.url})
    expect_error(res, "ProxyConnectTimeout", "CONNECT tunnel")
    assert "ConnectTimeout" in res.error_mro and "ProxyError" in res.error_mro


@wire("tls")
def plaintext_reply_to_tls(adapter, servers, peer):
    """An http server on the https URL answers the ClientHello in plain HTTP: SSLError naming it."""
    plain = servers.scripted([b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"],
                             read_first=False)
    res = call(adapter, peer, "GET", "https://127.0.0.1:%d/" % plain.port)
    expect_error(res, "SSLError", "did not answer in TLS")
    assert res.error_reason == "not_tls", res.error_reason


# --------------------------------------------------------------------------- resets
@wire()
def reset_mid_head(adapter, servers, peer):
    _refused(adapter, peer, [b"HTTP/1.1 200 OK\r\nContent-Le", ("sleep", 0.2), ("rst",)],
             "ConnectionError")


@wire()
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


@wire()
def reset_mid_streamed_body(adapter, servers, peer):
    """stream=True: the reset is raised by the iteration, which never ends as if complete."""
    _stream_cut(adapter, peer, [OK_HEAD + b"Content-Length: 100\r\n\r\nabc", ("sleep", 0.2),
                                ("rst",)], "ConnectionError")


@wire()
def streamed_body_cut_by_close(adapter, servers, peer):
    """stream=True, Content-Length 100, three bytes and a close: IncompleteRead."""
    _stream_cut(adapter, peer, [OK_HEAD + b"Content-Length: 100\r\n\r\nabc", ("sleep", 0.2),
                                ("close",)], "IncompleteRead", "97 bytes")


@wire()
def streamed_chunked_body_cut_by_close(adapter, servers, peer):
    _stream_cut(adapter, peer, [CHUNKED_HEAD + b"3\r\nabc\r\n", ("sleep", 0.2), ("close",)],
                "IncompleteRead")


# --------------------------------------------------------------------------- uploads
BIG_UPLOAD = 2 << 20


@wire()
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


@wire()
def early_401_during_upload(adapter, servers, peer):
    answer = (b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer\r\n"
              b"Content-Length: 6\r\nConnection: close\r\n\r\nlog in")
    server = peer.serve([_answer_after_head(answer), ("sleep", 0.2)], [("read_request",), GOOD],
                        read_first=False)
    with adapter.session() as s:
        expect_body(call(s, peer, "PUT", server.url + "/up", data=b"x" * BIG_UPLOAD),
                    b"log in", 401)
        pool_recovers(s, peer, server)


@wire()
def upload_never_read(adapter, servers, peer):
    """The server never reads a 32 MB upload: the send stalls, WriteTimeout."""
    server = peer.serve([("sleep", 8)], [("read_request",), GOOD],
                        read_first=False)
    with adapter.session() as s:
        expect_error(call(s, peer, "POST", server.url + "/up", data=b"x" * (32 << 20),
                          timeout=1), "WriteTimeout")
        pool_recovers(s, peer, server)


@wire()
def upload_never_read_deadline(adapter, servers, peer):
    """The same stall under a total deadline: DeadlineExceeded."""
    server = peer.serve([("sleep", 8)], [("read_request",), GOOD],
                        read_first=False)
    with adapter.session() as s:
        expect_error(call(s, peer, "POST", server.url + "/up", data=b"x" * (32 << 20),
                          timeout=httpkit.Timeouts(8, total=1)), "DeadlineExceeded", "deadline")
        pool_recovers(s, peer, server)


@wire()
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
@wire()
def gzip_bomb(adapter, servers, peer):
    """~1 MiB of gzip that decodes to 1 GiB: DecompressionBombError (the ratio limit)."""
    res = _refused(adapter, peer, [_encoded(bomb_body(), b"gzip")], "DecompressionBombError",
                   "max_ratio", timeout=10)
    assert "ContentDecodingError" in res.error_mro


@wire()
def gzip_nested_bomb(adapter, servers, peer):
    """``gzip, gzip``: the 1 GiB bomb gzipped again (a few KB on the wire): the ratio limit."""
    body = _gzipped(bomb_body())
    _refused(adapter, peer, [_encoded(body, b"gzip, gzip")], "DecompressionBombError",
             "max_ratio", timeout=10)


@wire()
def gzip_bomb_decoded_size(adapter, servers, peer):
    """The bomb with the ratio limit off: the decoded-size limit (max_decoded_size) stops it."""
    server = peer.serve([_encoded(bomb_body(), b"gzip")], [GOOD])
    with adapter.session(max_decoded_size=8 << 20, max_decompression_ratio=10 ** 9) as s:
        expect_error(call(s, peer, "GET", server.url + "/bomb", timeout=10),
                     "DecompressionBombError", "max_size=%d" % (8 << 20))
        pool_recovers(s, peer, server)


@wire()
def gzip_bomb_body_limit(adapter, servers, peer):
    """A small bomb (1 MiB decoded, under the ratio floor): Limits(max_body_size) counts decoded bytes."""
    _too_large(adapter, peer, [_encoded(_gzipped(b"\0" * (1 << 20)), b"gzip")])


@wire()
def gzip_chain_of_four(adapter, servers, peer):
    """``gzip, gzip, gzip, gzip``: within the limit of 5 codings, decoded in order."""
    _answered(adapter, peer, [_encoded(_gzipped(b"hello", 4), b"gzip, gzip, gzip, gzip")],
              b"hello")


@wire()
def gzip_chain_too_long(adapter, servers, peer):
    """Six stacked codings: ContentDecodingError naming the limit."""
    _refused(adapter, peer, [_encoded(_gzipped(b"hello", 6), b", ".join([b"gzip"] * 6))],
             "ContentDecodingError", "too many content codings")


@wire()
def unknown_coding(adapter, servers, peer):
    """``Content-Encoding: snappy``: passed through undecoded, as requests does."""
    res, _ = _answered(adapter, peer, [_encoded(b"xyz", b"snappy")], b"xyz")
    assert res.headers["content-encoding"] == "snappy"


@wire()
def garbage_gzip(adapter, servers, peer):
    _refused(adapter, peer, [_encoded(b"\x1f\x8bnot really gzip at all", b"gzip")],
             "ContentDecodingError", "gzip")


@wire()
def truncated_gzip(adapter, servers, peer):
    """A gzip stream cut short (with a correct Content-Length): not a short success."""
    _refused(adapter, peer, [_encoded(_gzipped(b"hello world" * 100)[:30], b"gzip")],
             "ContentDecodingError", "ended before")


@wire()
def garbage_brotli(adapter, servers, peer):
    """``br`` that is not brotli: ContentDecodingError when a brotli library is installed,
    passed through undecoded when none is (brotli is optional)."""
    if "br" in _decoders.supported_encodings():
        _refused(adapter, peer, [_encoded(b"definitely not brotli", b"br")],
                 "ContentDecodingError", "br")
    else:
        _answered(adapter, peer, [_encoded(b"definitely not brotli", b"br")],
                  b"definitely not brotli")
