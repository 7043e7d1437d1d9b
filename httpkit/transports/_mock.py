"""MockTransport: answer requests with a function, for users' own tests.

Rules:
- The handler is called in the flow's thread (never a worker thread), once
  per hop: a redirect, an auth retry or a retried request calls it again.
- Under asyncio the handler may be a coroutine function (or return an
  awaitable); elsewhere that is a clear TypeError, not a coroutine leak.
"""
from __future__ import absolute_import, division, print_function

from ._base import BaseTransport

__all__ = ["MockTransport"]


class MockTransport(BaseTransport):
    """A transport that answers with ``handler(request) -> Response``; no network.

    Args:
        handler: called with the :class:`httpkit.PreparedRequest` of each hop;
            returns an :class:`httpkit.Response` (``Response(200, json=...)``)
            or raises an httpkit error (``httpkit.ConnectionError("down")``
            to test retries). With ``httpkit.aio`` it may be ``async def``.

    Example::

        def handler(request):
            return httpkit.Response(200, json={"path": request.path_url})

        s = httpkit.Session()
        s.mount("https://api.test/", httpkit.MockTransport(handler))
        assert s.get("https://api.test/v1").json() == {"path": "/v1"}

    .. versionadded:: 0.1
    """

    blocking = False

    def __init__(self, handler):
        if not callable(handler):
            raise TypeError("MockTransport takes a function handler(request) -> Response, "
                            "not %r" % (handler,))
        self.handler = handler

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        """Return ``handler(request)``.

        Raises:
            TypeError: the handler returned an awaitable (async handlers need
                ``httpkit.aio``).
        """
        response = self.handler(request)
        if hasattr(response, "__await__"):
            close = getattr(response, "close", None)
            if close is not None:
                close()  # no "coroutine was never awaited" warning on top of ours
            raise TypeError("the MockTransport handler %r is asynchronous: use it with "
                            "httpkit.aio.Session, or give a plain function" % (self.handler,))
        return response

    def asend(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        """Return ``handler(request)``: a Response, or an awaitable the asyncio driver awaits."""
        return self.handler(request)

    def __repr__(self):
        return "<MockTransport %r>" % (self.handler,)
