# -*- coding: utf-8 -*-
"""HTTP caching (RFC 9111) for every httpkit front-end: ``Session(cache=...)``.

::

    s = httpkit.Session(cache=True)                      # FileCache in the user cache dir
    s = httpkit.Session(cache="~/.cache/myapp/http")     # FileCache there
    s = httpkit.Session(cache=httpkit.cache.MemoryCache(max_entries=500))
    s = httpkit.Session(cache=httpkit.cache.RedisCache("redis://cache-host/0"))
    s = httpkit.Session(cache=httpkit.cache.Cache(FileCache(), stale_if_error=3600,
                                                  heuristic=LastModified()))
    r = s.get(url);  r.from_cache, r.cache_status   # "hit", "miss", "revalidated", ...

cachecontrol decides what is stored (and writes the metadata in its format,
shared with pip and other cachecontrol users); httpkit computes freshness,
owns the key, the stores and all I/O (see ``_rules`` and ``_flow``). Nothing
here, nor cachecontrol, is imported unless a Session is given a cache.
"""
from __future__ import absolute_import, division, print_function

import os

from .._compat import string_types
from ._filecache import FileCache, default_cache_dir
from ._flow import BYPASS, HIT, MISS, REVALIDATED, STALE
from ._redis import RedisCache
from ._store import BaseStore, BodyWriter, CacheControlStore, MemoryCache, Stored

__all__ = ["Cache", "BaseStore", "BodyWriter", "Stored", "FileCache", "MemoryCache",
           "RedisCache", "CacheControlStore", "default_cache_dir",
           "HIT", "MISS", "REVALIDATED", "STALE", "BYPASS"]


class Cache(object):
    """A Session's HTTP cache: a store plus the choices RFC 9111 leaves to the client.

    Args:
        store: where entries live: a :class:`FileCache` (the default),
            :class:`MemoryCache`, :class:`RedisCache`, any :class:`BaseStore`,
            or any cachecontrol ``BaseCache``.
        heuristic: a cachecontrol heuristic (``cachecontrol.heuristics.
            ExpiresAfter(hours=1)``, ``LastModified()``...), or ``"last-modified"``.
            Applied only to responses without explicit freshness, ``no-store``,
            ``no-cache`` or ``private`` (RFC 9111 §4.2.2).
        stale_if_error: serve a stale stored copy when the origin fails
            (connection error, timeout, 500/502/503/504): False (default), True
            (however stale), or the most seconds of staleness to accept.
            Never for a response marked ``must-revalidate``.
        shared: refuse private answers (``private``, ``Set-Cookie``, requests
            with ``Authorization``); default: the store's own ``shared``.

    .. versionadded:: 0.1
    """

    def __init__(self, store=None, heuristic=None, stale_if_error=False, shared=None):
        self.store = _as_store(FileCache() if store is None else store)
        self.heuristic = _as_heuristic(heuristic)
        if stale_if_error is not True and stale_if_error is not False \
                and not (isinstance(stale_if_error, (int, float)) and stale_if_error >= 0):
            raise ValueError("stale_if_error must be True, False or seconds >= 0, not %r"
                             % (stale_if_error,))
        self.stale_if_error = stale_if_error
        self.shared = self.store.shared if shared is None else bool(shared)
        from .._client import default_headers
        self.default_accept_encoding = default_headers()["Accept-Encoding"]
        from . import _rules  # cachecontrol is imported here: when caching is asked for
        _rules.directives("max-age=0")

    @property
    def stale_window(self):
        """Seconds a stale entry is kept for stale-if-error (0 when it is off)."""
        from ._rules import DEFAULT_STALE_WINDOW
        if self.stale_if_error is True:
            return DEFAULT_STALE_WINDOW
        return self.stale_if_error or 0

    @classmethod
    def coerce(cls, value):
        """A Cache from ``Session(cache=value)``; None when caching is off."""
        if value is None or value is False:
            return None
        if isinstance(value, Cache):
            return value
        if value is True:
            return cls()
        return cls(value)

    def key(self, url):
        """The cache key of ``url`` (a string): no user info, no fragment."""
        from .._urls import URL
        from ._rules import cache_key
        return cache_key(URL.parse(url))

    def delete(self, url):
        """Forget the stored response for ``url`` (blocking; run it in an executor from asyncio)."""
        self.store.delete(self.key(url))

    def clear(self):
        """Forget every stored response (blocking)."""
        self.store.clear()

    def close(self):
        self.store.close()

    def __repr__(self):
        return "Cache(%r)" % (self.store,)


def _as_store(value):
    if isinstance(value, BaseStore):
        return value
    if isinstance(value, string_types) or hasattr(value, "__fspath__"):
        return FileCache(os.fspath(value) if hasattr(os, "fspath") else value)
    if all(hasattr(value, name) for name in ("get", "set", "delete")):
        return CacheControlStore(value)
    raise TypeError("cache must be True, a directory, an httpkit.cache store or a "
                    "cachecontrol cache, not %r" % (value,))


def _as_heuristic(value):
    if value is None:
        return None
    if value == "last-modified":
        from cachecontrol.heuristics import LastModified
        return LastModified()
    if not hasattr(value, "apply"):
        raise TypeError("heuristic must be a cachecontrol heuristic (with apply()), not %r"
                        % (value,))
    return value
