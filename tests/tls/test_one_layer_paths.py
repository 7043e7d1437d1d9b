"""HTTPS without a TLS proxy: the request head and the reads through one TLS layer.

``_connection.send_request_head`` hands the head to the layer itself and returns the
``Send`` op of its ciphertext; ``_connection.receive`` reads through the layer in one
flow level. Each case runs them over a real client/server buffer pair of every
backend, in memory (bytes in, bytes out), including the layer refusing or taking
only part of a write, which the fast path must hand on to the general flows.
"""
from __future__ import absolute_import, division, print_function

import h11
import pytest

from httpkit import _connection as _conn
from httpkit import tls
from httpkit._flow import run_flow
from httpkit._ops import Recv, Send
from httpkit.tls import WantReadError

from peers import client_config, handshake_in_memory, server_config

HEAD = [(b"Host", b"localhost"), (b"Accept", b"*/*")]
TRANSPORT = object()


class _Peer(object):
    """The server's side of one connection: what ``Send`` and ``Recv`` ops touch."""

    def __init__(self, server):
        self.server = server
        self.sends = 0
        self.closed = False

    def execute(self, op):
        assert op.transport is TRANSPORT
        if isinstance(op, Send):
            self.sends += 1
            self.server.receive_from_network(op.data)
            return None
        assert isinstance(op, Recv)
        if self.closed:
            return b""
        data = self.server.process_outgoing(op.max_bytes)
        assert data, "the client waits for bytes the server never sent"
        return data

    def plaintext(self):
        out = b""
        while True:
            try:
                piece = self.server.read(65536)
            except WantReadError:
                return out
            if not piece:
                return out
            out += piece


class _Partial(object):
    """A client layer that refuses its first write, then takes at most ``most`` bytes each."""

    def __init__(self, buf, most, refuse=False):
        self._buf = buf
        self._most = most
        self._refuse = refuse

    def write(self, data):
        if self._refuse:
            self._refuse = False
            raise WantReadError("not now")
        return self._buf.write(data[:self._most])

    def __getattr__(self, name):
        return getattr(self._buf, name)


def _connected(backend_name):
    backend = tls.backend(backend_name)
    client = backend.client_context(client_config()).wrap_buffers(u"localhost")
    server = backend.server_context(server_config()).wrap_buffers()
    handshake_in_memory(client, server)
    conn = _conn.Connection(TRANSPORT, ("https", "localhost", 443))
    conn.layers.append(client)
    conn.maybe_plaintext.append(True)
    return conn, _Peer(server)


def _run(step, peer):
    """Carry out what a _connection call returned: an op, or a flow of ops."""
    if isinstance(step, (Send, Recv)):
        return peer.execute(step)
    return run_flow(step, peer.execute)


def _request_sent(peer, body=b""):
    """Check the server decrypted exactly one GET /x head and ``body``."""
    text = peer.plaintext()
    head, sep, rest = text.partition(b"\r\n\r\n")
    assert sep and rest == body, text
    assert head.startswith(b"GET /x HTTP/1.1\r\n") and b"host: localhost" in head.lower()


def test_a_head_the_layer_takes_at_once_is_one_send_op(backend_name):
    conn, peer = _connected(backend_name)
    step = _conn.send_request_head(conn, b"GET", b"/x", HEAD, None, b"")
    assert isinstance(step, Send)  # no flow: the ciphertext is ready
    _run(step, peer)
    _request_sent(peer)
    assert conn.layers[0].outgoing_bytes_buffered() == 0


@pytest.mark.parametrize("refuse", [False, True], ids=["part", "refused-then-part"])
def test_a_layer_that_takes_part_still_gets_every_byte(backend_name, refuse):
    conn, peer = _connected(backend_name)
    conn.layers[0] = _Partial(conn.layers[0], 7, refuse)
    body = b"x" * 100
    headers = HEAD + [(b"Content-Length", b"100")]
    _run(_conn.send_request_head(conn, b"GET", b"/x", headers, None, body), peer)
    _request_sent(peer, body)
    assert peer.sends > 1  # ciphertext left in several sends, none lost


def test_a_read_through_the_layer(backend_name):
    conn, peer = _connected(backend_name)
    _run(_conn.send_request_head(conn, b"GET", b"/x", HEAD, None, b""), peer)
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"
    peer.server.write(answer)
    got = _run(_conn.receive(conn, None), peer)
    assert got == answer
    _conn.give_head_bytes(conn, got)
    assert isinstance(_conn.poll_event(conn), h11.Response)


def test_a_read_at_close_notify_is_empty_and_without_it_none(backend_name):
    conn, peer = _connected(backend_name)
    peer.server.shutdown()
    assert _run(_conn.receive(conn, None), peer) == b""  # a clean TLS end
    conn, peer = _connected(backend_name)
    peer.closed = True  # the transport ends without close_notify
    assert _run(_conn.receive(conn, None), peer) is None
