"""The held-back start of a counted body (``_connection.give_head_bytes``): bytes in, no I/O.

Each case sends a GET head through the connection's h11, hands it the reads
a server's answer came in, and checks the body, where it came from and
whether the connection may be reused.
"""
from __future__ import absolute_import, division, print_function

import h11
import pytest

from httpkit import _connection as _conn

HEAD = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"


def _answer(reads):
    """The events, body and reusability of a GET answered by ``reads`` (a list of bytes)."""
    conn = _conn.Connection(object(), ("http", "example.com", 80))
    _conn.send_request_head(conn, b"GET", b"/", [(b"Host", b"example.com")], None, b"")
    reads = list(reads)
    while True:
        event = _conn.poll_event(conn)
        if isinstance(event, h11.Response):
            break
        if event is h11.NEED_DATA:
            _conn.give_head_bytes(conn, reads.pop(0))
    fields = [[n.decode("latin-1").lower(), n.decode("latin-1"), v.decode("latin-1")]
              for n, v in event.headers.raw_items()]
    _conn.start_body(conn, b"GET", [], event, fields)
    direct = conn.direct
    body = b""
    while True:
        piece = _conn.buffered_body(conn)
        if piece is None:
            piece = reads.pop(0)
            if conn.direct:
                conn.body_left -= len(piece)
            else:
                _conn.give_h11(conn, piece)
                continue
        if not piece:
            break
        body += piece
    return body, direct, _conn.finish_body(conn)


@pytest.mark.parametrize("reads", [
    [HEAD + b"hello"],                                      # one read: the body is held
    [HEAD[:10], HEAD[10:] + b"hello"],                      # the head in two reads
    [HEAD[:-2], HEAD[-2:] + b"hello"],                      # the blank line across them
    [HEAD[:-1], HEAD[-1:] + b"hel", b"lo"],
    [HEAD, b"hello"],                                       # the body in a read of its own
    [b"HTTP/1.1 100 Continue\r\n\r\n" + HEAD + b"hello"],   # after an informational head
])
def test_a_counted_body_whole_however_it_arrived(reads):
    body, _, reusable = _answer(reads)
    assert body == b"hello" and reusable


def test_a_blank_line_in_the_body_is_not_the_head_end():
    """The head's blank line across two reads, one in the body: h11 frames the start."""
    body, _, reusable = _answer([HEAD[:-2], HEAD[-2:] + b"a\n\nbc"])
    assert body == b"a\n\nbc" and reusable


def test_a_body_read_with_its_head_skips_h11():
    assert _answer([HEAD + b"hello"])[1]


@pytest.mark.parametrize("reads", [
    [HEAD + b"helloHTTP/1.1 200 OK\r\n"],                   # bytes past the body, held
    [HEAD[:-2], HEAD[-2:] + b"helloX"],                     # the same, through h11
])
def test_bytes_past_a_counted_body_close_the_connection(reads):
    body, _, reusable = _answer(reads)
    assert body == b"hello" and not reusable
