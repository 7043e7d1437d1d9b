"""httpkit's Twisted front-end: requests-named, treq-like, Deferreds everywhere.

::

    >>> from httpkit.aio import tx
    >>> d = tx.get("https://example.org/")        # a Deferred of a TxResponse
    >>> d.addCallback(lambda r: r.json())         # body methods return Deferreds

Rules:

- The same core as ``httpkit.Session`` and ``httpkit.aio.Session``: the
  same arguments, policies and exceptions; only the I/O model differs.
- No async syntax here: this package works on Python 2.7 (Twisted 20.3) and
  on 3.x, under any reactor (``asyncioreactor`` included: ``Deferred.asFuture``).
- Importing it never installs a reactor; the global one is looked up when a
  Session first needs it.

.. versionadded:: 0.1
"""
from __future__ import absolute_import, division, print_function

try:
    import twisted  # noqa: F401 - only to say what is missing, before the modules below
except ImportError as exc:
    raise ImportError('httpkit.aio.tx needs Twisted: pip install "httpkit[twisted]" (%s)'
                      % (exc,))

from ._response import TxResponse, collect
from ._session import Session, delete, get, head, options, patch, post, put, request

__all__ = ["Session", "TxResponse", "collect", "request", "get", "head", "post", "put",
           "patch", "delete", "options"]
