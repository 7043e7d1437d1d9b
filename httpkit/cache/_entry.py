"""Cache entries in cachecontrol's format: decoding what a store holds, stamping it.

Rules:
- Metadata is cachecontrol's Serializer format, version 4 (``b"cc=4," +
  msgpack``), so httpkit and other cachecontrol users (pip among them) read
  each other's entries. It is written by cachecontrol's own Serializer (see
  :mod:`httpkit.cache._rules`); here it is only read, and stamped.
- Only version 4 is accepted. Versions 1 and 2 were a pickle and zlib'd JSON:
  cachecontrol 0.12.6 still unpickles ``cc=1``, so anyone able to write to a
  shared store could run code in every client. Such entries are corrupt here.
- httpkit keeps bodies beside the metadata (its ``body`` field is empty, as in
  cachecontrol's SeparateBodyBaseCache); an entry written with its body inline
  (cachecontrol's DictCache, RedisCache, 0.12's FileCache) is read as well.
- Headers read back are validated like any header (no CR/LF smuggled from a
  shared store into a response). Nothing here does I/O.
"""
from __future__ import absolute_import, division, print_function

from .._compat import binary_type, to_str
from .._models import Headers
from ..exceptions import InvalidHeader

__all__ = ["PREFIX", "CorruptEntry", "Entry", "decode", "stamp", "with_inline_body",
           "vary_matches"]

PREFIX = b"cc=4,"
#: The top-level msgpack key httpkit adds; cachecontrol ignores unknown keys.
_STAMP_KEY = u"httpkit"


class CorruptEntry(Exception):
    """A stored entry that cannot be used (wrong version, bad msgpack, bad fields)."""


class Entry(object):
    """One decoded cache entry: the stored response head, its vary record and stamp.

    Attributes:
        status, reason, version: the stored status line (version as 10 or 11).
        headers: :class:`httpkit._models.Headers`.
        vary: ``{header name: request value or None}`` recorded at store time.
        inline_body: the body when it was stored inside the metadata, else None.
        stamp: what the store recorded about its body file (FileCache), or None.
        meta: the metadata bytes as read.
    """

    __slots__ = ("status", "reason", "version", "headers", "vary", "inline_body", "stamp",
                 "meta", "facts")

    def with_headers(self, headers):
        """A copy with other headers (entries are shared: never changed in place)."""
        entry = Entry()
        for name in Entry.__slots__:
            setattr(entry, name, getattr(self, name))
        entry.headers, entry.facts = headers, None
        return entry


def _msgpack():
    import msgpack  # a dependency of cachecontrol
    return msgpack


def _unpack(meta):
    if not isinstance(meta, binary_type) or not meta.startswith(PREFIX):
        raise CorruptEntry("not a cachecontrol version 4 entry")
    try:
        data = _msgpack().loads(meta[len(PREFIX):], raw=False)
    except Exception as exc:  # noqa: BLE001 - msgpack raises many types on junk
        raise CorruptEntry("undecodable entry: %s" % (exc,))
    if not isinstance(data, dict) or not isinstance(data.get(u"response"), dict):
        raise CorruptEntry("entry has no response")
    return data


#: Decoded entries by their metadata bytes: a hit re-reads the same bytes again and again.
_DECODED = {}
_DECODED_MAX = 512


def decode(meta):
    """Return the :class:`Entry` in ``meta`` (bytes from a store); never change it in place.

    Raises:
        CorruptEntry: anything but a well-formed version 4 entry.
    """
    entry = _DECODED.get(meta)
    if entry is None:
        entry = _decode(meta)
        if len(_DECODED) >= _DECODED_MAX:
            _DECODED.clear()
        _DECODED[meta] = entry
    return entry


def _decode(meta):
    data = _unpack(meta)
    response = data[u"response"]
    entry = Entry()
    try:
        entry.status = int(response[u"status"])
        entry.reason = to_str(response.get(u"reason") or u"")
        entry.version = int(response.get(u"version") or 11)
        entry.headers = Headers([(to_str(k), to_str(v))
                                 for k, v in response[u"headers"].items()])
        vary = data.get(u"vary") or {}
        entry.vary = dict((to_str(k), None if v is None else to_str(v))
                          for k, v in vary.items())
        body = response.get(u"body")
    except (KeyError, TypeError, ValueError, AttributeError, InvalidHeader) as exc:
        raise CorruptEntry("malformed entry: %s" % (exc,))
    if not 100 <= entry.status <= 599:
        raise CorruptEntry("stored status %r is not an HTTP status" % (entry.status,))
    if body is not None and not isinstance(body, binary_type):
        raise CorruptEntry("stored body is not bytes")
    entry.inline_body = body or None
    entry.stamp = data.get(_STAMP_KEY)
    entry.meta = meta
    entry.facts = None  # what _rules.evaluate derives from the headers, once
    return entry


def stamp(meta, value):
    """Return ``meta`` with httpkit's body stamp ``value`` (a list) recorded in it."""
    data = _unpack(meta)
    data[_STAMP_KEY] = value
    return PREFIX + _msgpack().dumps(data, use_bin_type=True)


def with_inline_body(meta, body):
    """Return ``meta`` with ``body`` inside it (for stores that keep one value per key)."""
    data = _unpack(meta)
    data[u"response"][u"body"] = body
    return PREFIX + _msgpack().dumps(data, use_bin_type=True)


def vary_matches(entry, value_of):
    """True when every header the entry varied on has the value it had at store time.

    ``value_of(name)``: the request's value as variants record it (``_rules.vary_value``).
    """
    for name, value in entry.vary.items():
        if name == "*" or value_of(name) != value:
            return False
    return True

