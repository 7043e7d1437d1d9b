"""A body a transport gave (bytes or an iterable of bytes), pulled like a network body.

Rules:
- Same protocol as :class:`httpkit._exchange.BodyStream` and the cache's
  ``CachedBody`` (``read_buffered``, the ``read_chunk`` flow, ``abort``,
  ``decoder``, ``done``, ``raw_bytes``, ``sink``), so ``BodyPieces``, content
  decoding, ``stream=True``, ``iter_content``, ``r.raw``, ``aiter_content``,
  Twisted's ``collect`` and the cache's sink treat it like the network's.
- The pieces are the body as sent (still content-encoded): the core binds the
  call's decoder (:meth:`GivenBody.bind`) once it knows the response.
- A ``blocking`` source (a WSGI app's iterable) is pulled through ``Offload``
  ops, so an event loop never waits on it; other sources with plain calls.
"""
from __future__ import absolute_import, division, print_function

import functools

from .._compat import binary_type, text_type
from .._exchange import DecodingBody
from .._flow import Return
from .._ops import Offload

__all__ = ["GivenBody"]


class GivenBody(DecodingBody):
    """A response body from a transport: bytes, or an iterable of bytes pieces.

    Args:
        source: bytes, or an iterable of bytes (empty pieces are skipped).
        blocking: pull the iterable through ``Offload`` (it may block).
        close: called once when the body ends or is abandoned (WSGI's ``close()``).
    """

    __slots__ = ("source", "iterator", "blocking", "decoder", "done", "raw_bytes", "sink",
                 "_close", "_text_ok", "max_body_size", "deadline", "progress")

    def __init__(self, source, blocking=False, close=None):
        if isinstance(source, binary_type):
            self.source, self.iterator = source, None
        else:
            self.source, self.iterator = None, iter(source)
        self.blocking = blocking and self.iterator is not None
        self.decoder = None
        self.deadline = None  # the call's total deadline (a Budget), set by bind()
        self.done = False
        self.raw_bytes = 0
        #: A cache.CacheSink that stores the raw body as it is read (None: not cached).
        self.sink = None
        self._close = close if close is not None else getattr(source, "close", None)
        self._text_ok = False
        self.max_body_size = None  # a Session's limit once bound (read_all)
        self.progress = None  # the on_progress meter (httpkit._progress), if any

    @classmethod
    def from_file(cls, fileobj, text_ok=False):
        """A body read from ``fileobj`` as the caller reads, closed at its end.

        ``text_ok``: a text-mode file's str pieces are taken as UTF-8 (``r.raw =
        StringIO()`` in requests' tests); otherwise pieces must be bytes.
        """
        body = cls(iter(functools.partial(fileobj.read, 65536), fileobj.read(0)),
                   close=getattr(fileobj, "close", None))
        body._text_ok = text_ok
        return body

    def bind(self, ctx, response):
        """Decode with the call's content decoder (gzip, br...) and its body limit from now on."""
        self.decoder = ctx.decoder_for(response)
        self.max_body_size = ctx.max_body_size
        self.deadline = ctx.deadline_budget()

    def read_buffered(self):
        """Return the next decoded chunk if it needs no op, else None (see BodyStream)."""
        if self.done:
            return b""
        if self.blocking or self.sink is not None:
            return None
        try:
            while True:
                out = self._decoded(self._pull())
                if out is not None:
                    return out
        except BaseException:
            self.abort()
            raise

    def read_chunk(self, want=None):
        """Flow: return the next decoded chunk; ``b""`` once the body has ended."""
        if self.done:
            raise Return(b"")
        try:
            while True:
                if self.blocking:
                    data = yield Offload.within(self.deadline, self._pull)
                else:
                    data = self._pull()
                out = self._decoded(data)
                if self.sink is not None:
                    yield self._store(data)
                if out is not None:
                    raise Return(out)
        except Return:
            raise
        except BaseException:
            self.abort()
            raise

    def _pull(self):
        """The next raw piece; ``b""`` at the end."""
        if self.source is not None:
            data, self.source = self.source, None
            return data
        if self.iterator is None:
            return b""
        for piece in self.iterator:
            if not isinstance(piece, binary_type):
                if not (self._text_ok and isinstance(piece, text_type)):
                    raise TypeError("a response body iterable must yield bytes, not %s"
                                    % type(piece).__name__)
                piece = piece.encode("utf-8")
            if piece:
                return piece
        self.iterator = None
        return b""

    def _finish(self):
        self.done = True
        self.source = self.iterator = None
        close, self._close = self._close, None
        if close is not None:
            close()

    def abort(self):
        """Give up on the rest of the body (its source is closed)."""
        sink, self.sink = self.sink, None
        if sink is not None:
            sink.discard()  # a body not read to its clean end is never stored
        if not self.done:
            self._finish()


class _InlineDriver(object):
    """Runs a given body's flows in the calling thread: no network, only ``Offload``."""

    def run(self, flow):
        from .._flow import run_flow
        return run_flow(flow, _inline_op)


def _inline_op(op):
    if type(op) is Offload:
        return op.func(*op.args)
    raise TypeError("a Response built by hand cannot carry out %r" % (op,))


def detached_bodies():
    """How a Response built by hand (no Session) gives its body: the blocking front-end's
    readers over an inline driver, so ``content``, ``iter_content`` and ``raw`` work."""
    if not _DETACHED:
        from ..sync._session import _SyncBodies

        class DetachedBodies(_SyncBodies):
            __slots__ = ()

            def read_all(self, response):
                if response._stream is None and not response._content_consumed:
                    return None  # no body was given: requests' Response().content is None
                return _SyncBodies.read_all(self, response)

        _DETACHED.append(DetachedBodies(_InlineDriver()))
    return _DETACHED[0]


_DETACHED = []


def give_file(response, fileobj):
    """``response.raw = fileobj``: the body is read from ``fileobj`` (kept as ``raw``)."""
    response._drop_stream()
    response._stream = GivenBody.from_file(fileobj, text_ok=True)
    response._content = None
    response._content_consumed = False
    response._frontend = detached_bodies()
    response._raw = fileobj
