# -*- coding: utf-8 -*-
"""Caller input and server Locations refused with httpkit errors, never foreign ones (no I/O).

Every case here used to escape as h11's LocalProtocolError or a bare
ValueError from urllib (issue 11), or was sent as given.
"""
from __future__ import absolute_import, division, print_function

import pytest

import httpkit
from httpkit._cookies import check_cookie, cookiejar_from_dict, create_cookie
from httpkit._exchange import require_http
from httpkit._models import PreparedRequest, check_method
from httpkit._urls import URL
from httpkit.exceptions import InvalidHeader, InvalidMethod, InvalidURL, RequestException


def test_invalid_method_is_a_request_exception_and_a_value_error():
    assert issubclass(InvalidMethod, RequestException)
    assert issubclass(InvalidMethod, ValueError)
    assert httpkit.InvalidMethod is InvalidMethod and "InvalidMethod" in httpkit.__all__


# ---- methods
@pytest.mark.parametrize("method", ["GET\r\nX: y", "GE T", "", "G\x00T", u"G\u00e9T",
                                    b"G\xc3\xa9T", "GET\t", "GET\n", " GET", "(GET)"])
def test_method_that_is_not_a_token_is_refused_naming_it(method):
    with pytest.raises(InvalidMethod) as info:
        check_method(method)
    assert repr(method) in str(info.value)
    with pytest.raises(InvalidMethod):
        httpkit.Request(method, "http://example.com/").prepare()


@pytest.mark.parametrize("method, expected", [("get", "GET"), (b"post", "POST"),
                                              (u"Patch", "PATCH"), ("M-SEARCH", "M-SEARCH"),
                                              ("PROPFIND", "PROPFIND")])
def test_token_methods_are_upper_cased(method, expected):
    assert check_method(method) == expected
    assert type(check_method(method)) is str
    assert httpkit.Request(method, "http://example.com/").prepare().method == expected


def test_method_of_another_type_is_refused():
    with pytest.raises(InvalidMethod) as info:
        check_method(42)
    assert "int" in str(info.value)


def test_method_set_by_hand_is_checked_before_connecting():
    request = httpkit.Request("GET", "http://example.com/").prepare()
    request.method = "GET / HTTP/1.1\r\nHost: evil"
    with pytest.raises(InvalidMethod):
        require_http(request)
    assert PreparedRequest("get", URL("http://example.com/")).method == "GET"


# ---- URLs
@pytest.mark.parametrize("url, fragment", [
    ("http://[::1", "IPv6"),
    ("http://[zz]/", "IPv6"),
    ("http://[127.0.0.1]/", "IPv6"),
    ("http://a@b@c/", "more than one '@'"),
    ("http://host:99999/", "bad port"),
    ("http:///", "no host"),
    (b"http://example.com/\xff", "UTF-8"),
])
def test_urls_that_do_not_parse_are_invalid_url(url, fragment):
    with pytest.raises(InvalidURL) as info:
        URL(url)
    assert fragment in str(info.value)


def test_escaped_at_in_user_name_still_works():
    url = URL("http://a%40b:pw@example.com/")
    assert (url.username, url.password, url.host) == ("a@b", "pw", "example.com")
    assert URL("http://[::1]:8080/").host == "::1"


@pytest.mark.parametrize("location, fragment", [
    ("http://[::1", "IPv6"),
    ("http://[zz]/", "IPv6"),
    ("/x?[", None),
    ("http://a@b@c/", "more than one '@'"),
    ("http:///", "no host"),
    ("HTTPS:///x", "no host"),
    ("//", "no host"),
    ("http://host:0/", "bad port"),
])
def test_bad_locations_are_invalid_url_never_a_bare_value_error(location, fragment):
    base = URL("http://example.com/a/b")
    if fragment is None:  # odd but parseable: joined as usual
        assert str(base.join(location)) == "http://example.com/x?["
        return
    with pytest.raises(InvalidURL) as info:
        base.join(location)
    assert fragment in str(info.value)


def test_relative_and_absolute_locations_still_join():
    base = URL("http://user:pw@example.com/a/b#frag")
    assert str(base.join("c")) == "http://example.com/a/c#frag"
    assert str(base.join("//other.org/x")) == "http://other.org/x#frag"
    assert str(base.join("HTTPS://Other.org/y")) == "https://other.org/y#frag"
    assert str(base.join(b"/\xc3\xa9")) == "http://example.com/%C3%A9#frag"


# ---- raw params
@pytest.mark.parametrize("params, query", [
    ("a b", "a%20b"),
    (u"e=\u00e9", "e=%C3%A9"),
    (b"e=\xc3\xa9", "e=%C3%A9"),
    (b"l=\xff", "l=%FF"),
    ("a=1&b=%2F", "a=1&b=%2F"),
])
def test_raw_query_strings_are_requoted(params, query):
    url = httpkit.Request("GET", "http://example.com/p", params=params).prepare().url
    assert url == "http://example.com/p?" + query


@pytest.mark.parametrize("params", ["a=1\r\nX: y", b"a=\x00", u"a=\u2028\n"])
def test_raw_query_strings_with_controls_are_refused(params):
    with pytest.raises(InvalidURL) as info:
        httpkit.Request("GET", "http://example.com/", params=params).prepare()
    assert "params" in str(info.value)


# ---- cookies
@pytest.mark.parametrize("name", ["a\nb", "a b", "", "a;b", "a=b", u"\u00e9", "a\x00"])
def test_cookie_name_that_is_not_a_token_is_refused(name):
    with pytest.raises(InvalidHeader) as info:
        check_cookie(name, "v")
    assert "cookie name %r" % (name,) in str(info.value)
    with pytest.raises(InvalidHeader):
        cookiejar_from_dict({name: "v"})


@pytest.mark.parametrize("value", ["x\r\ny", "x; admin=1", "x\x00", u"\u20ac", "\x7f"])
def test_cookie_value_that_would_change_the_header_is_refused(value):
    with pytest.raises(InvalidHeader) as info:
        create_cookie("a", value)
    assert "cookie 'a'" in str(info.value)
    jar = cookiejar_from_dict({})
    with pytest.raises(InvalidHeader):
        jar.set("a", value)
    with pytest.raises(InvalidHeader):
        httpkit.Session(cookies={"a": value})


@pytest.mark.parametrize("value", ["abc", "a b", '"quoted"', u"caf\u00e9", "a=b", "", None])
def test_ordinary_cookie_values_are_kept(value):
    assert create_cookie("a", value).value == value


# ---- a server-chosen charset is a text codec or ignored
@pytest.mark.parametrize("charset", ["rot13", "base64", "zlib", "hex", "idna", "bogus"])
def test_charset_that_is_no_usable_text_codec_is_ignored(charset):
    from httpkit._charset import decode_text, encoding_from_headers, iter_decode
    from httpkit._models import Headers
    headers = Headers({"Content-Type": "text/plain; charset=%s" % charset})
    assert encoding_from_headers(headers) is None
    assert decode_text(b"a..b", None, headers) == u"a..b"
    assert decode_text(b"a..b", charset) == u"a..b"
    assert u"".join(iter_decode([b"a.", b".b"], charset)) == u"a..b"
