"""Properties of the charset rules: r.encoding / r.text never raise; JSON in any UTF decodes."""
from __future__ import absolute_import, division, print_function

import codecs
import json

from hypothesis import given
from hypothesis import strategies as st

from _props import SETTINGS
from httpkit._charset import TextDecoder, decode_text, guess_encoding, json_text
from httpkit._models import Headers, PreparedRequest, Response

_CT_PARTS = st.sampled_from(["text/plain", "application/json", "text/html", "x/y+json", ";",
                             "charset=", "charset=utf-8", "charset=\"latin-1\"",
                             "charset='x'", "charset=utf-16", "charset=rot13", "charset=idna",
                             "charset=base64", "charset=zlib", "charset=utf-7", "CHARSET=cp1252",
                             "charset=", "\"", "=", " ", "\t", "charset=utf-32-be",
                             "charset=mbcs", "charset=undefined", "charset=punycode"])
_CONTENT_TYPES = st.one_of(
    st.lists(_CT_PARTS, max_size=5).map("".join),
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xff), max_size=40))
_BODIES = st.one_of(st.binary(max_size=200),
                    st.text(max_size=50).map(lambda t: t.encode("utf-8")),
                    st.sampled_from([codecs.BOM_UTF8, codecs.BOM_UTF16_LE + b"a",
                                     codecs.BOM_UTF32_BE + b"\x00\x00", b"\x00a\x00b", b"a\x00"]))


def _response(content_type, body):
    raw = [(b"Content-Type", content_type.encode("latin-1"))] if content_type is not None else []
    response = Response(200, "OK", Headers.from_wire(raw), PreparedRequest("GET", "http://h/"))
    response._content = body
    return response


@SETTINGS
@given(st.one_of(st.none(), _CONTENT_TYPES), _BODIES)
def test_encoding_and_text_never_raise(content_type, body):
    response = _response(content_type, body)
    encoding = response.encoding
    assert encoding is None or isinstance(encoding, str)
    text = response.text
    assert isinstance(text, str)
    assert isinstance(response.apparent_encoding, str)
    if encoding is None and body.startswith(codecs.BOM_UTF8):
        assert not text.startswith(u"\ufeff")


@SETTINGS
@given(_BODIES, st.one_of(st.none(), st.sampled_from(["utf-8", "utf-16", "latin-1", "bogus",
                                                       "rot13", "utf-32-le"])), st.data())
def test_incremental_decoding_never_raises_and_matches_decoding_at_once(body, enc, data):
    whole = decode_text(body, enc)
    assert isinstance(whole, str)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(body)), max_size=5)))
    decoder, pieces, start = TextDecoder(enc), [], 0
    for cut in cuts + [len(body)]:
        pieces.extend(decoder.feed(body[start:cut]))
        start = cut
    pieces.extend(decoder.flush())
    assert all(isinstance(piece, str) for piece in pieces)
    if enc in ("utf-8", "utf-16", "latin-1", "utf-32-le"):  # a codec: cut anywhere, the same
        assert u"".join(pieces) == whole


_JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=10),
              st.floats(allow_nan=False, allow_infinity=False)),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=8)
_UTFS = st.sampled_from([("utf-8", b""), ("utf-8", codecs.BOM_UTF8),
                         ("utf-16-le", b""), ("utf-16-be", b""),
                         ("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE),
                         ("utf-32-le", b""), ("utf-32-be", b""),
                         ("utf-32-le", codecs.BOM_UTF32_LE), ("utf-32-be", codecs.BOM_UTF32_BE)])


@SETTINGS
@given(_JSON, _UTFS, st.sampled_from([None, "application/json",
                                      "application/json; charset=latin-1", "text/plain"]))
def test_json_in_any_utf_with_or_without_a_bom_decodes(value, utf, content_type):
    codec, bom = utf
    # No BOM: the zeros around the first character (always ASCII) give the UTF, even
    # for a scalar whose second character is not ASCII ('"\u0100"' in UTF-16).
    text = json.dumps(value, ensure_ascii=False)
    body = bom + text.encode(codec)
    assert json.loads(json_text(body)) == value
    assert _response(content_type, body).json() == value


@SETTINGS
@given(st.binary(max_size=200))
def test_guessing_an_encoding_never_raises_and_names_a_codec(body):
    name = guess_encoding(body)
    codecs.lookup(name)
    body.decode(name, "replace")
