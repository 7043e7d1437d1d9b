"""httpkit: a requests-style HTTP client on one sans-I/O core.

Blocking (``httpkit.get``, ``httpkit.Session``), asyncio (``httpkit.aio``)
and Twisted (``httpkit.aio.tx``) front-ends share one protocol core: HTTP/1.1
via h11 above the PEP 543 TLS buffer layer in :mod:`httpkit.tls`.
"""
from __future__ import absolute_import, division, print_function

from .__version__ import __version__  # noqa: F401

__all__ = ["__version__"]
