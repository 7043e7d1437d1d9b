"""Content-Encoding decoding: incremental, in bounded pieces, with bomb limits.

Rules:
- :func:`make_decoder` returns ``None`` for identity or an absent header, so
  the common path costs one dict look-up and nothing per chunk.
- Codings are decoded in reverse order of the header (RFC 9110 section
  8.4: they are listed in the order they were applied). At most
  ``MAX_CODINGS`` are accepted.
- Supported: ``gzip``/``x-gzip`` (several members, like gzip(1); bytes after
  the first member that are not a valid member are ignored, like urllib3),
  ``deflate`` (zlib-wrapped or raw, sniffed from the first two bytes, as
  servers send both), ``br`` (brotli or brotlicffi) and ``zstd``
  (zstandard) when those optional libraries import.
- A coding httpkit cannot decode (unknown, or its library is missing) makes
  the WHOLE body pass through undecoded, as requests/urllib3 do: the caller
  sees the encoded bytes and can still read ``Content-Encoding``.
- Memory is bounded: ``iter_decode``/``iter_flush`` yield pieces of at most
  about ``CHUNK_SIZE`` bytes (zlib's ``max_length`` + ``unconsumed_tail``;
  brotli >= 1.2's ``output_buffer_limit``). zstandard has no output cap, so
  its input is fed in 1 KiB slices: one step then returns at most ~32 MiB
  (zstd's worst ratio is ~32768:1), split into pieces. brotli < 1.2 (the
  newest on 2.7) and brotlicffi have no cap and brotli's worst ratio is
  unbounded: the limits below still stop a bomb after the step that passes
  them, but that step's output is held at once (documented; use brotli >=
  1.2). ``decode``/``flush`` join the pieces of one call: the core feeds
  them one network read at a time, so the ratio limit bounds the result.
- ``max_size`` caps the total decoded bytes; ``max_ratio`` caps decoded /
  encoded, checked only once the output passes ``RATIO_FLOOR`` so small,
  highly compressible bodies still work. Either -> DecompressionBombError.
- A corrupt stream raises ContentDecodingError from ``decode``; a truncated
  gzip, deflate, brotli or zstd stream raises it from ``flush``. An empty
  body (no bytes at all) decodes to ``b""`` without error.
"""
from __future__ import absolute_import, division, print_function

import zlib

from .exceptions import ContentDecodingError, DecompressionBombError, ResponseTooLarge

__all__ = ["make_decoder", "Decoder", "CHUNK_SIZE", "DEFAULT_MAX_RATIO", "RATIO_FLOOR",
           "MAX_CODINGS", "supported_encodings"]

CHUNK_SIZE = 1024 * 1024        # the most one decoding step returns
DEFAULT_MAX_RATIO = 200         # deflate tops out near 1032:1; real text rarely passes 100:1
RATIO_FLOOR = 4 * 1024 * 1024   # the ratio is not checked below this much output
MAX_CODINGS = 5                 # urllib3's limit on stacked codings
_SLICE = 1024                   # input slice for libraries without an output cap
_IDENTITY = frozenset(("", "identity"))


def make_decoder(content_encoding, max_size=None, max_ratio=DEFAULT_MAX_RATIO):
    """Return a decoder for a Content-Encoding header value, or None.

    Args:
        content_encoding: the header value (``"gzip"``, ``"gzip, br"``...),
            or None.
        max_size: the most decoded bytes allowed in total (None: no limit).
        max_ratio: the most decoded bytes per encoded byte once the output
            passes ``RATIO_FLOOR`` (None: no limit).

    Returns:
        A :class:`Decoder`, or None when the body needs no decoding: the
        header is absent or identity, or a coding cannot be decoded here
        (the body then passes through undecoded, as with requests).

    Raises:
        ContentDecodingError: more than ``MAX_CODINGS`` codings are stacked.
    """
    if not content_encoding:
        return None
    names = [name.strip().lower() for name in content_encoding.split(",")]
    names = [name for name in names if name not in _IDENTITY]
    if not names:
        return None
    if len(names) > MAX_CODINGS:
        raise ContentDecodingError("Too many content codings (%d > %d): %r"
                                   % (len(names), MAX_CODINGS, content_encoding))
    layers = [_make_layer(name) for name in reversed(names)]
    if None in layers:
        return None
    return Decoder(layers, ", ".join(names), max_size, max_ratio)


def supported_encodings():
    """Return the codings this interpreter can decode, for Accept-Encoding.

    Returns:
        A list such as ``["gzip", "deflate", "br", "zstd"]``.
    """
    names = ["gzip", "deflate"]
    if _brotli() is not None:
        names.append("br")
    if _zstandard() is not None:
        names.append("zstd")
    return names


class Decoder(object):
    """Decode one body: feed encoded bytes in, get bounded decoded pieces out."""

    def __init__(self, layers, encoding, max_size=None, max_ratio=DEFAULT_MAX_RATIO):
        self.encoding = encoding
        self._layers = layers
        self._max_size = max_size
        self._max_ratio = max_ratio
        self._body_limit = None
        self._fed = 0
        self._out = 0

    def limit_output(self, limit):
        """Raise ResponseTooLarge as soon as the decoded output passes ``limit`` bytes.

        For a body read into memory (``Limits.max_body_size``): one network
        read of a bomb decodes to up to ~1000 times its size (far more through
        a chain of codings) before the reader could count it, so the decoder
        stops there, one piece (at most CHUNK_SIZE) past the limit.
        """
        self._body_limit = limit

    def decode(self, data):
        """Decode the next encoded bytes.

        Args:
            data: encoded bytes (any size; may be empty).

        Returns:
            The decoded bytes available so far (may be empty).

        Raises:
            ContentDecodingError: the stream is corrupt.
            DecompressionBombError: a size or ratio limit was passed.
        """
        return b"".join(self.iter_decode(data))

    def flush(self):
        """Finish the body and return the last decoded bytes.

        Raises:
            ContentDecodingError: the stream was truncated.
            DecompressionBombError: a size or ratio limit was passed.
        """
        return b"".join(self.iter_flush())

    def iter_decode(self, data):
        """Yield the decoded pieces of ``data``, each at most CHUNK_SIZE bytes."""
        self._fed += len(data)
        # One coding (the usual case): skip the chaining generator.
        pieces = self._layers[0].pieces(data) if len(self._layers) == 1 else self._feed(data, 0)
        for piece in pieces:
            yield self._count(piece)

    def iter_flush(self):
        """Yield the last decoded pieces; raise if the stream was truncated."""
        for i, layer in enumerate(self._layers):
            for piece in layer.finish():
                for out in self._feed(piece, i + 1):
                    yield self._count(out)

    def _feed(self, data, index):
        # Layer ``index`` decodes ``data``; each piece goes through the rest.
        if index == len(self._layers):
            if data:
                yield data
            return
        for piece in self._layers[index].pieces(data):
            for out in self._feed(piece, index + 1):
                yield out

    def _count(self, piece):
        self._out += len(piece)
        if self._body_limit is not None and self._out > self._body_limit:
            raise ResponseTooLarge("the decoded body is larger than %d bytes"
                                   % self._body_limit)
        if self._max_size is not None and self._out > self._max_size:
            raise DecompressionBombError(
                "Decoded body (Content-Encoding: %s) passed max_size=%d bytes; pass a "
                "larger max_size (or None for no limit) if this body is legitimate"
                % (self.encoding, self._max_size))
        if (self._max_ratio is not None and self._out > RATIO_FLOOR
                and self._out > self._max_ratio * self._fed):
            raise DecompressionBombError(
                "Decoded body (Content-Encoding: %s) grew to %d bytes from %d encoded bytes, "
                "over max_ratio=%d; pass a larger max_ratio (or None for no limit) if this "
                "body is legitimate" % (self.encoding, self._out, self._fed, self._max_ratio))
        return piece


def _make_layer(name):
    if name in ("gzip", "x-gzip"):
        return _ZlibLayer(name, 16 + zlib.MAX_WBITS)
    if name == "deflate":
        return _ZlibLayer(name, None)
    if name == "br":
        module = _brotli()
        return None if module is None else _BrotliLayer(module)
    if name == "zstd":
        module = _zstandard()
        return None if module is None else _ZstdLayer(module)
    return None


def _brotli():
    # Imported lazily: optional, and never a cost at httpkit import time.
    try:
        import brotli
    except ImportError:
        try:
            import brotlicffi as brotli
        except ImportError:
            return None
    return brotli


def _zstandard():
    try:
        import zstandard
    except ImportError:
        return None
    return zstandard


def _corrupt(name, exc):
    return ContentDecodingError("Cannot decode %s body: %s" % (name, exc))


def _truncated(name):
    return ContentDecodingError("The %s body ended before its compressed stream did "
                                "(truncated or corrupt)" % name)


def _is_zlib_header(head):
    # RFC 1950 section 2.2: CM = 8 (deflate), CINFO <= 7, header % 31 == 0.
    cmf, flg = bytearray(head[:2])
    return cmf & 0x0F == 8 and cmf >> 4 <= 7 and (cmf * 256 + flg) % 31 == 0


class _ZlibLayer(object):
    """gzip (``wbits`` 31) or deflate (``wbits`` None: sniff zlib vs raw)."""

    def __init__(self, name, wbits):
        self.name = name
        self._obj = None if wbits is None else zlib.decompressobj(wbits)
        self._head = b""      # deflate: bytes held until the format is known
        self._members = 0     # gzip members started
        self._ended = False   # nothing more can come out (trailer or garbage)
        self._fed = False

    def pieces(self, data):
        if self._ended or not data:
            return
        self._fed = True
        if self._obj is None:
            data = self._sniff(data)
            if self._obj is None:
                return
        obj = self._obj
        while True:
            try:
                out = obj.decompress(data, CHUNK_SIZE)
            except zlib.error as exc:
                self._on_error(exc)
                return
            data = obj.unconsumed_tail
            if out:
                yield out
            if obj.unused_data:
                data = obj.unused_data
                obj = self._next_member()
                if obj is None:
                    return
            elif not data and len(out) < CHUNK_SIZE:
                # A capped step may leave output inside zlib: loop until drained.
                return

    def finish(self):
        if self._ended or not self._fed:
            return
        if self._obj is None or not _zlib_at_eof(self._obj):
            raise _truncated(self.name)
        tail = self._obj.flush()
        if tail:
            yield tail

    def _sniff(self, data):
        self._head += data
        if len(self._head) < 2:
            return b""
        wbits = zlib.MAX_WBITS if _is_zlib_header(self._head) else -zlib.MAX_WBITS
        self._obj = zlib.decompressobj(wbits)
        data, self._head = self._head, b""
        return data

    def _next_member(self):
        # After a gzip member, another may follow (RFC 1952 section 2.2);
        # zlib/raw deflate streams end at their end: ignore what follows.
        if self.name == "deflate":
            self._ended = True
            return None
        self._members += 1
        self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS)
        return self._obj

    def _on_error(self, exc):
        if self._members:
            # Garbage after a complete member: gzip(1) and urllib3 ignore it.
            self._ended = True
            return
        raise _corrupt(self.name, exc)


def _zlib_at_eof(obj):
    eof = getattr(obj, "eof", None)
    if eof is not None:
        return eof
    # 2.7's decompressobj has no ``eof``: after the end of the stream any
    # byte goes to unused_data, while an unfinished stream swallows it.
    probe = obj.copy()
    try:
        probe.decompress(b"\x00")
    except zlib.error:
        return False
    return bool(probe.unused_data)


class _BrotliLayer(object):
    """br, through brotli (capped output on >= 1.2) or brotlicffi."""

    name = "br"

    def __init__(self, module):
        self._module = module
        self._obj = module.Decompressor()
        self._capped = hasattr(self._obj, "can_accept_more_data")
        self._fed = False

    def pieces(self, data):
        if not data:
            return
        self._fed = True
        try:
            if self._capped:
                for out in self._capped_pieces(data):
                    yield out
            else:
                for out in _sliced(self._process, data):
                    yield out
        except self._module.error as exc:
            raise _corrupt(self.name, exc)

    def _process(self, data):
        process = getattr(self._obj, "process", None) or self._obj.decompress
        return process(data)

    def _capped_pieces(self, data):
        # brotli grows its buffer by doubling until it passes the limit, so
        # ask for half a chunk. Output may still be pending once it accepts
        # input again: drain until a step comes back short.
        limit = CHUNK_SIZE // 2
        out = self._obj.process(data, output_buffer_limit=limit)
        while True:
            if out:
                yield out
            if len(out) < limit and self._obj.can_accept_more_data():
                return
            out = self._obj.process(b"", output_buffer_limit=limit)

    def finish(self):
        if self._fed and not self._obj.is_finished():
            raise _truncated(self.name)
        return iter(())


class _ZstdLayer(object):
    """zstd through zstandard, several frames allowed (RFC 8878 section 3.1)."""

    name = "zstd"

    def __init__(self, module):
        self._module = module
        self._obj = module.ZstdDecompressor().decompressobj()
        self._fed = False

    def pieces(self, data):
        if not data:
            return
        self._fed = True
        try:
            for out in _sliced(self._decompress, data):
                yield out
        except self._module.ZstdError as exc:
            raise _corrupt(self.name, exc)

    def _decompress(self, data):
        out = []
        while data:
            if self._obj.eof:
                # The previous frame ended: the next one needs a new object.
                self._obj = self._module.ZstdDecompressor().decompressobj()
            out.append(self._obj.decompress(data))
            data = self._obj.unused_data if self._obj.eof else b""
        return b"".join(out)

    def finish(self):
        if self._fed and not self._obj.eof:
            raise _truncated(self.name)
        return iter(())


def _sliced(decompress, data):
    # No output cap in the library: feed small input slices so one step's
    # output stays near _SLICE times the format's worst ratio, then split it.
    view = memoryview(data)
    for start in range(0, len(data), _SLICE):
        out = decompress(view[start:start + _SLICE].tobytes())
        for i in range(0, len(out), CHUNK_SIZE):
            yield out[i:i + CHUNK_SIZE] if len(out) > CHUNK_SIZE else out
