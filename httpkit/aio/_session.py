"""The asyncio front-end: ``httpkit.aio.Session`` and ``await httpkit.aio.get(...)``.

Rules:
- Only what asyncio users see lives here; settings, merging and every policy
  are the shared core's (:mod:`httpkit._client`, :mod:`httpkit._flows`), the
  same calls the blocking Session makes, with ``await`` in front.
- Bodies are never read behind the user's back: with ``stream=True`` the
  body stays on its connection until ``await r.aread()``, ``aiter_content()``
  or ``aclose()``; until then ``.content`` raises ResponseNotRead.
- A Session serves one event loop at a time: after its loop closed it moves
  to the next one with a fresh pool; used from a second loop while the first
  still holds its connections, it raises RuntimeError (see docs/async.md).
  Close it with ``async with`` or ``await session.aclose()`` (``__del__`` warns
  otherwise).
"""
from __future__ import absolute_import, division, print_function

import functools
import warnings
from typing import Any, AsyncIterator, Optional

from .._chunking import Rechunker
from .._client import BaseSession, RequestContext, VerbMethods, verb_functions
from .._config import UNSET
from .._exchange import BodyPieces
from .._flows import read_all, request_flow
from .._models import PreparedRequest, Response
from ..exceptions import ResponseNotRead
from ._driver import AsyncioDriver

__all__ = ["Session", "request", "get", "head", "post", "put", "patch", "delete", "options"]

_NOT_READ = ("the body of %r has not been read: `await response.aread()` first "
             "(or request with stream=False)")


class _AioBodies(object):
    """How asyncio responses pull their bodies (``Response._frontend``)."""

    __slots__ = ("driver",)

    def __init__(self, driver: AsyncioDriver) -> None:
        self.driver = driver

    # ---- the synchronous protocol Response calls (no I/O possible here)
    def read_all(self, response: Response) -> bytes:
        response._check_unconsumed()
        if response._stream is not None:
            raise ResponseNotRead(_NOT_READ % (response,))
        return b""

    def iter_body(self, response: Response, chunk_size: Optional[int]) -> Any:
        raise ResponseNotRead("an httpkit.aio response streams with `async for chunk in "
                              "response.aiter_content()`, not iter_content()")

    def close(self, response: Response) -> None:
        response._drop_stream()

    # ---- the asyncio side
    async def aread(self, response: Response) -> bytes:
        if response._content is not None:
            return response._content
        response._check_unconsumed()  # aiter_content() took the body already
        if response._stream is None:
            response._content = b""
        else:
            await self.driver.run(read_all(response))
        return response._content

    async def aiter_body(self, response: Response,
                         chunk_size: Optional[int]) -> AsyncIterator[bytes]:
        if response._content is not None:
            rechunker = Rechunker(chunk_size)
            for piece in rechunker.feed(response._content) + rechunker.flush():
                yield piece
            return
        stream = response._take_stream("r.aiter_content()")
        if stream is None:
            return
        pieces = BodyPieces(stream, chunk_size)
        try:
            while not pieces.ended:
                ready = pieces.ready()
                if ready is None:
                    ready = pieces.ready(await self.driver.run(pieces.read()))
                for piece in ready:
                    yield piece
        finally:
            response._drop_stream()

    async def aiter_through(self, chunks: AsyncIterator[Any], cutter: Any) -> AsyncIterator[Any]:
        """``_chunking.iter_through`` for an async stream of chunks."""
        async for chunk in chunks:
            for out in cutter.feed(chunk):
                yield out
        for out in cutter.flush():
            yield out

    async def aclose(self, response: Response) -> None:
        self.close(response)


class Session(BaseSession):
    """An asyncio HTTP session: connection pool, cookies and defaults (requests API).

    Use ``async with httpkit.aio.Session() as s: r = await s.get(url)``, or
    call :meth:`aclose`. See :class:`httpkit._client.BaseSession` for the
    arguments (its ``__init__``); they are the blocking Session's.

    .. versionadded:: 0.1
    """

    _closed = True  # until __init__ succeeds: __del__ must not warn about a half-made Session

    def _start_io(self) -> None:
        self._driver = AsyncioDriver(self.limits)
        self._bodies = _AioBodies(self._driver)
        self._closed = False

    async def request(self, method, url, params=None, data=None, headers=None, cookies=None,
                      files=None, auth=None, timeout=UNSET, allow_redirects=True, proxies=None,
                      hooks=None, stream=None, verify=None, cert=None, json=None,
                      cache=None, on_progress=None, on_upload_progress=None) -> Response:
        """Send a request and return its Response (requests' signature).

        ``cache=False`` skips the Session's cache for this call.
        ``on_progress(bytes_done, bytes_total_or_None)`` reports the response body as
        it arrives, ``on_upload_progress(...)`` the request body as it is sent, at most
        ~10 times a second (see docs/progress.md).

        .. versionadded:: 0.1
           ``on_progress`` and ``on_upload_progress``.
        """
        request, options = self.build_request(
            method, url, params=params, data=data, headers=headers, cookies=cookies,
            files=files, auth=auth, timeout=timeout, allow_redirects=allow_redirects,
            proxies=proxies, hooks=hooks, stream=stream, verify=verify, cert=cert, json=json,
            cache=cache, on_progress=on_progress, on_upload_progress=on_upload_progress)
        return await self._send(request, options)

    async def send(self, request: PreparedRequest, **kwargs: Any) -> Response:
        """Send a PreparedRequest and return its Response (requests' ``Session.send``).

        ``kwargs``: ``stream``, ``timeout``, ``verify``, ``cert``, ``proxies``,
        ``allow_redirects``, ``cache``, ``on_progress``, ``on_upload_progress``.
        The Session's auth, cookies and hooks apply.
        """
        return await self._send(*self.send_request(request, **kwargs))

    async def _send(self, request: PreparedRequest, options: Any) -> Response:
        ctx = RequestContext(self, request, options, self._driver)
        response = await self._driver.run(request_flow(ctx, request))
        response._frontend = self._bodies
        for earlier in response.history:
            earlier._frontend = self._bodies
        return response

    async def aclose(self) -> None:
        """Close every pooled connection (in-use ones close when their body ends)."""
        self._closed = True
        self._driver.close_all()
        self._close_cache()
        self._close_transports()

    async def __aenter__(self) -> "Session":
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.aclose()

    def __del__(self) -> None:
        if not self._closed:
            warnings.warn("unclosed httpkit.aio.Session %r: use `async with httpkit.aio.Session()"
                          " as s:` or `await session.aclose()`" % (self,), ResourceWarning,
                          stacklevel=2, source=self)


async def request(method: str, url: str, **kwargs: Any) -> Response:
    """Send one request with a throw-away Session (requests' ``requests.request``).

    With ``stream=True`` the body can still be read after the Session closed:
    its connection closes when the body ends.
    """
    async with Session() as session:
        return await session.request(method, url, **kwargs)



def _coroutine(func):
    """Make a shared verb helper (which returns a coroutine) a coroutine function itself."""
    @functools.wraps(func)
    async def verb(*args: Any, **kwargs: Any) -> Response:
        return await func(*args, **kwargs)
    return verb


_VERBS = ("get", "options", "head", "post", "put", "patch", "delete")
for _name in _VERBS:
    setattr(Session, _name, _coroutine(getattr(VerbMethods, _name)))
get, options, head, post, put, patch, delete = [_coroutine(f) for f in verb_functions(request)]
