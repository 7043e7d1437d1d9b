"""Bounds the hostile catalogue relies on, byte-level: the decoder's output limit for a
body read into memory, and the response-head checks that are the same on every h11."""
from __future__ import absolute_import, division, print_function

import zlib

import h11
import pytest

from httpkit import _strict_h11
from httpkit._connection import _check_start
from httpkit._decoders import CHUNK_SIZE, make_decoder
from httpkit.exceptions import RemoteProtocolError, ResponseTooLarge

MiB = 1024 * 1024


def _gzip(data):
    obj = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return obj.compress(data) + obj.flush()


def test_limit_output_stops_inside_one_decode_call():
    # 32 MiB of zeros is ~32 KiB of gzip: one network read. Without the ratio limit,
    # decode() would return all 32 MiB at once; limit_output stops one piece past 1 MiB.
    bomb = _gzip(b"\0" * (32 * MiB))
    decoder = make_decoder("gzip", max_ratio=None)
    decoder.limit_output(MiB)
    pieces = []
    with pytest.raises(ResponseTooLarge) as info:
        for piece in decoder.iter_decode(bomb):
            pieces.append(piece)
    assert "larger than %d bytes" % MiB in str(info.value)
    assert sum(map(len, pieces)) <= MiB + CHUNK_SIZE


def test_limit_output_lets_a_body_at_the_limit_through():
    decoder = make_decoder("gzip")
    decoder.limit_output(1000)
    assert decoder.decode(_gzip(b"a" * 1000)) + decoder.flush() == b"a" * 1000


def test_iter_decode_pieces_are_bounded():
    bomb = _gzip(b"\0" * (8 * MiB))
    decoder = make_decoder("gzip", max_ratio=None)
    sizes = [len(piece) for piece in decoder.iter_decode(bomb)]
    assert sum(sizes) == 8 * MiB and max(sizes) <= CHUNK_SIZE


class _Head(object):
    """What check_response reads of an h11 event (h11 itself refuses some of these heads)."""

    def __init__(self, status=200, version=b"1.1", headers=()):
        self.status_code, self.http_version = status, version
        self.raw = list(headers)


def _response(status=200, version=b"1.1", headers=()):
    return _Head(status, version, headers)


@pytest.mark.parametrize("event, fragment", [
    (_response(version=b"2.0"), "HTTP/2.0"),
    (_response(status=999), "status 999"),
    (_response(status=600), "status 600"),
])
def test_check_response_refuses(event, fragment):
    with pytest.raises(RemoteProtocolError) as info:
        _strict_h11.check_response(event, event.raw)
    assert fragment in str(info.value)


def test_a_content_length_over_20_digits_is_refused_on_every_h11():
    """h11 0.16 refuses it while parsing; on 0.11 (2.7) check_response does."""
    head = b"HTTP/1.1 200 OK\r\nContent-Length: " + b"9" * 21 + b"\r\n\r\n"
    conn = _strict_h11.client_connection()
    conn.send(h11.Request(method="GET", target="/", headers=[("Host", "x")]))
    try:
        conn.receive_data(head)
        event = conn.next_event()
    except h11.RemoteProtocolError as exc:
        assert not _strict_h11.LENIENT_H11, "h11 0.11 was expected to let it through"
        assert "Content-Length" in str(exc)
        return
    assert _strict_h11.LENIENT_H11, "h11 0.16 was expected to refuse it"
    with pytest.raises(RemoteProtocolError) as info:
        _strict_h11.check_response(event, event.headers.raw_items())
    assert "bad Content-Length" in str(info.value)


@pytest.mark.parametrize("event", [
    _response(), _response(version=b"1.0"), _response(status=599),
    _response(headers=[(b"Content-Length", b"9" * 20)]),
    h11.InformationalResponse(status_code=103, headers=[]),
    h11.Response(status_code=200, headers=[(b"Content-Length", b"2")]),
])
def test_check_response_accepts(event):
    raw = event.raw if isinstance(event, _Head) else event.headers.raw_items()
    _strict_h11.check_response(event, raw)


@pytest.mark.parametrize("data", [b"H", b"HTTP", b"HTTP/1.1 200 OK\r\n", b"HTTP/9"])
def test_check_start_accepts_what_can_begin_a_status_line(data):
    _check_start(data)


@pytest.mark.parametrize("data, shown", [
    (b"SSH-2.0-OpenSSH\r\n", "b'SSH-2.0-OpenSSH'"),
    (b"\x16\x03\x01\x00", "b'\\x16\\x03\\x01\\x00'"),
    (b"<html>", "b'<html>'"),
    (b"\r\nHTTP/1.1 200 OK\r\n", "b'\\r\\nHTTP/1.1 200 OK\\r\\n'"),
    (b"http/1.1 200 OK", "b'http/1.1 200 OK'"),
])
def test_check_start_refuses_and_shows_the_bytes(data, shown):
    with pytest.raises(RemoteProtocolError) as info:
        _check_start(data)
    assert shown in str(info.value), str(info.value)
