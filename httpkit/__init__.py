"""httpkit: a requests-style HTTP client on one sans-I/O core.

Blocking (``httpkit.get``, ``httpkit.Session``), asyncio (``httpkit.aio``)
and Twisted (``httpkit.aio.tx``) front-ends share one protocol core: HTTP/1.1
via h11 above the PEP 543 TLS buffer layer in :mod:`httpkit.tls`.
"""
from __future__ import absolute_import, division, print_function

from .__version__ import __version__
from ._codes import codes
from ._config import DEFAULT_TIMEOUT, Timeouts
from ._models import Headers, PreparedRequest, Response
from ._pool import Limits
from ._prepare import Request
from .exceptions import (
    ChunkedEncodingError, ClosedFileError, ConnectionError, ConnectTimeout, ContentDecodingError, DeadlineExceeded,
    DecompressionBombError, HTTPError, IncompleteRead, InsecureRequestWarning, InvalidBodyFraming,
    InvalidHeader, InvalidTimeout,
    InvalidMethod,
    InvalidJSONError, InvalidProxyURL, InvalidSchema, InvalidURL, JSONDecodeError, MissingSchema,
    PoolTimeout, ProxyConnectTimeout, ProxyError, ReadTimeout, RemoteProtocolError,
    RequestException, ResponseNotRead, ResponseTooLarge,
    RetryError, SSLError, StreamConsumedError, Timeout, TooManyRedirects,
    UnrewindableBodyError, URLRequired, WriteTimeout,
)
from .sync import Session, delete, get, head, options, patch, post, put, request
from . import auth  # the public auth namespace: httpkit.auth.DigestAuth, HTTPDigestAuth...
from .auth import BasicAuth, DigestAuth
from . import hooks, structures, utils  # requests' helper namespaces: httpkit.utils.quote...
from . import transports  # the public transports namespace: httpkit.transports
from .transports import (
    ASGITransport, BaseTransport, HTTPAdapter, HTTPTransport, MockTransport, WSGITransport,
)



#: Submodules imported on first attribute access: they cost nothing until used.
_LAZY_SUBMODULES = frozenset(("aio", "cache", "cookies"))


def __getattr__(name):
    """``httpkit.aio``, ``httpkit.cache`` and ``httpkit.cookies`` on first use (PEP 562, 3.7+).

    ``import httpkit`` then ``httpkit.aio.get(...)`` works without importing
    asyncio (or the stdlib cookie jar, ~2 MiB) up front. On Python 2.7,
    ``import httpkit.aio.tx`` (or ``httpkit.cache``, ``httpkit.cookies``) first.
    """
    if name in _LAZY_SUBMODULES:
        import importlib
        return importlib.import_module("." + name, __name__)
    raise AttributeError("module %r has no attribute %r" % (__name__, name))


__all__ = [
    "__version__", "request", "get", "head", "post", "put", "patch", "delete", "options",
    "codes", "hooks", "utils", "structures",
    "Session", "Request", "PreparedRequest", "Response", "Headers", "Timeouts",
    "DEFAULT_TIMEOUT", "Limits", "auth", "BasicAuth", "DigestAuth",
    "RequestException", "HTTPError", "ConnectionError", "ProxyError", "ProxyConnectTimeout",
    "SSLError",
    "RemoteProtocolError", "Timeout", "ConnectTimeout", "ReadTimeout", "WriteTimeout",
    "PoolTimeout", "DeadlineExceeded", "URLRequired", "TooManyRedirects", "InvalidURL",
    "MissingSchema", "InvalidSchema", "InvalidProxyURL", "InvalidHeader", "InvalidTimeout", "ChunkedEncodingError",
    "IncompleteRead", "InvalidBodyFraming", "ContentDecodingError", "DecompressionBombError", "StreamConsumedError",
    "ResponseNotRead", "ResponseTooLarge", "RetryError", "UnrewindableBodyError", "ClosedFileError",
    "InvalidJSONError",
    "InvalidMethod",
    "JSONDecodeError", "InsecureRequestWarning",
    "transports", "BaseTransport", "HTTPTransport", "HTTPAdapter", "MockTransport",
    "WSGITransport", "ASGITransport",
]
