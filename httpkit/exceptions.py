# -*- coding: utf-8 -*-
"""Every error httpkit raises, with the names requests users already catch.

::

    RequestException (IOError)
    ├── HTTPError                      raise_for_status() on 4xx/5xx
    ├── ConnectionError
    │   ├── ConnectTimeout (also Timeout)
    │   ├── ProxyError                 the proxy refused, failed or could not be reached
    │   │   └── ProxyConnectTimeout    (also ConnectTimeout) no connection to the proxy in time
    │   ├── SSLError                   .tls_error is the httpkit.tls error (with .reason)
    │   └── RemoteProtocolError        the server broke HTTP/1.1
    │       └── InvalidBodyFraming     (also a ChunkedEncodingError)
    ├── Timeout
    │   ├── ConnectTimeout
    │   ├── ReadTimeout
    │   ├── WriteTimeout
    │   ├── PoolTimeout                no connection slot within the pool timeout
    │   └── DeadlineExceeded           the total deadline passed
    ├── TooManyRedirects
    ├── InvalidURL (also ValueError)
    │   ├── MissingSchema
    │   ├── InvalidSchema
    │   └── InvalidProxyURL
    ├── URLRequired
    ├── InvalidHeader (also ValueError)
    ├── InvalidMethod (also ValueError)  the method is not an RFC 9110 token
    ├── InvalidTimeout (also ValueError and TypeError)   a bad ``timeout=`` value
    ├── ChunkedEncodingError
    │   ├── IncompleteRead             the body ended before its declared end
    │   └── InvalidBodyFraming         a bad chunk size, junk after a chunk
    ├── ContentDecodingError
    │   └── DecompressionBombError     decoded size or ratio over the limit
    ├── ResponseTooLarge               a buffered body past Limits(max_body_size=...)
    ├── StreamConsumedError (also TypeError)
    ├── ResponseNotRead                async/Twisted: read the body before .content
    ├── RetryError                     retries exhausted on a status
    ├── UnrewindableBodyError
    ├── ClosedFileError (also ValueError)   a body file closed before the request was sent
    └── InvalidJSONError
        └── JSONDecodeError (also json.JSONDecodeError on 3.x, ValueError on 2.7)

Every error carries ``.request`` (and ``.response`` when there is one). Foreign
exceptions (socket, ssl, asyncio, Twisted) are mapped to these only at the
driver boundary, once per driver.
"""
from __future__ import absolute_import, division, print_function

from ._compat import JSONDecodeErrorBase


class RequestException(IOError):
    """Something went wrong while handling a request."""

    def __init__(self, *args, **kwargs):
        self.response = kwargs.pop("response", None)
        self.request = kwargs.pop("request", None)
        if self.request is None and self.response is not None:
            self.request = getattr(self.response, "request", None)
        super(RequestException, self).__init__(*args, **kwargs)


class HTTPError(RequestException):
    """The server answered with a 4xx or 5xx status."""


class ConnectionError(RequestException):  # noqa: A001 - requests' name
    """The connection failed or broke."""


class ProxyError(ConnectionError):
    """The proxy refused or failed the request."""


class SSLError(ConnectionError):
    """TLS failed; ``tls_error`` is the underlying httpkit.tls error."""

    def __init__(self, *args, **kwargs):
        self.tls_error = kwargs.pop("tls_error", None)
        super(SSLError, self).__init__(*args, **kwargs)

    @property
    def reason(self):
        """Why TLS failed (``"expired"``, ``"hostname_mismatch"``...), if known."""
        return getattr(self.tls_error, "reason", None)


class RemoteProtocolError(ConnectionError):
    """The server sent something that is not valid HTTP/1.1."""


class Timeout(RequestException):
    """A timeout expired."""


class ConnectTimeout(ConnectionError, Timeout):
    """No connection within the connect timeout (safe to retry)."""


class ProxyConnectTimeout(ProxyError, ConnectTimeout):
    """No connection to the proxy within the connect timeout (a ProxyError and a ConnectTimeout)."""


class ReadTimeout(Timeout):
    """The server sent nothing within the read timeout."""


class WriteTimeout(Timeout):
    """The request could not be sent within the write timeout."""


class PoolTimeout(Timeout):
    """No connection became free within the pool timeout."""


class DeadlineExceeded(Timeout):
    """The request's total deadline passed."""


class URLRequired(RequestException):
    """A valid URL is required to make a request."""


class TooManyRedirects(RequestException):
    """More redirects than the session's max_redirects."""


class InvalidURL(RequestException, ValueError):
    """The URL is not valid."""


class MissingSchema(InvalidURL):
    """The URL has no scheme (did you mean https://...?)."""


class InvalidSchema(InvalidURL):
    """The URL's scheme is not http or https."""


class InvalidProxyURL(InvalidURL):
    """The proxy URL is not valid."""


class InvalidHeader(RequestException, ValueError):
    """A header name or value is not valid (CR, LF, NUL, bad characters)."""


class InvalidMethod(RequestException, ValueError):
    """The request method is not an RFC 9110 token (empty, CR, LF, a space, non-ASCII).

    .. versionadded:: 0.1
    """


class InvalidTimeout(RequestException, ValueError, TypeError):
    """A ``timeout=`` value is not valid (zero, negative, not a number, a bad tuple).

    A ValueError like requests raises, and also a TypeError for callers that
    catch wrong types that way.
    """


class ChunkedEncodingError(RequestException):
    """The body's framing is broken."""


class IncompleteRead(ChunkedEncodingError):
    """The connection ended before the whole body arrived (never a short success)."""


class InvalidBodyFraming(ChunkedEncodingError, RemoteProtocolError):
    """The body's framing is invalid (a bad chunk size, junk after a chunk)."""


class ContentDecodingError(RequestException):
    """The body could not be decoded (gzip, deflate, br, zstd)."""


class DecompressionBombError(ContentDecodingError):
    """The decoded body grew past the size or ratio limit."""


class ResponseTooLarge(RequestException):
    """A body read into memory grew past ``Limits(max_body_size=...)``.

    Raised as the bytes arrive (the body is never buffered whole); streaming
    reads (``stream=True`` with ``iter_content``, ``r.raw``, ``aiter_content``,
    ``collect``) are not capped.

    .. versionadded:: 0.1
    """


class StreamConsumedError(RequestException, TypeError):
    """The body was already consumed."""


class ResponseNotRead(RequestException):
    """The body has not been read yet (call ``await r.aread()`` / ``content()`` first)."""


class RetryError(RequestException):
    """Retries were exhausted."""


class UnrewindableBodyError(RequestException):
    """The request body cannot be replayed (redirect or retry needs it again)."""


class ClosedFileError(RequestException, ValueError):
    """A request body file (``data=`` or a multipart part) was closed before it was sent."""


class InvalidJSONError(RequestException):
    """JSON could not be encoded or decoded."""


class JSONDecodeError(InvalidJSONError, JSONDecodeErrorBase):
    """The body is not valid JSON.

    On 3.x it is also a ``json.JSONDecodeError`` (so ``except json.JSONDecodeError``
    catches it, as with requests), on 2.7 a ``ValueError``. Attributes as
    json's: ``msg`` (what was wrong), ``doc`` (the text), ``pos`` (where),
    ``lineno``, ``colno``; plus ``request`` and ``response``.

    Args:
        message: the error text (``str(exc)``).
        doc: the JSON text that failed to decode.
        pos: the index in ``doc`` where it failed.
        msg: json's own short message (default: ``message``).
    """

    def __init__(self, message, doc=u"", pos=0, msg=None, **kwargs):
        # json.JSONDecodeError.__init__ would replace the message: set its fields here.
        self.msg = message if msg is None else msg
        self.doc, self.pos = doc, pos
        self.lineno = doc.count(u"\n", 0, pos) + 1
        self.colno = pos - doc.rfind(u"\n", 0, pos)
        InvalidJSONError.__init__(self, message, **kwargs)

    def __reduce__(self):
        return type(self), (self.args[0], self.doc, self.pos, self.msg), \
            {"request": self.request, "response": self.response}


class HTTPKitWarning(Warning):
    """Base of httpkit's warnings."""


class InsecureRequestWarning(HTTPKitWarning):
    """A request was sent with certificate verification turned off."""


class ResourceWarning_(HTTPKitWarning):
    """A session or response was not closed."""
