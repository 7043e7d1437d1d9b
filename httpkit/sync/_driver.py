"""The blocking driver: carries out flow ops with sockets, threads share it.

Rules:
- One table maps socket failures to httpkit errors (``_map_socket_error``);
  nothing else in httpkit sees a ``socket.error``.
- The pool decisions are :class:`httpkit._pool.PoolState`'s; this driver adds
  a Condition for waiting (so one Session can serve many threads) and closes
  what the pool hands back.
- ``settimeout`` is called only when a transport's timeout changes (each
  call costs system calls).
- A send ends within its timeout in all (``_send_within``), however slowly
  the peer reads: never ``sendall`` with a timeout, which 2.7 restarts after
  every partial send.
"""
from __future__ import absolute_import, division, print_function

import errno
import select
import socket
import threading
import time

from .._compat import monotonic
from .._connection import idle_bytes_leave_alive
from .._flow import run_flow
from .._ops import Checkout, Connect, Offload, Recv, Send, Sleep
from .._pool import PoolState
from ..exceptions import ConnectionError, ConnectTimeout, PoolTimeout, ReadTimeout, WriteTimeout

__all__ = ["SyncDriver"]

_TIMEOUT_ERRORS = {"connect": ConnectTimeout, "send": WriteTimeout, "recv": ReadTimeout}


class _Transport(object):
    __slots__ = ("sock", "timeout", "peer", "poller")

    def __init__(self, sock, timeout, peer):
        self.sock, self.timeout, self.peer = sock, timeout, peer
        self.poller = None  # made by the first _readable() (a checkout of the idle socket)


def _map_socket_error(exc, phase, peer):
    """The ONE place socket failures become httpkit errors."""
    if isinstance(exc, socket.timeout):
        return _TIMEOUT_ERRORS[phase]("%s to %s:%s timed out" % (phase, peer[0], peer[1]))
    if isinstance(exc, socket.gaierror):
        return ConnectionError("cannot resolve host %r: %s" % (peer[0], exc))
    return ConnectionError("%s to %s:%s failed: %s" % (phase, peer[0], peer[1], exc))


class SyncDriver(object):
    """Runs flows on blocking sockets; safe to share between threads."""

    def __init__(self, limits):
        self.pool = PoolState(limits)
        # The pool is guarded with the lock itself (a C-level context manager);
        # the Condition is only for waiting, and notified only when a thread waits.
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._waiting = 0
        self._handlers = {Connect: self._connect, Send: self._send, Recv: self._recv,
                          Sleep: self._sleep, Checkout: self._checkout, Offload: self._offload}

    def run(self, flow):
        """Run ``flow`` to completion in this thread and return its result."""
        return run_flow(flow, self._unknown_op, self._handlers)

    @staticmethod
    def _unknown_op(op):
        raise TypeError("the blocking driver has no handler for %r" % (op,))

    # ---- sockets
    def _connect(self, op):
        peer = (op.host, op.port)
        try:
            sock = socket.create_connection(peer, op.timeout)
        except (socket.error, OSError) as exc:
            raise _map_socket_error(exc, "connect", peer)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return _Transport(sock, op.timeout, peer)

    def _send(self, op):
        t = op.transport
        if t.timeout != op.timeout:
            t.sock.settimeout(op.timeout)
            t.timeout = op.timeout
        try:
            if op.timeout is None:
                t.sock.sendall(op.data)
            else:
                _send_within(t.sock, op.data, op.timeout)
        except (socket.error, OSError) as exc:
            raise _map_socket_error(exc, "send", t.peer)

    def _recv(self, op):
        t = op.transport
        if t.timeout != op.timeout:
            t.sock.settimeout(op.timeout)
            t.timeout = op.timeout
        try:
            return t.sock.recv(op.max_bytes)
        except (socket.error, OSError) as exc:
            raise _map_socket_error(exc, "recv", t.peer)

    def _sleep(self, op):
        time.sleep(op.seconds)

    def _offload(self, op):
        # A blocking call cannot be interrupted: the deadline is checked after it.
        if op.timeout is None:
            return op.func(*op.args)
        started = monotonic()
        result = op.func(*op.args)
        if monotonic() - started >= op.timeout:
            raise op.deadline_error()
        return result

    def close(self, transport):
        """Close a transport now (never raises)."""
        try:
            transport.sock.close()
        except (socket.error, OSError):
            pass

    # ---- pool
    def _checkout(self, op):
        deadline = None if op.timeout is None else monotonic() + op.timeout
        with self._lock:
            while True:
                conn, reserved, to_close = self.pool.try_checkout(op.key, monotonic())
                for stale in to_close:
                    self.close(stale.transport)
                if conn is not None:
                    if self._alive(conn):
                        return conn
                    self.pool.checkin(op.key, conn, False, 0)
                    self.close(conn.transport)
                    continue
                if reserved:
                    return None
                remaining = None if deadline is None else deadline - monotonic()
                if remaining is not None and remaining <= 0:
                    raise PoolTimeout("no connection to %s:%s became free within %ss"
                                      % (op.key[1], op.key[2], op.timeout))
                self._waiting += 1
                try:
                    self._cond.wait(remaining)
                finally:
                    self._waiting -= 1

    def checkin(self, key, conn, reusable):
        """Give a connection (or a reserved slot) back; close it if not reusable."""
        with self._lock:
            to_close = self.pool.checkin(key, conn, reusable, monotonic())
            if self._waiting:
                self._cond.notify()
        if to_close is not None:
            to_close.closed = True
            self.close(to_close.transport)

    def close_all(self):
        """Close every idle connection; in-use ones close when given back."""
        with self._lock:
            conns = self.pool.close_all()
            self._cond.notify_all()
        for conn in conns:
            self.close(conn.transport)

    def _alive(self, conn):
        """A cheap check that an idle connection was not closed by the server."""
        transport = conn.transport
        sock = transport.sock
        try:
            readable = _readable(transport)
        except (socket.error, OSError, ValueError):
            return False
        if not readable:
            return True
        try:
            sock.setblocking(False)
            try:
                data = sock.recv(65536)
            finally:
                sock.settimeout(conn.transport.timeout)
        except (socket.error, OSError):
            return False
        return idle_bytes_leave_alive(conn, data)


def _send_within(sock, data, timeout):
    """Send all of ``data`` within ``timeout`` seconds in all (the socket's own timeout).

    Not ``sendall``: on 2.7 it restarts the timeout after every partial send,
    so a peer reading one byte at a time keeps it going past the write
    timeout and the total deadline. Each piece waits only for what is left.
    """
    started = monotonic()
    sent = sock.send(data)
    total = len(data)
    if sent == total:  # the common case: one system call, like sendall
        return
    view = memoryview(data)
    while sent < total:
        if not _writable(sock, started + timeout - monotonic()):
            raise socket.timeout("timed out")
        sent += sock.send(view[sent:])


if hasattr(select, "poll"):
    def _readable(transport):
        poller = transport.poller
        if poller is None:  # one poll object per socket, not one per checkout
            poller = transport.poller = select.poll()
            poller.register(transport.sock, select.POLLIN)
        return bool(poller.poll(0))

    def _writable(sock, seconds):
        """Wait up to ``seconds`` for ``sock`` to take more data; False if it did not."""
        poller = select.poll()
        poller.register(sock, select.POLLOUT)
        deadline = monotonic() + seconds
        while seconds > 0:
            try:
                return bool(poller.poll(int(seconds * 1000) + 1))
            except select.error as exc:  # EINTR on 2.7 (3.x retries by itself)
                if exc.args[0] != errno.EINTR:
                    raise socket.error(*exc.args)
            seconds = deadline - monotonic()
        return False
else:  # pragma: no cover - Windows
    def _readable(transport):
        return bool(select.select([transport.sock], [], [], 0)[0])

    def _writable(sock, seconds):
        return seconds > 0 and bool(select.select([], [sock], [], seconds)[0])
