"""TxResponse: the core Response with Deferred-returning body methods.

Rules:
- Status, headers, cookies, history, encoding, ``raise_for_status()`` ...
  are the core Response's (delegated); only reading the body differs.
- ``content()``, ``text()``, ``json()`` return Deferreds. With ``stream=False``
  (the default) the body was read inside the request flow, so they fire at once.
- Streaming (``collect``, ``deliver_body``) is a flow run by the driver: the
  next chunk is not read until the consumer is ready (its Deferred fired, or
  its producer resumed), so a slow consumer pauses the socket.
- Giving up on a body (``close()``, cancelling, a consumer error) closes the
  connection; it is never reused half-read.
"""
from __future__ import absolute_import, division, print_function

from twisted.internet.defer import Deferred, fail, succeed
from twisted.python.failure import Failure

from ..._exchange import BodyPieces
from ..._flows import read_all
from ...exceptions import HTTPError, ResponseNotRead, StreamConsumedError
from ._driver import Wait

__all__ = ["TxResponse", "collect"]


class TxBodies(object):
    """How Twisted responses pull their bodies (the core's ``Response._frontend``).

    The core's synchronous ``Response.content`` cannot wait on the reactor, so
    an unread body raises ResponseNotRead there: use ``TxResponse.content()``.
    """

    __slots__ = ("driver",)

    def __init__(self, driver):
        self.driver = driver

    def read_all(self, response):
        response._check_unconsumed()  # collect() took the body already
        if response._stream is None:
            return b""
        raise ResponseNotRead("the body is not read yet: use the Deferred from content()")

    def iter_body(self, response, chunk_size):
        raise ResponseNotRead("Twisted responses stream with collect() or deliver_body()")

    def close(self, response):
        response._drop_stream()


def _collect_flow(response, callback):
    """Flow: hand each body chunk to ``callback``; wait while its Deferred is pending."""
    stream = response._take_stream("collect()")
    pieces = BodyPieces(stream, None)
    try:
        while not pieces.ended:
            ready = pieces.ready()
            for chunk in ready if ready is not None else pieces.ready((yield pieces.read())):
                waiting = callback(chunk)
                if isinstance(waiting, Deferred):
                    yield Wait(waiting)
    finally:
        if not stream.done:
            stream.abort()  # cancelled or the consumer failed: never reuse half-read
        response._stream = None


class TxResponse(object):
    """An HTTP response from :mod:`httpkit.aio.tx`; body methods return Deferreds.

    Every attribute of :class:`httpkit.Response` (``status_code``, ``headers``,
    ``url``, ``cookies``, ``elapsed``, ``request``, ``encoding``, ``ok``...) reads
    through to the core response, available as ``.raw``.
    """

    def __init__(self, response, driver):
        self.__dict__["raw"] = response
        self.__dict__["_driver"] = driver
        self.__dict__["_readers"] = []       # Deferreds waiting for a read_all in progress
        self.__dict__["_failure"] = None     # why reading the body failed
        self.__dict__["history"] = [TxResponse(r, driver) for r in response.history]

    def __getattr__(self, name):
        return getattr(self.raw, name)

    def __setattr__(self, name, value):
        setattr(self.raw, name, value)  # e.g. ``encoding``

    def __bool__(self):
        return self.raw.ok

    __nonzero__ = __bool__

    def __repr__(self):
        return "<TxResponse [%d]>" % self.raw.status_code

    def __iter__(self):
        """Iterate over a body already read (the default, ``stream=False``) in 128-byte pieces."""
        return iter(self.raw)

    def raise_for_status(self):
        """Raise HTTPError for a 4xx/5xx status; return the response otherwise."""
        try:
            self.raw.raise_for_status()
        except HTTPError as exc:
            exc.response = self
            raise
        return self

    # ---- whole body
    def content(self):
        """Return a Deferred firing with the whole body as bytes."""
        raw = self.raw
        if raw._content is not None:
            return succeed(raw._content)
        if self._failure is not None:
            return fail(self._failure)
        try:
            raw._check_unconsumed()  # collect() took the body already
        except StreamConsumedError:
            return fail()
        if raw._stream is None:
            return succeed(b"")
        reader = Deferred()
        self._readers.append(reader)
        if len(self._readers) == 1:
            self._driver.run(read_all(raw)).addBoth(self._read_done)
        return reader

    def _read_done(self, result):
        if isinstance(result, Failure):
            self.__dict__["_failure"] = result
        readers = list(self._readers)
        del self._readers[:]
        for reader in readers:
            if isinstance(result, Failure):
                reader.errback(result)
            else:
                reader.callback(self.raw._content)

    def text(self, encoding=None):
        """Return a Deferred firing with the body decoded to text."""
        def decode(content):
            if encoding is None:
                return self.raw.text
            from ..._charset import decode_text
            return decode_text(content, encoding, self.raw.headers)
        return self.content().addCallback(decode)

    def json(self, **kwargs):
        """Return a Deferred firing with the body decoded as JSON."""
        return self.content().addCallback(lambda _: self.raw.json(**kwargs))

    # ---- streaming
    def collect(self, callback):
        """Call ``callback(chunk)`` for each body chunk; return a Deferred firing at the end.

        If ``callback`` returns a Deferred, reading pauses until it fires (and a
        failure stops the download and closes the connection).
        """
        raw = self.raw
        if self._readers:
            return fail(StreamConsumedError("the body of %r is being read by content()"
                                            % (raw,), response=raw))
        if raw._content is None:
            try:
                raw._check_unconsumed()  # another collect() took the body already
            except StreamConsumedError:
                return fail()
        if raw._stream is None:
            if raw._content:
                callback(raw._content)
            return succeed(None)
        return self._driver.run(_collect_flow(raw, callback))

    def deliver_body(self, protocol):
        """Deliver the body to a Twisted ``Protocol`` (like ``IResponse.deliverBody``).

        The protocol gets ``makeConnection(producer)``, then ``dataReceived``
        per chunk, then ``connectionLost`` with ``ResponseDone`` (or the error).
        ``producer.pauseProducing()`` stops reading until ``resumeProducing()``.
        """
        producer = _BodyProducer(self, protocol)
        producer.start()
        return producer

    def close(self):
        """Release the connection (discarding any unread body)."""
        self.raw.close()


def collect(response, callback):
    """treq-style: ``collect(response, callback)``; see :meth:`TxResponse.collect`."""
    return response.collect(callback)


class _BodyProducer(object):
    """The IPushProducer a ``deliver_body`` protocol sees."""

    def __init__(self, response, protocol):
        self.response, self.protocol = response, protocol
        self._resumed = None   # Deferred the flow waits on while paused
        self._done = None

    def start(self):
        self.protocol.makeConnection(self)
        self._done = self.response.collect(self._chunk)
        self._done.addBoth(self._finish)

    def _chunk(self, data):
        self.protocol.dataReceived(data)
        return self._resumed

    def _finish(self, result):
        # twisted.web.client re-exports it, but importing that needs service_identity
        from twisted.web._newclient import ResponseDone
        reason = result if isinstance(result, Failure) else Failure(ResponseDone())
        self.protocol.connectionLost(reason)

    # IPushProducer
    def pauseProducing(self):
        if self._resumed is None:
            self._resumed = Deferred()

    def resumeProducing(self):
        resumed, self._resumed = self._resumed, None
        if resumed is not None and not resumed.called:
            resumed.callback(None)

    def stopProducing(self):
        if self._done is not None and not self._done.called:
            self._done.cancel()

