"""Scenarios: caller input refused before a byte is sent (issue 11), through every front-end.

- Over-long parts: a request target (URL or params), a header line (a
  value, a name, the Cookie header a jar builds, Basic credentials), the
  method, and the whole head, each refused with the error of its part
  (InvalidURL, InvalidHeader, InvalidMethod) naming it and the limit; what is
  just under a limit is sent.
- Basic credentials RFC 7617 forbids (a ':' in the user name, control
  characters) are InvalidHeader; non-str cookie values are InvalidHeader,
  bytes cookie values are sent as they are.
- Multipart names and filenames cannot inject a part header: CR, LF and
  '"' are percent-escaped (the HTML5 rule).
- A non-ASCII str header value goes out as Latin-1; past Latin-1 it is
  refused. Proxy URLs from the environment are refused like given ones.

Every refusal is checked against a scripted server that must see no
connection. Registered by the import at the bottom of corpus.py.
2.7-compatible syntax.
"""
from __future__ import absolute_import, division, print_function

from scenarios.corpus import ok, raised, scenario

__all__ = []

_OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
_LINE = 64 * 1024  # httpkit._head_limits.MAX_HEADER_LINE / MAX_REQUEST_LINE


def _refused_unsent(res, server, name, fragment):
    raised(res, name, fragment)
    assert "ValueError" in res.error_mro, res.error_mro
    assert server.connections == 0 and not server.received, server.received


def _head(server, index=-1):
    raw = server.received[index]
    return raw.split(b"\r\n\r\n", 1)[0]


@scenario
def input_over_long_target_refused_naming_the_url(adapter, servers):
    server = servers.scripted([_OK])
    url = server.url + "/"
    res = adapter.request("GET", url + "a" * _LINE, timeout=5)
    _refused_unsent(res, server, "InvalidURL", "request target")
    res = adapter.request("GET", url, params={"q": "b" * _LINE}, timeout=5)
    _refused_unsent(res, server, "InvalidURL", "MAX_REQUEST_LINE")
    res = adapter.request("G" * (_LINE + 10), url, timeout=5)
    _refused_unsent(res, server, "InvalidMethod", "too long")
    # Just under the limit: sent as it is (nginx would refuse it; Go accepts it).
    ok(adapter.request("GET", url + "a" * (_LINE - 100), timeout=5))
    assert _head(server).startswith(b"GET /" + b"a" * (_LINE - 100) + b" HTTP/1.1\r\n")


@scenario
def input_over_long_header_lines_refused_naming_the_header(adapter, servers):
    server = servers.scripted([_OK])
    url = server.url + "/h"
    res = adapter.request("GET", url, headers={"X-Big": "v" * _LINE}, timeout=5)
    _refused_unsent(res, server, "InvalidHeader", "'X-Big' is too long")
    res = adapter.request("GET", url, headers={"X" * _LINE: "1"}, timeout=5)
    _refused_unsent(res, server, "InvalidHeader", "MAX_HEADER_LINE")
    cookies = dict(("c%d" % i, "v" * 1000) for i in range(70))  # each fine, the line is not
    res = adapter.request("GET", url, cookies=cookies, timeout=5)
    _refused_unsent(res, server, "InvalidHeader", "'Cookie' is too long")
    res = adapter.request("GET", url, auth=("u" * _LINE, "pw"), timeout=5)
    _refused_unsent(res, server, "InvalidHeader", "'Authorization' is too long")
    many = dict(("X-Part-%d" % i, "v" * 60000) for i in range(20))  # 1.2 MB in all
    res = adapter.request("GET", url, headers=many, timeout=5)
    _refused_unsent(res, server, "InvalidHeader", "request head is too long")
    with adapter.session(cookies=cookies) as s:  # a Session's jar: the same line
        _refused_unsent(s.request("GET", url, timeout=5), server, "InvalidHeader", "cookies")
    ok(adapter.request("GET", url, headers={"X-Big": "v" * (_LINE - 100)}, timeout=5))
    assert b"\r\nX-Big: " + b"v" * (_LINE - 100) + b"\r\n" in server.received[0]


@scenario
def input_basic_credentials_rfc7617_forbids_are_refused(adapter, servers):
    server = servers.scripted([_OK])
    url = server.url + "/a"
    port = server.url.rsplit(":", 1)[1]
    res = adapter.request("GET", url, auth=("a:b", "pw"), timeout=5)
    _refused_unsent(res, server, "InvalidHeader", "user name 'a:b': it contains ':'")
    res = adapter.request("GET", "http://a%%3Ab:pw@127.0.0.1:%s/a" % port, timeout=5)
    _refused_unsent(res, server, "InvalidHeader", "contains ':'")
    res = adapter.request("GET", url, auth=("u", "p\r\nX-Injected: 1"), timeout=5)
    _refused_unsent(res, server, "InvalidHeader", "password for user 'u'")
    assert "X-Injected" not in res.error_message, res.error_message  # no secret in it
    res = adapter.request("GET", "http://u:p%%00w@127.0.0.1:%s/a" % port, timeout=5)
    _refused_unsent(res, server, "InvalidHeader", "control characters")
    # A ':' in the password is fine (the server splits at the first one).
    ok(adapter.request("GET", url, auth=("u", "p:w"), timeout=5))
    assert b"\r\nAuthorization: Basic dTpwOnc=\r\n" in server.received[0], server.received


@scenario
def input_cookie_values_of_other_types(adapter, servers):
    server = servers.scripted([_OK])
    url = server.url + "/c"
    res = adapter.request("GET", url, cookies={"n": 42}, timeout=5)
    _refused_unsent(res, server, "InvalidHeader", "cookie 'n': must be str or bytes, not int")
    ok(adapter.request("GET", url, cookies={"b": b"caf\xc3\xa9"}, timeout=5))
    assert b"\r\nCookie: b=caf\xc3\xa9\r\n" in server.received[0], server.received


@scenario
def input_multipart_names_cannot_inject_part_headers(adapter, servers):
    server = servers.scripted([_OK])
    evil = 'x"\r\nContent-Type: text/html\r\n\r\n<b>'
    files = {evil: (evil + ".txt", b"data", "text/plain")}
    ok(adapter.request("POST", server.url + "/u", files=files, timeout=5))
    body = server.received[0].split(b"\r\n\r\n", 1)[1]
    escaped = b'x%22%0D%0AContent-Type: text/html%0D%0A%0D%0A<b>'
    assert (b'Content-Disposition: form-data; name="' + escaped + b'"; filename="' + escaped
            + b'.txt"\r\nContent-Type: text/plain\r\n\r\ndata\r\n') in body, body
    assert b"\r\nContent-Type: text/html\r\n" not in body, body
    res = adapter.request("POST", server.url + "/u", timeout=5,
                          files={"f": ("a.txt", b"x", "text/plain\r\nX-Injected: 1")})
    raised(res, "InvalidHeader", "multipart field 'f'")
    assert len(server.received) == 1 and server.connections == 1, server.received


@scenario
def input_header_values_latin1_or_refused(adapter, servers):
    server = servers.scripted([_OK])
    url = server.url + "/l"
    ok(adapter.request("GET", url, headers={"X-Name": u"Jos\u00e9", "X-Raw": b"\xc3\xa9"},
                       timeout=5))
    head = _head(server)
    assert b"\r\nX-Name: Jos\xe9" in head and b"\r\nX-Raw: \xc3\xa9" in head, head
    res = adapter.request("GET", url, headers={"X-Euro": u"\u20ac"}, timeout=5)
    raised(res, "InvalidHeader", "'X-Euro'")
    assert len(server.received) == 1 and server.connections == 1, server.received


@scenario
def input_proxy_urls_from_the_environment_refused(adapter, servers):
    server = servers.scripted([_OK])
    url = server.url + "/e"
    for bad, fragment in (("http://a b:3128", "invalid host name"),
                          ("http://a@b@127.0.0.1:1", "more than one '@'"),
                          ("http://proxy:3128\x01", "control characters"),
                          ("http://" + "p" * 300 + ":3128", "invalid host name"),
                          ("http://u:se%0Acret@127.0.0.1:1", "Basic credentials")):
        servers.set_env(http_proxy=bad, HTTP_PROXY=None, no_proxy=None, NO_PROXY=None)
        res = adapter.request("GET", url, timeout=5)
        _refused_unsent(res, server, "InvalidProxyURL", fragment)
        assert "Invalid proxy URL" in res.error_message, res.error_message
        assert "cret" not in res.error_message, res.error_message  # no password shown
