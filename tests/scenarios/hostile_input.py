"""Scenarios: hostile input (issue 11), through every front-end.

- A method that is not an RFC 9110 token (CR, LF, a space, NUL, empty,
  non-ASCII) is ``InvalidMethod`` (also a ValueError) naming it, before a
  connection is opened; lower-case methods are upper-cased as before.
- A redirect Location that does not parse (``http://[::1``, ``http://a@b@c/``,
  a bad port, an empty host...) is ``InvalidURL`` with the response that
  carried it as ``.response``: never a bare ValueError from urllib.
- Cookies, raw ``params=`` strings, URLs and framing headers that would
  change the request on the wire are refused before a byte is sent, with an
  error naming the part.

Registered by the import at the bottom of corpus.py. 2.7-compatible syntax.
"""
from __future__ import absolute_import, division, print_function

import httpkit
from scenarios.corpus import ok, raised, scenario

__all__ = []

_OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


def _quiet_server(servers):
    """A scripted server answering 200; ``connections`` counts what reached it."""
    return servers.scripted([_OK])


def _refused_unsent(res, server, name, fragment):
    raised(res, name, fragment)
    assert "ValueError" in res.error_mro, res.error_mro
    assert server.connections == 0 and not server.received, server.received


# --------------------------------------------------------------------------- methods
@scenario
def hostile_methods_refused_before_sending(adapter, servers):
    server = _quiet_server(servers)
    url = server.url + "/m"
    for method in ("GET\r\nX-Injected: 1", "GE T", "", "G\x00T", u"G\u00e9T", "GET\t"):
        res = adapter.request(method, url, timeout=5)
        _refused_unsent(res, server, "InvalidMethod", repr(method)[-6:])
    with adapter.session() as s:
        res = s.request("POST /x HTTP/1.1\r\nHost: evil", url, timeout=5)
        _refused_unsent(res, server, "InvalidMethod", "invalid method")


@scenario
def hostile_lower_case_method_still_upper_cased(adapter, servers):
    server = _quiet_server(servers)
    ok(adapter.request("get", server.url + "/m", timeout=5))
    assert server.received[0].startswith(b"GET /m HTTP/1.1\r\n"), server.received


# --------------------------------------------------------------------------- Locations
_BAD_LOCATIONS = [
    ("http://[::1", "IPv6"),
    ("http://[zz]/", "IPv6"),
    ("http://a@b@c/", "more than one '@'"),
    ("http://host:99999/", "bad port"),
    ("http://host:-1/", "bad port"),
    ("http:///", "no host"),
    ("//", "no host"),
    ("http://" + "a" * 300 + "/", "invalid host name"),
    ("http://a\x01b/", "control characters"),
]


@scenario
def hostile_redirect_locations_are_invalid_url(adapter, servers):
    for location, fragment in _BAD_LOCATIONS:
        server = servers.scripted([b"HTTP/1.1 302 Found\r\nLocation: " + location.encode("latin-1")
                                   + b"\r\nContent-Length: 0\r\n\r\n"])
        url = server.url + "/from"
        res = adapter.request("GET", url, timeout=5)
        raised(res, "InvalidURL", fragment)
        assert "ValueError" in res.error_mro, res.error_mro
        assert res.error_request == ("GET", url), res.error_request
        assert res.error_response is not None and res.error_response[0] == 302, \
            (location, res.error_response)
        assert server.connections == 1, (location, server.connections)


# --------------------------------------------------------------------------- cookies
@scenario
def hostile_cookies_refused_naming_the_cookie(adapter, servers):
    server = _quiet_server(servers)
    url = server.url + "/c"
    res = adapter.request("GET", url, cookies={"a\nb": "x"}, timeout=5)
    _refused_unsent(res, server, "InvalidHeader", "cookie name 'a\\nb'")
    res = adapter.request("GET", url, cookies={"a b": "x"}, timeout=5)
    _refused_unsent(res, server, "InvalidHeader", "cookie name 'a b'")
    res = adapter.request("GET", url, cookies={"a": "x; admin=1"}, timeout=5)
    _refused_unsent(res, server, "InvalidHeader", "cookie 'a'")
    res = adapter.request("GET", url, cookies={"a": "x\r\nX-Injected: 1"}, timeout=5)
    _refused_unsent(res, server, "InvalidHeader", "cookie 'a'")
    try:
        with adapter.session(cookies={u"\u00e9": "v"}):
            raise AssertionError("Session(cookies=) accepted a non-token cookie name")
    except httpkit.InvalidHeader as exc:
        assert "cookie name" in str(exc), str(exc)
    with adapter.session(cookies={"token": "abc"}) as s:
        ok(s.request("GET", url, timeout=5))
    assert b"\r\nCookie: token=abc\r\n" in server.received[0], server.received


# --------------------------------------------------------------------------- URLs and params
@scenario
def hostile_urls_and_params_refused_before_sending(adapter, servers):
    server = _quiet_server(servers)
    port = server.url.rsplit(":", 1)[1]
    res = adapter.request("GET", server.url + "/p", params="a=1\r\nX-Injected: 1", timeout=5)
    _refused_unsent(res, server, "InvalidURL", "params")
    res = adapter.request("GET", "http://user@evil@127.0.0.1:%s/" % port, timeout=5)
    _refused_unsent(res, server, "InvalidURL", "more than one '@'")
    res = adapter.request("GET", "http://[zz]:%s/" % port, timeout=5)
    _refused_unsent(res, server, "InvalidURL", "IPv6")
    res = adapter.request("GET", server.url + "/p", proxies={"http": "http://a@b@127.0.0.1:1"},
                          timeout=5)
    _refused_unsent(res, server, "InvalidProxyURL", "more than one '@'")
    # A raw query string is requoted like a URL's (requests): it used to reach
    # h11 with its space and fail there.
    ok(adapter.request("GET", server.url + "/p", params=u"q=a b&e=\u00e9", timeout=5))
    assert server.received[0].startswith(b"GET /p?q=a%20b&e=%C3%A9 HTTP/1.1\r\n"), \
        server.received


@scenario
def hostile_framing_headers_refused(adapter, servers):
    server = _quiet_server(servers)
    url = server.url + "/f"
    res = adapter.request("POST", url, data=b"x", headers={"Transfer-Encoding": "gzip"},
                          timeout=5)
    raised(res, "InvalidHeader", "Transfer-Encoding")
    assert not server.received, server.received
    # A body that does not match the caller's own Content-Length: h11's
    # LocalProtocolError used to escape.
    res = adapter.request("POST", url, data=iter([b"0123456789", b"0123456789"]),
                          headers={"Content-Length": "3"}, timeout=5)
    raised(res, "InvalidHeader", "longer than its Content-Length")
    res = adapter.request("POST", url, data=iter([b"01", b"23"]),
                          headers={"Content-Length": "300"}, timeout=5)
    raised(res, "InvalidHeader", "shorter than its Content-Length")
    with adapter.session() as s:  # the pool is usable afterwards
        ok(s.request("POST", url, data=b"x", timeout=5))


# --------------------------------------------------------------------------- charsets
@scenario
def hostile_charset_that_is_no_text_codec_is_ignored(adapter, servers):
    for charset in (b"rot13", b"base64", b"idna"):
        server = servers.scripted([b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset="
                                   + charset + b"\r\nContent-Length: 4\r\n\r\na..b"])
        res = adapter.request("GET", server.url + "/t", timeout=5)
        ok(res)
        assert res.text == u"a..b" and res.encoding is None, (charset, res.text, res.encoding)
