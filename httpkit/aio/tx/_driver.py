"""The Twisted driver: carries out flow ops with Deferreds on the reactor thread.

Rules:
- A flow is stepped in Deferred callbacks, iteratively: while ops complete at
  once (bytes already buffered, an idle connection in the pool) the loop goes
  on without touching the reactor, so long bodies never grow the stack.
- One table maps Twisted failures to httpkit errors (``_map_failure``);
  nothing else in httpkit sees a Twisted exception.
- Back-pressure both ways: incoming bytes wait in the protocol, and past
  ``HIGH_WATER`` the socket stops being read until the flow drains them below
  ``LOW_WATER``; outgoing bytes that back up in the transport make ``Send``
  wait until the transport asks for more (we are its streaming producer).
- Cancelling the Deferred of :meth:`TwistedDriver.run` closes the flow, so its
  ``finally:`` blocks give the connection back as not reusable (closed).
- TLS is the core's (httpkit.tls buffers over these bytes): never ``startTLS``.
- The pool decisions are :class:`httpkit._pool.PoolState`'s; this driver only
  adds FIFO waiting with Deferreds. Everything runs on the reactor thread.
"""
from __future__ import absolute_import, division, print_function

import socket
from collections import deque

from twisted.internet import error as _terr
from twisted.internet.defer import Deferred
from twisted.internet.protocol import ClientFactory
from twisted.python.failure import Failure

from ..._compat import monotonic
from ..._connection import idle_bytes_leave_alive
from ..._flow import FlowRunner, Return
from ..._ops import Checkout, Connect, Offload, Op, Recv, Send, Sleep
from ..._pool import PoolState
from ...exceptions import PoolTimeout
from ._protocol import TxTransport, later, map_failure, stop

__all__ = ["TwistedDriver", "Wait"]

_WAIT = object()      # "no connection yet: wait for a checkin"


def _abandon_after(reactor, d, op):
    """A Deferred with ``d``'s result, or ``op.deadline_error()`` once ``op.timeout`` passes.

    A thread cannot be interrupted: past the deadline its call is abandoned
    (it ends in the thread pool and its result is dropped).
    """
    timer = []
    out = Deferred(lambda _: stop(timer[0]))  # a cancelled flow stops the timer too

    def expire():
        if not out.called:
            out.errback(op.deadline_error())

    timer.append(later(reactor, op.timeout, expire))

    def settle(result, fire):
        stop(timer[0])
        if not out.called:
            fire(result)

    d.addCallbacks(settle, settle, callbackArgs=(out.callback,), errbackArgs=(out.errback,))
    return out


class Wait(Op):
    """Twisted-only op: wait for a Deferred from user code (a slow body consumer)."""

    __slots__ = ("deferred",)

    def __init__(self, deferred):
        self.deferred = deferred


class _Dialer(ClientFactory):
    """Connects like ``socket.create_connection``: resolve, then try each address in turn.

    Names are resolved with ``getaddrinfo`` in the reactor's thread pool
    (IPv4 and IPv6); IP literals are dialled at once.
    """

    def __init__(self, reactor, host, port, transport, made):
        self.reactor, self.host, self.port = reactor, host, port
        self.transport, self.made = transport, made
        self._addresses = None
        self._connector = None
        self._last_error = None

    def start(self):
        from twisted.internet.abstract import isIPAddress, isIPv6Address
        if isIPAddress(self.host) or isIPv6Address(self.host):
            self._addresses = [self.host]
            self._dial()
            return
        from twisted.internet.threads import deferToThreadPool
        resolving = deferToThreadPool(self.reactor, self.reactor.getThreadPool(),
                                      socket.getaddrinfo, self.host, self.port, 0,
                                      socket.SOCK_STREAM)
        resolving.addCallbacks(self._resolved, self._fail)

    def stop(self):
        """Abandon the attempt (timed out or cancelled)."""
        self._addresses = []
        if self._connector is not None and self._connector.state == "connecting":
            self._connector.stopConnecting()

    def buildProtocol(self, addr):
        return self.transport

    def clientConnectionFailed(self, connector, reason):
        self._last_error = reason
        self._dial()

    def _resolved(self, infos):
        if self._addresses is None:  # not stopped meanwhile
            self._addresses = [info[4][0] for info in infos]
            self._dial()

    def _dial(self):
        if self.made.called:
            return
        if not self._addresses:
            self._fail(self._last_error or _terr.DNSLookupError(self.host))
            return
        address = self._addresses.pop(0)
        self._connector = self.reactor.connectTCP(address, self.port, self, timeout=None)

    def _fail(self, reason):
        if not self.made.called:
            self.made.errback(reason)


class _FlowCall(object):
    """One flow being run: its runner, what it waits on, its result.

    It waits on an op's Deferred, or on a TxTransport that calls :meth:`wake`
    when bytes come (reads need no Deferred of their own).
    """

    __slots__ = ("driver", "runner", "result", "waiting", "inline", "sync")

    def __init__(self, driver, flow):
        self.driver = driver
        self.runner = FlowRunner(flow)
        self.result = Deferred(self._cancel)
        self.waiting = None      # the op Deferred (or the TxTransport) the flow waits on
        self.inline = False      # True while adding callbacks (a fired Deferred runs them now)
        self.sync = None         # (value, error) of an op Deferred that had already fired

    def resume(self, value=None, error=None):
        handlers = self.driver.handlers
        runner = self.runner
        while True:
            try:
                op = runner.step(value, error)
            except Return as done:
                self.result.callback(done.value)
                return
            except Exception:  # noqa: BLE001 - the flow's own error, for the caller
                self.result.errback(Failure())
                return
            value = error = None
            try:
                if type(op) is Recv:  # the transport wakes us itself (TxTransport.recv)
                    value = op.transport.recv(op.max_bytes, op.timeout, self)
                    if value is None:
                        self.waiting = op.transport
                        return
                    continue
                value = handlers[type(op)](op)
            except Exception as exc:  # noqa: BLE001 - already mapped; thrown into the flow
                error = exc
                continue
            if not isinstance(value, Deferred):
                continue
            d, value = value, None
            self.waiting, self.inline = d, True
            d.addCallbacks(self._fired, self._failed)
            self.inline = False
            if self.sync is None:
                return  # the reactor calls _fired/_failed later
            (value, error), self.sync = self.sync, None

    def _fired(self, value):
        self.wake(value, None)

    def _failed(self, failure):
        self.wake(None, failure.value)

    def wake(self, value, error):
        """The op the flow waits on ended: resume the flow with its result or error."""
        if self.waiting is None:
            return  # cancelled: the flow is already closed
        self.waiting = None
        if self.inline:
            self.sync = (value, error)
        else:
            self.resume(value, error)

    def _cancel(self, result):
        pending, self.waiting = self.waiting, None
        if isinstance(pending, Deferred):
            pending.cancel()
        elif pending is not None:
            pending.cancel_read()  # a TxTransport
        self.runner.close()  # finally: blocks give the connection back, not reusable


class TwistedDriver(object):
    """Runs flows with Deferreds on one reactor (default: the global one)."""

    def __init__(self, limits, reactor=None):
        self.pool = PoolState(limits)
        self._reactor = reactor
        self._waiters = {}        # key -> deque of [key, Deferred, timer], oldest first
        self._serving = self._again = False
        self._threads = None      # cache store I/O: a pool of our own, not the reactor's (DNS)
        self.handlers = {Connect: self._connect, Send: self._send,
                         Sleep: self._sleep, Checkout: self._checkout,
                         Offload: self._offload, Wait: self._wait}

    @property
    def reactor(self):
        if self._reactor is None:  # imported late: installing a reactor must come first
            from twisted.internet import reactor
            self._reactor = reactor
        return self._reactor

    def run(self, flow):
        """Start ``flow``; return a Deferred with its result (``cancel()`` closes the flow)."""
        call = _FlowCall(self, flow)
        call.resume()
        return call.result

    # ---- ops
    def _connect(self, op):
        peer = (op.host, op.port)
        made = Deferred()
        transport = TxTransport(self.reactor, peer, made)
        timed_out = []
        timer = later(self.reactor, op.timeout, self._connect_expired, timed_out, made)
        dialer = _Dialer(self.reactor, op.host, op.port, transport, made)
        made.addBoth(self._connected, timer, timed_out, peer, dialer)
        dialer.start()
        return made

    def _connect_expired(self, timed_out, made):
        timed_out.append(True)
        if not made.called:
            made.errback(_terr.TimeoutError())

    def _connected(self, result, timer, timed_out, peer, dialer):
        stop(timer)
        if not isinstance(result, Failure):
            return result
        dialer.stop()
        raise map_failure(result, "connect", peer, bool(timed_out))

    def _send(self, op):
        return op.transport.send(op.data, op.timeout)

    def _sleep(self, op):
        from twisted.internet.task import deferLater
        return deferLater(self.reactor, op.seconds, lambda: None)

    def _offload(self, op):
        """Run blocking store I/O in this driver's own small thread pool.

        Not the reactor's pool: that one resolves host names, and a slow disk
        or cache server must never hold up DNS for every other request.
        """
        from twisted.internet.threads import deferToThreadPool
        if self._threads is None:
            from twisted.python.threadpool import ThreadPool
            pool = ThreadPool(minthreads=0, maxthreads=4, name="httpkit-cache")
            pool.start()
            trigger = self.reactor.addSystemEventTrigger("during", "shutdown", pool.stop)
            self._threads = (pool, trigger)
        d = deferToThreadPool(self.reactor, self._threads[0], op.func, *op.args)
        return d if op.timeout is None else _abandon_after(self.reactor, d, op)

    def _stop_threads(self):
        threads, self._threads = self._threads, None
        if threads is not None:
            pool, trigger = threads
            self.reactor.removeSystemEventTrigger(trigger)
            pool.stop()

    def _wait(self, op):
        return op.deferred

    def close(self, transport):
        """Close a transport now (never raises)."""
        transport.close()

    # ---- pool
    def _checkout(self, op):
        got = self._try_checkout(op.key)
        if got is not _WAIT:
            return got
        waiter = [op.key, None, None]
        waiter[1] = Deferred(lambda d: self._forget_waiter(waiter))
        waiter[2] = later(self.reactor, op.timeout, self._pool_expired, waiter, op)
        self._waiters.setdefault(op.key, deque()).append(waiter)
        return waiter[1]

    def _try_checkout(self, key):
        while True:
            conn, reserved, to_close = self.pool.try_checkout(key, monotonic())
            for stale in to_close:
                self.close(stale.transport)
            if conn is None:
                return None if reserved else _WAIT
            if self._alive(conn):
                return conn
            self.pool.checkin(key, conn, False, 0)
            self.close(conn.transport)

    def checkin(self, key, conn, reusable):
        """Give a connection (or a reserved slot) back; close it if not reusable."""
        to_close = self.pool.checkin(key, conn, reusable, monotonic())
        if to_close is not None:
            to_close.closed = True
            self.close(to_close.transport)
        if self._waiters:
            self._serve_waiters(key)

    def close_all(self):
        """Close every idle connection; return a Deferred firing once they are gone."""
        from twisted.internet.defer import gatherResults
        conns = self.pool.close_all()
        for conn in conns:
            self.close(conn.transport)
        self._stop_threads()
        if self._waiters:
            self._serve_waiters(None)
        return gatherResults([conn.transport.when_lost() for conn in conns])

    def _serve_waiters(self, first):
        """Wake waiters (oldest first per key; ``first``'s key first) who can now proceed."""
        if self._serving:
            self._again = True  # a woken flow gave something back: look again
            return
        self._serving = True
        try:
            self._again = True
            while self._again:
                self._again = False
                keys = sorted(self._waiters, key=lambda k: k != first)
                for key in keys:
                    self._serve_key(key)
        finally:
            self._serving = False

    def _serve_key(self, key):
        queue = self._waiters.get(key)
        while queue:
            got = self._try_checkout(key)
            if got is _WAIT:
                return
            waiter = queue[0]
            d = waiter[1]
            self._forget_waiter(waiter)
            d.callback(got)
            queue = self._waiters.get(key)

    def _forget_waiter(self, waiter):
        stop(waiter[2])
        waiter[1] = None
        queue = self._waiters.get(waiter[0])
        if queue is None:
            return
        if queue and queue[0] is waiter:
            queue.popleft()
        else:
            try:
                queue.remove(waiter)
            except ValueError:
                pass
        if not queue:
            del self._waiters[waiter[0]]

    def _pool_expired(self, waiter, op):
        d = waiter[1]
        self._forget_waiter(waiter)
        if d is not None:
            d.errback(PoolTimeout("no connection to %s:%s became free within %ss"
                                  % (op.key[1], op.key[2], op.timeout)))

    def _alive(self, conn):
        """A cheap check that an idle connection was not closed by the server."""
        transport = conn.transport
        if transport.lost:
            return False
        data = transport.take_idle_bytes()
        if not data:
            # Input the reactor has not delivered yet is a close or a stale answer
            # (rarely a TLS record that would have been harmless): not reused.
            return not transport.pending_input()
        return idle_bytes_leave_alive(conn, data)

