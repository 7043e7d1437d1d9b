"""``response.raw`` for the blocking front-end: the body as a read-only file.

Rules:
- Same contract as requests' ``r.raw`` (a urllib3 response): ``read(amt)``
  returns ``amt`` bytes unless the body ends first, ``stream(amt)`` yields
  such pieces, and the bytes are the body *as sent* (still gzip'd, say) unless
  ``decode_content`` is true. The decoding caps apply when it is.
- Reading pulls from the same body stream as ``iter_content()`` and
  ``content``: once ``read()`` took bytes, the others raise
  StreamConsumedError (and ``read()`` does after them), never half of each.
- Reaching the end gives the connection back to the pool; ``close()`` before
  the end closes it. Errors (truncation, timeouts) are httpkit's, raised once.
"""
from __future__ import absolute_import, division, print_function

import io

from .._exchange import BodyPieces

__all__ = ["RawBody"]


class RawBody(io.RawIOBase):
    """The unread body of a blocking response, as a file (``response.raw``).

    Attributes:
        decode_content: decode gzip/deflate/br/zstd while reading (default
            False, as in requests). Set it, or pass ``decode_content=``,
            before the first read; it is fixed from then on.

    .. versionadded:: 0.1
    """

    def __init__(self, driver, response):
        super(RawBody, self).__init__()
        self.decode_content = False
        self._driver = driver
        self._response = response
        self._pieces = None
        self._started = False
        self._pending = b""
        self._position = 0

    def readable(self):
        return True

    def tell(self):
        """Bytes returned by :meth:`read` so far."""
        return self._position

    def read(self, amt=None, decode_content=None):
        """Return the next ``amt`` bytes (all that is left if ``amt`` is None).

        Fewer than ``amt`` bytes, or ``b""``, means the body has ended.
        """
        if self.closed:
            raise ValueError("I/O operation on a closed response body")
        self._start(decode_content)
        if amt is None or amt < 0:
            parts = [self._pending] + list(iter(self._pull, b""))
            self._pending = b""
        else:
            parts, size = [], 0
            while size < amt:
                piece = self._take(amt - size)
                if not piece:
                    break
                parts.append(piece)
                size += len(piece)
        data = b"".join(parts)
        self._position += len(data)
        return data

    def readinto(self, buffer):
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def stream(self, amt=65536, decode_content=None):
        """Yield the body in pieces of ``amt`` bytes (urllib3's ``stream``)."""
        while True:
            data = self.read(amt, decode_content)
            if not data:
                return
            yield data

    def close(self):
        """Stop reading; a body not read to its end closes its connection."""
        if not self.closed:
            self._response.close()
        super(RawBody, self).close()

    # ---- internals
    def _start(self, decode_content):
        if self._started:
            return
        if decode_content is not None:
            self.decode_content = decode_content
        self._started = True
        stream = self._response._take_stream("r.raw.read()")
        if stream is not None:
            if not self.decode_content:
                stream.decoder = None  # the bytes as sent
            self._pieces = BodyPieces(stream, None)

    def _take(self, limit):
        piece = self._pending or self._pull()
        if len(piece) > limit:
            piece, self._pending = piece[:limit], piece[limit:]
        else:
            self._pending = b""
        return piece

    def _pull(self):
        pieces = self._pieces
        if pieces is None:
            return b""
        ready = pieces.ready()
        if ready is None:
            ready = pieces.ready(self._driver.run(pieces.read()))
        if ready:
            return ready[0]  # uncut pieces: at most one
        self._pieces = None
        self._response._drop_stream()
        return b""
