# -*- coding: utf-8 -*-
"""Caller input, systematically: each part a caller gives, each hostile character (no I/O).

For every input kind (URL parts, header name and value, params, cookies,
method, proxy URL, Basic credentials, multipart names) and every character
class (CR, LF, NUL, other C0, DEL, space, non-ASCII as str and bytes) the
outcome is one of: refused with the part's typed error naming it, or
re-encoded so that nothing but the intended bytes reach the wire. Over-long
parts are refused by the limits of httpkit._head_limits. The scenarios in
tests/scenarios/input_limits.py check the same through every front-end.
"""
from __future__ import absolute_import, division, print_function

import pytest

import httpkit
from httpkit._auth import basic_auth_header
from httpkit._cookies import create_cookie
from httpkit._exchange import check_head_limits
from httpkit._head_limits import MAX_HEADER_LINE, MAX_REQUEST_HEAD, MAX_REQUEST_LINE
from httpkit._multipart import MultipartEncoder
from httpkit._proxies import Proxy
from httpkit.exceptions import InvalidHeader, InvalidMethod, InvalidProxyURL, InvalidURL

_CONTROLS = [("CR", "\r"), ("LF", "\n"), ("NUL", "\x00"), ("C0", "\x01"), ("ESC", "\x1b"),
             ("DEL", "\x7f")]
_IDS = [name for name, _ in _CONTROLS]
_CHARS = [char for _, char in _CONTROLS]


def _prepare(url="http://example.com/p", **kwargs):
    return httpkit.Request(kwargs.pop("method", "GET"), url, **kwargs).prepare()


# ---- URLs: controls anywhere are refused; a space or non-ASCII is percent-encoded
@pytest.mark.parametrize("char", _CHARS + ["\t"], ids=_IDS + ["TAB"])
@pytest.mark.parametrize("template", ["http://ex%sample.com/", "http://example.com:8%s0/",
                                      "http://example.com/a%sb", "http://example.com/?a%sb",
                                      "http://example.com/#a%sb", "http://u%sv:pw@example.com/",
                                      "http://u:p%sw@example.com/"],
                         ids=["host", "port", "path", "query", "fragment", "user", "password"])
def test_control_characters_in_any_url_part_are_invalid_url(template, char):
    with pytest.raises(InvalidURL) as info:
        _prepare(template % char)
    assert "control characters" in str(info.value)


@pytest.mark.parametrize("url, target", [
    (u"http://example.com/a b?c d", "/a%20b?c%20d"),
    (u"http://example.com/caf\u00e9?q=\u20ac", "/caf%C3%A9?q=%E2%82%AC"),
    (b"http://example.com/caf\xc3\xa9", "/caf%C3%A9"),
    (u'http://example.com/"<>', "/%22%3C%3E"),
])
def test_spaces_and_non_ascii_in_path_and_query_are_percent_encoded(url, target):
    assert _prepare(url).parsed_url.target == target


def test_non_ascii_host_goes_through_idna_and_a_space_is_refused():
    assert _prepare(u"http://b\u00fccher.example/").parsed_url.host == "xn--bcher-kva.example"
    with pytest.raises(InvalidURL) as info:
        _prepare("http://a b.example/")
    assert "invalid host name" in str(info.value)


# ---- header names and values
@pytest.mark.parametrize("char", _CHARS + [" ", "\t", u"\u00e9", b"\xe9", '"', ":"],
                         ids=_IDS + ["SP", "TAB", "e-acute", "byte-e9", "quote", "colon"])
def test_header_name_must_be_a_token(char):
    name = (b"X" + char + b"A") if isinstance(char, bytes) else ("X" + char + "A")
    with pytest.raises(InvalidHeader) as info:
        _prepare(headers={name: "1"})
    assert "header name" in str(info.value)


@pytest.mark.parametrize("char", _CHARS, ids=_IDS)
def test_header_value_controls_are_refused_naming_the_header(char):
    for value in ("a" + char + "b", ("a" + char + "b").encode("latin-1")):
        with pytest.raises(InvalidHeader) as info:
            _prepare(headers={"X-A": value})
        assert "'X-A'" in str(info.value)


def test_header_values_latin1_str_and_bytes_are_sent_as_latin1_others_refused():
    headers = _prepare(headers={"X-A": u"Jos\u00e9", "X-B": b"\xc3\xa9", "X-C": "a\tb c"}).headers
    assert headers["X-A"] == u"Jos\u00e9" if str is not bytes else headers["X-A"] == b"Jos\xe9"
    assert headers["X-C"] == "a\tb c"
    with pytest.raises(InvalidHeader) as info:
        _prepare(headers={"X-Euro": u"\u20ac"})
    assert "'X-Euro'" in str(info.value) and "Latin-1" in str(info.value)


# ---- params: dict and list values are percent-encoded whatever they hold
@pytest.mark.parametrize("char", _CHARS + [" ", u"\u00e9", b"\xff"],
                         ids=_IDS + ["SP", "e-acute", "byte-ff"])
def test_param_keys_and_values_are_encoded_never_raw(char):
    value = (b"a" + char) if isinstance(char, bytes) else "a" + char
    for params in ({value: value}, [(value, value)], {"k": [value, "x"]}):
        target = _prepare(params=params).parsed_url.target
        assert all(0x21 <= ord(c) < 0x7f for c in target), target


# ---- cookies
def test_bytes_cookie_values_are_kept_byte_for_byte_and_other_types_refused():
    assert create_cookie("a", b"caf\xc3\xa9").value == "caf\xc3\xa9"
    assert create_cookie(b"b", b"v").name == "b"
    for value in (42, 1.5, object()):
        with pytest.raises(InvalidHeader) as info:
            create_cookie("a", value)
        assert "cookie 'a'" in str(info.value) and "must be str or bytes" in str(info.value)
    with pytest.raises(InvalidHeader):
        create_cookie("a", b"x\r\ny")


# ---- methods: any non-token is refused (more in test_hostile_input.py)
@pytest.mark.parametrize("char", _CHARS + [" ", u"\u00e9"], ids=_IDS + ["SP", "e-acute"])
def test_methods_with_any_bad_character_are_refused(char):
    with pytest.raises(InvalidMethod):
        _prepare(method="GE" + char + "T")


# ---- proxy URLs
@pytest.mark.parametrize("url, fragment", [
    ("http://pro xy:3128", "invalid host name"),
    ("http://proxy:3128\r\nX: 1", "control characters"),
    ("http://proxy:31 28", "bad port"),
    ("http://u@v@proxy:3128", "more than one '@'"),
    (u"http://pr\u20acxy:3128", "IDNA"),
    ("http://a%3Ab:secret@proxy:3128", "Basic credentials"),
    ("http://u:sec%0Aret@proxy:3128", "Basic credentials"),
])
def test_bad_proxy_urls_are_invalid_proxy_url(url, fragment):
    with pytest.raises(InvalidProxyURL) as info:
        Proxy(url)
    assert fragment in str(info.value)
    assert "secret" not in str(info.value) and "sec%0Aret" not in str(info.value)


# ---- Basic credentials (RFC 7617 section 2)
@pytest.mark.parametrize("user, password, fragment", [
    ("a:b", "pw", "contains ':'"),
    ("a\nb", "pw", "user name"),
    ("u", "p\x00w", "password for user 'u'"),
    (b"u\r", b"pw", "control characters"),
])
def test_basic_credentials_rfc7617_forbids_are_invalid_header(user, password, fragment):
    with pytest.raises(InvalidHeader) as info:
        basic_auth_header(user, password)
    assert fragment in str(info.value)
    with pytest.raises(InvalidHeader):
        _prepare(auth=(user, password))


def test_basic_credentials_with_spaces_non_ascii_or_a_colon_in_the_password_are_sent():
    assert basic_auth_header("u", "p:w") == "Basic dTpwOnc="
    assert basic_auth_header(u"J\u00f6", u"\u20ac") == "Basic SvY64oKs"  # latin-1, then UTF-8


# ---- multipart field names and filenames: escaped, never a part header of their own
@pytest.mark.parametrize("char, escaped", [("\r", b"%0D"), ("\n", b"%0A"), ('"', b"%22")])
def test_multipart_names_escape_what_would_end_the_quoted_string(char, escaped):
    name = "f" + char + "Content-Type: text/html"
    body = b"".join(MultipartEncoder(files={name: (name, b"x")}, boundary="b"))
    want = b"f" + escaped + b"Content-Type: text/html"
    assert (b'name="' + want + b'"; filename="' + want + b'"\r\n') in body, body
    assert body.count(b"\r\nContent-Type:") == 1, body


@pytest.mark.parametrize("content_type, headers", [
    ("text/plain\r\nX-Injected: 1", None),
    ("text/plain\x00", None),
    (None, {"X-A": "1\nX-Injected: 1"}),
    (None, {"X A": "1"}),
    (None, {"X-A\r\nX-Injected": "1"}),
    (None, [(b"X-B", b"\x7f")]),
])
def test_multipart_part_headers_that_would_add_a_line_are_refused(content_type, headers):
    with pytest.raises(InvalidHeader) as info:
        MultipartEncoder(files={"upload": ("a.txt", b"x", content_type, headers)})
    assert "multipart field 'upload'" in str(info.value)


def test_multipart_part_headers_that_are_fine_are_sent():
    body = b"".join(MultipartEncoder(files={"f": ("a.txt", b"x", "text/plain; charset=utf-8",
                                                  {"X-A": "1\t2"})}, boundary="b"))
    assert b"\r\nContent-Type: text/plain; charset=utf-8\r\nX-A: 1\t2\r\n\r\nx\r\n" in body


# ---- lengths (httpkit._head_limits)
def test_request_line_limit_counts_method_target_and_version():
    path = "/" + "a" * (MAX_REQUEST_LINE - len("GET / HTTP/1.1\r\n"))
    check_head_limits(_prepare("http://example.com" + path), None)  # exactly at the limit
    with pytest.raises(InvalidURL) as info:
        check_head_limits(_prepare("http://example.com" + path + "a"), None)
    assert "request target" in str(info.value) and str(MAX_REQUEST_LINE) in str(info.value)
    with pytest.raises(InvalidURL):  # params count too
        check_head_limits(_prepare(params={"q": "x" * MAX_REQUEST_LINE}), None)
    with pytest.raises(InvalidMethod) as info:
        check_head_limits(_prepare(method="M" * MAX_REQUEST_LINE), None)
    assert "Method 'MMMM" in str(info.value)


def test_header_line_limit_is_checked_when_set_and_when_sent():
    value = "v" * (MAX_HEADER_LINE - len("X-A: "))
    assert _prepare(headers={"X-A": value + " "}).headers["X-A"] == value  # trailing space
    with pytest.raises(InvalidHeader) as info:
        _prepare(headers={"X-A": value + "v"})
    assert "'X-A' is too long" in str(info.value) and "MAX_HEADER_LINE" in str(info.value)
    request = _prepare(cookies={"c": "v" * MAX_HEADER_LINE})  # built when sent
    request.headers["Cookie"] = "c=" + "v" * (MAX_HEADER_LINE - 10)
    check_head_limits(request, None)


def test_whole_head_limit_names_the_largest_fields():
    count = MAX_REQUEST_HEAD // 60000 + 1
    request = _prepare(headers=dict(("X-%d" % i, "v" * 60000) for i in range(count)))
    with pytest.raises(InvalidHeader) as info:
        check_head_limits(request, None)
    message = str(info.value)
    assert "request head is too long" in message and "MAX_REQUEST_HEAD" in message
    assert "the largest fields: X-" in message and " (60004 bytes)" in message


def test_proxy_credentials_count_toward_the_head():
    proxy = Proxy("http://%s:pw@proxy:3128" % ("u" * MAX_HEADER_LINE))
    with pytest.raises(InvalidHeader) as info:
        check_head_limits(_prepare(), proxy)
    assert "'Proxy-Authorization' is too long" in str(info.value)
