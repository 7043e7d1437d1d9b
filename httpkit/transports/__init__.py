"""Transports: what carries out ONE exchange of a request, mounted on a Session by URL prefix.

::

    s = httpkit.Session()
    s.mount("https://api.test/", httpkit.MockTransport(handler))      # users' tests
    s.mount("http://app.test/", httpkit.WSGITransport(wsgi_app))      # an app in-process
    s.mount("https://", httpkit.HTTPAdapter(max_retries=Retry(total=3)))

The interface (see docs/transports.md): a transport gets a hop's
:class:`httpkit.PreparedRequest` and the call's settings (``stream``,
``timeout``, ``verify``, ``cert``, ``proxies``) and returns an
:class:`httpkit.Response` whose body is given (bytes or an iterable) or
unread. Blocking: ``send(request, **settings)``; asyncio: ``asend(request,
**settings)`` returning an awaitable. Everything else -- redirects, auth,
cookies, retries, hooks, caching, content decoding -- is the Session's, for
every transport alike.

Rules:

- Mounts are matched by prefix, case-insensitively; the longest wins
  (requests' ``Session.adapters`` order). Every Session starts with the
  network transport mounted on ``"https://"`` and ``"http://"``.
- A transport only replaces the network exchange; it never sees a redirect
  or a retry as one call.
"""
from __future__ import absolute_import, division, print_function

from ._asgi import ASGITransport
from ._base import BaseTransport, HTTPAdapter, HTTPTransport
from ._mock import MockTransport
from ._wsgi import WSGITransport

#: requests' name for the base class of custom adapters (``send()`` and ``close()``).
BaseAdapter = BaseTransport

__all__ = ["BaseTransport", "BaseAdapter", "HTTPTransport", "HTTPAdapter", "MockTransport",
           "WSGITransport", "ASGITransport"]
