"""The asyncio driver: carries out flow ops with asyncio transports (Python 3 only).

Rules:
- This driver only moves bytes. TLS is the core's (httpkit.tls buffers); we
  never pass ``ssl=`` to asyncio. Transports come from ``loop.create_connection``
  with our own small :class:`_ByteProtocol`, not asyncio streams.
- One function maps foreign failures to httpkit errors (``_map_error``);
  nothing else in httpkit sees an OSError or an asyncio timeout.
- Pool decisions are :class:`httpkit._pool.PoolState`'s. This driver adds FIFO
  waiters (futures): a checkin hands its connection or slot straight to the
  oldest waiter that can use it, so a newcomer never overtakes a waiter.
- Cancellation: whatever interrupts :meth:`AsyncioDriver.run` closes the flow
  (``FlowRunner.close``), whose ``finally:`` blocks give connections back as
  not reusable. A waiter cancelled after being handed a connection or slot
  passes it on, so no slot ever leaks.
- Reads apply back-pressure: past ``_HIGH_WATER`` buffered bytes the transport
  stops reading until a Recv drains the buffer below ``_LOW_WATER``.
- Read and drain waits time out on one timer per connection that is moved
  lazily (:meth:`_ByteProtocol.start_timeout`), not a timer per wait.
"""
from __future__ import absolute_import, division, print_function

import asyncio
import collections
import inspect
import select
import socket
from time import monotonic
from typing import Any, Deque, Optional

from .._connection import READ_SIZE, idle_bytes_leave_alive
from .._flow import PENDING, FlowRunner, Return
from .._ops import Await, Checkout, Connect, Offload, Recv, Send, Sleep
from .._pool import PoolState
from ..exceptions import ConnectionError, ConnectTimeout, PoolTimeout, ReadTimeout, WriteTimeout

__all__ = ["AsyncioDriver"]

_TIMEOUT_ERRORS = {"connect": ConnectTimeout, "send": WriteTimeout, "recv": ReadTimeout,
                   "pool": PoolTimeout}
_HIGH_WATER = 4 * READ_SIZE
_LOW_WATER = READ_SIZE
_TIMED_OUT = object()   # a waiter's result when its timer fired first
#: A loop's receive buffer: as much as asyncio's selector transport reads at a time.
_RECV_BUFFER = 256 * 1024


class _TimedOut(Exception):
    """Our own timer fired (mapped by ``_map_error``, never escapes this module)."""


def _map_error(exc: BaseException, phase: str, peer: tuple) -> Exception:
    """The ONE place asyncio and socket failures become httpkit errors."""
    if isinstance(exc, (_TimedOut, asyncio.TimeoutError, socket.timeout)):
        if phase == "pool":
            return PoolTimeout("no connection to %s:%s became free within %ss"
                               % (peer[0], peer[1], exc.args[0] if exc.args else "?"))
        return _TIMEOUT_ERRORS[phase]("%s to %s:%s timed out" % (phase, peer[0], peer[1]))
    if isinstance(exc, socket.gaierror):
        return ConnectionError("cannot resolve host %r: %s" % (peer[0], exc))
    return ConnectionError("%s to %s:%s failed: %s" % (phase, peer[0], peer[1],
                                                      str(exc) or type(exc).__name__))


def _abandon(raw: Any) -> None:
    """Close a transport whose loop is closed: tell the peer, and free it without the loop.

    ``close()`` would schedule a callback on the dead loop and fail; shutting
    the socket down sends the FIN now. The descriptor is closed here too, as
    the transport's ``_call_connection_lost`` would have: left to the
    transport's finalizer it stays open until garbage collection, with a
    ResourceWarning (no public call closes it once the loop is gone).
    """
    sock = raw.get_extra_info("socket")
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    try:
        raw.abort()
    except RuntimeError:  # "Event loop is closed": everything but the callback is done
        pass
    inner = getattr(raw, "_sock", None)  # (a selector transport's own socket)
    if inner is not None:
        raw._sock = None
        inner.close()


def _expire(fut: "Optional[asyncio.Future[Any]]") -> None:
    if fut is not None and not fut.done():
        fut.set_result(_TIMED_OUT)


def _wake(fut: "Optional[asyncio.Future[Any]]") -> None:
    if fut is not None and not fut.done():
        fut.set_result(None)


class _ByteProtocol(asyncio.BufferedProtocol):
    """One TCP connection's bytes: a chunk queue for reads, flow control for writes.

    A buffered protocol: the transport receives into ``view``, a buffer the
    driver shares between its connections on one loop, and each read becomes a
    bytes object of the size received. With a plain ``Protocol`` the selector
    transport allocates 256 KiB for every read, over glibc's mmap threshold, and
    shrinks it to what came: an mmap, an mremap, a munmap and a page fault for
    every small response, about a tenth of a small GET's time at concurrency 50.
    """

    def __init__(self, peer: tuple, loop: asyncio.AbstractEventLoop, view: memoryview) -> None:
        self.peer = peer
        self.loop = loop
        self.view = view
        self.streaming = None  # type: Optional[_Streaming]  (made by the first read that fills view)
        self.transport = None  # type: Optional[asyncio.Transport]
        self.chunks = collections.deque()  # type: Deque[bytes]
        self.buffered = 0
        self.eof = False      # no more bytes will come (EOF, reset or closed)
        self.lost = False     # the connection is gone: writes fail
        self.error = None  # type: Optional[BaseException]  (why it was lost, if not cleanly)
        self.reading_paused = False
        self.writing_paused = False
        self.read_waiter = None  # type: Optional[asyncio.Future[Any]]
        self.drain_waiter = None  # type: Optional[asyncio.Future[Any]]
        self.poller = None  # type: Any  (select.poll on the socket, for pending_input)
        self.deadline = None  # type: Optional[float]  (loop time the current wait times out)
        self.timer = None  # type: Optional[asyncio.TimerHandle]  (armed at or before it)

    # ---- asyncio callbacks
    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None and hasattr(select, "poll"):
            self.poller = select.poll()
            self.poller.register(sock.fileno(), select.POLLIN)

    def get_buffer(self, sizehint: int) -> memoryview:
        return self.view

    def buffer_updated(self, nbytes: int) -> None:
        view = self.view
        if nbytes == len(view):
            # A stream: the transport's own 256 KiB reads cost less than a copy.
            self.transport.set_protocol(self.streaming or _Streaming(self))
        self.data_received(view[:nbytes].tobytes())

    def data_received(self, data: bytes) -> None:
        self.chunks.append(data)
        self.buffered += len(data)
        if self.buffered > _HIGH_WATER and not self.reading_paused:
            self.reading_paused = True
            self.transport.pause_reading()
        _wake(self.read_waiter)

    def eof_received(self) -> None:
        self.eof = True
        _wake(self.read_waiter)
        return None  # let asyncio close the transport: we never half-close

    def connection_lost(self, exc: Optional[BaseException]) -> None:
        self.eof = self.lost = True
        self.error = exc
        _wake(self.read_waiter)
        _wake(self.drain_waiter)
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def pause_writing(self) -> None:
        self.writing_paused = True

    def resume_writing(self) -> None:
        self.writing_paused = False
        _wake(self.drain_waiter)

    # ---- timeouts
    def start_timeout(self, timeout: float) -> None:
        """Time out the read or drain wait that begins now after ``timeout`` seconds.

        The caller sets ``deadline`` back to None when the wait ends. The timer
        is not cancelled then: a timer per wait (``call_later``, ``cancel``,
        and the loop's heap push and pop) cost ~20 Python calls per request.
        When it fires before the current deadline it moves there, so on a busy
        keep-alive connection it fires about once per timeout period.
        """
        deadline = self.deadline = self.loop.time() + max(timeout, 0)
        timer = self.timer
        if timer is None or timer.when() > deadline:
            if timer is not None:
                timer.cancel()
            self.timer = self.loop.call_at(deadline, self._timer_fired)

    def _timer_fired(self) -> None:
        fired, self.timer = self.timer, None
        deadline = self.deadline
        if deadline is None:
            return  # no wait now: the next one arms a new timer
        if deadline > fired.when():  # a wait that began after the timer was armed
            self.timer = self.loop.call_at(deadline, self._timer_fired)
            return
        _expire(self.read_waiter)
        _expire(self.drain_waiter)

    # ---- reads
    def take(self, max_bytes: int) -> bytes:
        """Return up to ``max_bytes`` buffered bytes (the caller checked there are some)."""
        chunks = self.chunks
        first = chunks[0]
        if len(first) <= max_bytes and (len(chunks) == 1 or len(first) + len(chunks[1]) > max_bytes):
            chunks.popleft()
            data = first
        elif len(first) > max_bytes:
            data, chunks[0] = first[:max_bytes], first[max_bytes:]
        else:
            data = self._join(max_bytes)
        self.buffered -= len(data)
        if self.reading_paused and self.buffered <= _LOW_WATER:
            self.reading_paused = False
            self.transport.resume_reading()
        return data

    def _join(self, max_bytes: int) -> bytes:
        chunks, parts, size = self.chunks, [], 0
        while chunks and size + len(chunks[0]) <= max_bytes:
            part = chunks.popleft()
            parts.append(part)
            size += len(part)
        return b"".join(parts)

    def pending_input(self) -> bool:
        """Bytes or an EOF wait in the socket that the loop has not delivered yet.

        The loop delivers them when it next polls: not yet if it was not
        running (a loop driven by ``run_until_complete`` per call), nor before
        the callbacks already queued (the task about to reuse the connection).
        """
        return self.poller is not None and bool(self.poller.poll(0))

    def idle_data(self) -> bytes:
        """Everything that arrived while the connection sat idle in the pool."""
        data = b"".join(self.chunks)
        self.chunks.clear()
        self.buffered = 0
        return data


class _Streaming(asyncio.Protocol):
    """A :class:`_ByteProtocol` while its connection streams: the transport reads
    into bytes of its own, with no copy, until a read comes back under half full.

    (``transport.set_protocol`` switches between the two: asyncio reads with
    ``recv_into`` for a buffered protocol and with ``recv`` for a plain one.)
    """

    def __init__(self, owner: _ByteProtocol) -> None:
        self.owner = owner
        owner.streaming = self

    def data_received(self, data: bytes) -> None:
        owner = self.owner
        if len(data) < _RECV_BUFFER // 2:
            owner.transport.set_protocol(owner)
        owner.data_received(data)

    def eof_received(self) -> None:
        return self.owner.eof_received()

    def connection_lost(self, exc: Optional[BaseException]) -> None:
        self.owner.connection_lost(exc)

    def pause_writing(self) -> None:
        self.owner.pause_writing()

    def resume_writing(self) -> None:
        self.owner.resume_writing()


class AsyncioDriver(object):
    """Runs flows on one asyncio event loop; share it between the loop's tasks."""

    #: This driver carries out :class:`httpkit._ops.Await` (asyncio transports).
    can_await = True

    def __init__(self, limits: Any) -> None:
        self.pool = PoolState(limits)
        self._loop = None  # type: Optional[asyncio.AbstractEventLoop]
        self._view = None  # type: Optional[memoryview]  (the bound loop's receive buffer)
        self._waiters = collections.deque()  # type: Deque[tuple]
        self._executor = None  # type: Any  (cache store I/O, made on first use)
        # Ops that often complete at once have a synchronous try first (no
        # coroutine, no loop round-trip); it returns PENDING (httpkit._flow) to fall back
        # to the awaiting handler.
        self._now = {Recv: self._recv_now, Send: self._send_now, Checkout: self._checkout_now}
        self._handlers = {Connect: self._connect, Send: self._send, Recv: self._recv,
                          Sleep: self._sleep, Checkout: self._checkout, Offload: self._offload,
                          Await: self._await}

    # ---- running flows
    async def run(self, flow: Any) -> Any:
        """Run ``flow`` to completion on the running loop and return its result.

        Cancelling the calling task (or a timeout around it) closes the flow,
        so its connections are released and never reused half-read.
        """
        self._bind_loop()
        runner = FlowRunner(flow)
        step, now, handlers = runner.step, self._now, self._handlers
        value = error = None
        try:
            while True:
                try:
                    op = step(value, error, now)  # (the ops `now` could not finish come back)
                except Return as done:
                    return done.value
                error = None
                try:
                    value = await handlers[type(op)](op)
                except Exception as exc:  # noqa: BLE001 - thrown into the flow
                    value, error = None, exc
        except BaseException:
            runner.close()  # cancellation, KeyboardInterrupt...: release connections
            raise

    def _bind_loop(self) -> None:
        """Serve the running loop: a Session moves to a new loop when its old one is done.

        After the old loop closed (a second ``asyncio.run``), its connections
        are unusable: they are dropped and a fresh pool starts on this loop.
        A loop that is still running elsewhere keeps its connections, and
        using the Session from two loops at once is an error.
        """
        loop = asyncio.get_running_loop()
        old = self._loop
        if old is loop:
            return
        if old is not None:
            if old.is_closed():
                self._leave_closed_loop()
            elif self.pool.total:
                if old.is_running() or self.pool.total != self.pool.idle_count():
                    raise RuntimeError(
                        "this httpkit.aio.Session is used from a second event loop while "
                        "another event loop (%r) is running it or holds its connections in "
                        "use; a Session serves one loop at a time: "
                        "use one Session per loop, or `await session.aclose()` on the first "
                        "loop before using the Session on another" % (old,))
                self._close_idle()  # a stopped loop: its idle connections close, a fresh pool
        self._loop = loop
        # One receive buffer per loop: a transport fills it and the protocol copies
        # the bytes out in one callback, never interleaved with another's on that loop.
        self._view = memoryview(bytearray(_RECV_BUFFER))

    def _leave_closed_loop(self) -> None:
        """Forget the pool of a closed loop (its transports can no longer be closed normally)."""
        old_pool, self.pool = self.pool, PoolState(self.pool.limits)
        for conn in old_pool.close_all():
            conn.closed = True
            self.close(conn.transport)
        self._waiters.clear()  # futures of the old loop: nobody can await them any more

    def _close_idle(self) -> None:
        for conn in self.pool.close_all():
            conn.closed = True
            self.close(conn.transport)
        self.pool = PoolState(self.pool.limits)

    # ---- transports
    async def _connect(self, op: Connect) -> _ByteProtocol:
        peer = (op.host, op.port)
        protocol = _ByteProtocol(peer, self._loop, self._view)
        try:
            await asyncio.wait_for(
                self._loop.create_connection(lambda: protocol, op.host, op.port), op.timeout)
        except (OSError, asyncio.TimeoutError) as exc:
            raise _map_error(exc, "connect", peer) from None
        except BaseException:
            if protocol.transport is not None:  # cancelled just as it connected
                self.close(protocol)
            raise
        return protocol

    def _send_now(self, op: Send) -> Any:
        protocol = op.transport
        if protocol.lost:
            raise _map_error(protocol.error or BrokenPipeError("connection closed"), "send",
                             protocol.peer)
        protocol.transport.write(op.data)
        return PENDING if protocol.writing_paused else None

    async def _send(self, op: Send) -> None:
        """Wait until the transport's write buffer drains (``_send_now`` wrote already)."""
        await self._drain(op.transport, op.timeout)

    async def _drain(self, protocol: _ByteProtocol, timeout: Optional[float]) -> None:
        while protocol.writing_paused and not protocol.lost:
            fut = protocol.drain_waiter = self._loop.create_future()
            if timeout is not None:
                protocol.start_timeout(timeout)
            try:
                result = await fut
            finally:
                protocol.deadline = None
            if result is _TIMED_OUT:
                raise _map_error(_TimedOut(), "send", protocol.peer)
        if protocol.lost:
            raise _map_error(protocol.error or BrokenPipeError("connection closed"), "send",
                             protocol.peer)

    def _recv_now(self, op: Recv) -> Any:
        protocol = op.transport
        if protocol.buffered:
            return protocol.take(op.max_bytes)
        if protocol.eof and protocol.error is None:
            return b""
        return PENDING

    async def _recv(self, op: Recv) -> bytes:
        protocol = op.transport
        while True:
            if protocol.buffered:
                return protocol.take(op.max_bytes)
            if protocol.error is not None:
                raise _map_error(protocol.error, "recv", protocol.peer)
            if protocol.eof:
                return b""
            fut = protocol.read_waiter = self._loop.create_future()
            if op.timeout is not None:
                protocol.start_timeout(op.timeout)
            try:
                result = await fut
            finally:
                protocol.deadline = None
            if result is _TIMED_OUT:
                raise _map_error(_TimedOut(), "recv", protocol.peer)

    async def _wait(self, fut: "asyncio.Future[Any]", timeout: Optional[float]) -> Any:
        """Await ``fut``; its result is ``_TIMED_OUT`` if ``timeout`` passed first (pool waits)."""
        if timeout is None:
            return await fut
        # A timer per wait (not asyncio.wait_for): no extra task, and the
        # result says whether the timer won, without raising anything.
        timer = self._loop.call_later(max(timeout, 0), _expire, fut)
        try:
            return await fut
        finally:
            timer.cancel()

    async def _sleep(self, op: Sleep) -> None:
        await asyncio.sleep(op.seconds)

    async def _offload(self, op: Offload) -> Any:
        """Run blocking store I/O in this driver's own small executor.

        Not the loop's default executor: ``getaddrinfo`` runs there, and a slow
        disk or cache server must never hold up connecting. Past ``op.timeout``
        (the total deadline) the call is abandoned: it ends in its thread unused.
        """
        if self._executor is None:
            from concurrent.futures import ThreadPoolExecutor
            self._executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="httpkit-cache")
        fut = self._loop.run_in_executor(self._executor, op.func, *op.args)
        if op.timeout is None:
            return await fut
        done, _ = await asyncio.wait({fut}, timeout=op.timeout)
        if not done:
            fut.cancel()
            raise op.deadline_error()
        return fut.result()

    async def _await(self, op: Await) -> Any:
        """Call ``op.func(*op.args)`` on the loop and await the result if it is awaitable."""
        value = op.func(*op.args)
        if inspect.isawaitable(value):
            value = await value
        return value

    def close(self, transport: _ByteProtocol) -> None:
        """Close a transport now (never raises); unsent bytes are dropped."""
        raw = transport.transport
        if raw is None or raw.is_closing():
            return
        if transport.loop.is_closed():
            _abandon(raw)
            return
        if raw.get_write_buffer_size():
            raw.abort()
        else:
            raw.close()

    # ---- pool
    def _checkout_now(self, op: Checkout) -> Any:
        while True:
            conn, reserved = self._try_checkout(op.key)
            if conn is None and not reserved:
                return PENDING
            if conn is None or self._alive(conn):
                return conn
            self.checkin(op.key, conn, False)

    async def _checkout(self, op: Checkout) -> Any:
        while True:
            conn, reserved = await self._queue(op)
            if conn is None or self._alive(conn):
                return conn
            self.checkin(op.key, conn, False)
            conn = self._checkout_now(op)
            if conn is not PENDING:
                return conn

    def _try_checkout(self, key: tuple) -> tuple:
        conn, reserved, to_close = self.pool.try_checkout(key, monotonic())
        for stale in to_close:
            stale.closed = True
            self.close(stale.transport)
        return conn, reserved

    async def _queue(self, op: Checkout) -> tuple:
        """Wait (FIFO) until a checkin hands us ``(connection, reserved)``."""
        fut = self._loop.create_future()
        entry = (op.key, fut)
        self._waiters.append(entry)
        try:
            result = await self._wait(fut, op.timeout)
        except BaseException:
            self._abandon(entry)
            raise
        if result is _TIMED_OUT:
            self._abandon(entry)
            raise _map_error(_TimedOut(op.timeout), "pool", op.key[1:3])
        return result

    def _abandon(self, entry: tuple) -> None:
        """A waiter gave up: leave the queue, and pass on whatever it was handed."""
        key, fut = entry
        try:
            self._waiters.remove(entry)
        except ValueError:
            pass
        if fut.done() and not fut.cancelled() and fut.exception() is None \
                and fut.result() is not _TIMED_OUT:
            conn, _ = fut.result()
            self.checkin(key, conn, conn is not None)

    def checkin(self, key: tuple, conn: Any, reusable: bool) -> None:
        """Give a connection (or a reserved slot) back; close it if not reusable."""
        if conn is not None and conn.transport.loop is not self._loop:
            conn.closed = True  # from a pool left behind with its closed loop
            self.close(conn.transport)
            return
        to_close = self.pool.checkin(key, conn, reusable, monotonic())
        if to_close is not None:
            to_close.closed = True
            self.close(to_close.transport)
        if self._waiters:
            self._hand_over()

    def _hand_over(self) -> None:
        """Serve the oldest waiter the pool can serve now (one try per key)."""
        waiters = self._waiters
        while waiters and waiters[0][1].done():
            waiters.popleft()
        refused = set()
        for index, (key, fut) in enumerate(waiters):
            if key in refused or fut.done():
                continue
            conn, reserved = self._try_checkout(key)
            if conn is None and not reserved:
                refused.add(key)
                continue
            del waiters[index]
            fut.set_result((conn, reserved))
            return

    def close_all(self) -> None:
        """Close every idle connection; in-use ones close when given back."""
        for conn in self.pool.close_all():
            conn.closed = True
            self.close(conn.transport)
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False)
        while self._waiters:
            _, fut = self._waiters.popleft()
            if not fut.done():
                fut.set_exception(ConnectionError("the session was closed"))

    def _alive(self, conn: Any) -> bool:
        """An idle connection is usable unless it saw EOF, or bytes TLS can't absorb."""
        protocol = conn.transport
        if protocol.eof or protocol.loop is not self._loop:
            return False
        if not protocol.buffered:
            # Undelivered input on an idle connection is a close or a stale answer
            # (rarely a TLS record that would have been harmless): not reused.
            return not protocol.pending_input()
        return idle_bytes_leave_alive(conn, protocol.idle_data())
