"""Hostile cases about policy: redirects, credentials, cookies, keep-alive replays, TLS trust.

Registered by the import at the bottom of catalog.py. 2.7-compatible syntax.
"""
from __future__ import absolute_import, division, print_function

from hostile.catalog import call, expect_error, hostile


@hostile()
def redirect_loop(adapter, servers, peer):
    """A server redirecting to itself forever: TooManyRedirects with the history."""
    hop = b"HTTP/1.1 302 Found\r\nLocation: /loop\r\nContent-Length: 0\r\n\r\n"
    server = peer.serve([hop] + [("read_request",), hop] * 40)
    res = expect_error(call(adapter, peer, "GET", server.url + "/loop"), "TooManyRedirects")
    assert len(res.error_history) >= 10, res.error_history
