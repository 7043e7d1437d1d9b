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
"""
from __future__ import absolute_import, division, print_function

import h11

__all__ = ["client_connection", "LENIENT_H11"]


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
