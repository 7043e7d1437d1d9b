"""h11 connections that reject malformed chunked bodies on every h11 httpkit runs with.

Rules:
- h11 before 0.16 (the only h11 that installs on Python 2.7 is 0.11) skips
  the two bytes after each chunk's data without checking that they are
  CRLF (CVE-2025-43859): ``5\\r\\nhelloXX0\\r\\n\\r\\n`` is accepted. That
  leniency is how responses get smuggled, so on those versions each
  connection's chunked reader is replaced by one that checks the bytes.
- h11 0.16 and later check them themselves: :func:`client_connection` is
  then a plain ``h11.Connection``.
- This module reaches into h11's private reader machinery, and only for
  h11 < 0.16, whose code is frozen (0.11's on 2.7): never for current h11.
- :func:`check_response` refuses, on every h11, the response heads that one
  h11 version lets through and another refuses, or that neither checks:
  a Content-Length of more than 20 digits (0.16 refuses it, 0.11 would wait
  for 10**25 bytes), a final status of 600 or more (0.11 refuses it, 0.16
  passes it on; RFC 9110 section 15: values outside 100..599 are invalid)
  and an HTTP major version other than 1 (``HTTP/2.0 200`` in HTTP/1.1
  syntax: RFC 9112 section 2.3, a major version httpkit does not speak).
"""
from __future__ import absolute_import, division, print_function

import h11

from .exceptions import RemoteProtocolError

__all__ = ["client_connection", "check_response", "LENIENT_H11", "CONTENT_LENGTH_MAX_DIGITS"]

#: The most digits a Content-Length may have (h11 0.16's own limit; 0.11 has none).
CONTENT_LENGTH_MAX_DIGITS = 20


def _version(text):
    parts = []
    for part in text.split(".")[:2]:
        digits = "".join(c for c in part if c.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


#: True when the installed h11 does not check the CRLF after chunk data.
LENIENT_H11 = _version(h11.__version__) < (0, 16)


def _strict_connection_class():
    from h11 import _connection as h11_connection
    from h11 import _readers as h11_readers

    base_reader = h11_readers.ChunkedReader

    class StrictChunkedReader(base_reader):
        """h11's chunked reader, with the chunk footer checked."""

        def __call__(self, buf):
            if self._bytes_to_discard > 0:
                data = buf.maybe_extract_at_most(self._bytes_to_discard)
                if data is None:
                    return None
                expected = b"\r\n"[2 - self._bytes_to_discard:][:len(data)]
                if bytes(data) != expected:
                    raise h11.RemoteProtocolError(
                        "malformed chunk footer: %r (expected %r)" % (bytes(data), expected))
                self._bytes_to_discard -= len(data)
                if self._bytes_to_discard > 0:
                    return None
            return base_reader.__call__(self, buf)

    readers = dict(h11_readers.READERS)
    readers[h11_connection.SEND_BODY] = dict(readers[h11_connection.SEND_BODY],
                                             chunked=StrictChunkedReader)

    class StrictConnection(h11.Connection):
        """An h11 Connection whose body readers come from the strict table."""

        def _get_io_object(self, role, event, io_dict):
            if io_dict is h11_readers.READERS:
                io_dict = readers
            return h11.Connection._get_io_object(self, role, event, io_dict)

    return StrictConnection


_CONNECTION = _strict_connection_class() if LENIENT_H11 else h11.Connection


def client_connection(**kwargs):
    """A client-side h11 Connection that rejects malformed chunked bodies."""
    return _CONNECTION(h11.CLIENT, **kwargs)


def check_response(event, raw_headers):
    """Refuse a response head h11 accepted that httpkit does not, the same on every h11.

    Args:
        event: an ``h11.Response`` or ``h11.InformationalResponse``.
        raw_headers: ``event.headers.raw_items()``.

    Raises:
        RemoteProtocolError: naming what is wrong (see the module's rules).
    """
    if not event.http_version.startswith(b"1."):
        raise RemoteProtocolError("invalid HTTP response: the server answered in HTTP/%s; "
                                  "httpkit speaks HTTP/1.x"
                                  % (event.http_version.decode("ascii"),))
    if event.status_code >= 600:
        raise RemoteProtocolError("invalid HTTP response: status %d is not an HTTP status "
                                  "(RFC 9110 allows 100 to 599)" % (event.status_code,))
    if not LENIENT_H11:
        return  # (h11 0.16 refuses a Content-Length of more than 20 digits itself)
    for name, value in raw_headers:
        if len(value) > CONTENT_LENGTH_MAX_DIGITS and name.lower() == b"content-length":
            raise RemoteProtocolError("invalid HTTP response: bad Content-Length (more than "
                                      "%d digits)" % CONTENT_LENGTH_MAX_DIGITS)
