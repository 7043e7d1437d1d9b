"""Streaming multipart/form-data request bodies (RFC 7578).

Rules:
- ``files`` takes requests' forms: a dict or list of ``(field, value)``,
  ``value`` being a file object, bytes/text, or a tuple ``(filename,)``,
  ``(filename, content)``, ``(filename, content, content_type)`` or
  ``(filename, content, content_type, headers)``. A ``None`` filename makes
  a plain field (requests' ``(None, "value")`` idiom).
- Data fields come first, then files (requests' order). Lists repeat a
  field; ``None`` values are dropped; other values go through ``str()``.
- The filename defaults to the basename of ``fileobj.name``, else the field
  name (requests). The part's Content-Type is the given one, else guessed
  by :mod:`mimetypes`, else ``application/octet-stream``.
- A file whose content is ``None`` (``{"f": None}``, ``("a.txt", None)``) is
  left out, as requests does.
- Names and filenames are UTF-8 inside ``"..."`` with ``"``, CR and LF
  escaped as ``%22``, ``%0D``, ``%0A`` (the HTML5 rule browsers follow).
  A part's Content-Type and extra headers are refused (InvalidHeader naming
  the field) unless the name is a token and the value holds no control
  character but a tab: they cannot add a line to the part's head.
- Files are never read whole: iteration reads 64 KiB at a time from the
  position the file was at when the encoder was made. ``length`` is exact
  when every part's size is known (:func:`httpkit._streams.stream_length`:
  bytes, files whose size fstat/seek can tell, seekable text files measured
  as UTF-8), else None and the body is sent chunked.
- Iterating with a closed file part raises ClosedFileError before any byte.
- :meth:`MultipartEncoder.rewind` seeks every file back for a replay.
"""
from __future__ import absolute_import, division, print_function

import binascii
import mimetypes
import os
import re

from ._compat import PY2, Mapping, binary_type, text_type, to_bytes
from ._streams import READ_SIZE, check_open, read_stream, stream_length
from .exceptions import InvalidHeader, UnrewindableBodyError

__all__ = ["MultipartEncoder"]

_ESCAPES = {b'"': b"%22", b"\r": b"%0D", b"\n": b"%0A"}
_TO_ESCAPE = re.compile(b'["\r\n]')
_BOUNDARY = re.compile(r"\A[0-9A-Za-z'()+_,./:=?-]{1,70}\Z")
_TOKEN = re.compile(b"\\A[!#$%&'*+\\-.^_`|~0-9A-Za-z]+\\Z")
_BAD_VALUE = re.compile(b"[\\x00-\\x08\\x0a-\\x1f\\x7f]")


class MultipartEncoder(object):
    """A multipart/form-data body that streams its files.

    Attributes:
        boundary: the boundary (native str).
        content_type: the Content-Type header value, boundary included.
        length: the exact body size in bytes, or None when a part's size
            is unknown.
    """

    def __init__(self, fields=None, files=None, boundary=None):
        """Build the parts; no file is read yet.

        Args:
            fields: form fields: dict or list of ``(name, value)``.
            files: files in requests' forms (see the module docstring).
            boundary: the boundary to use (default: 32 random hex digits).

        Raises:
            ValueError: the boundary is not a valid RFC 2046 boundary.
        """
        if boundary is None:
            boundary = binascii.hexlify(os.urandom(16)).decode("ascii")
        if not _BOUNDARY.match(boundary):
            raise ValueError("Invalid multipart boundary %r" % (boundary,))
        self.boundary = str(boundary)
        self.content_type = "multipart/form-data; boundary=%s" % self.boundary
        self._dash = b"--" + boundary.encode("ascii")
        self._parts = ([self._field_part(n, v) for n, v in _field_items(fields)]
                       + [self._file_part(n, v) for n, v in _pairs(files)
                          if _file_content(v) is not None])
        self._iterated = False
        self.length = self._total_length()

    def __iter__(self):
        """Yield the body as bytes chunks (files read 64 KiB at a time)."""
        for _, body, _, _ in self._parts:
            if hasattr(body, "read"):
                check_open(body, "multipart file")
        if self._iterated:
            self.rewind()
        self._iterated = True
        return self._chunks()

    @property
    def rewindable(self):
        """True when every file part can seek back (see :meth:`rewind`)."""
        return all(start is not None for _, body, _, start in self._parts
                   if hasattr(body, "read"))

    def rewind(self):
        """Seek every file back to where it was when the encoder was made.

        Raises:
            UnrewindableBodyError: a file cannot seek.
        """
        for _, body, _, start in self._parts:
            if hasattr(body, "read"):
                if start is None:
                    raise UnrewindableBodyError(
                        "Cannot rewind multipart file %r to send it again" % (body,))
                body.seek(start)

    def _field_part(self, name, value):
        data = _field_bytes(value)
        return (self._head(name, None, None, None), data, len(data), None)

    def _file_part(self, name, value):
        filename, content, content_type, headers = _file_tuple(name, value)
        if filename is not None and content_type is None:
            content_type = mimetypes.guess_type(_native(filename))[0] or \
                "application/octet-stream"
        head = self._head(name, filename, content_type, headers)
        if hasattr(content, "read"):
            size, start = stream_length(content), _tell(content)
            return (head, content, size, start)
        data = _field_bytes(content)
        return (head, data, len(data), None)

    def _head(self, name, filename, content_type, headers):
        disposition = b'Content-Disposition: form-data; name="' + _escape(name) + b'"'
        if filename is not None:
            disposition += b'; filename="' + _escape(filename) + b'"'
        lines = [self._dash, disposition]
        if content_type:
            lines.append(_part_header(name, "Content-Type", content_type))
        for key, value in _pairs(headers):
            lines.append(_part_header(name, key, value))
        return b"\r\n".join(lines) + b"\r\n\r\n"

    def _total_length(self):
        total = len(self._dash) + 4  # closing "--boundary--\r\n"
        for head, _, size, _ in self._parts:
            if size is None:
                return None
            total += len(head) + size + 2
        return total

    def _chunks(self):
        pending = b""
        for head, body, size, _ in self._parts:
            pending += head
            if hasattr(body, "read"):
                yield pending
                for chunk in read_stream(body, size):
                    yield chunk
                pending = b"\r\n"
            else:
                # Small fields are glued together: fewer, larger writes.
                pending += body + b"\r\n"
                if len(pending) >= READ_SIZE:
                    yield pending
                    pending = b""
        yield pending + self._dash + b"--\r\n"


def file_size(fileobj):
    """Return how many bytes remain in ``fileobj`` (see :func:`httpkit._streams.stream_length`)."""
    return stream_length(fileobj)


def _tell(fileobj):
    try:
        return fileobj.tell()
    except (AttributeError, IOError, OSError, ValueError):
        return None


def _pairs(items):
    if not items:
        return []
    return list(items.items()) if isinstance(items, Mapping) else list(items)


def _field_items(fields):
    # requests: lists repeat the field, None is dropped.
    for name, values in _pairs(fields):
        if isinstance(values, (text_type, binary_type)) or not hasattr(values, "__iter__"):
            values = [values]
        for value in values:
            if value is not None:
                yield name, value


def _field_bytes(value):
    if isinstance(value, binary_type):
        return value
    if isinstance(value, bytearray):
        return bytes(value)
    if not isinstance(value, text_type):
        value = text_type(value)
    return value.encode("utf-8")


def _file_content(value):
    if isinstance(value, (tuple, list)):
        return value[1] if len(value) > 1 else b""  # ("name.txt",): an empty file
    return value


def _file_tuple(name, value):
    # -> (filename or None, content, content_type or None, headers or None)
    if isinstance(value, (tuple, list)):
        value = tuple(value) + (None,) * (4 - len(value))
        filename, content, content_type, headers = value[:4]
        return filename, (b"" if content is None else content), content_type, headers
    return _guess_filename(value) or name, value, None, None


def _guess_filename(fileobj):
    # Like requests.utils.guess_filename: "<stdin>"-style names are not files.
    name = getattr(fileobj, "name", None)
    if isinstance(name, (text_type, binary_type)) and name[:1] not in ("<", b"<"):
        return os.path.basename(name)
    return None


def _escape(value):
    if not isinstance(value, (text_type, binary_type)):
        value = text_type(value)
    data = to_bytes(value, "utf-8")
    return _TO_ESCAPE.sub(lambda m: _ESCAPES[m.group(0)], data)


def _part_header(field, key, value):
    """``key: value`` for the part of ``field``; InvalidHeader names both if it cannot be sent."""
    name, data = _header_bytes(key), _header_bytes(value)
    if not _TOKEN.match(name) or _BAD_VALUE.search(data):
        raise InvalidHeader("Invalid header %r of multipart field %r: a name must be a token "
                            "and a value must not hold CR, LF, NUL or another control "
                            "character" % (key, field))
    return name + b": " + data


def _header_bytes(value):
    return value if isinstance(value, binary_type) else text_type(value).encode("utf-8")


def _native(value):
    # mimetypes wants text on 3.x; 2.7 takes either.
    if isinstance(value, binary_type) and not PY2:
        return value.decode("utf-8", "replace")
    return value
