"""I/O operations that flows yield and drivers carry out.

Rules:
- An op is a small value naming ONE thing for a driver to do; the flow gets
  the result back (or an httpkit error thrown in). Ops never do I/O themselves.
- Every op that can block carries its own timeout in seconds (``None`` means
  wait forever; flows never pass None unless the user asked for it). A flow
  may pass a :class:`Budget` instead: the op takes the seconds left when it
  is made, so a loop of reads (a head dripped a byte at a time) can never
  outlive the total deadline by reusing a timeout measured before it.
- Giving a connection back and closing a transport are NOT ops: they never
  block, and they must also work from ``finally:`` blocks while a flow is
  being cancelled (a closing generator cannot yield). Drivers offer them as
  plain calls, ``ctx.io.checkin(...)`` and ``ctx.io.close(...)``.
- Drivers map their native failures to httpkit errors in one table:
  Connect -> ConnectTimeout/ConnectionError, Send -> WriteTimeout/ConnectionError,
  Recv -> ReadTimeout/ConnectionError, Checkout -> PoolTimeout.
"""
from __future__ import absolute_import, division, print_function

from ._compat import monotonic
from .exceptions import DeadlineExceeded

__all__ = ["Connect", "Send", "Recv", "Sleep", "Checkout", "Offload", "Await", "Budget",
           "seconds_of", "deadline_of"]


class Budget(object):
    """A phase's timeout under a total deadline, measured again by every op given it.

    ``RequestContext.timeout_for`` returns one when the call has a total
    deadline; flows pass it down unchanged as ``timeout``.
    """

    __slots__ = ("phase", "deadline", "total")

    def __init__(self, phase, deadline, total):
        self.phase, self.deadline, self.total = phase, deadline, total

    def seconds(self):
        """Return the seconds an op may wait now: the phase timeout or what is left.

        Raises:
            DeadlineExceeded: the total deadline has passed.
        """
        remaining = self.deadline - monotonic()
        if remaining <= 0:
            raise DeadlineExceeded("the total deadline of %ss passed" % self.total)
        return remaining if self.phase is None or remaining < self.phase else self.phase

    def __repr__(self):
        return "Budget(phase=%r, left=%.3f)" % (self.phase, self.deadline - monotonic())


def seconds_of(timeout):
    """Return ``timeout`` in seconds (None: forever), resolving a :class:`Budget` now."""
    return timeout.seconds() if isinstance(timeout, Budget) else timeout


def deadline_of(timeout):
    """Return the total deadline alone (a Budget with no phase timeout) of ``timeout``, or None."""
    if isinstance(timeout, Budget):
        return Budget(None, timeout.deadline, timeout.total)
    return None


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
        if isinstance(timeout, Budget):
            timeout = timeout.seconds()
        self.host, self.port, self.timeout = host, port, timeout


class Send(Op):
    """Send all of ``data`` on ``transport``; returns None."""

    __slots__ = ("transport", "data", "timeout")

    def __init__(self, transport, data, timeout):
        if isinstance(timeout, Budget):
            timeout = timeout.seconds()
        self.transport, self.data, self.timeout = transport, data, timeout


class Recv(Op):
    """Receive up to ``max_bytes``; returns bytes, ``b""`` at end of stream."""

    __slots__ = ("transport", "max_bytes", "timeout")

    def __init__(self, transport, max_bytes, timeout):
        if isinstance(timeout, Budget):  # (inline: three ops per request)
            timeout = timeout.seconds()
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
        if isinstance(timeout, Budget):
            timeout = timeout.seconds()
        self.key, self.timeout = key, timeout


class Offload(Op):
    """Run a blocking callable (cache storage I/O, a blocking transport, a WSGI app)
    where it cannot stall an event loop.

    ``timeout`` (set by :meth:`within`) is what is left of the total deadline,
    or None. No driver can interrupt a blocking call: the asyncio and Twisted
    drivers stop waiting when it passes and abandon the call (it finishes in its
    thread, its result unused); the blocking driver can only check afterwards.
    Either way the flow gets :meth:`deadline_error`.
    """

    __slots__ = ("func", "args", "timeout", "total")

    def __init__(self, func, *args):
        self.func, self.args = func, args
        self.timeout = self.total = None

    @classmethod
    def within(cls, deadline, func, *args):
        """Return an Offload bounded by ``deadline`` (a Budget, or None for no bound).

        Raises:
            DeadlineExceeded: the deadline has already passed (nothing is run).
        """
        op = cls(func, *args)
        if deadline is not None:
            op.timeout, op.total = deadline.seconds(), deadline.total
        return op

    def deadline_error(self):
        """Return the DeadlineExceeded for a call that outlived ``timeout``."""
        func = getattr(self.func, "func", self.func)  # a functools.partial
        name = getattr(func, "__name__", type(func).__name__)
        return DeadlineExceeded("the total deadline of %ss passed during a blocking call (%s)"
                                % (self.total, name))


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
