# -*- coding: utf-8 -*-
"""The cache step of the request flow, and the two body streams it adds.

Rules:
- ONE step, run by every front-end: redirects -> auth -> **cache** ->
  retries -> cookies -> exchange. It sits under redirects, so each hop is
  looked up and stored on its own (as cachecontrol's adapter does), and above
  retries, so a retried request is one lookup and stale-if-error sees the
  final failure.
- Every store call is an ``Offload`` op (the blocking driver runs it inline,
  asyncio and Twisted in a thread pool of their own), unless the store says
  it never blocks (MemoryCache).
- A cache failure is never the caller's: a store that raises, a corrupt or
  mismatched entry, cachecontrol tripping over a header, all become a logged
  miss (the bad entry is deleted). Only a cached body that breaks while the
  caller reads it raises, as IncompleteRead, like a network body.
- Every store call is bounded by the call's total deadline
  (``Offload.within``): a store that outlives it is the caller's
  DeadlineExceeded (the deadline is the caller's limit, not a cache failure).
- Bodies stream into the cache as the caller reads them (:class:`CacheSink`,
  attached to the network BodyStream): written in 256 KiB batches, stored
  when the body ended cleanly and its length matched Content-Length.
  Unread, abandoned, cancelled or truncated bodies are discarded.
"""
from __future__ import absolute_import, division, print_function

import time
import zlib

from .._flow import Return
from .._log import debug, warning
from .._models import Headers, Response
from .._ops import Offload
from ..exceptions import ConnectionError, IncompleteRead, Timeout
from . import _rules
from ._entry import CorruptEntry, decode, vary_matches

__all__ = ["cache_step", "CacheSink", "CachedBody", "HIT", "MISS", "REVALIDATED", "STALE",
           "BYPASS"]

HIT, MISS, REVALIDATED, STALE, BYPASS = "hit", "miss", "revalidated", "stale", "bypass"
_SAFE_METHODS = frozenset(("GET", "HEAD", "OPTIONS", "TRACE"))
_ORIGIN_FAILED = frozenset((500, 502, 503, 504))
_CONDITIONAL = ("if-none-match", "if-modified-since", "if-match", "if-unmodified-since",
                "if-range")
_FLUSH_SIZE = 256 * 1024
_READ_SIZE = 256 * 1024


def _guarded(what, key, func, *args):
    """Run a store call; a failure is logged and gives None (a cache never fails a request)."""
    try:
        return func(*args)
    except Exception as exc:  # noqa: BLE001 - stores and cachecontrol raise anything
        warning("cache: %s %s failed (%s: %s); treated as a miss", what, key,
                type(exc).__name__, exc)
        return None


def _store_call(deadline, store, what, key, func, *args):
    """Flow: ``func(*args)`` guarded, off the event loop when the store blocks.

    ``deadline``: the call's total deadline (a Budget) or None; a store call
    that outlives it is the caller's DeadlineExceeded, not a cache failure.
    """
    if store.blocking:
        result = yield Offload.within(deadline, _guarded, what, key, func, *args)
    else:
        result = _guarded(what, key, func, *args)
    raise Return(result)


class _Found(object):
    __slots__ = ("entry", "body", "size", "crc")

    def __init__(self, entry, body, size, crc=None):
        self.entry, self.body, self.size, self.crc = entry, body, size, crc

    def close(self):
        close = getattr(self.body, "close", None)
        if close is not None:
            close()


def _same_file(stamp, identity):
    """Size and inode equal, mtime within 1 ms (2.7 reads it as a float, 3.x in ns)."""
    try:
        return stamp[0] == identity[0] and stamp[1] == identity[1] \
            and abs(stamp[2] - identity[2]) <= 1
    except (TypeError, IndexError):
        return False


def _lookup(store, key):
    """Load and check the entry for ``key`` (runs where store I/O may block)."""
    stored = store.load(key)
    if stored is None:
        return None
    try:
        entry = decode(stored.meta)
        crc = None
        if entry.stamp is not None and stored.identity is not None:
            if not _same_file(entry.stamp, stored.identity):
                stored.close()  # another process is storing this key right now
                return None
            crc = entry.stamp[3] if len(entry.stamp) > 3 else None
        body, size = stored.body, stored.size
        if body is None:
            body = entry.inline_body or b""
        if isinstance(body, bytes):
            size = len(body)
            if crc is not None and zlib.crc32(body) & 0xffffffff != crc:
                return None  # another writer's body, on an inode that looked like ours
        length = entry.headers.get("content-length")
        if length is not None and length.isdigit() and size is not None \
                and int(length) != size:
            raise CorruptEntry("stored body is %d bytes, Content-Length says %s"
                               % (size, length))
        return _Found(entry, body, size, crc)
    except CorruptEntry as exc:
        stored.close()
        warning("cache: entry for %s is unusable (%s); deleted", key, exc)
        store.delete(key)
        return None


# --------------------------------------------------------------------------- the step
def cache_step(ctx, request, send):
    """Flow: answer ``request`` from ``ctx.cache`` or through ``send(ctx, request)``."""
    cache = ctx.cache
    if ctx.cache_bypass or request.method != "GET":
        response = yield send(ctx, request)
        response.cache_status = BYPASS
        if request.method not in _SAFE_METHODS and response.status_code < 400:
            key = _rules.cache_key(request.parsed_url)  # RFC 9111 §4.4: invalidate
            yield _store_call(ctx.deadline_budget(), cache.store, "delete", key,
                              cache.store.delete, key)
        raise Return(response)
    key = _rules.cache_key(request.parsed_url)
    request_cc = _rules.directives(request.headers.get("cache-control"))
    found = verdict = None
    if "no-store" not in request_cc:
        store = cache.store  # the lookup inline, not a sub-flow: this is the hit path
        if store.blocking:
            found = yield Offload.within(ctx.deadline_budget(), _guarded, "lookup", key,
                                         _lookup, store, key)
        else:
            found = _guarded("lookup", key, _lookup, store, key)
        if found is not None and not _usable(found.entry, request.headers, cache):
            found.close()
            found = None
        if found is not None:
            verdict = _verdict(found.entry, request_cc, cache)
            if verdict is not None and verdict.state != _rules.Verdict.STALE:
                fresh = verdict.state == _rules.Verdict.FRESH
                raise Return(_serve(ctx, request, cache, found, HIT if fresh else STALE))
    try:
        response = yield _answer(ctx, request, send, cache, key, request_cc, found, verdict)
    except BaseException:
        if found is not None:
            found.close()
        raise
    raise Return(response)


def _usable(entry, headers, cache):
    """The entry is this request's variant, in a coding this host can decode."""
    default = cache.default_accept_encoding
    return vary_matches(entry, lambda name: _rules.vary_value(headers, name, default)) \
        and _rules.decodable(entry)


def _answer(ctx, request, send, cache, key, request_cc, found, verdict):
    """Flow: no stored response to serve as it is: validate, fetch, or give up."""
    if "only-if-cached" in request_cc:
        raise Return(_gateway_timeout(request))  # RFC 9111 §5.2.1.7
    sent, conditional = request, False
    if found is not None and verdict is not None \
            and not any(h in request.headers for h in _CONDITIONAL):
        headers = _rules.validators(found.entry)
        if headers:
            sent, conditional = request.copy(), True
            for name, value in headers.items():
                sent.headers[name] = value
    try:
        response = yield send(ctx, sent)
    except (ConnectionError, Timeout) as exc:
        if found is not None and _stale_allowed(cache, verdict):
            _log_stale(key, exc)
            raise Return(_serve(ctx, request, cache, found, STALE))
        raise
    if found is not None and conditional and response.status_code == 304:
        from .._flows import discard_body
        yield discard_body(response)
        served = yield _revalidated(ctx, request, sent, cache, key, found, response)
        raise Return(served)
    if found is not None and response.status_code in _ORIGIN_FAILED \
            and _stale_allowed(cache, verdict):
        from .._flows import discard_body
        yield discard_body(response)
        _log_stale(key, "status %d" % response.status_code)
        raise Return(_serve(ctx, request, cache, found, STALE))
    if found is not None:
        found.close()
    yield _plan(ctx, cache, key, request, response, found is not None)
    response.cache_status = MISS
    raise Return(response)


def _verdict(entry, request_cc, cache):
    try:
        return _rules.evaluate(entry, request_cc, _now(), cache.shared)
    except Exception as exc:  # noqa: BLE001 - a header cachecontrol's parser chokes on
        warning("cache: cannot judge the freshness of a stored response (%s); revalidating",
                exc)
        return None


def _stale_allowed(cache, verdict):
    window = cache.stale_if_error
    if not window or verdict is None or verdict.revalidate_only:
        return False
    return window is True or verdict.staleness <= window


def _log_stale(key, cause):
    log = debug()
    if log:
        log.debug("cache: serving a stale copy of %s (the origin failed: %s)", key, cause)


def _now():
    return time.time()


def _serve(ctx, request, cache, found, status):
    """The stored response for ``request``, its body read from the store."""
    entry = found.entry
    response = Response(entry.status, entry.reason, entry.headers.copy(), request,
                        "HTTP/1.0" if entry.version == 10 else "HTTP/1.1")
    response.from_cache = True
    response.cache_status = status
    if "set-cookie" in response.headers:  # r.cookies: what the stored response set
        from .._cookies import cookies_set_by
        response.cookies = cookies_set_by(response)
    body = found.body
    if isinstance(body, bytes) and not ctx.stream \
            and not response.headers.get("content-encoding") \
            and (ctx.max_body_size is None or len(body) <= ctx.max_body_size):
        response._content = body  # nothing to stream, decode or refuse: the body is here
    else:
        response._stream = CachedBody(ctx, response, body, found.size, cache.store.blocking,
                                      found.crc)
    log = debug()
    if log:
        log.debug("cache %s: %s %s -> %d", status, request.method, request.url, entry.status)
    return response


def _gateway_timeout(request):
    response = Response(504, "Gateway Timeout", Headers(), request)
    response._content = b""
    response.cache_status = MISS
    return response


def _revalidated(ctx, request, sent, cache, key, found, not_modified):
    """Flow: merge a 304 into the stored response, store that, and serve it (a 200)."""
    old = found.entry
    entry = found.entry = old.with_headers(
        Headers(_rules.merged_headers(old, not_modified.headers)))
    meta = None
    try:
        if not _rules.update_is_moot(old, entry, cache.shared):
            view = _rules.vary_view(request.headers, cache.default_accept_encoding)
            meta, ttl = _rules.updated_meta(cache, key, view, entry, _now())
    except Exception as exc:  # noqa: BLE001 - see _verdict
        warning("cache: cannot update the entry for %s (%s)", key, exc)
        meta = None
    if meta is not None:
        yield _store_call(ctx.deadline_budget(), cache.store, "update", key,
                          cache.store.update, key, meta, ttl, entry.stamp)
    response = _serve(ctx, sent, cache, found, REVALIDATED)
    response.elapsed = not_modified.elapsed
    raise Return(response)


def _plan(ctx, cache, key, request, response, existing):
    """Flow: let cachecontrol judge ``response``; attach a sink if it is to be stored."""
    try:
        view = _rules.vary_view(request.headers, cache.default_accept_encoding)
        plan = _rules.plan_store(cache, key, view, response, existing, _now())
    except Exception as exc:  # noqa: BLE001 - cachecontrol asserts on odd headers
        warning("cache: cannot judge the response from %s (%s); not stored", key, exc)
        return
    if plan.purge:
        yield _store_call(ctx.deadline_budget(), cache.store, "delete", key,
                          cache.store.delete, key)
    stream = response._stream
    if plan.meta is not None and stream is not None and not stream.done:
        writer = yield _store_call(ctx.deadline_budget(), cache.store, "open", key,
                                   cache.store.writer, key)
        if writer is not None:
            stream.sink = CacheSink(cache.store, key, writer, plan.meta, plan.ttl,
                                    response.headers.get("content-length"))
            stream.sink.deadline = ctx.deadline_budget()


# --------------------------------------------------------------------------- writing
class CacheSink(object):
    """Where a network body goes as the caller reads it: a store's BodyWriter.

    The BodyStream hands it every raw piece (``take``, a flow) and ``b""`` at
    the end; an error or an abandoned body calls :meth:`discard`.
    """

    __slots__ = ("store", "key", "writer", "meta", "ttl", "expected", "pending", "pending_size",
                 "size", "deadline")

    def __init__(self, store, key, writer, meta, ttl, content_length):
        self.store, self.key, self.writer = store, key, writer
        self.meta, self.ttl = meta, ttl
        self.expected = int(content_length) if content_length and content_length.isdigit() \
            else None
        self.pending, self.pending_size, self.size = [], 0, 0
        self.deadline = None  # the call's total deadline (a Budget), set by _plan

    def take(self, data):
        """Flow: add a piece of the body; ``b""`` (the end) stores the entry."""
        if data:
            self.size += len(data)
            if not self.store.blocking:
                self.writer.write(data)
                return
            self.pending.append(data)
            self.pending_size += len(data)
            if self.pending_size >= _FLUSH_SIZE:
                yield self._flush()
            return
        if self.expected is not None and self.size != self.expected:
            warning("cache: body of %s was %d bytes, Content-Length %d; not stored",
                    self.key, self.size, self.expected)
            self.discard()
            return
        if self.pending:
            yield self._flush()
        stored = yield _store_call(self.deadline, self.store, "store", self.key,
                                   self.writer.commit, self.meta, self.ttl)
        if stored:
            log = debug()
            if log:
                log.debug("cache: stored %s (%d bytes)", self.key, self.size)

    def _flush(self):
        data = b"".join(self.pending) if len(self.pending) > 1 else self.pending[0]
        self.pending, self.pending_size = [], 0
        return _store_call(self.deadline, self.store, "write", self.key, self.writer.write,
                           data)

    def discard(self):
        self.pending = []
        _guarded("discard", self.key, self.writer.discard)


# --------------------------------------------------------------------------- reading
class CachedBody(object):
    """A stored body served like a network BodyStream (see ``_exchange.BodyPieces``).

    The source is bytes (served by plain calls) or a file (read by ``Offload``
    ops, so an event loop never waits on the disk).
    """

    __slots__ = ("source", "size", "decoder", "done", "raw_bytes", "blocking", "sink", "crc",
                 "expected_crc", "max_body_size", "deadline", "progress")

    def __init__(self, ctx, response, source, size, blocking, crc=None):
        self.source, self.size = source, size
        self.crc, self.expected_crc = 0, crc
        self.decoder = ctx.decoder_for(response)
        self.max_body_size = ctx.max_body_size  # a stored body is capped like a network one
        self.deadline = ctx.deadline_budget()
        self.done = False
        self.raw_bytes = 0
        self.blocking = blocking and not isinstance(source, bytes)
        self.sink = None
        self.progress = None  # the on_progress meter (httpkit._progress), if any

    def read_buffered(self):
        if self.done:
            return b""
        if self.blocking:
            return None
        return self._decoded(self._read(_READ_SIZE))

    def read_chunk(self, want=None):
        """Flow: the next decoded piece; ``b""`` at the end."""
        while not self.done:
            if self.blocking:
                data = yield Offload.within(self.deadline, self._read,
                                            max(want or 0, _READ_SIZE))
            else:
                data = self._read(max(want or 0, _READ_SIZE))
            out = self._decoded(data)
            if out is not None:
                raise Return(out)
        raise Return(b"")

    def _read(self, n):
        source = self.source
        if isinstance(source, bytes):
            data = source[self.raw_bytes:self.raw_bytes + n] if n < len(source) else \
                source[self.raw_bytes:]
        else:
            try:
                data = source.read(n)
            except (IOError, OSError, ValueError) as exc:
                self.abort()
                raise IncompleteRead("the cached body could not be read: %s" % (exc,))
        if not data and self.size is not None and self.raw_bytes < self.size:
            self.abort()
            raise IncompleteRead("the cached body ended after %d of %d bytes"
                                 % (self.raw_bytes, self.size))
        if self.expected_crc is not None:  # a streamed FileCache body: see _filecache
            self.crc = zlib.crc32(data, self.crc)
            if not data and self.crc & 0xffffffff != self.expected_crc:
                self.abort()
                raise IncompleteRead("the cached body was replaced by another process "
                                     "while it was read")
        return data

    def _decoded(self, data):
        try:
            if data:
                self.raw_bytes += len(data)
                if self.progress is not None:
                    self.progress.update(self.raw_bytes)
                return data if self.decoder is None else (self.decoder.decode(data) or None)
            if self.progress is not None:
                self.progress.finish(self.raw_bytes)
        except BaseException:  # a decoding error, or what an on_progress callback raised
            self.abort()
            raise
        self.abort()
        return self.decoder.flush() if self.decoder is not None else b""

    def abort(self):
        """Stop reading: the stored file is closed."""
        self.done = True
        close = getattr(self.source, "close", None)
        if close is not None:
            close()
