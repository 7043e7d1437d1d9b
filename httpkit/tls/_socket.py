"""TLSWrappedSocket: a blocking socket-like object over any TLSWrappedBuffer (PEP 543).

Rules:
- Blocking (or timeout) mode only: the buffer API is the non-blocking
  interface. ``settimeout(0)``/``setblocking(False)`` raise ValueError.
- The pump: run the buffer operation; on WantReadError first send every
  pending byte of ciphertext (the ClientHello goes out before we ever wait),
  then block on ``recv`` and feed what arrives; ``recv`` returning ``b""``
  becomes ``receive_eof()``, so truncation surfaces as RaggedEOF.
  Ciphertext is flushed after writes and before blocking, not after reads.
- ``close()`` sends close_notify (best effort) and closes the socket and the
  buffer's own resources. Anything else a socket has is not supported and
  says so (AttributeError naming this class).
"""
from __future__ import absolute_import, division, print_function

import struct
import sys

from .._compat import reraise
from ._api import RaggedEOF, TLSError, WantReadError, WantWriteError

__all__ = ["TLSWrappedSocket"]

_RECV_SIZE = 256 * 1024
_SEND_SIZE = 256 * 1024


class TLSWrappedSocket(object):
    """A connected stream socket speaking TLS through ``buffer``.

    Args:
        socket: a connected SOCK_STREAM socket; do not use it directly afterwards.
        buffer: the TLSWrappedBuffer for this connection (from ``wrap_buffers``).
    """

    def __init__(self, socket, buffer):
        self._socket = socket
        self._buffer = buffer
        self._eof_fed = False
        self._closed = False
        self._record_at_a_time = False  # unwrap(): never read past the close_notify

    # ---- the pump
    def _flush(self):
        while True:
            data = self._buffer.peek_outgoing(_SEND_SIZE)
            if not data:
                return
            self._socket.sendall(data)
            self._buffer.consume_outgoing(len(data))

    def _fill(self):
        if self._eof_fed:
            raise RaggedEOF("the transport ended and the TLS layer wants more data")
        if self._record_at_a_time:
            data = self._recv_record()
        else:
            data = self._socket.recv(_RECV_SIZE)
        if data:
            self._buffer.receive_from_network(data)
        else:
            self._eof_fed = True
            self._buffer.receive_eof()

    def _recv_record(self):
        header = self._recv_exactly(5)
        if len(header) < 5:
            return header
        return header + self._recv_exactly(struct.unpack(">H", header[3:5])[0])

    def _recv_exactly(self, size):
        data = b""
        while len(data) < size:
            more = self._socket.recv(size - len(data))
            if not more:
                break
            data += more
        return data

    def _run(self, operation, *args):
        while True:
            try:
                return operation(*args)
            except WantReadError:
                self._flush()
                self._fill()
            except WantWriteError:
                self._flush()
            except TLSError:
                self._send_alert(sys.exc_info())

    def _send_alert(self, exc_info):
        """Send whatever the failure queued (an alert, usually), then re-raise it."""
        try:
            self._flush()
        except (TLSError, EnvironmentError):
            pass
        reraise(*exc_info)

    # ---- TLS
    def do_handshake(self):
        """Run the whole handshake (certificate and name checks included)."""
        self._run(self._buffer.do_handshake)
        self._flush()

    def recv(self, bufsize, flags=0):
        """Return up to ``bufsize`` plaintext bytes; ``b""`` after the peer's close_notify."""
        _no_flags(flags)
        return self._run(self._buffer.read, bufsize)

    def recv_into(self, buffer, nbytes=0, flags=0):
        """Read into ``buffer``; return the count (0 after the peer's close_notify)."""
        _no_flags(flags)
        return self._run(self._buffer.readinto, buffer, nbytes or len(buffer))

    def send(self, data, flags=0):
        """Encrypt and send (part of) ``data``; return the plaintext bytes taken."""
        _no_flags(flags)
        sent = self._run(self._buffer.write, data)
        self._flush()
        return sent

    def sendall(self, data, flags=0):
        """Encrypt and send all of ``data``."""
        view = memoryview(data)
        while len(view):
            view = view[self.send(view, flags):]

    def close(self):
        """Send close_notify (best effort), then close the socket and the buffer."""
        if self._closed:
            return
        self._closed = True
        try:
            self._buffer.shutdown()
            self._flush()
        except (TLSError, EnvironmentError):
            pass
        finally:
            self._socket.close()
            getattr(self._buffer, "close", lambda: None)()

    def unwrap(self):
        """Close TLS cleanly (both close_notify alerts) and return the raw socket.

        Plaintext that arrives before the peer's close_notify is discarded;
        from here on records are read one at a time, so bytes the peer sends
        after its close_notify stay in the socket.
        """
        self._record_at_a_time = True
        self._buffer.shutdown()
        self._flush()
        while self.recv(_RECV_SIZE):
            pass
        self._closed = True
        getattr(self._buffer, "close", lambda: None)()
        return self._socket

    def cipher(self):
        """The negotiated CipherSuite (or raw int)."""
        return self._buffer.cipher()

    def negotiated_protocol(self):
        """The ALPN result, or ``None``."""
        return self._buffer.negotiated_protocol()

    @property
    def negotiated_tls_version(self):
        """The negotiated TLSVersion."""
        return self._buffer.negotiated_tls_version

    def getpeercert(self):
        """The peer's leaf certificate as DER bytes, or ``None``."""
        return self._buffer.getpeercert()

    @property
    def context(self):
        """The context that created the buffer."""
        return self._buffer.context

    @property
    def buffer(self):
        """The TLSWrappedBuffer underneath (for ``session``/``session_reused``)."""
        return self._buffer

    # ---- plain socket
    def settimeout(self, timeout):
        """Set the socket timeout (``None`` blocks forever; 0 is not supported)."""
        if timeout is not None and timeout <= 0:
            raise ValueError("TLSWrappedSocket is blocking; drive the TLSWrappedBuffer "
                             "directly for non-blocking I/O")
        self._socket.settimeout(timeout)

    def setblocking(self, flag):
        """Only blocking mode is supported (``setblocking(True)``)."""
        self.settimeout(None if flag else 0)

    def gettimeout(self):
        """The socket timeout."""
        return self._socket.gettimeout()

    def fileno(self):
        """The OS socket's file descriptor."""
        return self._socket.fileno()

    def getpeername(self):
        """The remote address."""
        return self._socket.getpeername()

    def getsockname(self):
        """The local address."""
        return self._socket.getsockname()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def __getattr__(self, name):
        raise AttributeError("TLSWrappedSocket does not support %r (a minimal blocking socket: "
                             "recv/recv_into/send/sendall/close/unwrap)" % (name,))


def _no_flags(flags):
    if flags:
        raise ValueError("TLSWrappedSocket does not support socket flags")
