"""Re-cutting a body's chunks: fixed-size pieces and lines (pure, shared by front-ends).

Rules:
- No I/O: a front-end feeds chunks as they arrive (sync, asyncio or Twisted)
  and emits what comes back, so every front-end cuts bodies identically.
- Pieces are sliced from the incoming chunk; a chunk that already has the
  wanted size passes through without a copy.
"""
from __future__ import absolute_import, division, print_function

from ._compat import memoryview_bytes

__all__ = ["Rechunker", "LineSplitter", "iter_through", "ALIGN_MIN"]

ALIGN_MIN = 16 * 1024  # pieces at least this big steer the size of body reads


def iter_through(chunks, cutter):
    """Yield what ``cutter`` (``feed(chunk)`` and ``flush()``, each returning a
    list) makes of ``chunks``: the blocking form; asyncio's is ``aiter_through``."""
    for chunk in chunks:
        for out in cutter.feed(chunk):
            yield out
    for out in cutter.flush():
        yield out


class Rechunker(object):
    """Cut byte chunks into pieces of exactly ``chunk_size`` (the last may be shorter).

    requests users rely on exact sizes for Content-Length bodies. Each output
    byte is copied at most once: a chunk of exactly the wanted size passes
    through, others are cut through a memoryview, and only the piece that
    bridges two chunks is joined. A falsy ``chunk_size`` passes chunks through.
    """

    __slots__ = ("size", "pending")

    def __init__(self, chunk_size):
        self.size = chunk_size
        self.pending = b""

    def feed(self, chunk):
        """Return the complete pieces that ``chunk`` finishes (a list)."""
        size = self.size
        if not size:
            return [chunk] if chunk else []
        out = []
        start = 0
        if self.pending:
            need = size - len(self.pending)
            if len(chunk) < need:
                self.pending += chunk
                return out
            out.append(self.pending + chunk[:need])
            self.pending = b""
            start = need
        left = len(chunk) - start
        if start == 0 and left == size:
            out.append(chunk)
            return out
        view = memoryview(chunk)
        end = start + left - left % size
        for i in range(start, end, size):
            out.append(memoryview_bytes(view[i:i + size]))
        if end < len(chunk):
            self.pending = memoryview_bytes(view[end:])
        return out

    def flush(self):
        """Return what is left once the body ended (a list)."""
        pending, self.pending = self.pending, b""
        return [pending] if pending else []

    def want(self):
        """How many bytes would complete the next piece; None for "any amount".

        A reader that asks for exactly this keeps large pieces aligned with
        its reads, so they pass through uncopied. Small pieces (under
        ``ALIGN_MIN``) are cut from full reads instead: one read per piece
        would cost a system call each.
        """
        size = self.size
        if not size or size < ALIGN_MIN:
            return None
        return size - len(self.pending)


class LineSplitter(object):
    """Cut chunks into lines (``splitlines``, or on ``delimiter``), as requests does."""

    __slots__ = ("delimiter", "pending")

    def __init__(self, delimiter=None):
        self.delimiter = delimiter
        self.pending = None

    def feed(self, chunk):
        """Return the complete lines that ``chunk`` finishes (a list)."""
        if self.pending is not None:
            chunk = self.pending + chunk
        lines = chunk.split(self.delimiter) if self.delimiter else chunk.splitlines()
        if lines and lines[-1] and chunk and lines[-1][-1:] == chunk[-1:]:
            self.pending = lines.pop()
        else:
            self.pending = None
        return lines

    def flush(self):
        """Return the last, unterminated line (a list)."""
        pending, self.pending = self.pending, None
        return [] if pending is None else [pending]
