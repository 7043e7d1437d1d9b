"""httpkit.aio.tx behind the scenario adapter seam (see tests/scenarios/corpus.py).

Every adapter call blocks the test thread while the Twisted code runs on the
session's reactor thread (``Harness.call``, bounded). Streaming mirrors the
blocking ``iter_content(chunk_size)``: the adapter re-cuts what ``collect()``
delivers into ``chunk_size`` pieces, and stops the download (cancelling
``collect``, which closes the connection) once ``max_chunks`` pieces arrived.
"""
from __future__ import absolute_import, division, print_function

import contextlib
import pickle
import warnings

import httpkit
from httpkit.aio import tx as httpkit_tx
from scenarios.results import StreamResult, fill_error, fill_response, result_from_error, \
    result_from_response, warning_names

__all__ = ["TxAdapter"]

_iter_lines = getattr(httpkit.Response.iter_lines, "__func__", httpkit.Response.iter_lines)


class _Enough(Exception):
    """Raised by the collector once ``max_chunks`` pieces arrived."""


class _Rechunker(object):
    """Cuts a stream of pieces into ``chunk_size`` pieces, like the blocking iter_content."""

    def __init__(self, chunk_size, limit):
        self.chunk_size, self.limit = chunk_size, limit
        self.chunks, self.pending = [], b""

    def feed(self, data):
        if not self.chunk_size:
            self._emit(data)
            return
        data = self.pending + data
        end = len(data) - len(data) % self.chunk_size
        for i in range(0, end, self.chunk_size):
            self._emit(data[i:i + self.chunk_size])
        self.pending = data[end:]

    def finish(self):
        if self.pending:
            self._emit(self.pending)
            self.pending = b""

    def _emit(self, piece):
        if self.limit is not None and len(self.chunks) >= self.limit:
            raise _Enough()
        self.chunks.append(piece)
        if self.limit is not None and len(self.chunks) >= self.limit:
            raise _Enough()


class _Lines(object):
    """Just enough of a Response for the core's ``iter_lines`` to run over pieces."""

    def __init__(self, chunks):
        self._chunks = chunks

    def iter_content(self, chunk_size, decode_unicode=False):
        return iter(self._chunks)


def _read(d):
    """Deferred of a TxResponse -> Deferred of the same response with its body read."""
    return d.addCallback(lambda response: response.content().addCallback(lambda _: response))


def _first_chunk(response, collecting):
    """Deferred of the first piece ``collect()`` delivers; the download then pauses."""
    from twisted.internet.defer import Deferred
    got, hold = Deferred(), Deferred()

    def chunk(data):
        if not got.called:
            got.callback(data[:3])
        return hold

    def ended(result):
        if not got.called:
            if isinstance(result, Exception) or hasattr(result, "raiseException"):
                got.errback(result)
            else:
                got.callback(b"")
    done = response.collect(chunk)
    done.addBoth(ended)
    collecting.append(done)
    return got


def _read_steps(harness, response, steps):
    """Read one response with several readers in turn (see ``read_mixed`` in corpus.py)."""
    out, collecting = [], []
    try:
        for step in steps:
            try:
                if step == "chunk":
                    out.append(harness.call(_first_chunk, response, collecting))
                elif step == "all":
                    out.append(harness.call(response.content))
                else:
                    raise ValueError("no %r reader in httpkit.aio.tx" % step)
            except httpkit.StreamConsumedError as exc:
                out.append(("StreamConsumedError", str(exc)))
    finally:
        for done in collecting:
            harness.call(lambda d=done: d.cancel())
        harness.call(response.close)
    return out


def _unpickled(d):
    """Deferred of a read TxResponse -> its core Response, pickled and unpickled."""
    return d.addCallback(lambda response: pickle.loads(pickle.dumps(response.raw)))


class _TxSession(object):
    def __init__(self, harness, session, copies=None):
        self.harness, self.session = harness, session
        self.copies = [] if copies is None else copies

    def read_mixed(self, method, url, steps, **kwargs):
        kwargs["stream"] = True
        response = self.harness.call(self.session.request, method, url, **kwargs)
        return _read_steps(self.harness, response, steps)

    def request_pickled(self, method, url, **kwargs):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                response = self.harness.call(
                    lambda: _unpickled(_read(self.session.request(method, url, **kwargs))))
            except httpkit.RequestException as exc:
                return result_from_error(exc, warning_names(caught))
        return result_from_response(response, warning_names(caught))

    def pickled(self):
        copy = self.harness.call(lambda: pickle.loads(pickle.dumps(self.session)))
        self.copies.append(copy)
        return _TxSession(self.harness, copy, self.copies)

    def request(self, method, url, **kwargs):
        return _call(self.harness, lambda: _read(self.session.request(method, url, **kwargs)))

    def send(self, prepared, **kwargs):
        return _call(self.harness, lambda: _read(self.session.send(prepared, **kwargs)))

    def stream(self, method, url, chunk_size=1024, lines=False, max_chunks=None, reread=False,
               **kwargs):
        kwargs["stream"] = True
        result = StreamResult()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            self._stream(result, method, url, chunk_size, lines, max_chunks, reread, kwargs)
            result.warnings = warning_names(caught)
        result.body = b"".join(result.chunks) if not lines else b"\n".join(result.chunks)
        return result

    def _stream(self, result, method, url, chunk_size, lines, max_chunks, reread, kwargs):
        call = self.harness.call
        try:
            response = call(self.session.request, method, url, **kwargs)
        except httpkit.RequestException as exc:
            fill_error(result, exc)
            return
        fill_response(result, response.raw)
        cutter = _Rechunker(chunk_size, None if lines else max_chunks)
        result.complete = True
        try:
            call(response.collect, cutter.feed)
            cutter.finish()
        except _Enough:
            result.complete = False
        except httpkit.RequestException as exc:
            result.complete = False
            fill_error(result, exc)
        finally:
            call(response.close)
        result.chunks = cutter.chunks
        if lines:
            result.chunks = list(_iter_lines(_Lines(cutter.chunks), chunk_size))
            if max_chunks is not None and len(result.chunks) > max_chunks:
                result.chunks, result.complete = result.chunks[:max_chunks], False
        if reread:
            try:
                call(response.collect, lambda data: None)
            except httpkit.RequestException as exc:
                result.reread_error = type(exc).__name__

    def cookies(self):
        return dict((c.name, c.value) for c in self.session.cookies)


def _call(harness, send):
    """Run ``send()`` (a Deferred of a read TxResponse) and snapshot the outcome."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            response = harness.call(send)
        except httpkit.RequestException as exc:
            return result_from_error(exc, warning_names(caught))
    return result_from_response(response.raw, warning_names(caught))


def _mounted(session, mounts):
    for prefix, transport in (mounts or {}).items():
        session.mount(prefix, transport)
    return session


class TxAdapter(object):
    """``httpkit.aio.tx.request`` / ``httpkit.aio.tx.Session`` on the reactor thread."""

    name = "twisted"

    def __init__(self, harness):
        self.harness = harness

    def request(self, method, url, **kwargs):
        return _call(self.harness, lambda: _read(httpkit_tx.request(method, url, **kwargs)))

    def stream_chunks(self, method, url, chunk_size=1024, lines=False, max_chunks=None,
                      reread=False, **kwargs):
        with self.session() as s:
            return s.stream(method, url, chunk_size=chunk_size, lines=lines,
                            max_chunks=max_chunks, reread=reread, **kwargs)

    @contextlib.contextmanager
    def session(self, mounts=None, **session_kwargs):
        call = self.harness.call
        session = call(lambda: _mounted(httpkit_tx.Session(**session_kwargs), mounts))
        handle = _TxSession(self.harness, session)
        try:
            yield handle
        finally:
            for copy in handle.copies:
                call(copy.close)
            call(session.close)
