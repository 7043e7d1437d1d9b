"""Where cache entries live: the store interface, MemoryCache and cachecontrol's caches.

Rules:
- A store keeps, per key, metadata bytes (cachecontrol's format, see
  :mod:`httpkit.cache._entry`) and a body. It does blocking I/O and knows no
  HTTP: every call is made by the cache flow through an ``Offload`` op, so
  the asyncio and Twisted drivers run it off their event loop (a store whose
  ``blocking`` is False, like MemoryCache, is called directly).
- Bodies are written through a :class:`BodyWriter` while the caller reads the
  response: ``write()`` pieces, then ``commit(meta, ttl)`` (body first, then
  the metadata that points to it) or ``discard()``. A body past the store's
  ``max_body_size`` is dropped as it grows, never buffered whole.
- ``shared``: the store serves several users (RedisCache by default); the
  cache rules then refuse private answers (see :mod:`httpkit.cache._rules`).
"""
from __future__ import absolute_import, division, print_function

import collections
import tempfile
import threading

__all__ = ["Stored", "BaseStore", "BodyWriter", "MemoryCache", "CacheControlStore"]

#: Bodies larger than this stay on disk while being written to a non-file store.
_SPOOL_SIZE = 1024 * 1024


class Stored(object):
    """What :meth:`BaseStore.load` found.

    Attributes:
        meta: the metadata bytes.
        body: bytes, a binary file positioned at 0 (the caller closes it), or
            None (the body is inside ``meta``, or there is none).
        identity: what the store knows of the body (FileCache: ``[size, inode,
            mtime_ns]``), compared with the stamp in ``meta``; None to skip.
        size: the body's length in bytes when known, else None.
    """

    __slots__ = ("meta", "body", "identity", "size")

    def __init__(self, meta, body=None, identity=None, size=None):
        self.meta, self.body, self.identity, self.size = meta, body, identity, size

    def close(self):
        close = getattr(self.body, "close", None)
        if close is not None:
            close()


class BaseStore(object):
    """The interface every httpkit store implements (all methods block).

    Subclass it to keep entries elsewhere; or pass any cachecontrol
    ``BaseCache`` to ``Session(cache=...)``, which is wrapped in a
    :class:`CacheControlStore`.

    .. versionadded:: 0.1
    """

    #: Several users share this store, so private answers are never stored.
    shared = False
    #: False when calls never block (the flow then calls them directly).
    blocking = True
    #: Bodies longer than this many bytes are not stored (None for no limit).
    max_body_size = None

    def load(self, key):
        """Return the :class:`Stored` entry for ``key``, or None."""
        raise NotImplementedError

    def writer(self, key):
        """Return a :class:`BodyWriter` that stores a new entry for ``key``."""
        raise NotImplementedError

    def update(self, key, meta, ttl, stamp=None):
        """Replace only the metadata of ``key`` (after a 304); the body stays."""
        raise NotImplementedError

    def delete(self, key):
        """Remove ``key``'s entry, if any."""
        raise NotImplementedError

    def clear(self):
        """Remove every entry of this store."""
        raise NotImplementedError

    def close(self):
        """Release connections or handles (the store may be used again after)."""


class BodyWriter(object):
    """Collects one body, then stores it with its metadata: ``write``, ``commit``/``discard``.

    This base class spools the body to a temporary file (in memory up to
    1 MiB) and hands the whole of it to ``store`` on commit: the shape
    of stores that keep one value per key.
    """

    def __init__(self, limit=None):
        self.limit = limit
        self.size = 0
        self.dropped = False  # over the limit, or discarded
        self._spool = None

    def write(self, data):
        """Add the next piece of the body (raw bytes, as sent)."""
        if self.dropped:
            return
        self.size += len(data)
        if self.limit is not None and self.size > self.limit:
            self.discard()
            return
        self._append(data)

    def commit(self, meta, ttl):
        """Store the body, then ``meta``; returns True when the entry was written."""
        if self.dropped:
            return False
        try:
            self._store(meta, ttl)
        finally:
            self._release()
        return True

    def discard(self):
        """Forget the body: the entry is not written."""
        self.dropped = True
        self._release()

    # ---- for subclasses
    def _append(self, data):
        if self._spool is None:
            self._spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_SIZE)
        self._spool.write(data)

    def _body(self):
        if self._spool is None:
            return b""
        self._spool.seek(0)
        return self._spool.read()

    def _store(self, meta, ttl):
        raise NotImplementedError

    def _release(self):
        spool, self._spool = self._spool, None
        if spool is not None:
            spool.close()


# --------------------------------------------------------------------------- memory
class MemoryCache(BaseStore):
    """Entries in this process's memory, least recently used dropped first.

    Args:
        max_entries: how many responses to keep (default 1024).
        max_body_size: bodies longer than this are not stored (default 16 MiB).

    Thread-safe. Calls never block, so the event-loop front-ends skip the
    thread hop other stores need.

    .. versionadded:: 0.1
    """

    blocking = False

    def __init__(self, max_entries=1024, max_body_size=16 * 1024 * 1024):
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1, not %r" % (max_entries,))
        self.max_entries = max_entries
        self.max_body_size = max_body_size
        self._entries = collections.OrderedDict()
        self._lock = threading.Lock()

    def load(self, key):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            del self._entries[key]  # move to the most recently used end (2.7 has no move_to_end)
            self._entries[key] = entry
        meta, body = entry
        return Stored(meta, body, None, len(body))

    def writer(self, key):
        return _MemoryWriter(self, key)

    def put(self, key, meta, body):
        with self._lock:
            self._entries.pop(key, None)
            self._entries[key] = (meta, body)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def update(self, key, meta, ttl, stamp=None):
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries[key] = (meta, entry[1])

    def delete(self, key):
        with self._lock:
            self._entries.pop(key, None)

    def clear(self):
        with self._lock:
            self._entries.clear()

    def __len__(self):
        return len(self._entries)


class _MemoryWriter(BodyWriter):
    def __init__(self, store, key):
        BodyWriter.__init__(self, store.max_body_size)
        self._store_ref, self._key, self._parts = store, key, []

    def _append(self, data):
        self._parts.append(data)

    def _store(self, meta, ttl):
        self._store_ref.put(self._key, meta, b"".join(self._parts))

    def _release(self):
        self._parts = []


# --------------------------------------------------------------------------- cachecontrol's
class CacheControlStore(BaseStore):
    """Any cachecontrol ``BaseCache`` (DictCache, FileCache, RedisCache, pip's) as a store.

    Caches with separate bodies (cachecontrol's ``SeparateBodyBaseCache``)
    get the body beside the metadata; the others get it inside the metadata,
    as cachecontrol itself writes them, so either side reads the other's entries.

    .. versionadded:: 0.1
    """

    def __init__(self, cache, shared=False, max_body_size=64 * 1024 * 1024):
        self.cache = cache
        self.shared = shared
        self.max_body_size = max_body_size
        self.separate = hasattr(cache, "get_body") and hasattr(cache, "set_body")

    def load(self, key):
        meta = self.cache.get(key)
        if meta is None:
            return None
        body = self.cache.get_body(key) if self.separate else None
        return Stored(meta, body)

    def writer(self, key):
        return _CacheControlWriter(self, key)

    def set(self, key, meta, ttl):
        try:
            self.cache.set(key, meta, expires=ttl)
        except TypeError:  # cachecontrol 0.12's caches take no expiry
            self.cache.set(key, meta)

    def update(self, key, meta, ttl, stamp=None):
        if not self.separate:
            stored = self.cache.get(key)
            if stored is None:
                return
            from ._entry import decode, with_inline_body
            meta = with_inline_body(meta, decode(stored).inline_body or b"")
        self.set(key, meta, ttl)

    def delete(self, key):
        self.cache.delete(key)

    def clear(self):
        clear = getattr(self.cache, "clear", None)
        if clear is None:
            raise NotImplementedError("%s cannot be cleared" % type(self.cache).__name__)
        clear()

    def close(self):
        close = getattr(self.cache, "close", None)
        if close is not None:
            close()


class _CacheControlWriter(BodyWriter):
    def __init__(self, store, key):
        BodyWriter.__init__(self, store.max_body_size)
        self._owner, self._key = store, key

    def _store(self, meta, ttl):
        owner, body = self._owner, self._body()
        if owner.separate:
            owner.cache.set_body(self._key, body)
        else:
            from ._entry import with_inline_body
            meta = with_inline_body(meta, body)
        owner.set(self._key, meta, ttl)
