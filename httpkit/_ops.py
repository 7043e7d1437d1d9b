"""I/O operations that flows yield and drivers carry out.

Rules:
- An op is a small value naming ONE thing for a driver to do; the flow gets
  the result back (or an httpkit error thrown in). Ops never do I/O themselves.
- Every op that can block carries its own timeout in seconds (``None`` means
  wait forever; flows never pass None unless the user asked for it).
- Giving a connection back and closing a transport are NOT ops: they never
  block, and they must also work from ``finally:`` blocks while a flow is
  being cancelled (a closing generator cannot yield). Drivers offer them as
  plain calls, ``ctx.io.checkin(...)`` and ``ctx.io.close(...)``.
- Drivers map their native failures to httpkit errors in one table:
  Connect -> ConnectTimeout/ConnectionError, Send -> WriteTimeout/ConnectionError,
  Recv -> ReadTimeout/ConnectionError, Checkout -> PoolTimeout.
"""
from __future__ import absolute_import, division, print_function

__all__ = ["Connect", "Send", "Recv", "Sleep", "Checkout", "Offload", "Await"]


class Op(object):
    __slots__ = ()

    def __repr__(self):
        fields = ", ".join("%s=%r" % (k, getattr(self, k)) for k in self.__slots__
                           if k != "data")
        return "%s(%s)" % (type(self).__name__, fields)


class Connect(Op):
    """Open a TCP connection to ``(host, port)``; returns a transport handle."""

    __slots__ = ("host", "port", "timeout")

    def __init__(self, host, port, timeout):
        self.host, self.port, self.timeout = host, port, timeout


class Send(Op):
    """Send all of ``data`` on ``transport``; returns None."""

    __slots__ = ("transport", "data", "timeout")

    def __init__(self, transport, data, timeout):
        self.transport, self.data, self.timeout = transport, data, timeout


class Recv(Op):
    """Receive up to ``max_bytes``; returns bytes, ``b""`` at end of stream."""

    __slots__ = ("transport", "max_bytes", "timeout")

    def __init__(self, transport, max_bytes, timeout):
        self.transport, self.max_bytes, self.timeout = transport, max_bytes, timeout


class Sleep(Op):
    """Wait ``seconds`` (retry back-off)."""

    __slots__ = ("seconds",)

    def __init__(self, seconds):
        self.seconds = seconds


class Checkout(Op):
    """Take an idle connection for ``key`` from the pool, or a slot to open one.

    Returns a Connection, or ``None`` when the caller holds a new slot and
    must open the connection (then check it in, or check in ``None`` on failure).
    """

    __slots__ = ("key", "timeout")

    def __init__(self, key, timeout):
        self.key, self.timeout = key, timeout


class Offload(Op):
    """Run a blocking callable (cache storage I/O, a blocking transport, a WSGI app)
    where it cannot stall an event loop."""

    __slots__ = ("func", "args")

    def __init__(self, func, *args):
        self.func, self.args = func, args


class Await(Op):
    """Call ``func(*args)`` and await what it returns (asyncio driver only).

    How an asyncio transport (``asend``, an ASGI app, an async MockTransport
    handler) runs inside a flow. Only drivers with ``can_await = True`` get
    this op: the core checks ``ctx.io.can_await`` first and raises a clear
    error for the others.
    """

    __slots__ = ("func", "args")

    def __init__(self, func, *args):
        self.func, self.args = func, args
