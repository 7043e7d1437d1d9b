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


class _Trickle(_Peer):
    """A server whose ciphertext arrives ``most`` bytes per read."""

    def __init__(self, server, most):
        super(_Trickle, self).__init__(server)
        self.most = most

    def execute(self, op):
        if isinstance(op, Recv) and not self.closed:
            data = self.server.process_outgoing(min(op.max_bytes, self.most))
            assert data, "the client waits for bytes the server never sent"
            return data
        return super(_Trickle, self).execute(op)


def _read_head(conn, peer):
    """Read the start of a response as ``exchange`` does: (what was yielded first, plaintext)."""
    read = _conn.receive_head(conn, None)
    data = _conn.head_plaintext(conn, read, _run(read, peer))
    if data is _conn.MORE:
        data = _run(_conn.receive(conn, None), peer)
    return read, data


def _answered(backend_name, peer_class=_Peer, **kwargs):
    conn, peer = _connected(backend_name)
    peer = peer_class(peer.server, **kwargs)
    _run(_conn.send_request_head(conn, b"GET", b"/x", HEAD, None, b""), peer)
    try:  # as after a response read whole: nothing received or decrypted waits
        conn.layers[0].read(65536)  # (the TLS 1.3 tickets the handshake left)
    except WantReadError:
        pass
    conn.maybe_plaintext[0] = False
    assert not conn.layers[0].incoming_bytes_buffered()
    return conn, peer


ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"


def test_a_head_in_one_record_is_read_by_the_recv_op_itself(backend_name):
    conn, peer = _answered(backend_name)
    peer.server.write(ANSWER)
    read, data = _read_head(conn, peer)
    assert isinstance(read, Recv)  # no flow: the ciphertext, decrypted by a plain call
    assert data == ANSWER


def test_a_record_in_pieces_is_read_on_by_the_flow(backend_name):
    conn, peer = _answered(backend_name, _Trickle, most=9)
    peer.server.write(ANSWER)
    read, data = _read_head(conn, peer)
    assert isinstance(read, Recv)
    assert data == ANSWER


def test_plaintext_already_decrypted_is_read_by_the_flow(backend_name):
    conn, peer = _answered(backend_name)
    peer.server.write(ANSWER)
    conn.layers[0].receive_from_network(peer.server.process_outgoing(65536))
    read, data = _read_head(conn, peer)  # (ciphertext received, not yet decrypted)
    assert not isinstance(read, Recv)
    assert data == ANSWER


def test_a_head_read_at_close_notify_is_empty_and_without_it_none(backend_name):
    conn, peer = _answered(backend_name)
    _request_sent(peer)  # (the server reads the request before it closes)
    peer.server.shutdown()
    assert _read_head(conn, peer)[1] == b""
    conn, peer = _answered(backend_name)
    peer.closed = True
    assert _read_head(conn, peer)[1] is None
