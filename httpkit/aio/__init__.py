"""httpkit's event-loop front-ends: asyncio here (Python 3), Twisted in ``httpkit.aio.tx``.

``async with httpkit.aio.Session() as s: r = await s.get(url)``, or the
module-level ``await httpkit.aio.get(url)`` with a throw-away Session.

Rules:

- This file must import on Python 2.7 (the Twisted front-end lives below it),
  so it has no async syntax; the asyncio code is imported only on Python 3.
- Only the files of this package may use async syntax.
"""
from __future__ import absolute_import, division, print_function

from .._compat import PY2

__all__ = []

if not PY2:
    from ._session import Session, delete, get, head, options, patch, post, put, request  # noqa: F401
    __all__ = ["Session", "request", "get", "head", "post", "put", "patch", "delete", "options"]
