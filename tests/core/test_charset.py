# -*- coding: utf-8 -*-
"""Charset rules: header, then JSON/BOM/UTF-8 guess, then windows-1252; Link headers."""
from __future__ import absolute_import, division, print_function

import codecs
import json

import pytest

from httpkit._charset import (decode_text, encoding_from_headers, guess_encoding, iter_decode,
                              json_text, parse_content_type, parse_link_header)
from httpkit._models import Headers, Response

TEXT = u"Grüße, 世界 — ok"


def ct(value):
    return Headers({"Content-Type": value})


# ---- encoding_from_headers
@pytest.mark.parametrize("value, expected", [
    ("text/html; charset=utf-8", "utf-8"),
    ("text/html; charset=\"ISO-8859-1\"", "ISO-8859-1"),
    ("text/html; charset='koi8-r'", "koi8-r"),
    ("text/html;charset=UTF-8;format=flowed", "UTF-8"),
    ("text/plain; CHARSET=latin1", "latin1"),
    ("text/html", None),
    ("text/html; charset=no-such-codec", None),
    ("text/html; charset=", None),
    ("application/json", None),
    ("application/json; charset=latin-1", None),
    ("application/problem+json; charset=utf-16", None),
    ("application/octet-stream", None),
])
def test_encoding_from_headers(value, expected):
    assert encoding_from_headers(ct(value)) == expected


def test_encoding_from_headers_without_content_type():
    assert encoding_from_headers(Headers()) is None
    assert encoding_from_headers(None) is None


def test_parse_content_type():
    mime, params = parse_content_type('Multipart/Form-Data; Boundary="a b"; x=1')
    assert mime == "multipart/form-data"
    assert params == {"boundary": "a b", "x": "1"}


# ---- guess_encoding
@pytest.mark.parametrize("encoding, expected", [
    ("utf-8-sig", "utf-8-sig"),
    ("utf-16", "utf-16"),       # writes a BOM
    ("utf-32", "utf-32"),
    ("utf-16-le", "utf-16-le"),  # no BOM: the null-byte pattern
    ("utf-16-be", "utf-16-be"),
    ("utf-32-le", "utf-32-le"),
    ("utf-32-be", "utf-32-be"),
    ("utf-8", "utf-8"),
])
def test_guess_encoding_unicode(encoding, expected):
    content = u'{"a": "%s"}' % TEXT
    assert guess_encoding(content.encode(encoding)) == expected


def test_guess_encoding_ascii_is_utf8():
    assert guess_encoding(b"plain ascii") == "utf-8"
    assert guess_encoding(b"") == "utf-8"


def test_guess_encoding_last_resort_is_windows_1252():
    assert guess_encoding(u"café “quoted”".encode("windows-1252")) == "windows-1252"


# ---- decode_text
def test_decode_text_header_charset_wins():
    body = TEXT.encode("utf-8")
    assert decode_text(body, None, ct("text/plain; charset=utf-8")) == TEXT
    assert decode_text(u"é".encode("latin-1"), None, ct("text/plain; charset=latin-1")) == u"é"


def test_decode_text_explicit_encoding_beats_header():
    body = u"é".encode("latin-1")
    assert decode_text(body, "latin-1", ct("text/plain; charset=utf-8")) == u"é"


def test_decode_text_text_without_charset_guesses_utf8_not_latin1():
    assert decode_text(TEXT.encode("utf-8"), None, ct("text/html")) == TEXT


def test_decode_text_falls_back_to_windows_1252():
    assert decode_text(u"“hi” café".encode("windows-1252"), None, ct("text/html")) == u"“hi” café"


def test_decode_text_unknown_codec_falls_back_to_guess():
    assert decode_text(TEXT.encode("utf-8"), "no-such-codec", None) == TEXT


def test_decode_text_replaces_bad_bytes():
    assert decode_text(b"ok \xff\xfe!", "utf-8", None) == u"ok \ufffd\ufffd!"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-32"])
def test_decode_text_strips_bom(encoding):
    assert decode_text(TEXT.encode(encoding), None, None) == TEXT


def test_decode_text_strips_bom_with_explicit_utf8():
    assert decode_text(codecs.BOM_UTF8 + b"x", "utf-8", None) == u"x"


def test_decode_text_empty():
    assert decode_text(b"", None, None) == u""


def test_decode_text_json_type_ignores_charset_and_detects():
    body = u'{"k": "é"}'.encode("utf-16-le")
    assert decode_text(body, None, ct("application/json; charset=utf-8")) == u'{"k": "é"}'


# ---- json_text
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be",
                                      "utf-32", "utf-32-le", "utf-32-be"])
def test_json_text_detects_rfc_8259_encodings(encoding):
    doc = {u"name": TEXT, u"n": [1, 2]}
    body = json.dumps(doc, ensure_ascii=False).encode(encoding)
    assert json.loads(json_text(body, None)) == doc


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
@pytest.mark.parametrize("doc", [u"\u0100", u"\u0100\u0101", 7, u"x"])
def test_json_text_detects_a_scalar_whose_second_character_is_not_ascii(encoding, doc):
    """Only the first character of JSON is surely ASCII: '"\u0100"' is 00 22 01 00 in UTF-16-BE,
    which the two-ASCII-characters rule (RFC 4627) takes for something else."""
    body = json.dumps(doc, ensure_ascii=False).encode(encoding)
    assert json.loads(json_text(body, None)) == doc


def test_json_text_explicit_encoding():
    assert json_text(u'"é"'.encode("latin-1"), "latin-1") == u'"é"'


def test_json_text_mislabelled_latin1_does_not_fail():
    assert json.loads(json_text(u'"café"'.encode("latin-1"), None)) == u"café"


def test_json_text_short_bodies():
    assert json_text(b"1", None) == u"1"
    assert json_text(b"", None) == u""


# ---- iter_decode
def chunked(data, size):
    return [data[i:i + size] for i in range(0, len(data), size)]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le", "utf-32-be", "windows-1252"])
def test_iter_decode_split_characters(encoding):
    text = u"abc é d" * 10 if encoding == "windows-1252" else TEXT * 10
    pieces = list(iter_decode(chunked(text.encode(encoding), 3), encoding))
    assert u"".join(pieces) == text
    assert all(pieces)


def test_iter_decode_guesses_from_first_chunk():
    assert u"".join(iter_decode(chunked(TEXT.encode("utf-8"), 5), None)) == TEXT
    assert u"".join(iter_decode([u"é ok".encode("windows-1252")], None)) == u"é ok"
    assert u"".join(iter_decode([TEXT.encode("utf-16")], None)) == TEXT


def test_iter_decode_strips_bom_and_skips_empty():
    body = codecs.BOM_UTF8 + b"hi"
    assert list(iter_decode([b"", body[:2], body[2:], b""], "utf-8")) == [u"hi"]
    assert list(iter_decode([], "utf-8")) == []


def test_iter_decode_unknown_codec_guesses():
    assert u"".join(iter_decode([TEXT.encode("utf-8")], "bogus")) == TEXT


def test_iter_decode_truncated_sequence_replaced():
    assert u"".join(iter_decode([b"a\xc3"], "utf-8")) == u"a\ufffd"


# ---- parse_link_header (requests' format)
def test_parse_link_header_requests_example():
    value = ('<http://.../front.jpeg>; rel=front; type="image/jpeg",'
             '<http://.../back.jpeg>; rel=back;type="image/jpeg"')
    assert parse_link_header(value) == [
        {"url": "http://.../front.jpeg", "rel": "front", "type": "image/jpeg"},
        {"url": "http://.../back.jpeg", "rel": "back", "type": "image/jpeg"},
    ]


def test_parse_link_header_github_pagination():
    value = ('<https://api.github.com/repos?page=2>; rel="next", '
             '<https://api.github.com/repos?page=5>; rel="last"')
    links = parse_link_header(value)
    assert [l["rel"] for l in links] == ["next", "last"]
    assert links[0]["url"] == "https://api.github.com/repos?page=2"


def test_parse_link_header_commas_and_semicolons_inside():
    value = ('<https://x/a,b;c>; title="one, two; three"; rel="next prev", <https://x/2>')
    assert parse_link_header(value) == [
        {"url": "https://x/a,b;c", "title": "one, two; three", "rel": "next prev"},
        {"url": "https://x/2"},
    ]


def test_parse_link_header_escapes_case_and_flags():
    value = r'<u>; REL="a\"b"; rel=ignored; crossorigin'
    assert parse_link_header(value) == [{"url": "u", "rel": 'a"b', "crossorigin": ""}]


@pytest.mark.parametrize("value", ["", "   ", "garbage", ","])
def test_parse_link_header_junk(value):
    assert parse_link_header(value) == []


def test_response_uses_these_rules():
    resp = Response(200, "OK", ct("text/html"), None)
    resp._content = TEXT.encode("utf-8")
    assert resp.encoding is None
    assert resp.text == TEXT
    assert resp.apparent_encoding == "utf-8"
    resp = Response(200, "OK", Headers({"Link": '<https://x/?p=2>; rel="next"'}), None)
    assert resp.links == {"next": {"url": "https://x/?p=2", "rel": "next"}}
    resp = Response(200, "OK", ct("application/json"), None)
    resp._content = json.dumps({u"k": TEXT}).encode("utf-16")
    assert resp.json() == {u"k": TEXT}


# ---- streamed text: UTF-16/32 named without a BOM, and a first piece under 4 bytes
def test_streamed_utf16_without_bom_decodes_like_text_instead_of_raising():
    # Python's incremental UTF-16 decoder raised a bare UnicodeError here (hypothesis).
    from httpkit._charset import decode_text, iter_decode
    body = u"h\u00e9llo".encode("utf-16-le")
    for charset in ("utf-16", "UTF16", "utf-32"):
        data = body if charset != "utf-32" else u"h\u00e9llo".encode("utf-32-le")
        for size in (1, 2, 3, 5, len(data)):
            pieces = [data[i:i + size] for i in range(0, len(data), size)]
            assert u"".join(iter_decode(pieces, charset)) == decode_text(data, charset) \
                == u"h\u00e9llo"


def test_streamed_text_sniffs_the_first_four_bytes_however_the_body_was_cut():
    from httpkit._charset import iter_decode
    data = u"[1]".encode("utf-16-be")
    assert u"".join(iter_decode([data[i:i + 1] for i in range(len(data))])) == u"[1]"
    assert u"".join(iter_decode([b"ab"])) == u"ab"  # under 4 bytes in all: flushed
