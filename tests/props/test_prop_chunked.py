"""Properties of response body framing, driven through the core with a fake driver (no sockets).

Any byte stream after a chunked head is a body or an httpkit framing error
(RemoteProtocolError / ChunkedEncodingError: IncompleteRead, InvalidBodyFraming);
a chunked encoding of random data, cut at random points, decodes back exactly.
"""
from __future__ import absolute_import, division, print_function

import h11
from hypothesis import given
from hypothesis import strategies as st

from _props import SETTINGS, splits
from httpkit import _connection as _conn
from httpkit._flow import Return, run_flow
from httpkit._models import Headers
from httpkit._ops import Recv
from httpkit.exceptions import ChunkedEncodingError, RemoteProtocolError

_HEAD = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"


def _read_body(conn):
    event = yield _conn.next_event(conn, 5)
    assert isinstance(event, h11.Response), event
    _conn.start_body(conn, b"GET", [], event, Headers.from_wire(event.headers.raw_items())._items)
    pieces = []
    while True:
        piece = yield _conn.read_body(conn, 5)
        if not piece:
            raise Return(b"".join(pieces))
        pieces.append(piece)


def receive(pieces):
    """The body of a response arriving as ``pieces`` (then EOF), read by the core."""
    conn = _conn.Connection(object(), None)
    conn.h11.send(h11.Request(method=b"GET", target=b"/", headers=[("Host", "h")]))
    conn.h11.send(h11.EndOfMessage())
    feed = [p for p in pieces if p]

    def execute(op):  # a transport: at most op.max_bytes bytes per read, b"" at the end
        assert isinstance(op, Recv), op
        if not feed:
            return b""
        piece = feed.pop(0)
        if len(piece) > op.max_bytes:
            feed.insert(0, piece[op.max_bytes:])
        return piece[:op.max_bytes]

    return run_flow(_read_body(conn), execute)


@st.composite
def chunked(draw):
    """``(data, encoding)``: random data in random chunks, odd but valid chunk syntax."""
    data = draw(st.binary(max_size=3000))
    out, start = [], 0
    while start < len(data):
        size = draw(st.integers(1, max(1, len(data) - start)))
        head = draw(st.sampled_from(["%x", "%X", "0%x", "%x;ext=1", "%x;a=\"b c\""])) % size
        out.append(head.encode("ascii") + b"\r\n" + data[start:start + size] + b"\r\n")
        start += size
    trailer = draw(st.sampled_from([b"", b"X-Trailer: 1\r\n", b"A: b\r\nC: d\r\n"]))
    return data, b"".join(out) + b"0\r\n" + trailer + b"\r\n"


@SETTINGS
@given(st.data())
def test_a_chunked_body_cut_anywhere_decodes_exactly(data):
    body, encoded = data.draw(chunked())
    wire = _HEAD + encoded
    assert receive(data.draw(splits(wire))) == body


@SETTINGS
@given(st.binary(max_size=300), st.data())
def test_any_bytes_after_a_chunked_head_are_a_body_or_a_framing_error(junk, data):
    wire = _HEAD + junk
    try:
        receive(data.draw(splits(wire)))
    except (RemoteProtocolError, ChunkedEncodingError) as exc:
        assert str(exc)


_NEAR = st.sampled_from([b"5\r\nhello\r\n0\r\n\r\n", b"5\r\nhello", b"5\r\nhelloXX0\r\n\r\n",
                         b"zz\r\n", b"-1\r\n", b"ffffffffffffffffffff\r\n", b"5\r\nhel",
                         b"0\r\nX: y", b"3\r\nabc\n0\r\n\r\n", b"1 1\r\na\r\n0\r\n\r\n"])


@SETTINGS
@given(st.lists(st.one_of(_NEAR, st.binary(max_size=8)), max_size=4), st.data())
def test_near_valid_chunk_streams_are_a_body_or_a_framing_error(parts, data):
    wire = _HEAD + b"".join(parts)
    try:
        receive(data.draw(splits(wire)))
    except (RemoteProtocolError, ChunkedEncodingError) as exc:
        assert str(exc)


@SETTINGS
@given(st.binary(max_size=2000), st.data())
def test_a_counted_body_cut_anywhere_is_exact_or_incomplete(body, data):
    declared = data.draw(st.integers(0, len(body) + 10))
    wire = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % declared + body
    try:
        got = receive(data.draw(splits(wire)))
    except ChunkedEncodingError:  # IncompleteRead: the connection ended early
        assert declared > len(body)
        return
    assert got == body[:declared]
