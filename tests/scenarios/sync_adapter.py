"""The blocking front-end behind the scenario adapter seam (see corpus.py)."""
from __future__ import absolute_import, division, print_function

import contextlib
import pickle
import warnings

import httpkit

from .results import StreamResult, fill_error, fill_response, result_from_error, \
    result_from_response, warning_names

__all__ = ["SyncAdapter"]


def _call(send):
    """Run ``send()`` -> Response, snapshot it (or the httpkit error it raised)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            response = send()
            response.content  # noqa: B018 - stream=False read it already; no-op
        except httpkit.RequestException as exc:
            return result_from_error(exc, warning_names(caught))
    return result_from_response(response, warning_names(caught))


def _stream(send, chunk_size, lines, max_chunks, reread):
    result = StreamResult()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            response = send()
        except httpkit.RequestException as exc:
            fill_error(result, exc)
            result.warnings = warning_names(caught)
            return result
        fill_response(result, response)
        try:
            pieces = response.iter_lines(chunk_size) if lines else \
                response.iter_content(chunk_size)
            result.complete = True
            for piece in pieces:
                result.chunks.append(piece)
                if max_chunks is not None and len(result.chunks) >= max_chunks:
                    result.complete = False
                    break
        except httpkit.RequestException as exc:
            result.complete = False
            fill_error(result, exc)
        finally:
            response.close()
        if reread:
            try:
                list(response.iter_content(chunk_size))
            except httpkit.RequestException as exc:
                result.reread_error = type(exc).__name__
        result.warnings = warning_names(caught)
    result.body = b"".join(result.chunks) if not lines else b"\n".join(result.chunks)
    return result


def _read_steps(response, steps):
    """Read one response with several readers in turn (see ``read_mixed`` in corpus.py)."""
    out, iterators = [], []  # iterators stay alive: dropping one would close the body
    for step in steps:
        try:
            if step == "raw":
                out.append(response.raw.read(3))
            elif step == "chunk":
                iterators.append(response.iter_content(3))
                out.append(next(iterators[-1], b""))
            else:
                out.append(response.content)
        except httpkit.StreamConsumedError as exc:
            out.append(("StreamConsumedError", str(exc)))
    return out


class _SyncSession(object):
    def __init__(self, session, copies=None):
        self.session = session
        self.copies = [] if copies is None else copies

    def read_mixed(self, method, url, steps, **kwargs):
        kwargs["stream"] = True
        response = self.session.request(method, url, **kwargs)
        try:
            return _read_steps(response, steps)
        finally:
            response.close()

    def request_pickled(self, method, url, **kwargs):
        return _call(lambda: pickle.loads(pickle.dumps(
            self.session.request(method, url, **kwargs))))

    def pickled(self):
        copy = pickle.loads(pickle.dumps(self.session))
        self.copies.append(copy)
        return _SyncSession(copy, self.copies)

    def request(self, method, url, **kwargs):
        return _call(lambda: self.session.request(method, url, **kwargs))

    def send(self, prepared, **kwargs):
        return _call(lambda: self.session.send(prepared, **kwargs))

    def stream(self, method, url, chunk_size=1024, lines=False, max_chunks=None, reread=False,
               **kwargs):
        kwargs["stream"] = True
        return _stream(lambda: self.session.request(method, url, **kwargs), chunk_size, lines,
                       max_chunks, reread)

    def cookies(self):
        return dict((c.name, c.value) for c in self.session.cookies)


class SyncAdapter(object):
    """``httpkit.request`` / ``httpkit.Session`` run in the calling thread."""

    name = "sync"

    def request(self, method, url, **kwargs):
        return _call(lambda: httpkit.request(method, url, **kwargs))

    def stream_chunks(self, method, url, chunk_size=1024, lines=False, max_chunks=None,
                      reread=False, **kwargs):
        with self.session() as s:
            return s.stream(method, url, chunk_size=chunk_size, lines=lines,
                            max_chunks=max_chunks, reread=reread, **kwargs)

    @contextlib.contextmanager
    def session(self, mounts=None, **session_kwargs):
        with httpkit.Session(**session_kwargs) as session:
            for prefix, transport in (mounts or {}).items():
                session.mount(prefix, transport)
            handle = _SyncSession(session)
            try:
                yield handle
            finally:
                for copy in handle.copies:
                    copy.close()
