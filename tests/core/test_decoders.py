"""Content-Encoding decoding: formats, stacking, pass-through, truncation, bomb limits."""
from __future__ import absolute_import, division, print_function

import os
import zlib

import pytest

from httpkit import _decoders
from httpkit._decoders import (CHUNK_SIZE, DEFAULT_MAX_RATIO, RATIO_FLOOR, make_decoder,
                               supported_encodings)
from httpkit.exceptions import ContentDecodingError, DecompressionBombError

try:
    import brotli
except ImportError:  # pragma: no cover - the envs install brotli
    brotli = None
try:
    import zstandard
except ImportError:
    zstandard = None

needs_brotli = pytest.mark.skipif(brotli is None, reason="brotli not installed")
needs_zstd = pytest.mark.skipif(zstandard is None, reason="zstandard not installed")

MiB = 1024 * 1024
PLAIN = b"".join(b"line %d: the quick brown fox\n" % i for i in range(20000)) + os.urandom(5000)


def gzip_bytes(data, level=6):
    c = zlib.compressobj(level, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return c.compress(data) + c.flush()


def raw_deflate(data):
    c = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return c.compress(data) + c.flush()


ENCODERS = {
    "gzip": gzip_bytes,
    "x-gzip": gzip_bytes,
    "deflate": zlib.compress,
}


def decode_all(decoder, data, step=4096):
    out = [decoder.decode(data[i:i + step]) for i in range(0, len(data), step)]
    out.append(decoder.flush())
    return b"".join(out)


# ---- formats
@pytest.mark.parametrize("name", sorted(ENCODERS))
@pytest.mark.parametrize("step", [1, 7, 4096, 10 ** 9])
def test_round_trip(name, step):
    body = ENCODERS[name](PLAIN)
    assert decode_all(make_decoder(name), body, step) == PLAIN


def test_raw_deflate_is_accepted():
    assert decode_all(make_decoder("deflate"), raw_deflate(PLAIN), 1) == PLAIN


def test_header_is_case_and_space_insensitive():
    assert decode_all(make_decoder("  GZip "), gzip_bytes(b"hi")) == b"hi"


def test_gzip_several_members():
    body = gzip_bytes(b"one ") + gzip_bytes(b"two ") + gzip_bytes(b"three")
    assert decode_all(make_decoder("gzip"), body, 5) == b"one two three"


def test_gzip_trailing_garbage_is_ignored():
    assert decode_all(make_decoder("gzip"), gzip_bytes(b"data") + b"\x00\x00junk") == b"data"


def test_deflate_trailing_bytes_are_ignored():
    assert decode_all(make_decoder("deflate"), zlib.compress(b"data") + b"xx") == b"data"


def test_stacked_codings_decode_in_reverse_order():
    body = zlib.compress(gzip_bytes(PLAIN))  # gzip applied first, then deflate
    decoder = make_decoder("gzip, deflate")
    assert decoder.encoding == "gzip, deflate"
    assert decode_all(decoder, body, 1000) == PLAIN


def test_identity_codings_are_skipped_in_a_list():
    assert decode_all(make_decoder("identity, gzip"), gzip_bytes(b"x")) == b"x"


# ---- pass-through and the fast path
@pytest.mark.parametrize("value", [None, "", "identity", "Identity", " identity , identity"])
def test_identity_has_no_decoder(value):
    assert make_decoder(value) is None


@pytest.mark.parametrize("value", ["compress", "foo", "gzip, foo", "x-unknown, gzip"])
def test_unknown_coding_passes_the_body_through(value):
    # requests/urllib3 behaviour: an undecodable coding leaves the bytes as sent.
    assert make_decoder(value) is None


def test_too_many_codings():
    with pytest.raises(ContentDecodingError) as info:
        make_decoder(", ".join(["gzip"] * 6))
    assert "Too many" in str(info.value)


def test_supported_encodings():
    names = supported_encodings()
    assert names[:2] == ["gzip", "deflate"]
    assert ("br" in names) == (brotli is not None)
    assert ("zstd" in names) == (zstandard is not None)


def test_empty_body_decodes_to_nothing():
    for name in ("gzip", "deflate"):
        decoder = make_decoder(name)
        assert decoder.decode(b"") == b""
        assert decoder.flush() == b""


# ---- errors
@pytest.mark.parametrize("name", ["gzip", "deflate"])
def test_corrupt_stream_raises_at_decode(name):
    decoder = make_decoder(name)
    with pytest.raises(ContentDecodingError) as info:
        decoder.decode(b"\x1f\x8b\x08\x00not really gzip data at all" * 10
                       if name == "gzip" else b"\x78\x9c\xff\xff\xff\xff garbage")
    assert name in str(info.value)


@pytest.mark.parametrize("name", sorted(ENCODERS))
@pytest.mark.parametrize("cut", [1, 4, 100])
def test_truncated_stream_raises_at_flush(name, cut):
    body = ENCODERS[name](PLAIN)
    decoder = make_decoder(name)
    decoder.decode(body[:-cut])
    with pytest.raises(ContentDecodingError) as info:
        decoder.flush()
    assert "truncated" in str(info.value)


def test_truncated_raw_deflate_raises_at_flush():
    decoder = make_decoder("deflate")
    decoder.decode(raw_deflate(PLAIN)[:-10])
    with pytest.raises(ContentDecodingError):
        decoder.flush()


def test_one_byte_deflate_body_is_truncated():
    decoder = make_decoder("deflate")
    assert decoder.decode(b"x") == b""
    with pytest.raises(ContentDecodingError):
        decoder.flush()


def test_truncated_second_gzip_member_raises():
    decoder = make_decoder("gzip")
    decoder.decode(gzip_bytes(b"a") + gzip_bytes(b"bbbbbbbbbb")[:-3])
    with pytest.raises(ContentDecodingError):
        decoder.flush()


# ---- bounded pieces and limits
def test_pieces_are_bounded():
    body = gzip_bytes(b"\x00" * (20 * MiB))
    pieces = list(make_decoder("gzip", max_ratio=None).iter_decode(body))
    assert sum(len(p) for p in pieces) == 20 * MiB
    assert max(len(p) for p in pieces) <= CHUNK_SIZE
    assert len(pieces) >= 20


def test_max_size():
    decoder = make_decoder("gzip", max_size=1000)
    assert decoder.decode(gzip_bytes(b"a" * 1000)) == b"a" * 1000
    decoder = make_decoder("gzip", max_size=1000)
    with pytest.raises(DecompressionBombError) as info:
        decoder.decode(gzip_bytes(b"a" * 1001))
    assert "max_size=1000" in str(info.value)
    assert "None" in str(info.value)  # says how to lift the limit


def test_small_compressible_bodies_pass_the_ratio_floor():
    data = b"\x00" * (RATIO_FLOOR - 1)
    assert decode_all(make_decoder("gzip"), gzip_bytes(data, 9)) == data


def test_ratio_limit():
    data = b"\x00" * (RATIO_FLOOR * 2)
    with pytest.raises(DecompressionBombError) as info:
        decode_all(make_decoder("gzip"), gzip_bytes(data, 9))
    assert "max_ratio=%d" % DEFAULT_MAX_RATIO in str(info.value)
    assert decode_all(make_decoder("gzip", max_ratio=None), gzip_bytes(data, 9)) == data
    assert decode_all(make_decoder("gzip", max_ratio=2000), gzip_bytes(data, 9)) == data


def test_bomb_error_is_a_content_decoding_error():
    assert issubclass(DecompressionBombError, ContentDecodingError)


def gzip_bomb(size):
    # Built in chunks: the test never holds the decoded size in memory.
    c = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b"\x00" * MiB
    parts = [c.compress(block) for _ in range(size // MiB)]
    parts.append(c.flush())
    return b"".join(parts)


@pytest.fixture(scope="module")
def one_gib_bomb():
    return gzip_bomb(1024 * MiB)


class MemoryMeter(object):
    """Peak memory growth: tracemalloc on 3.x, ru_maxrss (KiB on Linux) on 2.7."""

    def __enter__(self):
        try:
            import tracemalloc
        except ImportError:
            tracemalloc = None
        self.tracemalloc = tracemalloc
        if tracemalloc is not None:
            tracemalloc.start()
        else:
            import resource
            self.before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        return self

    def __exit__(self, *exc_info):
        if self.tracemalloc is not None:
            self.peak = self.tracemalloc.get_traced_memory()[1]
            self.tracemalloc.stop()
        else:
            import resource
            self.peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - self.before


def feed(decoder, body, step=64 * 1024):
    total = 0
    for i in range(0, len(body), step):
        for piece in decoder.iter_decode(body[i:i + step]):
            total += len(piece)
    for piece in decoder.iter_flush():
        total += len(piece)
    return total


def test_one_gib_gzip_bomb_raises_with_bounded_memory(one_gib_bomb):
    assert len(one_gib_bomb) < 2 * MiB
    with MemoryMeter() as meter:
        with pytest.raises(DecompressionBombError):
            feed(make_decoder("gzip"), one_gib_bomb)
    assert meter.peak < 100 * MiB


def test_one_gib_gzip_bomb_with_decode_and_max_size(one_gib_bomb):
    decoder = make_decoder("gzip", max_size=64 * MiB, max_ratio=None)
    with MemoryMeter() as meter:
        with pytest.raises(DecompressionBombError) as info:
            for i in range(0, len(one_gib_bomb), 16 * 1024):
                decoder.decode(one_gib_bomb[i:i + 16 * 1024])
    assert "max_size=%d" % (64 * MiB) in str(info.value)
    assert meter.peak < 100 * MiB


def test_unlimited_streaming_stays_bounded():
    body = gzip_bomb(256 * MiB)
    with MemoryMeter() as meter:
        assert feed(make_decoder("gzip", max_ratio=None), body) == 256 * MiB
    assert meter.peak < 100 * MiB


# ---- brotli (optional extra)
@needs_brotli
def test_brotli_round_trip_and_stacking():
    body = brotli.compress(PLAIN)
    assert decode_all(make_decoder("br"), body, 333) == PLAIN
    assert decode_all(make_decoder("gzip, br"), brotli.compress(gzip_bytes(PLAIN)), 100) == PLAIN


@needs_brotli
def test_brotli_truncated_and_corrupt():
    decoder = make_decoder("br")
    decoder.decode(brotli.compress(PLAIN)[:-20])
    with pytest.raises(ContentDecodingError):
        decoder.flush()
    with pytest.raises(ContentDecodingError):
        make_decoder("br").decode(b"\xff" * 100)


@needs_brotli
def test_brotli_bomb():
    body = brotli.compress(b"\x00" * (128 * MiB), quality=5)
    assert len(body) < MiB
    with MemoryMeter() as meter:
        with pytest.raises(DecompressionBombError):
            feed(make_decoder("br"), body)
    if hasattr(brotli.Decompressor(), "can_accept_more_data"):
        assert meter.peak < 100 * MiB
    # else brotli < 1.2 (2.7): no output cap, one step may hold the whole bomb
    # (documented limitation); the limit still raises.


@needs_brotli
@pytest.mark.skipif(brotli is None or not hasattr(brotli.Decompressor(), "can_accept_more_data"),
                    reason="brotli < 1.2 has no output cap")
def test_brotli_pieces_bounded_when_capped():
    decoder = make_decoder("br", max_ratio=None)
    pieces = list(decoder.iter_decode(brotli.compress(b"\x00" * (16 * MiB))))
    assert sum(len(p) for p in pieces) == 16 * MiB
    assert max(len(p) for p in pieces) <= CHUNK_SIZE + 64 * 1024
    assert decoder.flush() == b""


# ---- zstd (optional extra)
@needs_zstd
def test_zstd_round_trip_and_frames():
    c = zstandard.ZstdCompressor()
    assert decode_all(make_decoder("zstd"), c.compress(PLAIN), 500) == PLAIN
    two = c.compress(b"first ") + c.compress(b"second")
    assert decode_all(make_decoder("zstd"), two, 3) == b"first second"


@needs_zstd
def test_zstd_truncated_and_corrupt():
    decoder = make_decoder("zstd")
    decoder.decode(zstandard.ZstdCompressor().compress(PLAIN)[:-10])
    with pytest.raises(ContentDecodingError) as info:
        decoder.flush()
    assert "zstd" in str(info.value)
    with pytest.raises(ContentDecodingError):
        make_decoder("zstd").decode(b"\x28\xb5\x2f\xfd" + b"\xff" * 50)


@needs_zstd
def test_zstd_bomb():
    c = zstandard.ZstdCompressor()
    chunk = zstandard.ZstdCompressor().compressobj()
    parts = [chunk.compress(b"\x00" * MiB) for _ in range(512)] + [chunk.flush()]
    body = b"".join(parts)
    assert len(body) < MiB
    with MemoryMeter() as meter:
        with pytest.raises(DecompressionBombError):
            feed(make_decoder("zstd"), body)
    assert meter.peak < 100 * MiB
    assert decode_all(make_decoder("zstd", max_ratio=None), c.compress(b"a" * 100)) == b"a" * 100


@pytest.mark.skipif(zstandard is not None, reason="zstandard is installed")
def test_zstd_without_the_library_passes_through():
    assert make_decoder("zstd") is None
    assert make_decoder("gzip, zstd") is None


@pytest.mark.skipif(brotli is not None, reason="brotli is installed")
def test_brotli_without_the_library_passes_through():  # pragma: no cover
    assert make_decoder("br") is None


def test_missing_library_means_pass_through(monkeypatch):
    # Simulate an env without the optional extras (a stdlib-only install).
    monkeypatch.setattr(_decoders, "_brotli", lambda: None)
    monkeypatch.setattr(_decoders, "_zstandard", lambda: None)
    assert make_decoder("br") is None
    assert make_decoder("zstd") is None
    assert make_decoder("gzip, br") is None
    assert supported_encodings() == ["gzip", "deflate"]
