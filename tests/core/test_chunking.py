"""Re-cutting body chunks (httpkit._chunking): bytes in, pieces out, no I/O."""
from __future__ import absolute_import, division, print_function

import pytest

from httpkit._chunking import ALIGN_MIN, LineSplitter, Rechunker, iter_through


def cut(size, chunks):
    return list(iter_through(chunks, Rechunker(size)))


@pytest.mark.parametrize("size", [1, 3, 1000, 65536])
def test_pieces_have_the_exact_size_whatever_the_chunks(size):
    body = bytes(bytearray(i % 251 for i in range(200003)))
    chunks = [body[i:i + 7777] for i in range(0, len(body), 7777)]
    pieces = cut(size, chunks)
    assert b"".join(pieces) == body
    assert all(len(p) == size for p in pieces[:-1]) and 0 < len(pieces[-1]) <= size


def test_a_falsy_size_passes_chunks_through_and_drops_empty_ones():
    assert cut(None, [b"ab", b"", b"cde"]) == [b"ab", b"cde"]


def test_an_aligned_chunk_is_not_copied():
    chunk = b"x" * 65536
    assert Rechunker(65536).feed(chunk)[0] is chunk


def test_want_asks_for_what_completes_the_next_piece():
    r = Rechunker(65536)
    assert r.want() == 65536
    assert r.feed(b"a" * 1000) == []
    assert r.want() == 64536  # a read of this size realigns: the next pieces pass through
    assert [len(p) for p in r.feed(b"b" * 64536)] == [65536] and r.want() == 65536
    # Small pieces and "any size" do not steer reads (one system call per piece otherwise).
    assert Rechunker(ALIGN_MIN - 1).want() is None and Rechunker(None).want() is None


def test_line_splitter_keeps_a_line_split_across_chunks():
    lines = list(iter_through([b"one\ntw", b"o\r\nthree"], LineSplitter()))
    assert lines == [b"one", b"two", b"three"]
    assert list(iter_through([b"a;b", b";c"], LineSplitter(b";"))) == [b"a", b"b", b"c"]
