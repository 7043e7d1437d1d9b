"""Connection-pool bookkeeping, shared by every driver (no I/O, no locks).

Rules:
- A pool key names everything that makes connections interchangeable:
  scheme, host, port, proxy and TLS configuration.
- Every open connection (idle or in use) and every reserved slot counts
  against its key's limit and the total limit.
- Idle connections are reused newest first (LIFO keeps the warm ones warm);
  those idle longer than ``idle_timeout`` are closed instead of reused.
- When the total limit is reached, an idle connection of another key is
  evicted to make room rather than making the caller wait.
- Drivers add only the waiting (a Condition, a Future, a Deferred) and the
  lock their concurrency model needs; the decisions are made here.
"""
from __future__ import absolute_import, division, print_function

__all__ = ["Limits", "PoolState", "DEFAULT_MAX_BODY_SIZE"]

#: The default ``Limits.max_body_size``: larger than any API response, small
#: enough that a runaway server cannot exhaust a small container's memory.
DEFAULT_MAX_BODY_SIZE = 256 * 1024 * 1024


class Limits(object):
    """Pool sizes and the largest body a Session reads into memory.

    The pool defaults (100 and 100) match httpx's and aiohttp's total limit: a
    Session shared by 50 threads or tasks talking to one host does not queue.
    Lower ``max_per_host`` to be gentle with a server; a caller who cannot get
    a slot waits up to the pool timeout, then gets PoolTimeout.

    Args:
        max_per_host: connections per pool key (scheme, host, port, proxy, TLS).
        max_total: connections overall.
        idle_timeout: seconds an idle connection stays reusable.
        max_body_size: the most decoded bytes a body read into memory may have
            (``.content``, ``.text``, ``.json()``, ``await r.aread()``,
            Twisted ``content()``); past it the read raises ResponseTooLarge as
            the bytes arrive. Default 256 MiB; None: no limit. Streaming reads
            (``stream=True`` with ``iter_content``, ``r.raw``, ``aiter_content``,
            ``collect``) are never capped.

    Raises:
        ValueError: a pool size under 1, or a negative ``max_body_size``.
    """

    __slots__ = ("max_per_host", "max_total", "idle_timeout", "max_body_size")

    def __getstate__(self):  # pickle protocols 0/1 (2.7's default) need it with __slots__
        return dict((name, getattr(self, name)) for name in self.__slots__ if hasattr(self, name))

    def __setstate__(self, state):
        for name, value in state.items():
            setattr(self, name, value)

    def __init__(self, max_per_host=100, max_total=100, idle_timeout=60.0,
                 max_body_size=DEFAULT_MAX_BODY_SIZE):
        if max_per_host < 1 or max_total < 1:
            raise ValueError("pool limits must be at least 1")
        if max_body_size is not None and max_body_size < 0:
            raise ValueError("max_body_size must be None or at least 0, not %r" % (max_body_size,))
        self.max_per_host = max_per_host
        self.max_total = max_total
        self.idle_timeout = idle_timeout
        self.max_body_size = max_body_size

    def __repr__(self):
        return "Limits(max_per_host=%d, max_total=%d, idle_timeout=%r, max_body_size=%r)" % (
            self.max_per_host, self.max_total, self.idle_timeout, self.body_limit())

    def body_limit(self):
        """The ``max_body_size`` in force (the default for a Limits unpickled from before it)."""
        return getattr(self, "max_body_size", DEFAULT_MAX_BODY_SIZE)


class PoolState(object):
    """Which connections exist, which are idle, and who may open another."""

    def __init__(self, limits=None):
        self.limits = limits or Limits()
        self._idle = {}     # key -> [(connection, idle_since)], newest last
        self._count = {}    # key -> connections + reserved slots
        self.total = 0
        self.closed = False

    def try_checkout(self, key, now):
        """Return ``(connection, reserved, to_close)``.

        ``connection`` is an idle connection to reuse, or None. ``reserved``
        is True when the caller may open a new connection (a slot was taken).
        Neither means: wait for a checkin. ``to_close`` lists connections
        the caller must close (expired or evicted).
        """
        to_close = []
        idle = self._idle.get(key)
        while idle:
            conn, since = idle.pop()
            if now - since <= self.limits.idle_timeout and conn.is_reusable():
                return conn, False, to_close
            to_close.append(conn)
            self._forget(key)
        if self._count.get(key, 0) >= self.limits.max_per_host:
            return None, False, to_close
        if self.total >= self.limits.max_total and not self._evict_one(to_close):
            return None, False, to_close
        self._count[key] = self._count.get(key, 0) + 1
        self.total += 1
        return None, True, to_close

    def checkin(self, key, conn, reusable, now):
        """Take back a connection or slot; return a connection to close, or None."""
        if conn is not None and reusable and not self.closed:
            self._idle.setdefault(key, []).append((conn, now))
            return None
        self._forget(key)
        return conn

    def close_all(self):
        """Mark closed and return every idle connection (the caller closes them)."""
        self.closed = True
        conns = []
        for key, idle in list(self._idle.items()):
            for conn, _ in idle:
                conns.append(conn)
                self._forget(key)
        self._idle.clear()
        return conns

    def idle_count(self, key=None):
        """Idle connections for ``key`` (or all)."""
        if key is not None:
            return len(self._idle.get(key, ()))
        return sum(len(v) for v in self._idle.values())

    def _forget(self, key):
        count = self._count.get(key, 0) - 1
        if count > 0:
            self._count[key] = count
        else:
            self._count.pop(key, None)
        self.total -= 1

    def _evict_one(self, to_close):
        oldest_key, oldest = None, None
        for key, idle in self._idle.items():
            if idle and (oldest is None or idle[0][1] < oldest):
                oldest_key, oldest = key, idle[0][1]
        if oldest_key is None:
            return False
        conn, _ = self._idle[oldest_key].pop(0)
        to_close.append(conn)
        self._forget(oldest_key)
        return True
