"""Threaded TLS peers on 127.0.0.1 for the backend tests.

A :class:`ServerThread` listens on port 0, accepts a fixed number of
connections and runs ``handler(conn)`` on each, in one thread. ``conn`` is
either a TLSWrappedSocket over an httpkit ServerContext (:func:`httpkit_server`)
or a plain ``ssl`` server socket (:func:`stdlib_server`: a peer not written
by us). Every wait is bounded by a timeout, the thread is always joined, and
whatever the server hit is kept in ``errors`` for the test to inspect.
"""
from __future__ import absolute_import, division, print_function

import hashlib
import os
import socket
import ssl
import struct
import threading

from httpkit import tls
from httpkit.tls import (Certificate, PrivateKey, TLSConfiguration, TLSVersion, TrustStore,
                         WantReadError)
from httpkit.tls._socket import TLSWrappedSocket

CERTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "certs")
TIMEOUT = 15.0


def cert_path(name):
    return os.path.join(CERTS, name)


def chain(name, password=None):
    """``((Certificate,), PrivateKey)`` for tests/certs/<name>.pem/.key."""
    return ((Certificate.from_file(cert_path(name + ".pem")),),
            PrivateKey.from_file(cert_path(name + ".key"), password=password))


def client_config(**kwargs):
    """A client TLSConfiguration trusting the test CA."""
    kwargs.setdefault("trust_store", TrustStore.from_file(cert_path("ca.pem")))
    return TLSConfiguration(**kwargs)


def server_config(cert="server", **kwargs):
    """A server TLSConfiguration presenting tests/certs/<cert>.pem."""
    return TLSConfiguration(certificate_chain=chain(cert), **kwargs)


class ServerThread(object):
    """Accept ``connections`` connections and run ``handler(conn)`` on each (one thread)."""

    def __init__(self, wrap, handler, connections=1):
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.listener.settimeout(TIMEOUT)
        self.port = self.listener.getsockname()[1]
        self.errors = []
        self.results = []
        self._wrap, self._handler, self._connections = wrap, handler, connections
        self._thread = threading.Thread(target=self._serve)
        self._thread.daemon = True

    def _serve(self):
        for _ in range(self._connections):
            try:
                raw, _ = self.listener.accept()
            except socket.error as exc:
                self.errors.append(exc)
                return
            raw.settimeout(TIMEOUT)
            conn = raw
            try:
                conn = self._wrap(raw)
                self.results.append(self._handler(conn))
            except Exception as exc:  # noqa: B902 - reported to the test
                self.errors.append(exc)
            finally:
                conn.close()
                raw.close()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._thread.join(TIMEOUT * 2)
        self.listener.close()
        assert not self._thread.is_alive(), "server thread did not finish"


def httpkit_server(backend_name, config, handler, connections=1):
    """A ServerThread whose connections are TLSWrappedSockets of ``backend_name``."""
    context = tls.backend(backend_name).server_context(config)

    def wrap(raw):
        conn = context.wrap_socket(raw)
        conn.do_handshake()
        return conn
    return ServerThread(wrap, handler, connections)


def stdlib_ssl_context(cert="server", min_version=None, max_version=None, sni_names=None):
    """A plain ``ssl`` server context; ``sni_names`` (a list) collects the SNI it sees."""
    protocol = getattr(ssl, "PROTOCOL_TLS_SERVER", ssl.PROTOCOL_SSLv23)
    ctx = ssl.SSLContext(protocol)
    ctx.load_cert_chain(cert_path(cert + ".pem"), cert_path(cert + ".key"))
    if max_version is TLSVersion.TLSv1_2 or min_version is TLSVersion.TLSv1_3:
        _pin_version(ctx, max_version or min_version)
    if sni_names is not None:
        def capture(sslobj, name, context):
            sni_names.append(name)
        if hasattr(ctx, "sni_callback"):
            ctx.sni_callback = capture
        else:
            ctx.set_servername_callback(capture)
    return ctx


def _pin_version(ctx, version):
    if hasattr(ctx, "minimum_version"):
        ctx.minimum_version = ctx.maximum_version = getattr(ssl.TLSVersion, version.name)
    elif version is TLSVersion.TLSv1_2:
        ctx.options |= ssl.OP_NO_TLSv1_3
    else:
        ctx.options |= ssl.OP_NO_TLSv1 | ssl.OP_NO_TLSv1_1 | ssl.OP_NO_TLSv1_2


def stdlib_server(handler, connections=1, **kwargs):
    """A ServerThread whose connections are plain ``ssl`` server sockets."""
    ctx = stdlib_ssl_context(**kwargs)
    return ServerThread(lambda raw: ctx.wrap_socket(raw, server_side=True), handler, connections)


def server_for(kind, handler, connections=1, config=None):
    """``kind`` is a backend name or ``"ssl"`` (plain stdlib ``ssl`` server)."""
    if kind == "ssl":
        return stdlib_server(handler, connections)
    return httpkit_server(kind, config or server_config(), handler, connections)


def connect(backend_name, port, config=None, server_hostname=u"localhost", session=None,
            context=None):
    """Open a TLSWrappedSocket to 127.0.0.1:``port`` and complete the handshake."""
    raw = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    try:
        if context is None:
            context = tls.backend(backend_name).client_context(config or client_config())
        if session is not None:
            buffer = context.wrap_buffers(server_hostname, session=session)
        else:
            buffer = context.wrap_buffers(server_hostname)
        conn = TLSWrappedSocket(raw, buffer)
        conn.do_handshake()
    except Exception:
        raw.close()
        raise
    return conn


# ---- handlers
def echo(conn):
    """Echo one message back, then close (with close_notify where the peer supports it)."""
    data = conn.recv(65536)
    conn.sendall(data)
    return data


def recv_exactly(conn, size, digest=None):
    """Read exactly ``size`` bytes (hashing them); return the sha256 hex digest."""
    digest = digest or hashlib.sha256()
    left = size
    while left:
        data = conn.recv(min(left, 256 * 1024))
        if not data:
            raise EOFError("stream ended with %d bytes missing" % left)
        digest.update(data)
        left -= len(data)
    return digest.hexdigest()


_BLOCK = []


def pattern(size):
    """``(chunks, sha256)`` for ``size`` bytes of deterministic pseudo-random data."""
    if not _BLOCK:
        _BLOCK.append(b"".join(hashlib.sha256(struct.pack(">I", i)).digest()
                               for i in range(32768)))  # 1 MiB
    block = _BLOCK[0]
    chunks = [block] * (size // len(block))
    if size % len(block):
        chunks.append(block[:size % len(block)])
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return chunks, digest.hexdigest()


# --------------------------------------------------------------------------- in memory
def handshake_in_memory(client, server):
    """Complete a handshake between two TLS buffers by moving their bytes (no sockets)."""
    done = set()
    for _ in range(20):
        for buf in (client, server):
            if buf not in done:
                try:
                    buf.do_handshake()
                    done.add(buf)
                except WantReadError:
                    pass
        move_bytes(client, server)
        move_bytes(server, client)
        if len(done) == 2:
            return
    raise AssertionError("handshake did not finish")


def move_bytes(src, dst):
    """Hand every ciphertext byte ``src`` has for the network to ``dst``."""
    data = src.peek_outgoing(1 << 22)
    if data:
        src.consume_outgoing(len(data))
        dst.receive_from_network(data)

