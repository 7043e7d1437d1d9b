"""TxTransport: one TCP connection as a Twisted Protocol, and the ONE error table.

Rules:
- Bytes that arrive wait in the protocol until a ``Recv`` takes them; past
  ``HIGH_WATER`` buffered bytes the socket stops being read (the transport is
  paused) until the flow has drained them to ``LOW_WATER``.
- The protocol is its transport's streaming producer: when our writes back up
  the transport pauses us, and ``Send`` waits until it resumes us.
- Read and write waits time out on one timer per connection that is moved
  lazily (:meth:`TxTransport._start_timeout`), not a ``callLater`` per wait.
- ``map_failure`` is the only place Twisted failures become httpkit errors.
- It never parses or encrypts: TLS and HTTP are the core's, above these bytes.
"""
from __future__ import absolute_import, division, print_function

import select
import socket
from collections import deque

from twisted.internet import error as _terr
from twisted.internet.defer import Deferred
from twisted.internet.defer import TimeoutError as _DeferTimeout
from twisted.internet.protocol import Protocol
from twisted.python.failure import Failure

from ...exceptions import (ConnectionError, ConnectTimeout, PoolTimeout, ReadTimeout,
                           RequestException, WriteTimeout)

__all__ = ["TxTransport", "map_failure", "HIGH_WATER", "LOW_WATER"]

#: Buffered incoming bytes that pause reading from the socket ...
HIGH_WATER = 1024 * 1024
#: ... until the flow has taken them down to this.
LOW_WATER = 256 * 1024

_TIMEOUT_ERRORS = {"connect": ConnectTimeout, "send": WriteTimeout, "recv": ReadTimeout,
                   "pool": PoolTimeout}


def map_failure(exc, phase, peer, timed_out=False):
    """The ONE place Twisted failures become httpkit errors."""
    if isinstance(exc, Failure):
        exc = exc.value
    if isinstance(exc, RequestException):
        return exc
    where = "%s:%s" % peer
    if timed_out or isinstance(exc, (_terr.TimeoutError, _DeferTimeout)):
        return _TIMEOUT_ERRORS[phase]("%s to %s timed out" % (phase, where))
    if isinstance(exc, (_terr.DNSLookupError, socket.gaierror)):
        return ConnectionError("cannot resolve host %r: %s" % (peer[0], exc))
    if isinstance(exc, _terr.ConnectionRefusedError):
        return ConnectionError("connect to %s failed: connection refused" % where)
    if isinstance(exc, (_terr.ConnectionDone, _terr.ConnectionLost)):
        return ConnectionError("%s to %s failed: the connection was closed (%s)"
                               % (phase, where, type(exc).__name__))
    return ConnectionError("%s to %s failed: %s" % (phase, where, str(exc) or type(exc).__name__))


def later(reactor, seconds, func, *args):
    """Call ``func`` after ``seconds`` (None: never); return the call, or None."""
    return None if seconds is None else reactor.callLater(max(seconds, 0), func, *args)


def stop(call):
    if call is not None and call.active():
        call.cancel()


class TxTransport(Protocol):
    """One TCP connection: buffers what arrives, with back-pressure both ways.

    Attributes:
        peer: ``(host, port)`` it was opened to.
        pauses: how often reading was paused because the buffer was full.
    """

    def __init__(self, reactor, peer, made=None):
        self.reactor = reactor
        self.peer = peer
        self._made = made                     # fired with self once connected
        self.pauses = 0
        self.lost = False
        self._chunks = deque()
        self._size = 0
        self._reason = None                   # why the connection ended (None: clean EOF)
        self._reader = None   # (reader, max_bytes): see recv()
        self._writer = None   # (Deferred, None)
        self._deadline = None  # reactor time the current wait times out
        self._timer = None     # a DelayedCall armed at or before it
        self._read_paused = self._write_paused = False
        self._on_lost = []
        self._poller = None  # select.poll on the socket (pending_input)

    # ---- Protocol
    def connectionMade(self):
        made, self._made = self._made, None
        if made is not None and made.called:
            self.transport.abortConnection()  # timed out or cancelled meanwhile
            return
        self.transport.setTcpNoDelay(True)
        self.transport.registerProducer(self, True)
        handle = getattr(self.transport, "getHandle", None)
        if handle is not None and hasattr(select, "poll"):
            self._poller = select.poll()
            self._poller.register(handle().fileno(), select.POLLIN)
        if made is not None:
            made.callback(self)

    def dataReceived(self, data):
        self._chunks.append(data)
        self._size += len(data)
        if self._size >= HIGH_WATER and not self._read_paused:
            self._read_paused = True
            self.pauses += 1
            self.transport.pauseProducing()
        if self._reader is not None:
            reader, max_bytes = self._reader
            self._reader = self._deadline = None
            reader.wake(self._take(max_bytes), None)

    def connectionLost(self, reason=None):
        self.lost = True
        if reason is not None and not reason.check(_terr.ConnectionDone):
            self._reason = reason
        reader, writer, self._reader, self._writer = self._reader, self._writer, None, None
        self._deadline = None
        stop(self._timer)
        self._timer = None
        if reader is not None:
            reader[0].wake(*self._eof())
        if writer is not None:
            writer[0].errback(map_failure(reason or _terr.ConnectionDone(), "send", self.peer))
        for d in self._on_lost:
            d.callback(None)
        del self._on_lost[:]

    # ---- IPushProducer: the transport tells us when our writes back up
    def pauseProducing(self):
        self._write_paused = True

    def resumeProducing(self):
        self._write_paused = False
        if self._writer is not None:
            d, _ = self._writer
            self._writer = self._deadline = None
            d.callback(None)

    def stopProducing(self):
        pass  # connectionLost follows and wakes any waiter

    # ---- what the driver's ops call
    def recv(self, max_bytes, timeout, reader):
        """Return buffered bytes now (b"": EOF), or None: ``reader`` is woken later.

        ``reader.wake(data, error)`` gets the next bytes (b"" at EOF) or the
        httpkit error (a timeout, a reset). Not a Deferred: a read is the one
        wait of most requests, and a Deferred round trip costs more than the
        rest of this protocol's work per request. ``cancel_read()`` withdraws it.
        """
        if self._chunks:
            return self._take(max_bytes)
        if self.lost:
            data, error = self._eof()
            if error is not None:
                raise error
            return data
        self._reader = (reader, max_bytes)
        self._start_timeout(timeout)
        return None

    def cancel_read(self):
        """Forget the waiting reader (its flow was cancelled)."""
        self._reader = self._deadline = None

    def send(self, data, timeout):
        """Write ``data``; return None, or a Deferred while the transport is backed up."""
        if self.lost:
            raise map_failure(self._reason or _terr.ConnectionDone(), "send", self.peer)
        self.transport.write(data)
        if not self._write_paused:
            return None
        d = Deferred(self._cancel_write)
        self._writer = (d, None)
        self._start_timeout(timeout)
        return d

    def close(self):
        """Drop the connection now (pending writes are discarded)."""
        if not self.lost and self.transport is not None:
            self.transport.abortConnection()

    def when_lost(self):
        """A Deferred firing once the connection is gone."""
        d = Deferred()
        if self.lost:
            d.callback(None)
        else:
            self._on_lost.append(d)
        return d

    def pending_input(self):
        """Bytes or an EOF wait in the socket that the reactor has not delivered yet."""
        return self._poller is not None and bool(self._poller.poll(0))

    def take_idle_bytes(self):
        """Bytes that arrived while idle (TLS tickets, or a sign the server is done)."""
        data = b"".join(self._chunks)
        self._chunks.clear()
        self._size = 0
        return data

    # ---- internals
    def _take(self, max_bytes):
        chunks = self._chunks
        first = chunks.popleft()
        if len(first) > max_bytes:
            chunks.appendleft(first[max_bytes:])
            first = first[:max_bytes]
        elif chunks and len(first) + len(chunks[0]) <= max_bytes:
            parts, size = [first], len(first)
            while chunks and size + len(chunks[0]) <= max_bytes:
                size += len(chunks[0])
                parts.append(chunks.popleft())
            first = b"".join(parts)
        self._size -= len(first)
        if self._read_paused and self._size <= LOW_WATER and not self.lost:
            self._read_paused = False
            self.transport.resumeProducing()
        return first

    def _eof(self):
        """``(data, error)`` for a read at the end: b"", or why the connection broke."""
        if self._reason is not None:
            return None, map_failure(self._reason, "recv", self.peer)
        return b"", None

    def _start_timeout(self, timeout):
        """Time out the read or write wait that begins now after ``timeout`` seconds (None: never).

        The wait's end sets ``_deadline`` back to None; its timer is not
        cancelled then (a ``callLater`` and a ``cancel`` per wait cost ~12
        Python calls a request). When it fires before the current deadline
        it moves there, so on a busy keep-alive connection it fires about
        once per timeout period.
        """
        if timeout is None:
            return
        timeout = max(timeout, 0)
        deadline = self._deadline = self.reactor.seconds() + timeout
        timer = self._timer
        if timer is None or timer.getTime() > deadline:
            stop(timer)
            self._timer = self.reactor.callLater(timeout, self._timer_fired)

    def _timer_fired(self):
        fired, self._timer = self._timer, None
        deadline = self._deadline
        if deadline is None:
            return  # no wait now: the next one arms a new timer
        if deadline > fired.getTime():  # a wait that began after the timer was armed
            self._timer = self.reactor.callLater(max(deadline - self.reactor.seconds(), 0),
                                                 self._timer_fired)
            return
        self._deadline = None
        reader, writer, self._reader, self._writer = self._reader, self._writer, None, None
        if reader is not None:
            reader[0].wake(None, map_failure(None, "recv", self.peer, timed_out=True))
        if writer is not None:
            writer[0].errback(map_failure(None, "send", self.peer, timed_out=True))

    def _cancel_write(self, d):
        if self._writer is not None and self._writer[0] is d:
            self._writer = self._deadline = None
