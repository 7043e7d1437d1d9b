"""The asyncio front-end behind the scenario adapter seam (tests/scenarios/corpus.py).

It mirrors ``scenarios/sync_adapter.py`` call for call, with ``await`` in front:
module-level calls run on a fresh loop (``asyncio.run``); a session handle owns
one event loop for its whole ``with`` block, because an httpkit.aio Session
belongs to the loop it first ran on. Every loop run is bounded.
"""
from __future__ import absolute_import, division, print_function

import asyncio
import contextlib
import pickle
import warnings

import httpkit
import httpkit.aio as aio
from scenarios.results import StreamResult, fill_error, fill_response, result_from_error, \
    result_from_response, warning_names

__all__ = ["AsyncioAdapter"]

#: No single adapter call waits longer than this.
CALL_TIMEOUT = 60.0


async def _call(send):
    """Await ``send()`` -> Response, snapshot it (or the httpkit error it raised)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            response = await send()
            await response.aread()  # stream=False read it already; no-op
        except httpkit.RequestException as exc:
            return result_from_error(exc, warning_names(caught))
    return result_from_response(response, warning_names(caught))


async def _iterate(result, response, chunk_size, lines, max_chunks):
    pieces = response.aiter_lines(chunk_size) if lines else response.aiter_content(chunk_size)
    result.complete = True
    try:
        async for piece in pieces:
            result.chunks.append(piece)
            if max_chunks is not None and len(result.chunks) >= max_chunks:
                result.complete = False
                break
    except httpkit.RequestException as exc:
        result.complete = False
        fill_error(result, exc)
    finally:
        await pieces.aclose()
        await response.aclose()


async def _stream(send, chunk_size, lines, max_chunks, reread):
    result = StreamResult()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            response = await send()
        except httpkit.RequestException as exc:
            fill_error(result, exc)
            result.warnings = warning_names(caught)
            return result
        fill_response(result, response)
        await _iterate(result, response, chunk_size, lines, max_chunks)
        if reread:
            try:
                [piece async for piece in response.aiter_content(chunk_size)]
            except httpkit.RequestException as exc:
                result.reread_error = type(exc).__name__
        result.warnings = warning_names(caught)
    result.body = b"".join(result.chunks) if not lines else b"\n".join(result.chunks)
    return result


def _bounded(coro):
    return asyncio.wait_for(coro, CALL_TIMEOUT)


async def _read_steps(response, steps):
    """Read one response with several readers in turn (see ``read_mixed`` in corpus.py)."""
    out, iterators = [], []
    try:
        for step in steps:
            try:
                if step == "chunk":
                    iterators.append(response.aiter_content(3))
                    out.append(await iterators[-1].__anext__())
                elif step == "all":
                    out.append(await response.aread())
                else:
                    raise ValueError("no %r reader in httpkit.aio" % step)
            except StopAsyncIteration:
                out.append(b"")
            except httpkit.StreamConsumedError as exc:
                out.append(("StreamConsumedError", str(exc)))
    finally:
        for iterator in iterators:
            await iterator.aclose()
        await response.aclose()
    return out


async def _call_pickled(send):
    """``_call``, snapshotting the response after a pickle round trip."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            response = await send()
            await response.aread()
        except httpkit.RequestException as exc:
            return result_from_error(exc, warning_names(caught))
    return result_from_response(pickle.loads(pickle.dumps(response)), warning_names(caught))


class _AsyncioSession(object):
    def __init__(self, session, loop, copies=None):
        self.session, self.loop = session, loop
        self.copies = [] if copies is None else copies

    def read_mixed(self, method, url, steps, **kwargs):
        kwargs["stream"] = True
        async def run():
            return await _read_steps(await self.session.request(method, url, **kwargs), steps)
        return self.loop.run_until_complete(_bounded(run()))

    def request_pickled(self, method, url, **kwargs):
        return self.loop.run_until_complete(_bounded(
            _call_pickled(lambda: self.session.request(method, url, **kwargs))))

    def pickled(self):
        copy = pickle.loads(pickle.dumps(self.session))
        self.copies.append(copy)
        return _AsyncioSession(copy, self.loop, self.copies)

    def request(self, method, url, **kwargs):
        return self.loop.run_until_complete(_bounded(
            _call(lambda: self.session.request(method, url, **kwargs))))

    def send(self, prepared, **kwargs):
        return self.loop.run_until_complete(_bounded(
            _call(lambda: self.session.send(prepared, **kwargs))))

    def stream(self, method, url, chunk_size=1024, lines=False, max_chunks=None, reread=False,
               **kwargs):
        kwargs["stream"] = True
        return self.loop.run_until_complete(_bounded(_stream(
            lambda: self.session.request(method, url, **kwargs), chunk_size, lines,
            max_chunks, reread)))

    def cookies(self):
        return dict((c.name, c.value) for c in self.session.cookies)


class AsyncioAdapter(object):
    """``await httpkit.aio.request`` / ``httpkit.aio.Session`` on a private event loop."""

    name = "asyncio"

    def request(self, method, url, **kwargs):
        return asyncio.run(_bounded(_call(lambda: aio.request(method, url, **kwargs))))

    def stream_chunks(self, method, url, chunk_size=1024, lines=False, max_chunks=None,
                      reread=False, **kwargs):
        with self.session() as s:
            return s.stream(method, url, chunk_size=chunk_size, lines=lines,
                            max_chunks=max_chunks, reread=reread, **kwargs)

    @contextlib.contextmanager
    def session(self, mounts=None, **session_kwargs):
        session = aio.Session(**session_kwargs)  # (may raise: before the loop exists)
        for prefix, transport in (mounts or {}).items():
            session.mount(prefix, transport)
        loop = asyncio.new_event_loop()
        handle = _AsyncioSession(session, loop)
        try:
            yield handle
        finally:
            try:
                for copy in handle.copies:
                    loop.run_until_complete(copy.aclose())
                loop.run_until_complete(session.aclose())
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                loop.close()
