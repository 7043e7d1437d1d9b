"""File-like and iterable request bodies: how long they are, and reading them.

Rules:
- The length follows requests' ``super_len``: ``__len__``, then a ``len``
  attribute, then ``fstat`` of ``fileno()`` (regular files only: pipes and
  sockets report 0), then seek to the end and back; minus the current
  position (``tell()``). Unknown (None) means the body is sent chunked.
- Nothing is ever probed by reading: ``read(0)`` is not a no-op on every
  file-like object (requests' own test stream returns everything for it).
- Text streams (``io.TextIOBase``, codecs readers) are sent as UTF-8; their
  byte length is measured by reading them through once in 64 KiB pieces and
  seeking back (no copy is kept). An unseekable text stream is sent chunked.
- A promised length is a promise on the wire: reading stops at it, and a
  stream that ends short or yields more than it announced raises
  RequestException rather than sending a body that does not match its
  Content-Length.
- A closed file is refused before the request is sent, with ClosedFileError.
"""
from __future__ import absolute_import, division, print_function

import codecs
import io
import numbers
import os
import stat

from ._compat import binary_type, memoryview_bytes, text_type
from .exceptions import ClosedFileError, RequestException

__all__ = ["READ_SIZE", "stream_length", "read_stream", "iter_pieces", "check_open",
           "is_text_stream", "as_bytes"]

READ_SIZE = 64 * 1024
_TEXT_TYPES = (io.TextIOBase, codecs.StreamReader, codecs.StreamReaderWriter)


def is_text_stream(obj):
    """Return True if ``obj`` is known to read text (without reading from it)."""
    return isinstance(obj, _TEXT_TYPES)


def stream_length(obj):
    """Return how many bytes remain in a file-like or iterable body, or None.

    Args:
        obj: an object with ``read`` or an iterable (not bytes/str).

    Returns:
        The remaining byte count by requests' ``super_len`` rules (see the
        module docstring), or None when it cannot be known without reading
        (and 0 is returned as None too: an fstat of 0 is what ``/proc`` files
        and other generated files report, so 0 is sent chunked, never trusted).
    """
    if is_text_stream(obj):
        return _text_length(obj)
    total = _declared_size(obj)
    position = 0
    if hasattr(obj, "tell"):
        position = _tell(obj)
        if position is None:
            return None
        if total is None:
            total = _seek_size(obj, position)
    if not total:
        return None
    return max(total - position, 0) or None


def _declared_size(obj):
    try:
        if hasattr(obj, "__len__"):
            return len(obj)
        size = getattr(obj, "len", None)
        if isinstance(size, numbers.Integral):
            return size
    except (TypeError, ValueError):
        return None
    return _fstat_size(obj)


def _fstat_size(obj):
    try:
        st = os.fstat(obj.fileno())
    except (AttributeError, IOError, OSError, ValueError, TypeError):
        return None
    return st.st_size if stat.S_ISREG(st.st_mode) else None


def _tell(obj):
    try:
        position = obj.tell()
    except (AttributeError, IOError, OSError, ValueError):
        return None
    return position if isinstance(position, numbers.Integral) else None


def _seek_size(obj, position):
    if not hasattr(obj, "seek"):
        return None
    try:
        obj.seek(0, 2)
        end = obj.tell()
        obj.seek(position)
    except (AttributeError, IOError, OSError, ValueError, TypeError):
        return None
    return end


def _text_length(obj):
    # The UTF-8 size of what is left, read through once and sought back.
    try:
        start = obj.tell()
        total = 0
        while True:
            chunk = obj.read(READ_SIZE)
            if not chunk:
                break
            total += len(as_bytes(chunk))
        obj.seek(start)
    except (AttributeError, IOError, OSError, ValueError):
        return None
    return total or None


def check_open(obj, what="request body"):
    """Raise ClosedFileError if ``obj`` is a closed file.

    Args:
        obj: the body (or multipart part) about to be sent.
        what: how the error message names it.
    """
    if getattr(obj, "closed", False) is True:
        name = getattr(obj, "name", None)
        raise ClosedFileError(
            "The %s %s was closed before the request was sent. Send the request while "
            "the file is open (e.g. session.post(url, data=f) inside the 'with open()' "
            "block), or pass its content (data=f.read())"
            % (what, repr(name) if name is not None else type(obj).__name__))


def read_stream(obj, length, chunk_size=READ_SIZE):
    """Yield a file-like body's bytes, ``chunk_size`` at a time.

    Args:
        obj: an object with ``read`` (text is encoded as UTF-8).
        length: the byte count announced in Content-Length, or None
            (read to EOF, the body is chunked).
        chunk_size: the largest read.

    Raises:
        RequestException: the stream ended before ``length`` bytes, or
            returned more than it announced.
    """
    remaining = length
    while remaining is None or remaining > 0:
        chunk = obj.read(chunk_size if remaining is None else min(chunk_size, remaining))
        if not chunk:
            break
        chunk = as_bytes(chunk)
        if remaining is not None:
            remaining = _count(obj, remaining, chunk)
        yield chunk
    if remaining:
        raise _short(obj, remaining)


def iter_pieces(iterable, length=None):
    """Yield an iterable body's pieces as non-empty bytes (text as UTF-8).

    Args:
        iterable: yields bytes, text, bytearray or memoryview pieces.
        length: the byte count announced in Content-Length, or None.

    Raises:
        TypeError: a piece is not bytes or text.
        RequestException: the pieces add up to more or less than ``length``.
    """
    remaining = length
    for piece in iterable:
        if piece:
            piece = as_bytes(piece)
            if remaining is not None:
                remaining = _count(iterable, remaining, piece)
            yield piece
    if remaining:
        raise _short(iterable, remaining)


def _count(obj, remaining, chunk):
    if len(chunk) > remaining:
        raise RequestException(
            "The request body %s is longer than the %d more bytes it announced (its "
            "__len__, len, or file size): the request was not completed" % (_name(obj), remaining))
    return remaining - len(chunk)


def _short(obj, remaining):
    return RequestException(
        "The request body %s ended %d bytes short of the size announced in Content-Length "
        "(was it changed while sending?)" % (_name(obj), remaining))


def _name(obj):
    name = getattr(obj, "name", None)
    return repr(name) if name is not None else type(obj).__name__


def as_bytes(piece):
    """Return a body piece as bytes (text as UTF-8).

    Raises:
        TypeError: ``piece`` is neither bytes-like nor text.
    """
    if isinstance(piece, binary_type):
        return piece
    if isinstance(piece, text_type):
        return piece.encode("utf-8")
    if isinstance(piece, bytearray):
        return bytes(piece)
    if isinstance(piece, memoryview):
        return memoryview_bytes(piece)
    raise TypeError("A request body yielded %s, not bytes or str" % type(piece).__name__)
