"""The body of a Response built by hand: a file-like object set as ``r.raw``.

Rules:
- requests' own tests and mocking libraries build ``Response()`` objects and
  set ``r.raw = io.BytesIO(...)``; :class:`FileBody` is then the response's
  ``_frontend`` and reads that object with plain calls (it belongs to the
  caller: no socket, no driver).
- One reader per body, as for network bodies (``Response._check_unconsumed``).
- Text read from a text-mode file is encoded UTF-8: bodies are bytes.
"""
from __future__ import absolute_import, division, print_function

from ._compat import text_type

__all__ = ["FileBody", "read_file"]


class FileBody(object):
    """How a Response reads a body that is a file the caller set as ``r.raw``."""

    __slots__ = ()

    def read_all(self, response):
        response._check_unconsumed()
        return read_file(response._raw, None)

    def iter_body(self, response, chunk_size):
        response._check_unconsumed()
        response._consumer = "r.iter_content()"
        return iter(lambda: read_file(response._raw, chunk_size or 65536), b"")

    def close(self, response):
        close = getattr(response._raw, "close", None)
        if close is not None:
            close()


def read_file(fileobj, amt):
    """Read ``amt`` bytes (all when None) from a binary or text file, as bytes."""
    data = fileobj.read() if amt is None else fileobj.read(amt)
    return data.encode("utf-8") if isinstance(data, text_type) else data
