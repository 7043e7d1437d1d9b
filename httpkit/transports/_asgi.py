"""ASGITransport: call an ASGI 3 application in-process (asyncio front-end only).

Rules:
- The app runs on the Session's event loop, awaited through the core's
  ``Await`` op (:mod:`httpkit.aio._asgi` holds the coroutine: async syntax
  lives only in httpkit/aio). The blocking and Twisted front-ends cannot
  await it and say so (TypeError) instead of hanging.
- The whole response body is collected before the Response is returned
  (as httpx's ASGITransport does); streamed responses arrive complete.
"""
from __future__ import absolute_import, division, print_function

from ._base import BaseTransport

__all__ = ["ASGITransport"]


class ASGITransport(BaseTransport):
    """A transport that calls an ASGI app (Starlette, FastAPI, Quart...); asyncio only.

    Args:
        app: the ASGI 3 application ``async def app(scope, receive, send)``.
        root_path: the ``root_path`` of the scope (where the app is mounted).
        client: the ``(host, port)`` the app sees as its client.
        raise_app_exceptions: re-raise an exception the app raises (default);
            False: answer 500 instead, as a server would.

    Example::

        async with httpkit.aio.Session() as s:
            s.mount("http://app.test/", httpkit.ASGITransport(app))
            r = await s.get("http://app.test/items")

    .. versionadded:: 0.1
    """

    blocking = False

    def __init__(self, app, root_path="", client=("127.0.0.1", 123),
                 raise_app_exceptions=True):
        self.app = app
        self.root_path = root_path
        self.client = client
        self.raise_app_exceptions = raise_app_exceptions

    def asend(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        """Return a coroutine: run the app for ``request`` and return its Response."""
        from ..aio._asgi import call_app
        return call_app(self, request)

    def __repr__(self):
        return "<ASGITransport %r>" % (self.app,)
