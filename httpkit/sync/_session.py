"""The blocking front-end: ``httpkit.Session`` and ``httpkit.get``.

Rules:
- Only what blocking users see lives here; settings, merging and every policy
  are the shared core's (:mod:`httpkit._client`, :mod:`httpkit._flows`).
- A Session is thread-safe: its pool is guarded by the driver's Condition,
  its cookie jar by the stdlib jar's own lock, and nothing else is mutated
  per request.
"""
from __future__ import absolute_import, division, print_function

from .._chunking import Rechunker
from .._client import BaseSession, RequestContext
from .._config import UNSET
from .._flows import read_all, request_flow
from ..exceptions import StreamConsumedError
from ._driver import SyncDriver

__all__ = ["Session", "request", "get", "head", "post", "put", "patch", "delete", "options"]


class _SyncBodies(object):
    """How blocking responses pull their bodies (``Response._frontend``)."""

    __slots__ = ("driver",)

    def __init__(self, driver):
        self.driver = driver

    def read_all(self, response):
        if response._stream is None:
            if response._content_consumed:
                raise StreamConsumedError("the body was already consumed by iter_content()")
            return b""
        self.driver.run(read_all(response))
        return response._content

    def iter_body(self, response, chunk_size):
        stream = response._stream
        if stream is None:
            if response._content_consumed:
                raise StreamConsumedError("the body was already consumed by iter_content()")
            return iter(())
        response._content_consumed = True
        return self._iter(response, stream, chunk_size)

    def _iter(self, response, stream, chunk_size):
        run = self.driver.run
        rechunker = Rechunker(chunk_size)
        try:
            while True:
                chunk = run(stream.read_chunk())
                if not chunk:
                    break
                for piece in rechunker.feed(chunk):
                    yield piece
            for piece in rechunker.flush():
                yield piece
        finally:
            if not stream.done:
                stream.abort()
            response._stream = None

    def close(self, response):
        stream = response._stream
        if stream is not None:
            stream.abort()
            response._stream = None


class Session(BaseSession):
    """A blocking HTTP session: connection pool, cookies and defaults (requests API).

    Use it as a context manager, or call :meth:`close`. See
    :class:`httpkit._client.BaseSession` for the arguments.
    """

    def __init__(self, *args, **kwargs):
        super(Session, self).__init__(*args, **kwargs)
        self._driver = SyncDriver(self.limits)
        self._bodies = _SyncBodies(self._driver)

    def request(self, method, url, params=None, data=None, headers=None, cookies=None,
                files=None, auth=None, timeout=UNSET, allow_redirects=True, proxies=None,
                hooks=None, stream=None, verify=None, cert=None, json=None):
        """Send a request and return its Response (requests' signature)."""
        request, options = self.build_request(
            method, url, params=params, data=data, headers=headers, cookies=cookies,
            files=files, auth=auth, timeout=timeout, allow_redirects=allow_redirects,
            proxies=proxies, hooks=hooks, stream=stream, verify=verify, cert=cert, json=json)
        ctx = RequestContext(self, request, options, self._driver)
        response = self._driver.run(request_flow(ctx, request))
        response._frontend = self._bodies
        for earlier in response.history:
            earlier._frontend = self._bodies
        return response

    def get(self, url, **kwargs):
        """Send a GET request."""
        return self.request("GET", url, **kwargs)

    def options(self, url, **kwargs):
        """Send an OPTIONS request."""
        return self.request("OPTIONS", url, **kwargs)

    def head(self, url, **kwargs):
        """Send a HEAD request (redirects are not followed unless asked)."""
        kwargs.setdefault("allow_redirects", False)
        return self.request("HEAD", url, **kwargs)

    def post(self, url, data=None, json=None, **kwargs):
        """Send a POST request."""
        return self.request("POST", url, data=data, json=json, **kwargs)

    def put(self, url, data=None, **kwargs):
        """Send a PUT request."""
        return self.request("PUT", url, data=data, **kwargs)

    def patch(self, url, data=None, **kwargs):
        """Send a PATCH request."""
        return self.request("PATCH", url, data=data, **kwargs)

    def delete(self, url, **kwargs):
        """Send a DELETE request."""
        return self.request("DELETE", url, **kwargs)

    def close(self):
        """Close every pooled connection."""
        self._driver.close_all()

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


def get(url, params=None, **kwargs):
    """Send a GET request."""
    return request("GET", url, params=params, **kwargs)


def options(url, **kwargs):
    """Send an OPTIONS request."""
    return request("OPTIONS", url, **kwargs)


def head(url, **kwargs):
    """Send a HEAD request."""
    kwargs.setdefault("allow_redirects", False)
    return request("HEAD", url, **kwargs)


def post(url, data=None, json=None, **kwargs):
    """Send a POST request."""
    return request("POST", url, data=data, json=json, **kwargs)


def put(url, data=None, **kwargs):
    """Send a PUT request."""
    return request("PUT", url, data=data, **kwargs)


def patch(url, data=None, **kwargs):
    """Send a PATCH request."""
    return request("PATCH", url, data=data, **kwargs)


def delete(url, **kwargs):
    """Send a DELETE request."""
    return request("DELETE", url, **kwargs)
