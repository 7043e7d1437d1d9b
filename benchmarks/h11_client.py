"""A minimal HTTP/1.1 client: h11 over a blocking socket, the ceiling of the sans-I/O design.

No pool, no redirects, no decoding, no timeouts beyond the socket's: just the
bytes-in/events-out loop every httpkit request also runs. If httpkit comes close
to this, its layers cost little; the gap is what they cost.
"""
from __future__ import absolute_import, division, print_function

import socket
import ssl

import h11


class H11Client(object):
    """One keep-alive connection to ``host:port`` (TLS when ``context`` is given)."""

    def __init__(self, host, port, context=None, server_hostname=None, timeout=30):
        self.host, self.port = host, port
        self.context = context
        self.server_hostname = server_hostname or host
        self.timeout = timeout
        self.sock = None
        self.conn = None

    def _connect(self):
        sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.context is not None:
            sock = self.context.wrap_socket(sock, server_hostname=self.server_hostname)
        self.sock = sock
        self.conn = h11.Connection(h11.CLIENT)

    def close(self):
        if self.sock is not None:
            self.sock.close()
        self.sock = self.conn = None

    def _next_event(self):
        while True:
            event = self.conn.next_event()
            if event is h11.NEED_DATA:
                self.conn.receive_data(self.sock.recv(65536))
                continue
            return event

    def stream(self, path, headers=()):
        """GET ``path``; yield body chunks (the connection is reused when it can be)."""
        if self.sock is None:
            self._connect()
        hdrs = [("Host", "%s:%d" % (self.host, self.port))] + list(headers)
        self.sock.sendall(self.conn.send(h11.Request(method="GET", target=path, headers=hdrs)))
        self.sock.sendall(self.conn.send(h11.EndOfMessage()))
        event = self._next_event()
        if not isinstance(event, h11.Response):
            raise RuntimeError("unexpected event %r" % (event,))
        self.status = event.status_code
        while True:
            event = self._next_event()
            if isinstance(event, h11.Data):
                yield event.data
            elif isinstance(event, h11.EndOfMessage):
                break
        if self.conn.our_state is h11.DONE and self.conn.their_state is h11.DONE:
            self.conn.start_next_cycle()
        else:
            self.close()

    def get(self, path, headers=()):
        """GET ``path``; return the whole body."""
        return b"".join(self.stream(path, headers))


def client_context(cafile):
    """A verifying client SSLContext trusting ``cafile``."""
    return ssl.create_default_context(cafile=cafile)
