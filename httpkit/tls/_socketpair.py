"""The ``socketpair`` TLS backend: a stdlib-only TLSWrappedBuffer (the default on 2.7).

Python 2.7 has no ``ssl.MemoryBIO``. Here one end of a ``socket.socketpair()``
is wrapped by ``ssl`` (non-blocking, ``do_handshake_on_connect=False``,
``suppress_ragged_eofs=False``) and the other end is ours: ciphertext from
the network is sent into our end, ciphertext to the network is received
from it. It runs unchanged on 3.x (POSIX only: 2.7 has no socketpair on
Windows).

Rules:
- The ``SSLContext`` comes from the shared builder in ``_stdlib``.
- Pull outgoing ciphertext lazily (only when asked for it, or when the pair
  is full: ``SSLWantWriteError`` -> drain and retry); push queued incoming
  ciphertext only when ``ssl`` wants to read. Queues are chunk lists with a
  head offset: ``del bytearray[:n]`` is O(n) on 2.7 and ``bytes(memoryview)``
  is a repr there (hence ``memoryview_bytes``).
- ``receive_eof()`` becomes ``shutdown(SHUT_WR)`` on our end once every
  queued byte went in, so ``ssl`` sees the EOF after the data.
- Where ``ssl`` can check names in the handshake (3.7+), it does. On 2.7
  the chain is still checked by OpenSSL in the handshake, and the name right
  after it, before any application data, by httpkit: ``ssl.match_hostname``
  for DNS names (2.7's check ignores IP SANs), ``match_ip_san`` for IP
  literals (which are never sent as SNI); never the Common Name (2.7's
  ``match_hostname`` falls back to it when no DNS SAN is listed, so that
  case is refused before calling it). 2.7 reports neither a verify code
  nor a correct reason (its error tables predate OpenSSL 3): the verify
  result is read from OpenSSL through ctypes, guarded by two pointer
  checks; if that is impossible the error is a plain
  CertificateVerificationError. Ragged EOF is recognised by message text.
- No session resumption on 2.7 (``session`` is ``None``).
- Each buffer owns two file descriptors: call :meth:`SocketpairBuffer.close`
  (TLSWrappedSocket does; garbage collection does too).
"""
from __future__ import absolute_import, division, print_function

import collections
import errno
import socket
import ssl
import weakref

from .._compat import memoryview_bytes
from . import _api
from ._api import (
    Certificate, ClientContext, ConfigurationError, HostnameMismatchError, PrivateKey,
    ServerContext, TLSError, TLSWrappedBuffer, TrustStore, WantReadError, WantWriteError,
)
from ._hostname import is_ip_address, match_ip_san, no_san_error
from ._stdlib import (
    _StdlibContext, cipher_suite, client_hostname, explain_mismatch, tls_version, translate_error,
)

__all__ = ["SocketpairClientContext", "SocketpairServerContext", "SocketpairBuffer"]

_PAIR_BUFFER = 1024 * 1024
_PULL_SIZE = 256 * 1024
_AGAIN = (errno.EAGAIN, errno.EWOULDBLOCK)


class _ChunkQueue(object):
    """A FIFO of byte chunks with an offset into the first: O(1) append and consume."""

    def __init__(self):
        self._chunks = collections.deque()
        self._offset = 0
        self._size = 0

    def __len__(self):
        return self._size

    def append(self, data):
        if data:
            self._chunks.append(data)
            self._size += len(data)

    def head_view(self):
        """A memoryview of the unconsumed part of the first chunk (no copy)."""
        return memoryview(self._chunks[0])[self._offset:]

    def peek(self, amt):
        first = self._chunks[0] if self._chunks else b""
        if len(first) - self._offset >= amt or len(self._chunks) <= 1:
            if self._offset == 0 and amt >= len(first):
                return first
            return first[self._offset:self._offset + amt]
        parts, need = [], amt
        for chunk in self._chunks:
            start = self._offset if not parts else 0
            parts.append(chunk[start:start + need])
            need -= len(parts[-1])
            if need <= 0:
                break
        return b"".join(parts)

    def consume(self, amt):
        amt = min(amt, self._size)
        self._size -= amt
        while amt:
            left = len(self._chunks[0]) - self._offset
            if amt < left:
                self._offset += amt
                return
            amt -= left
            self._chunks.popleft()
            self._offset = 0


def _as_bytes(data):
    if isinstance(data, memoryview):
        return memoryview_bytes(data)
    return bytes(data)


def _socketpair():
    pair = socket.socketpair()
    socks = []
    for sock in pair:
        if not isinstance(sock, socket.socket):  # 2.7 hands out raw _socket objects
            sock = socket.socket(_sock=sock)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, _PAIR_BUFFER)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, _PAIR_BUFFER)
        sock.setblocking(False)
        socks.append(sock)
    return socks


def _kernel_bytes(sock):
    """Bytes waiting in ``sock``'s receive buffer (0 where FIONREAD is unavailable)."""
    try:
        import array
        import fcntl
        import termios
        buf = array.array("i", [0])
        fcntl.ioctl(sock.fileno(), termios.FIONREAD, buf, True)
        return buf[0]
    except (ImportError, IOError, OSError, AttributeError):
        return 0


def _openssl_verify_result(tls_sock):
    """OpenSSL's X509 verify result for a 2.7 SSLSocket, or ``None``.

    2.7.9+ lays out ``_ssl._SSLSocket`` as PyObject_HEAD, Socket, ssl_sock,
    ``SSL *ssl``, ``PySSLContext *ctx``; PySSLContext as PyObject_HEAD,
    ``SSL_CTX *ctx``. Both pointers are cross-checked before use.
    """
    try:
        import ctypes
        import _ssl
        word = ctypes.sizeof(ctypes.c_void_p)
        sslobj, context = tls_sock._sslobj, tls_sock.context
        if type(sslobj).__name__ != "_SSLSocket" or type(context).__module__ != "ssl":
            return None
        ssl_ptr = ctypes.c_void_p.from_address(id(sslobj) + 4 * word).value
        if not ssl_ptr or ctypes.c_void_p.from_address(id(sslobj) + 5 * word).value != id(context):
            return None
        lib = ctypes.CDLL(_ssl.__file__)
        lib.SSL_get_SSL_CTX.restype = ctypes.c_void_p
        lib.SSL_get_SSL_CTX.argtypes = [ctypes.c_void_p]
        if lib.SSL_get_SSL_CTX(ssl_ptr) != ctypes.c_void_p.from_address(id(context) + 2 * word).value:
            return None
        lib.SSL_get_verify_result.restype = ctypes.c_long
        lib.SSL_get_verify_result.argtypes = [ctypes.c_void_p]
        return int(lib.SSL_get_verify_result(ssl_ptr))
    except Exception:  # noqa: B902 - classification is best effort, never fatal
        return None


def _dns_sans(cert):
    """The DNS names of a decoded certificate's subjectAltName."""
    return [value for kind, value in cert.get("subjectAltName", ()) if kind == "DNS"]


class SocketpairBuffer(TLSWrappedBuffer):
    """One TLS connection: an ``ssl``-wrapped socketpair end pumped as a buffer."""

    incoming_high_water = _api.DEFAULT_INCOMING_HIGH_WATER

    def __init__(self, context, ssl_context, server_side, server_hostname=None, session=None):
        self._context = context
        self._ours, theirs = _socketpair()
        # On 2.7 httpkit checks the name itself (see module doc).
        self._check_name = (not server_side and server_hostname is not None
                            and not ssl_context.check_hostname
                            and ssl_context.verify_mode == ssl.CERT_REQUIRED)
        self._hostname = server_hostname
        sni = None if self._check_name and is_ip_address(server_hostname) else server_hostname
        kwargs = {"server_side": server_side, "do_handshake_on_connect": False,
                  "suppress_ragged_eofs": False, "server_hostname": sni}
        if session is not None:
            if not hasattr(ssl, "SSLSession"):
                raise ConfigurationError("this Python's ssl cannot resume sessions")
            kwargs["session"] = session
        self._tls = ssl_context.wrap_socket(theirs, **kwargs)
        self._tls._httpkit_buffer = weakref.ref(self)
        self._ssl_context = ssl_context
        self._incoming = _ChunkQueue()
        self._outgoing = _ChunkQueue()
        self._eof_requested = self._eof_sent = False
        self._handshake_done = False
        self._failure = None
        self._closed = False
        self._unwrapped = False  # both close_notify alerts went through

    # ---- the pump
    def _push(self):
        """Move queued incoming ciphertext into the pair; True if anything moved."""
        moved = False
        while self._incoming:
            try:
                sent = self._ours.send(self._incoming.head_view())
            except socket.error as exc:
                if exc.args[0] not in _AGAIN:
                    raise
                break
            self._incoming.consume(sent)
            moved = True
        if self._eof_requested and not self._incoming and not self._eof_sent:
            self._ours.shutdown(socket.SHUT_WR)
            self._eof_sent = moved = True
        return moved

    def _pull(self):
        """Move ciphertext written by ``ssl`` into the outgoing queue; True if any."""
        pulled = False
        while True:
            try:
                data = self._ours.recv(_PULL_SIZE)
            except socket.error as exc:
                if exc.args[0] not in _AGAIN:
                    raise
                return pulled
            if not data:
                return pulled
            self._outgoing.append(data)
            pulled = True

    def _op(self, method, *args):
        if self._failure is not None:
            raise self._failure
        while True:
            try:
                return method(*args)
            except ssl.SSLWantWriteError:
                if not self._pull():
                    raise WantWriteError("outgoing ciphertext must be sent first")
            except ssl.SSLWantReadError:
                if not self._push():
                    raise WantReadError("more ciphertext is needed")
            except ssl.SSLZeroReturnError:
                return None  # the peer's close_notify (when both were sent already)
            except ssl.SSLError as exc:
                raise self._translate(exc)

    def _translate(self, exc):
        err = translate_error(exc)
        if type(err) is _api.CertificateVerificationError:
            code = _openssl_verify_result(self._tls)
            if code:
                err = _api.verification_error(code, str(exc))
        return explain_mismatch(err, self._tls, self._hostname)

    # ---- TLSWrappedBuffer
    def read(self, amt):
        """Return up to ``amt`` plaintext bytes; ``b""`` once the peer closed cleanly."""
        if self._unwrapped:
            return b""
        return self._op(self._tls.read, amt) or b""

    def readinto(self, buffer, amt):
        """Read up to ``amt`` bytes into ``buffer``; return the count (0 at clean EOF)."""
        if self._unwrapped:
            return 0
        return self._op(self._tls.read, min(amt, len(buffer)), buffer) or 0

    def write(self, buf):
        """Encrypt ``buf``; return the bytes taken (the pair is drained as needed)."""
        if self._unwrapped:
            raise TLSError("the TLS connection was shut down")
        written = self._op(self._tls.write, buf)
        if written is None:
            raise TLSError("the peer closed the TLS connection")
        return written

    def do_handshake(self):
        """Run (or continue) the handshake, then (2.7) the host name check."""
        self._op(self._tls.do_handshake)
        if not self._handshake_done:
            self._handshake_done = True
            if self._check_name:
                self._verify_name()

    def _verify_name(self):
        cert = self._tls.getpeercert()
        name = self._hostname
        if not cert.get("subjectAltName"):
            self._failure = no_san_error(name, 64 if is_ip_address(name) else 62)
            raise self._failure
        try:
            if not is_ip_address(name) and not _dns_sans(cert):
                # 2.7's match_hostname would fall back to the Common Name.
                raise ssl.CertificateError("the certificate's subjectAltName lists no DNS name")
            if is_ip_address(name):
                if not match_ip_san(cert, name):
                    raise ssl.CertificateError("IP address mismatch: %s not in the certificate"
                                               % name)
            else:
                ssl.match_hostname(cert, name)
        except (ssl.CertificateError, ValueError) as exc:
            self._failure = HostnameMismatchError("hostname mismatch: %s" % (exc,))
            self._failure.verify_code = 64 if is_ip_address(name) else 62
            raise self._failure

    def shutdown(self):
        """Queue a close_notify; does not wait for the peer's."""
        if self._unwrapped:
            return
        try:
            self._op(self._tls.unwrap)  # returns once the peer's close_notify came too
            self._unwrapped = True
        except WantReadError:
            pass

    def receive_from_network(self, data):
        """Queue received ciphertext; WantReadError (keeping nothing) over the high-water mark."""
        if self._incoming:
            buffered = len(self._incoming) + _kernel_bytes(self._tls)
            if buffered + len(data) > self.incoming_high_water:
                raise WantReadError("incoming buffer over its high-water mark; read first")
        self._incoming.append(_as_bytes(data))
        self._push()

    def receive_eof(self):
        """Tell the buffer the transport ended (so a missing close_notify is RaggedEOF)."""
        self._eof_requested = True
        self._push()

    def peek_outgoing(self, amt):
        """Return up to ``amt`` bytes of ciphertext to send, without removing them."""
        if len(self._outgoing) < amt:
            self._pull()
        return self._outgoing.peek(amt)

    def consume_outgoing(self, amt):
        """Drop ``amt`` bytes of outgoing ciphertext that were sent."""
        if len(self._outgoing) < amt:
            self._pull()
        self._outgoing.consume(amt)

    def incoming_bytes_buffered(self):
        """Received ciphertext not yet processed (queued plus inside the pair)."""
        return len(self._incoming) + _kernel_bytes(self._tls)

    def outgoing_bytes_buffered(self):
        """Bytes of ciphertext waiting to be sent."""
        self._pull()
        return len(self._outgoing)

    def cipher(self):
        """The negotiated CipherSuite (or raw int), ``None`` before the handshake."""
        info = self._tls.cipher() if self._handshake_done else None
        return cipher_suite(self._ssl_context, info[0]) if info else None

    def negotiated_protocol(self):
        """The ALPN result (NextProtocol or bytes), or ``None``."""
        if not self._handshake_done:
            return None
        return _api.protocol_from_bytes(self._tls.selected_alpn_protocol())

    @property
    def negotiated_tls_version(self):
        """The negotiated TLSVersion, ``None`` before the handshake."""
        return tls_version(self._tls.version()) if self._handshake_done else None

    @property
    def context(self):
        """The httpkit context that created this buffer."""
        return self._context

    def getpeercert(self):
        """The peer's leaf certificate as DER bytes, or ``None``."""
        return self._tls.getpeercert(True) if self._handshake_done else None

    @property
    def session(self):
        """The SSLSession to resume (3.x; ``None`` on 2.7, which has no session API)."""
        return getattr(self._tls, "session", None)

    @property
    def session_reused(self):
        """Whether this handshake resumed a session (always False on 2.7)."""
        return bool(getattr(self._tls, "session_reused", False))

    def close(self):
        """Close the two file descriptors of the pair (idempotent; not in PEP 543)."""
        if self._closed:
            return
        self._closed = True
        for sock in (self._tls, self._ours):
            try:
                sock.close()
            except (socket.error, OSError):  # pragma: no cover - closing never matters
                pass

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: B902 - never raise from a finaliser
            pass


class SocketpairClientContext(_StdlibContext, ClientContext):
    """Client connections through an ``ssl``-wrapped socketpair (see module doc)."""

    def wrap_buffers(self, server_hostname, session=None):
        """Create a client SocketpairBuffer for ``server_hostname`` (text or IP literal)."""
        name = client_hostname(self._configuration, server_hostname)
        return SocketpairBuffer(self, self._ssl_context, False, name, session)


class SocketpairServerContext(_StdlibContext, ServerContext):
    """Server connections through an ``ssl``-wrapped socketpair."""

    _server_side = True

    def wrap_buffers(self):
        """Create a server SocketpairBuffer."""
        return SocketpairBuffer(self, self._ssl_context, True)


if hasattr(socket, "socketpair"):
    BACKEND = _api.Backend(
        client_context=SocketpairClientContext, server_context=SocketpairServerContext,
        certificate=Certificate, private_key=PrivateKey, trust_store=TrustStore,
        name="socketpair")
