"""The blocking front-end: ``httpkit.Session`` and ``httpkit.get``.

Rules:
- Only what blocking users see lives here; settings, merging and every policy
  are the shared core's (:mod:`httpkit._client`, :mod:`httpkit._flows`).
- A Session is thread-safe: its pool is guarded by the driver's Condition,
  its cookie jar by the stdlib jar's own lock, and nothing else is mutated
  per request.
"""
from __future__ import absolute_import, division, print_function

import io

from .._client import BaseSession, RequestContext, VerbMethods, verb_functions
from .._config import UNSET
from .._exchange import BodyPieces
from .._flows import read_all, request_flow
from ._driver import SyncDriver
from ._raw import RawBody

__all__ = ["Session", "request", "get", "head", "post", "put", "patch", "delete", "options"]


class _SyncBodies(object):
    """How blocking responses pull their bodies (``Response._frontend``)."""

    __slots__ = ("driver",)

    def __init__(self, driver):
        self.driver = driver

    def read_all(self, response):
        response._check_unconsumed()  # r.raw or iter_content() took the body already
        if response._stream is None:
            return b""
        self.driver.run(read_all(response))
        return response._content

    def iter_body(self, response, chunk_size):
        stream = response._take_stream("r.iter_content()")
        if stream is None:
            return iter(())
        return self._iter(response, stream, chunk_size)

    def _iter(self, response, stream, chunk_size):
        pieces = BodyPieces(stream, chunk_size)
        try:
            while not pieces.ended:
                ready = pieces.ready()
                if ready is None:
                    ready = pieces.ready(self.driver.run(pieces.read()))
                for piece in ready:
                    yield piece
        finally:
            response._drop_stream()

    def raw(self, response):
        return RawBody(self.driver, response)

    def close(self, response):
        response._drop_stream()
        raw = response._raw
        if raw is None:  # r.raw.closed is True after r.close(), as in requests
            raw = response._raw = RawBody(self.driver, response)
        if not raw.closed:
            io.RawIOBase.close(raw)  # not RawBody.close(): that is what calls this


class Session(VerbMethods, BaseSession):
    """A blocking HTTP session: connection pool, cookies and defaults (requests API).

    Use it as a context manager, or call :meth:`close`. See
    :class:`httpkit._client.BaseSession` for the arguments (its ``__init__``,
    so ``inspect.signature(httpkit.Session)`` and IDEs show every one).
    """

    def _start_io(self):
        self._driver = SyncDriver(self.limits)
        self._bodies = _SyncBodies(self._driver)

    def request(self, method, url, params=None, data=None, headers=None, cookies=None,
                files=None, auth=None, timeout=UNSET, allow_redirects=True, proxies=None,
                hooks=None, stream=None, verify=None, cert=None, json=None, cache=None,
                on_progress=None, on_upload_progress=None):
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
        return self._send(request, options)

    def send(self, request, **kwargs):
        """Send a PreparedRequest and return its Response (requests' ``Session.send``).

        ``kwargs``: ``stream``, ``timeout``, ``verify``, ``cert``, ``proxies``,
        ``allow_redirects``, ``cache``, ``on_progress``, ``on_upload_progress``.
        The Session's auth, cookies and hooks apply.
        """
        return self._send(*self.send_request(request, **kwargs))

    def _send(self, request, options):
        ctx = RequestContext(self, request, options, self._driver)
        response = self._driver.run(request_flow(ctx, request))
        response._frontend = self._bodies
        for earlier in response.history:
            earlier._frontend = self._bodies
        return response

    def close(self):
        """Close every pooled connection (and the cache's connections, if any)."""
        self._driver.close_all()
        self._close_cache()
        self._close_transports()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def request(method, url, **kwargs):
    """Send one request with a throw-away Session (requests' ``requests.request``)."""
    with Session() as session:
        response = session.request(method, url, **kwargs)
        if not kwargs.get("stream"):
            return response
    return response


get, options, head, post, put, patch, delete = verb_functions(request)
