"""Hostile cases on the wire: what a server sends back (garbage, framing, truncation...).

Registered by the import at the bottom of catalog.py. 2.7-compatible syntax.
"""
from __future__ import absolute_import, division, print_function

from hostile.catalog import GOOD, call, expect_error, hostile, pool_recovers


@hostile()
def status_line_garbage(adapter, servers, peer):
    """A status line that is not HTTP: RemoteProtocolError, then the pool recovers."""
    server = peer.serve([b"HTTZ/1.1 2OO OK\r\nContent-Length: 2\r\n\r\nok"], [GOOD])
    with adapter.session() as s:
        expect_error(call(s, peer, "GET", server.url + "/x"), "RemoteProtocolError")
        pool_recovers(s, peer, server)


@hostile()
def body_shorter_than_content_length(adapter, servers, peer):
    """Content-Length 10, five bytes, close: IncompleteRead, never a 5-byte success."""
    server = peer.serve([b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello", ("close",)],
                        [GOOD])
    with adapter.session() as s:
        expect_error(call(s, peer, "GET", server.url + "/x"), "IncompleteRead", "5 bytes")
        pool_recovers(s, peer, server)
