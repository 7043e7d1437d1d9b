"""Request bodies: encode ``data=``/``json=``/``files=``, stream them, replay them.

Rules (requests' semantics unless noted):
- ``files=`` -> multipart/form-data (``data=`` fields first), streamed by
  :class:`httpkit._multipart.MultipartEncoder`.
- ``data=`` wins over ``json=`` unless it is empty (requests).
- ``json=`` -> ``application/json``, ``json.dumps`` with requests' default
  separators; NaN/Infinity and unserialisable values raise InvalidJSONError.
- ``data=`` bytes go as they are; text stays text in ``PreparedRequest.body``
  (as in requests) and is sent as UTF-8 (requests with urllib3 2 too); a dict
  or list/tuple of pairs is form-urlencoded like query parameters (lists
  repeat the key, ``None`` is dropped) into a native str body, as requests
  does (it is ASCII); any object with ``read`` is streamed
  in 64 KiB reads from its current position, and any other iterable
  (generators...) piece by piece. Their length follows requests' super_len
  (:mod:`httpkit._streams`): when it is known the body goes with a
  Content-Length and exactly that many bytes, otherwise chunked.
- ``files=`` with ``data=`` that is not form fields (bytes, text, a file)
  is a ValueError (requests: "Data must not be a string").
- The length is None exactly when the core must use chunked encoding; no
  body at all has length 0.
- A body file closed before sending is a ClosedFileError, raised before the
  request head is sent. :func:`materialize` turns a multipart body into bytes
  (what an explicit ``prepare()`` does, as requests reads files there).
- Replays (redirects, retries) need the body again: bytes and lists replay
  as they are, files (and multipart bodies) seek back to where they were
  when :func:`body_replayer` was called; for one-shot iterators it returns
  None and :func:`replay_body` raises UnrewindableBodyError.
"""
from __future__ import absolute_import, division, print_function

import json as _json

from ._compat import Mapping, binary_type, memoryview_bytes, text_type
from ._multipart import MultipartEncoder
from ._streams import READ_SIZE, check_open, iter_pieces, read_stream, stream_length
from ._urls import encode_params
from .exceptions import InvalidJSONError, UnrewindableBodyError

__all__ = ["encode_body", "body_replayer", "replay_body", "iter_body_chunks", "BodyReplayer",
           "materialize"]

FORM_TYPE = "application/x-www-form-urlencoded"
JSON_TYPE = "application/json"


def encode_body(data=None, json=None, files=None):
    """Turn requests-style body arguments into what the core sends.

    Args:
        data: bytes, text, a dict or list of pairs (form), a file object or
            an iterable of bytes/text; with ``files``, the form fields.
        json: a JSON-serialisable value, used when ``data`` is empty.
        files: files for a multipart body (see :mod:`httpkit._multipart`).

    Returns:
        ``(content_type, body, length)``: the Content-Type to set (or None
        to leave it to the caller), the body (None, bytes, a file object or
        an iterable of bytes) and its size (None: send it chunked).

    Raises:
        InvalidJSONError: ``json`` cannot be serialised (NaN, sets...).
    """
    if files:
        _check_form_fields(data)
        encoder = MultipartEncoder(data, files)
        return encoder.content_type, encoder, encoder.length
    if not data and json is not None:
        body = _dump_json(json)
        return JSON_TYPE, body, len(body)
    if data is None or (not data and isinstance(data, (Mapping, list, tuple, binary_type,
                                                        text_type))):
        return None, None, 0
    return _encode_data(data)


def _encode_data(data):
    if isinstance(data, binary_type):
        return None, data, len(data)
    if isinstance(data, text_type):
        return None, data, len(data.encode("utf-8"))
    if isinstance(data, (Mapping, list, tuple)):
        body = encode_params(data)
        return FORM_TYPE, body, len(body)
    if isinstance(data, (bytearray, memoryview)):
        body = bytes(data) if isinstance(data, bytearray) else memoryview_bytes(data)
        return None, body, len(body)
    if hasattr(data, "read") or hasattr(data, "__iter__"):
        return None, data, stream_length(data)
    raise TypeError("Cannot send a %s as a request body" % type(data).__name__)


def _check_form_fields(data):
    if data is None or isinstance(data, (Mapping, list, tuple)):
        return
    raise ValueError("With files=, data= must be form fields (a dict or a list of "
                     "(name, value) pairs), not %s: send raw content as a files= part "
                     "instead" % type(data).__name__)


def materialize(body):
    """Return ``(body, length)`` with a multipart body read into bytes.

    Used by explicit ``prepare()`` (``Request.prepare()``,
    ``Session.prepare_request()``, ``PreparedRequest.prepare()``): the files
    are read now, as requests does, so the PreparedRequest can be sent after
    they are closed; and for small multipart bodies of any call (see
    :data:`httpkit._prepare.SMALL_MULTIPART`). Other bodies are returned as
    they are.
    """
    if isinstance(body, MultipartEncoder):
        data = b"".join(body)
        return data, len(data)
    return body, None


def _dump_json(value):
    try:
        text = _json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidJSONError("Cannot encode the json= body: %s" % (exc,))
    return text.encode("utf-8") if isinstance(text, text_type) else text


class BodyReplayer(object):
    """A callable that puts a body back at its start and returns it."""

    __slots__ = ("body", "_start")

    def __init__(self, body, start=None):
        self.body = body
        self._start = start

    def __call__(self):
        """Return the body rewound to where it started.

        Raises:
            UnrewindableBodyError: seeking back failed.
        """
        body = self.body
        if isinstance(body, MultipartEncoder):
            body.rewind()
        elif self._start is not None:
            _seek(body, self._start)
        return body


def body_replayer(body):
    """Record where a body starts, so that it can be sent again.

    Call it before the body is first sent: a file's position is noted now.

    Args:
        body: a body returned by :func:`encode_body`.

    Returns:
        A :class:`BodyReplayer` (calling it rewinds and returns the body),
        or None when the body is a one-shot stream (an iterator, a
        generator, an unseekable file): the caller then raises
        UnrewindableBodyError if a redirect or retry needs it again.
    """
    if body is None or isinstance(body, (binary_type, text_type, list, tuple)):
        return BodyReplayer(body)
    if isinstance(body, MultipartEncoder):
        return BodyReplayer(body) if body.rewindable else None
    if hasattr(body, "read"):
        start = _tell(body)
        return None if start is None else BodyReplayer(body, start)
    return None


def replay_body(replayer, body):
    """Return ``body`` ready to send again, or raise UnrewindableBodyError.

    Args:
        replayer: what :func:`body_replayer` returned for ``body``.
        body: the body.

    Raises:
        UnrewindableBodyError: the body is a one-shot stream.
    """
    if replayer is None:
        raise UnrewindableBodyError(
            "Cannot send this %s request body again (redirect or retry): pass bytes, "
            "a seekable file or a list instead of a one-shot iterator" % type(body).__name__)
    return replayer()


def _tell(fileobj):
    try:
        return fileobj.tell() if hasattr(fileobj, "seek") else None
    except (IOError, OSError, ValueError):
        return None


def _seek(fileobj, position):
    try:
        fileobj.seek(position)
    except (IOError, OSError, ValueError) as exc:
        raise UnrewindableBodyError("Cannot rewind the request body: %s" % (exc,))


def iter_body_chunks(body, length=None, chunk_size=READ_SIZE):
    """Return the chunks of a body: an iterator of non-empty bytes.

    Checked at once (before the caller sends the request head): a closed
    file raises here, not half-way through the request.

    Args:
        body: None, bytes, text, a file object or an iterable of
            bytes/text (what :func:`encode_body` returns).
        length: the Content-Length announced for a streamed body (None:
            chunked, read to the end).
        chunk_size: how much to read from a file at a time.

    Returns:
        An iterator: bytes bodies whole, files ``chunk_size`` at a time,
        iterables piece by piece (text encoded as UTF-8; empty pieces
        skipped, as an empty chunk would end a chunked body).

    Raises:
        ClosedFileError: the body is a closed file.
        TypeError: an iterable yields something that is not bytes or text
            (while iterating).
        RequestException: a stream yields more or fewer bytes than
            ``length`` (while iterating).
    """
    if body is None:
        return iter(())
    if isinstance(body, binary_type):
        return iter((body,)) if body else iter(())
    if isinstance(body, text_type):
        return iter((body.encode("utf-8"),)) if body else iter(())
    if isinstance(body, MultipartEncoder):
        return iter(body)
    check_open(body)
    if hasattr(body, "read"):
        return read_stream(body, length, chunk_size)
    return iter_pieces(body, length)
