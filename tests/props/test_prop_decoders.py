"""Properties of Content-Encoding decoding: exact round trips, typed errors, the size cap."""
from __future__ import absolute_import, division, print_function

import gzip
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from _props import FEW, SETTINGS, bytes_, splits
from httpkit._decoders import make_decoder, supported_encodings
from httpkit.exceptions import ContentDecodingError, DecompressionBombError


def _deflate(data, level, raw):
    obj = zlib.compressobj(level, zlib.DEFLATED, -15 if raw else 15)
    return obj.compress(data) + obj.flush()


def _compressors():
    found = {
        "gzip": lambda data, level: gzip.compress(data, level),
        "x-gzip": lambda data, level: gzip.compress(data, level),
        "deflate": lambda data, level: _deflate(data, level, False),
        "deflate-raw": lambda data, level: _deflate(data, level, True),
    }
    if "br" in supported_encodings():
        try:
            import brotli
        except ImportError:  # brotlicffi decodes; no compressor to test with here
            pass
        else:
            found["br"] = lambda data, level: brotli.compress(data, quality=level)
    if "zstd" in supported_encodings():
        import zstandard
        found["zstd"] = lambda data, level: zstandard.ZstdCompressor(level).compress(data)
    return found


_COMPRESSORS = _compressors()
_NAMES = sorted(_COMPRESSORS)
# Random data that compresses (repeats) and data that does not.
_DATA = st.one_of(bytes_, st.builds(lambda b, n: b * n, st.binary(min_size=1, max_size=50),
                                    st.integers(1, 400)))


def _decode(name, pieces, **limits):
    header = "deflate" if name == "deflate-raw" else name
    decoder = make_decoder(header, **limits)
    out = [decoder.decode(piece) for piece in pieces]
    out.append(decoder.flush())
    return b"".join(out)


@SETTINGS
@given(st.sampled_from(_NAMES), _DATA, st.integers(1, 9), st.data())
def test_compressed_random_data_cut_anywhere_decodes_exactly(name, data, level, draw):
    encoded = _COMPRESSORS[name](data, level)
    assert _decode(name, draw.draw(splits(encoded))) == data


@SETTINGS
@given(st.lists(_DATA, min_size=2, max_size=3), st.data())
def test_gzip_members_decode_one_after_another(members, draw):
    encoded = b"".join(gzip.compress(member) for member in members)
    assert _decode("gzip", draw.draw(splits(encoded))) == b"".join(members)


@SETTINGS
@given(st.sampled_from(_NAMES + ["gzip, deflate", "identity", "deflate, identity"]),
       st.binary(max_size=500), st.data())
def test_random_bytes_are_data_or_a_decoding_error(name, junk, draw):
    header = "deflate" if name == "deflate-raw" else name
    if make_decoder(header) is None:  # identity: passes through
        return
    try:
        _decode(name, draw.draw(splits(junk)))
    except ContentDecodingError as exc:
        assert str(exc)


@SETTINGS
@given(st.sampled_from(_NAMES), _DATA, st.integers(1, 9), st.data())
def test_a_stream_damaged_anywhere_is_data_or_a_decoding_error(name, data, level, draw):
    encoded = bytearray(_COMPRESSORS[name](data, level))
    if not encoded:
        return
    at = draw.draw(st.integers(0, len(encoded) - 1))
    encoded[at] ^= draw.draw(st.integers(1, 255))
    cut = draw.draw(st.integers(0, len(encoded)))
    try:
        _decode(name, draw.draw(splits(bytes(encoded[:cut]))))
    except ContentDecodingError as exc:
        assert str(exc)


@FEW
@given(st.sampled_from(_NAMES), st.integers(0, 5000), st.integers(0, 20000), st.data())
def test_the_decoded_size_cap_holds(name, cap, size, draw):
    data = (b"0123456789abcdef" * (size // 16 + 1))[:size]
    encoded = _COMPRESSORS[name](data, 6)
    header = "deflate" if name == "deflate-raw" else name
    decoder = make_decoder(header, max_size=cap)
    handed_out = 0
    try:
        for piece in draw.draw(splits(encoded)):
            for out in decoder.iter_decode(piece):
                handed_out += len(out)
        for out in decoder.iter_flush():
            handed_out += len(out)
    except DecompressionBombError as exc:
        assert size > cap and "max_size=%d" % cap in str(exc)
        assert handed_out <= cap
        return
    assert size <= cap and handed_out == size


def test_every_supported_coding_is_covered():
    missing = set(supported_encodings()) - set(_NAMES)
    if missing - {"br"}:  # brotlicffi has no compressor installed with it
        pytest.fail("no compressor for %s" % sorted(missing))
