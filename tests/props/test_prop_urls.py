"""Properties of URL parsing and joining: any string is a URL or InvalidURL, round trips hold."""
from __future__ import absolute_import, division, print_function

from hypothesis import assume, given
from hypothesis import strategies as st

from _props import SETTINGS, url_text
from httpkit._urls import URL
from httpkit.exceptions import InvalidURL

_CONTROL = set("\x00\x01\r\n\t\x7f")
_SCHEMES = st.sampled_from(["http://", "https://", "HTTP://", "http:", "ftp://", "", "//",
                            "http+unix://"])
_HOSTS = st.one_of(url_text, st.sampled_from(["example.com", "127.0.0.1", "[::1]", "[::1",
                                              u"b\u00fccher.example", "a@b", "h:99999",
                                              "h:0", "xn--", "EXAMPLE.com.", "-a.b"]))


@st.composite
def urls(draw):
    return (draw(_SCHEMES) + draw(_HOSTS) + draw(st.sampled_from(["", "/", ":8080/"]))
            + draw(url_text) + draw(st.sampled_from(["", "?", "#", "?a=b#c"])) + draw(url_text))


def _parse(text):
    try:
        return URL(text)
    except InvalidURL:  # MissingSchema, InvalidSchema... are InvalidURLs
        return None


@SETTINGS
@given(st.one_of(urls(), url_text, st.binary(max_size=60)))
def test_any_string_is_a_url_or_invalid_url(text):
    url = _parse(text)
    if url is not None and url.is_http:
        wire = url.host_header + url.target
        assert not _CONTROL & set(wire) and " " not in wire, wire
        assert all(ord(c) < 128 for c in wire), wire  # IDNA and percent-encoding


@SETTINGS
@given(urls())
def test_str_of_a_parsed_url_parses_to_itself(text):
    url = _parse(text)
    assume(url is not None)
    again = URL(str(url))
    assert str(again) == str(url)
    assert (again.scheme, again.host, again.port, again.target, again.fragment) == \
        (url.scheme, url.host, url.port, url.target, url.fragment)
    assert str(URL(str(again))) == str(again)


@SETTINGS
@given(st.sampled_from(["http://example.com/a/b?q#f", "https://u:p@h.example:8443/x/",
                        "http://[::1]/"]),
       st.one_of(urls(), url_text, st.binary(max_size=40)))
def test_joining_any_reference_gives_a_url_or_invalid_url(base, reference):
    try:
        joined = URL(base).join(reference)
    except InvalidURL:
        return
    assert joined.username is None or URL(base).username is not None  # never invented
    if joined.is_http:
        assert str(URL(str(joined))) == str(joined)
