"""RedisCache: one cache shared by many processes and machines (the ``redis`` extra).

Rules:
- An entry is two Redis strings, ``<prefix><key>`` (metadata) and
  ``<prefix><key>:body``, written together in one MULTI/EXEC transaction and
  read together with one MGET, so a reader never sees one response's head
  with another's body. The prefix keeps httpkit's entries apart from a
  cachecontrol RedisCache on the same database (whose entries hold their body
  inline, and which would serve httpkit's metadata with an empty body).
- Redis refuses a past or zero expiry and caps strings at 512 MiB: every TTL
  is clamped to 1 s .. 1 year, and bodies over ``max_body_size`` (64 MiB by
  default) are not stored.
- Shared by default: responses marked ``private``, ones that set cookies and
  answers to requests with credentials are never stored (see ``_rules``).
- ``redis`` is imported when a RedisCache is made from a URL, never when
  httpkit.cache is: without it that is an ImportError naming the extra, not
  a cache whose every lookup fails as a miss.
"""
from __future__ import absolute_import, division, print_function

import re

from .._compat import string_types
from ._store import BaseStore, BodyWriter, Stored

__all__ = ["RedisCache"]

_MAX_TTL = 365 * 86400


def _import_redis():
    """The ``redis`` module, or an ImportError naming the extra that installs it."""
    try:
        import redis
    except ImportError as exc:
        raise ImportError('RedisCache needs the redis package: pip install "httpkit[redis]" (%s)'
                          % (exc,))
    return redis


def _clamp(ttl):
    return max(1, min(int(ttl or _MAX_TTL), _MAX_TTL))


class RedisCache(BaseStore):
    """Entries in Redis, shared by every process and machine that uses the same database.

    Args:
        client: a ``redis://host:port/db`` URL (``rediss://`` for TLS), or a
            ``redis.Redis`` client made by the caller.
        prefix: put before every key (default ``"httpkit:"``); ``clear()``
            removes the keys with this prefix only.
        shared: never store private answers (default True: a Redis cache is
            usually shared by several users).
        max_body_size: bodies longer than this are not stored (default 64 MiB;
            Redis strings cannot exceed 512 MiB).

    Raises:
        ImportError: ``client`` is a URL and the ``redis`` package is missing
            (``pip install "httpkit[redis]"``).
        ValueError: an empty ``prefix``.

    .. versionadded:: 0.1
    """

    def __init__(self, client="redis://localhost:6379/0", prefix="httpkit:", shared=True,
                 max_body_size=64 * 1024 * 1024):
        if not prefix:
            raise ValueError("RedisCache needs a non-empty prefix (clear() deletes by it)")
        self._url = client if isinstance(client, string_types) else None
        self._client = None if self._url else client
        if self._url:
            _import_redis()
        self.prefix = prefix
        self.shared = shared
        self.max_body_size = max_body_size

    @property
    def client(self):
        """The ``redis.Redis`` client (made from the URL on first use)."""
        if self._client is None:
            self._client = _import_redis().Redis.from_url(self._url)
        return self._client

    def _keys(self, key):
        name = self.prefix + key
        return name, name + ":body"

    def load(self, key):
        meta, body = self.client.mget(self._keys(key))
        if meta is None:
            return None
        return Stored(meta, body, None, None if body is None else len(body))

    def writer(self, key):
        return _RedisWriter(self, key)

    def put(self, key, meta, body, ttl):
        meta_key, body_key = self._keys(key)
        pipe = self.client.pipeline(transaction=True)
        pipe.set(body_key, body, ex=_clamp(ttl))
        pipe.set(meta_key, meta, ex=_clamp(ttl))
        pipe.execute()

    def update(self, key, meta, ttl, stamp=None):
        meta_key, body_key = self._keys(key)
        pipe = self.client.pipeline(transaction=True)
        pipe.set(meta_key, meta, ex=_clamp(ttl), xx=True)
        pipe.expire(body_key, _clamp(ttl))
        pipe.execute()

    def delete(self, key):
        self.client.delete(*self._keys(key))

    def clear(self):
        batch = []
        pattern = re.sub(r"([*?\[\]\\])", r"\\\1", self.prefix) + "*"  # the prefix, literally
        for name in self.client.scan_iter(match=pattern, count=500):
            batch.append(name)
            if len(batch) >= 500:
                self.client.delete(*batch)
                batch = []
        if batch:
            self.client.delete(*batch)

    def close(self):
        if self._url and self._client is not None:  # ours, made from the URL
            client, self._client = self._client, None
            getattr(client, "close", lambda: None)()

    def __repr__(self):
        return "RedisCache(%r, prefix=%r)" % (self._url or self._client, self.prefix)


class _RedisWriter(BodyWriter):
    def __init__(self, store, key):
        BodyWriter.__init__(self, store.max_body_size)
        self._owner, self._key = store, key

    def _store(self, meta, ttl):
        self._owner.put(self._key, meta, self._body(), ttl)
