"""Hostile cases about policy: redirects, credentials, cookies, keep-alive replays, TLS trust.

Each case names one misbehaviour and states one outcome. The evidence for
"nothing leaked" is what the second server received (its raw request bytes),
never what the client says it sent. docs/hostile.md ("Policy cases") lists
every case with its outcome.

Registered by the import at the bottom of catalog.py. 2.7-compatible syntax.
"""
from __future__ import absolute_import, division, print_function

import base64
import time

from hostile.catalog import GOOD, call, expect_body, expect_error, hostile, pool_recovers


# --------------------------------------------------------------------------- helpers
def redirect(location, status=302, extra=b""):
    """A keep-alive redirect response to ``location`` (text or bytes)."""
    if not isinstance(location, bytes):
        location = location.encode("latin-1")
    return (b"HTTP/1.1 %d Moved\r\nLocation: " % status + location + b"\r\n" + extra
            + b"Content-Length: 0\r\n\r\n")


def answer(body=b"ok", extra=b""):
    """A keep-alive 200 with ``body``."""
    return (b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n" % len(body) + extra + b"\r\n" + body)


def request_line(raw):
    """The request line of raw request bytes, as text."""
    return raw.split(b"\r\n", 1)[0].decode("latin-1")


def header(raw, name):
    """The value of header ``name`` in raw request bytes (None when absent)."""
    head = raw.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    for line in head.split("\r\n")[1:]:
        key, _, value = line.partition(":")
        if key.strip().lower() == name.lower():
            return value.strip()
    return None


def body_of(raw):
    return raw.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in raw else b""


def basic(user, password):
    token = base64.b64encode(("%s:%s" % (user, password)).encode("latin-1")).decode("ascii")
    return "Basic " + token


def landing(peer):
    """A server answering :data:`GOOD` on every connection (the redirect target)."""
    return peer.serve([GOOD])


def other_host_url(server, path="/landed"):
    """``server``'s URL under the name ``localhost`` (another host than 127.0.0.1)."""
    return server.base_url(path, host="localhost")


def wait_hung_up(server, bound=10.0):
    """Wait (bounded) until ``server`` holds no connection, then a moment for its FIN to land.

    For the "closed while idle" cases: the close has reached the client
    before it looks for a connection to reuse (loopback delivers a FIN at once).
    """
    deadline = time.time() + bound
    while server._open and time.time() < deadline:
        time.sleep(0.02)
    time.sleep(0.2)


def follow_to(adapter, peer, target):
    """GET a server that redirects (302) to ``target``; return (result, redirecting server)."""
    source = peer.serve([redirect(target)], [GOOD])
    return call(adapter, peer, "GET", source.url + "/from"), source


# --------------------------------------------------------------------------- redirect loops
@hostile()
def redirect_loop(adapter, servers, peer):
    """A server redirecting to itself forever: TooManyRedirects with the history."""
    hop = b"HTTP/1.1 302 Found\r\nLocation: /loop\r\nContent-Length: 0\r\n\r\n"
    server = peer.serve([hop] + [("read_request",), hop] * 40)
    res = expect_error(call(adapter, peer, "GET", server.url + "/loop"), "TooManyRedirects")
    assert len(res.error_history) >= 10, res.error_history


@hostile()
def redirect_loop_two_step(adapter, servers, peer):
    """A -> B -> A -> ...: TooManyRedirects; the history alternates between the two URLs."""
    def hop(ctx):
        target = request_line(ctx.request).split(" ")[1]
        return redirect("/b" if target == "/a" else "/a")
    server = peer.serve([hop] + [("read_request",), hop] * 40)
    res = expect_error(call(adapter, peer, "GET", server.url + "/a"), "TooManyRedirects",
                       "/b -> ")
    urls = [url for _, url in res.error_history]
    assert urls[:4] == [server.url + "/a", server.url + "/b"] * 2, urls[:4]


@hostile("plain")
def redirect_loop_with_location_credentials(adapter, servers, peer):
    """A loop through http://u:secret@self/: TooManyRedirects; no URL or message shows them."""
    def hop(ctx):
        return redirect(ctx.server.url.replace("://", "://u:secret@") + "/loop")
    server = peer.serve([hop] + [("read_request",), hop] * 40)
    res = expect_error(call(adapter, peer, "GET", server.url + "/loop"), "TooManyRedirects")
    assert "secret" not in res.error_message, res.error_message
    assert not any("secret" in url for _, url in res.error_history), res.error_history
    assert header(server.received[1], "Authorization") == basic("u", "secret")


@hostile("plain")
def redirect_loop_growing_query(adapter, servers, peer):
    """Each hop doubles its query string: TooManyRedirects, with a message of bounded size."""
    def hop(ctx):
        target = request_line(ctx.request).split(" ")[1]
        query = target.partition("?")[2] or "x"
        return redirect("/grow?" + (query * 2)[:20000])
    server = peer.serve([hop] + [("read_request",), hop] * 40)
    with adapter.session(max_redirects=12) as s:
        res = expect_error(call(s, peer, "GET", server.url + "/grow"), "TooManyRedirects",
                           "Exceeded 12 redirects")
    assert len(res.error_message) < 1000, len(res.error_message)
    assert len(res.error_history) == 12, len(res.error_history)


@hostile("plain")
def redirect_chain_longer_than_max_redirects(adapter, servers, peer):
    """max_redirects=3: a 3-hop chain lands, a 4-hop chain is TooManyRedirects after 3 hops."""
    def hop(ctx):
        left = int(request_line(ctx.request).split(" ")[1].rsplit("/", 1)[1])
        return redirect("/hop/%d" % (left - 1)) if left else GOOD
    server = peer.serve([hop] + [("read_request",), hop] * 10)
    with adapter.session(max_redirects=3) as s:
        res = expect_body(call(s, peer, "GET", server.url + "/hop/3"), b"good")
        assert len(res.history) == 3, res.history
        res = expect_error(call(s, peer, "GET", server.url + "/hop/4"), "TooManyRedirects",
                           "Exceeded 3 redirects")
        assert res.error_response[1] == "/hop/0", res.error_response
    hops = [request_line(raw) for raw in server.received]
    assert hops.count("GET /hop/0 HTTP/1.1") == 1, hops  # the 4-hop chain never got there


# --------------------------------------------------------------------------- Location abuse
def _scheme_case(scheme, location):
    def case(adapter, servers, peer):
        res, source = follow_to(adapter, peer, location)
        expect_error(res, "InvalidSchema", location[:20])
        assert res.error_response == (302, location), res.error_response
        assert len(source.received) == 1  # nothing was sent anywhere else
    case.__name__ = "redirect_to_%s_scheme" % scheme
    case.__doc__ = "Location %s: InvalidSchema naming it; nothing followed." % (location,)
    return hostile("plain")(case)


for _scheme, _location in [("file", "file:///etc/passwd"), ("ftp", "ftp://127.0.0.1/x"),
                           ("javascript", "javascript:alert(1)"),
                           ("data", "data:text/html,<b>x</b>"),
                           ("gopher", "gopher://127.0.0.1:70/1")]:
    _scheme_case(_scheme, _location)


def _invalid_location_case(name, location, fragment):
    def case(adapter, servers, peer):
        res, source = follow_to(adapter, peer, location)
        expect_error(res, "InvalidURL", fragment)
        assert res.error_response[0] == 302, res.error_response
        assert len(source.received) == 1
    case.__name__ = "redirect_location_" + name
    case.__doc__ = "Location %r: InvalidURL (%s), with .response; nothing followed." % (
        location, fragment)
    return hostile("plain")(case)


_invalid_location_case("unclosed_ipv6", "http://[::1", "IPv6")
_invalid_location_case("two_at_signs", "http://a@b@c/", "more than one '@'")
_invalid_location_case("port_99999", "http://127.0.0.1:99999/", "port")
_invalid_location_case("double_slash", "//", "no host")
_invalid_location_case("triple_slash", "///x", "no host")


@hostile()
def redirect_location_empty(adapter, servers, peer):
    """A 302 with an empty Location is not followed: the 302 itself is the response."""
    server = peer.serve([b"HTTP/1.1 302 Found\r\nLocation: \r\nContent-Length: 4\r\n\r\nmove"])
    res = call(adapter, peer, "GET", server.url + "/from")
    expect_body(res, b"move", 302)
    assert res.history == [] and len(server.received) == 1


@hostile()
def redirect_location_only_fragment(adapter, servers, peer):
    """Location "#frag": the same resource again, r.url carries the fragment, never the wire."""
    server = peer.serve([redirect("#frag"), ("read_request",), GOOD])
    res = expect_body(call(adapter, peer, "GET", server.url + "/page"), b"good")
    assert res.url == server.url + "/page#frag", res.url
    assert [request_line(r) for r in server.received] == ["GET /page HTTP/1.1"] * 2


@hostile()
def redirect_location_with_spaces(adapter, servers, peer):
    """Location "/a b?c d": followed with the spaces percent-encoded, never raw on the wire."""
    server = peer.serve([redirect("/a b?c d"), ("read_request",), GOOD])
    res = expect_body(call(adapter, peer, "GET", server.url + "/from"), b"good")
    assert request_line(server.received[1]) == "GET /a%20b?c%20d HTTP/1.1", server.received[1]
    assert res.url == server.url + "/a%20b?c%20d", res.url


@hostile("plain")
def redirect_location_with_cr(adapter, servers, peer):
    """A bare CR in the Location (smuggling a Set-Cookie): RemoteProtocolError, not followed."""
    server = peer.serve([b"HTTP/1.1 302 Found\r\nLocation: /a\rSet-Cookie: x=1\r\n"
                         b"Content-Length: 0\r\n\r\n"], [GOOD])
    with adapter.session() as s:
        expect_error(call(s, peer, "GET", server.url + "/from"), "RemoteProtocolError",
                     "illegal header line")
        assert s.cookies() == {}
        pool_recovers(s, peer, server)
    assert len(server.received) == 2


@hostile()
def redirect_location_raw_utf8(adapter, servers, peer):
    """Location with raw UTF-8 bytes: followed, sent percent-encoded (/caf%C3%A9)."""
    server = peer.serve([redirect(u"/caf\u00e9".encode("utf-8")), ("read_request",), GOOD])
    expect_body(call(adapter, peer, "GET", server.url + "/from"), b"good")
    assert request_line(server.received[1]) == "GET /caf%C3%A9 HTTP/1.1", server.received[1]


@hostile()
def redirect_location_percent_encoded_utf8(adapter, servers, peer):
    """Location "/caf%C3%A9?q=%E2%9C%93": followed byte for byte, not encoded twice."""
    server = peer.serve([redirect("/caf%C3%A9?q=%E2%9C%93"), ("read_request",), GOOD])
    expect_body(call(adapter, peer, "GET", server.url + "/from"), b"good")
    assert request_line(server.received[1]) == "GET /caf%C3%A9?q=%E2%9C%93 HTTP/1.1", \
        server.received[1]


@hostile("plain")
def redirect_location_64k(adapter, servers, peer):
    """A 64 KiB Location: over the head limit, RemoteProtocolError naming it; pool recovers."""
    location = "/" + "a" * (64 * 1024)
    server = peer.serve([redirect(location)], [GOOD])
    with adapter.session() as s:
        expect_error(call(s, peer, "GET", server.url + "/from"), "RemoteProtocolError",
                     "limit")
        pool_recovers(s, peer, server)
    assert len(server.received) == 2


# --------------------------------------------------------------------------- methods and bodies
@hostile()
def redirect_303_post_becomes_bodyless_get(adapter, servers, peer):
    """POST + 303: the next hop is a GET with no body and no body headers."""
    server = peer.serve([redirect("/next", 303), ("read_request",), GOOD])
    expect_body(call(adapter, peer, "POST", server.url + "/form", data=b"secret=1",
                     headers={"Content-Type": "application/x-www-form-urlencoded"}), b"good")
    second = server.received[1]
    assert request_line(second) == "GET /next HTTP/1.1", second
    for name in ("Content-Length", "Content-Type", "Transfer-Encoding"):
        assert header(second, name) is None, second
    assert body_of(second) == b""


@hostile("plain")
def redirect_301_302_post_becomes_bodyless_get(adapter, servers, peer):
    """POST + 301 and POST + 302: the next hop is a GET with no body (browsers, requests)."""
    for status in (301, 302):
        server = peer.serve([redirect("/next", status), ("read_request",), GOOD])
        expect_body(call(adapter, peer, "POST", server.url + "/form", data=b"x=1"), b"good")
        second = server.received[1]
        assert request_line(second) == "GET /next HTTP/1.1", (status, second)
        assert header(second, "Content-Length") is None and body_of(second) == b"", second


@hostile()
def redirect_307_308_keep_post_and_body(adapter, servers, peer):
    """POST + 307 and POST + 308: the next hop is the same POST with the same body."""
    for status in (307, 308):
        server = peer.serve([redirect("/next", status), ("read_request",), GOOD])
        expect_body(call(adapter, peer, "POST", server.url + "/form", data=b"payload=1",
                         headers={"Content-Type": "text/plain"}), b"good")
        second = server.received[1]
        assert request_line(second) == "POST /next HTTP/1.1", (status, second)
        assert body_of(second) == b"payload=1", (status, second)
        assert header(second, "Content-Type") == "text/plain", (status, second)


@hostile("plain")
def redirect_307_unrewindable_body(adapter, servers, peer):
    """POST of a one-shot generator + 307: UnrewindableBodyError, never an empty replay."""
    def body():
        yield b"part1"
        yield b"part2"
    server = peer.serve([redirect("/next", 307)], [GOOD])
    with adapter.session() as s:
        expect_error(call(s, peer, "POST", server.url + "/up", data=body()),
                     "UnrewindableBodyError", "307")
        pool_recovers(s, peer, server)
    assert [request_line(r).split(" ")[0] for r in server.received] == ["POST", "GET"]


# --------------------------------------------------------------------------- credentials
def _credentials(kind, url):
    """(url, request keywords, the header value they send) for one kind of credential."""
    if kind == "auth":
        return url, {"auth": ("user", "pw")}, basic("user", "pw")
    if kind == "authorization":
        return url, {"headers": {"Authorization": "Bearer s3cret"}}, "Bearer s3cret"
    if kind == "userinfo":
        return url.replace("://", "://user:pw@"), {}, basic("user", "pw")
    value = "Basic cHJveHk6cHc="
    return url, {"headers": {"Proxy-Authorization": value}}, value


_KIND_SHOWN = {"auth": "auth=(user, pw)", "authorization": "An Authorization header",
               "userinfo": "Credentials in the URL (http://user:pw@host/)",
               "proxy-authorization": "A Proxy-Authorization header (no proxy in use)"}


def _leak_case(kind, where):
    """A case: credentials of ``kind`` must not reach ``where`` after a redirect."""
    header_name = "Proxy-Authorization" if kind == "proxy-authorization" else "Authorization"

    def case(adapter, servers, peer):
        target = landing(peer)
        target_url = {"host": other_host_url(target), "port": target.url + "/landed"}[where]
        source = peer.serve([redirect(target_url)])
        url, kwargs, value = _credentials(kind, source.url + "/from")
        res = expect_body(call(adapter, peer, "GET", url, **kwargs), b"good")
        assert header(source.received[0], header_name) == value, source.received[0]
        assert header(target.received[0], header_name) is None, target.received[0]
        assert value.split(" ")[1].encode("ascii") not in target.received[0]
        assert all("user" not in u for _, u in res.history) and "user" not in res.url
    case.__name__ = "credentials_%s_not_sent_to_another_%s" % (kind.replace("-", "_"), where)
    case.__doc__ = ("%s on the first hop, a redirect to another %s: the second server never "
                    "sees it." % (_KIND_SHOWN[kind], where))
    return hostile()(case)


for _where in ("host", "port"):
    for _kind in ("auth", "authorization", "userinfo", "proxy-authorization"):
        _leak_case(_kind, _where)


@hostile("plain")
def credentials_not_sent_to_another_scheme(adapter, servers, peer):
    """http -> https on the same host but another port: auth and Authorization dropped."""
    tls_target = servers.scripted([GOOD], tls=True)
    for kwargs in ({"auth": ("user", "pw")}, {"headers": {"Authorization": "Bearer s3cret"}}):
        source = peer.serve([redirect(tls_target.url + "/landed")])
        expect_body(call(adapter, peer, "GET", source.url + "/from",
                         verify=servers.ca_bundle, **kwargs), b"good")
        assert header(source.received[0], "Authorization") is not None
    assert len(tls_target.received) == 2
    for raw in tls_target.received:
        assert header(raw, "Authorization") is None, raw


@hostile()
def proxy_credentials_on_every_hop_never_to_origins(adapter, servers, peer):
    """Through a proxy needing auth, a redirect to another host: every hop is authenticated to
    the proxy, and neither origin ever sees Proxy-Authorization (over TLS: inside the tunnel)."""
    proxy = servers.proxy_server(auth=("pu", "ppw"))
    target = landing(peer)
    source = peer.serve([redirect(other_host_url(target))])
    scheme = "https" if peer.tls else "http"
    expect_body(call(adapter, peer, "GET", source.url + "/from",
                     proxies={scheme: proxy.proxy_url("pu", "ppw")}), b"good")
    assert len(proxy.requests) == 2, proxy.requests
    for req in proxy.requests:
        assert req.header("Proxy-Authorization") == basic("pu", "ppw"), req.headers
    if peer.tls:
        assert [r.method for r in proxy.requests] == ["CONNECT", "CONNECT"]
    for raw in source.received + target.received:
        assert header(raw, "Proxy-Authorization") is None, raw


@hostile()
def credentials_kept_on_same_origin(adapter, servers, peer):
    """A redirect to the same origin keeps auth=, Authorization and Proxy-Authorization."""
    server = peer.serve([redirect("/next"), ("read_request",), GOOD])
    expect_body(call(adapter, peer, "GET", server.url + "/from", auth=("user", "pw"),
                     headers={"Proxy-Authorization": "Basic eDp5"}), b"good")
    second = server.received[1]
    assert header(second, "Authorization") == basic("user", "pw"), second
    assert header(second, "Proxy-Authorization") == "Basic eDp5", second


@hostile("tls")
def https_to_http_downgrade_strips_authorization_and_secure_cookie(adapter, servers, peer):
    """https -> http on the same host: no Authorization, no Secure cookie; others still go."""
    plain = servers.scripted([GOOD])
    source = peer.serve([answer(extra=b"Set-Cookie: sec=1; Secure; Path=/\r\n"
                                       b"Set-Cookie: open=2; Path=/\r\n"),
                         ("read_request",), redirect(plain.url + "/landed")])
    with adapter.session() as s:
        expect_body(call(s, peer, "GET", source.url + "/login"), b"ok")
        assert s.cookies() == {"sec": "1", "open": "2"}
        expect_body(call(s, peer, "GET", source.url + "/from", auth=("user", "pw")), b"good")
    assert header(source.received[1], "Authorization") == basic("user", "pw")
    assert "sec=1" in header(source.received[1], "Cookie"), source.received[1]
    landed = plain.received[0]
    assert header(landed, "Authorization") is None, landed
    assert header(landed, "Cookie") == "open=2", landed


@hostile()
def location_credentials_used_for_that_hop_only(adapter, servers, peer):
    """Location http://u:p@B/: B gets Basic u:p, the hop after B does not; no URL shows them."""
    final = landing(peer)
    middle = peer.serve([redirect(other_host_url(final))])
    source = peer.serve([redirect(middle.url.replace("://", "://hop:pw@") + "/mid")])
    res = expect_body(call(adapter, peer, "GET", source.url + "/from"), b"good")
    assert header(source.received[0], "Authorization") is None
    assert header(middle.received[0], "Authorization") == basic("hop", "pw"), middle.received
    assert header(final.received[0], "Authorization") is None, final.received
    shown = [u for _, u in res.history] + [res.url]
    assert not any("hop" in u or "pw@" in u for u in shown), shown


# --------------------------------------------------------------------------- cookies
def _cookie_then_look(adapter, peer, set_cookie, path="/look", first="/set"):
    """Session: GET ``first`` (answer sets ``set_cookie``), then GET ``path`` on the same server.

    Returns (server, the session's cookies after the first call).
    """
    server = peer.serve([answer(extra=b"Set-Cookie: " + set_cookie + b"\r\n"),
                         ("read_request",), GOOD])
    with adapter.session() as s:
        expect_body(call(s, peer, "GET", server.url + first), b"ok")
        jar = s.cookies()
        expect_body(call(s, peer, "GET", server.url + path), b"good")
    return server, jar


@hostile()
def cookie_for_another_domain_ignored(adapter, servers, peer):
    """Set-Cookie with Domain=example.com from 127.0.0.1: not stored, never sent."""
    server, jar = _cookie_then_look(adapter, peer, b"evil=1; Domain=example.com; Path=/")
    assert jar == {}, jar
    assert header(server.received[1], "Cookie") is None, server.received[1]


@hostile("plain")
def cookie_for_public_suffix_ignored(adapter, servers, peer):
    """Set-Cookie with Domain=com (or .com) from localhost: not stored, never sent."""
    for domain in (b"com", b".com", b"localhost.com"):
        server = peer.serve([answer(extra=b"Set-Cookie: wide=1; Domain=" + domain
                                    + b"; Path=/\r\n"), ("read_request",), GOOD])
        with adapter.session() as s:
            expect_body(call(s, peer, "GET", other_host_url(server, "/set")), b"ok")
            assert s.cookies() == {}, (domain, s.cookies())
            expect_body(call(s, peer, "GET", other_host_url(server, "/look")), b"good")
        assert header(server.received[1], "Cookie") is None, server.received[1]


@hostile()
def cookie_path_scoped(adapter, servers, peer):
    """Path=/admin: sent to /admin and /admin/x, never to /, /adminx or /Admin."""
    server = peer.serve([answer(extra=b"Set-Cookie: adm=1; Path=/admin\r\n")]
                        + [("read_request",), answer()] * 5)
    with adapter.session() as s:
        expect_body(call(s, peer, "GET", server.url + "/admin/login"), b"ok")
        for path in ("/admin", "/admin/x", "/", "/adminx", "/Admin"):
            expect_body(call(s, peer, "GET", server.url + path), b"ok")
    sent = dict((request_line(r).split(" ")[1], header(r, "Cookie")) for r in server.received[1:])
    assert sent == {"/admin": "adm=1", "/admin/x": "adm=1", "/": None, "/adminx": None,
                    "/Admin": None}, sent


@hostile()
def cookie_flood_bounded_by_head_limits(adapter, servers, peer):
    """5000 Set-Cookie lines (125 KiB): RemoteProtocolError (64 KiB head limit); pool recovers."""
    flood = b"".join(b"Set-Cookie: c%d=v; Path=/\r\n" % i for i in range(5000))
    server = peer.serve([answer(extra=flood)], [GOOD])
    with adapter.session() as s:
        expect_error(call(s, peer, "GET", server.url + "/x"), "RemoteProtocolError", "limit")
        assert s.cookies() == {}
        pool_recovers(s, peer, server)


@hostile("plain")
def cookie_flood_over_header_field_limit(adapter, servers, peer):
    """150 short Set-Cookie lines (a small head): RemoteProtocolError naming the field limit."""
    flood = b"".join(b"Set-Cookie: c%d=v\r\n" % i for i in range(150))
    server = peer.serve([answer(extra=flood)], [GOOD])
    with adapter.session() as s:
        expect_error(call(s, peer, "GET", server.url + "/x"), "RemoteProtocolError",
                     "header fields")
        assert s.cookies() == {}
        pool_recovers(s, peer, server)


@hostile()
def cookie_larger_than_4096_bytes_dropped(adapter, servers, peer):
    """A 5000-byte cookie is dropped (browsers' 4096-byte rule); a 4000-byte one is kept."""
    big = b"big=" + b"x" * 5000 + b"; Path=/"
    fits = b"fits=" + b"y" * 3990 + b"; Path=/"
    server = peer.serve([answer(extra=b"Set-Cookie: " + big + b"\r\nSet-Cookie: " + fits
                                + b"\r\n"), ("read_request",), GOOD])
    with adapter.session() as s:
        expect_body(call(s, peer, "GET", server.url + "/set"), b"ok")
        assert sorted(s.cookies()) == ["fits"], sorted(s.cookies())
        expect_body(call(s, peer, "GET", server.url + "/look"), b"good")
    sent = header(server.received[1], "Cookie")
    assert sent is not None and sent.startswith("fits=") and "big=" not in sent


@hostile("plain")
def secure_cookie_never_sent_over_http(adapter, servers, peer):
    """A Secure cookie an http response tried to set is never sent back over http."""
    server, _ = _cookie_then_look(adapter, peer, b"sec=1; Secure; Path=/")
    assert header(server.received[1], "Cookie") is None, server.received[1]


@hostile()
def cookie_from_redirect_hop_only_where_domain_matches(adapter, servers, peer):
    """A hop sets a cookie and redirects to another host: that host never sees it."""
    target = landing(peer)
    source = peer.serve([redirect(other_host_url(target), extra=b"Set-Cookie: hop=1; Path=/\r\n"),
                         ("read_request",), GOOD])
    with adapter.session() as s:
        expect_body(call(s, peer, "GET", source.url + "/from"), b"good")
        assert s.cookies() == {"hop": "1"}
        expect_body(call(s, peer, "GET", source.url + "/again"), b"good")
    assert header(target.received[0], "Cookie") is None, target.received[0]
    assert header(source.received[1], "Cookie") == "hop=1", source.received[1]


@hostile()
def cookie_from_redirect_hop_reaches_same_host(adapter, servers, peer):
    """A hop sets a cookie and redirects on the same host: the next hop carries it."""
    server = peer.serve([redirect("/next", extra=b"Set-Cookie: hop=1; Path=/\r\n"),
                         ("read_request",), GOOD])
    expect_body(call(adapter, peer, "GET", server.url + "/from"), b"good")
    assert header(server.received[1], "Cookie") == "hop=1", server.received[1]


@hostile()
def session_cookies_not_sent_to_another_host(adapter, servers, peer):
    """Cookies the session got from A, and a hand-set Cookie header, never reach B."""
    target = landing(peer)
    source = peer.serve([answer(extra=b"Set-Cookie: sid=secret; Path=/\r\n"),
                         ("read_request",), redirect(other_host_url(target)),
                         ("read_request",), redirect(other_host_url(target))])
    with adapter.session() as s:
        expect_body(call(s, peer, "GET", source.url + "/login"), b"ok")
        expect_body(call(s, peer, "GET", source.url + "/from"), b"good")
        expect_body(call(s, peer, "GET", source.url + "/from2",
                         headers={"Cookie": "manual=1"}), b"good")
    assert header(source.received[1], "Cookie") == "sid=secret"
    for raw in target.received:
        assert header(raw, "Cookie") is None, raw


def _request_cookies_case(where):
    def case(adapter, servers, peer):
        target = landing(peer)
        url = other_host_url(target) if where == "host" else target.url + "/landed"
        source = peer.serve([redirect(url)])
        expect_body(call(adapter, peer, "GET", source.url + "/from", cookies={"once": "x"}),
                    b"good")
        assert header(source.received[0], "Cookie") == "once=x", source.received[0]
        assert header(target.received[0], "Cookie") is None, target.received[0]
    case.__name__ = "request_cookies_not_sent_to_another_%s" % where
    case.__doc__ = ("cookies={...} of one call go to the URL it names, not to another %s it "
                    "is redirected to (requests sends them along)." % where)
    return hostile()(case)


_request_cookies_case("host")
_request_cookies_case("port")


@hostile("plain")
def session_cookies_reach_another_port_of_their_host(adapter, servers, peer):
    """Jar cookies of 127.0.0.1 go to another port of 127.0.0.1 after a redirect (RFC 6265 8.5).

    Cookies are not isolated by port; the redirect sends nothing a direct
    request to that port would not. (Another host never gets them.)
    """
    target = landing(peer)
    source = peer.serve([answer(extra=b"Set-Cookie: sid=1; Path=/\r\n"),
                         ("read_request",), redirect(target.url + "/landed")])
    with adapter.session() as s:
        expect_body(call(s, peer, "GET", source.url + "/login"), b"ok")
        expect_body(call(s, peer, "GET", source.url + "/from"), b"good")
    assert header(target.received[0], "Cookie") == "sid=1", target.received[0]


# --------------------------------------------------------------------------- keep-alive races
def _closed_on_reuse(method, ending):
    """Connection 0: answer, then read the reused request and end with ``ending``.

    Connection 1 (a replay, if any) answers well.
    """
    ok = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n"
    first = ok if method == "HEAD" else ok + b"ok"
    return [[first, ("read_request",), ending], [first]]


def _replay_case(method, ending, name):
    def case(adapter, servers, peer):
        server = peer.serve(*_closed_on_reuse(method, ending))
        with adapter.session() as s:
            body = b"" if method == "HEAD" else b"ok"
            expect_body(call(s, peer, method, server.url + "/1"), body)
            expect_body(call(s, peer, method, server.url + "/2"), body)
        lines = [request_line(r) for r in server.received]
        assert lines == ["%s /1 HTTP/1.1" % method] + ["%s /2 HTTP/1.1" % method] * 2, lines
        assert server.connections == 2, server.connections
    case.__name__ = "keepalive_%s_%s_replayed_once" % (name, method.lower())
    case.__doc__ = ("The server %s the reused connection after reading the %s: sent again once "
                    "on a new connection, which answers." % (name, method))
    return hostile()(case)


for _method in ("GET", "HEAD", "PUT", "DELETE", "OPTIONS"):
    _replay_case(_method, ("close",), "closes")
_replay_case("GET", ("rst",), "resets")


def _never_replayed_case(method, ending, name):
    def case(adapter, servers, peer):
        server = peer.serve(*_closed_on_reuse(method, ending))
        with adapter.session() as s:
            expect_body(call(s, peer, method, server.url + "/1", data=b"a"), b"ok")
            expect_error(call(s, peer, method, server.url + "/2", data=b"once"),
                         "ConnectionError")
        lines = [request_line(r) for r in server.received]
        assert lines == ["%s /1 HTTP/1.1" % method, "%s /2 HTTP/1.1" % method], lines
        assert server.connections == 1, server.connections
    case.__name__ = "keepalive_%s_%s_never_replayed" % (name, method.lower())
    case.__doc__ = ("The server %s the reused connection after reading the %s: a "
                    "ConnectionError, the request was seen once." % (name, method))
    return hostile()(case)


_never_replayed_case("POST", ("close",), "closes")
_never_replayed_case("PATCH", ("close",), "closes")
_never_replayed_case("POST", ("rst",), "resets")


@hostile()
def keepalive_put_body_replayed_whole(adapter, servers, peer):
    """The reused connection closes after a PUT with a body: the replay carries the same body."""
    server = peer.serve(*_closed_on_reuse("PUT", ("close",)))
    with adapter.session() as s:
        expect_body(call(s, peer, "PUT", server.url + "/1", data=b"first"), b"ok")
        expect_body(call(s, peer, "PUT", server.url + "/2", data=b"second body"), b"ok")
    assert [body_of(r) for r in server.received] == [b"first", b"second body", b"second body"]


@hostile()
def keepalive_put_one_shot_body_never_replayed(adapter, servers, peer):
    """The same race with a PUT of a one-shot generator: it cannot be resent, so it is not."""
    def body():
        yield b"only"
        yield b"once"
    server = peer.serve(*_closed_on_reuse("PUT", ("close",)))
    with adapter.session() as s:
        expect_body(call(s, peer, "PUT", server.url + "/1", data=b"first"), b"ok")
        expect_error(call(s, peer, "PUT", server.url + "/2", data=body()), "ConnectionError")
    assert len(server.received) == 2 and server.connections == 1, server.received


@hostile()
def keepalive_partial_answer_never_replayed(adapter, servers, peer):
    """The reused connection dies after half a status line: an error, GET not sent again."""
    ok = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    server = peer.serve([ok, ("read_request",), b"HTTP/1.1 200 O", ("close",)], [GOOD])
    with adapter.session() as s:
        expect_body(call(s, peer, "GET", server.url + "/1"), b"ok")
        expect_error(call(s, peer, "GET", server.url + "/2"), "RemoteProtocolError")
        assert len(server.received) == 2 and server.connections == 1, server.received
        pool_recovers(s, peer, server)


@hostile()
def keepalive_idle_408_is_not_an_answer(adapter, servers, peer):
    """An idle connection gets "408 Request Timeout" and a close: the next GET takes a new one."""
    ok = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    timeout = (b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n"
               b"Content-Length: 0\r\n\r\n")
    server = peer.serve([ok, ("sleep", 0.1), timeout, ("close",)], [GOOD])
    with adapter.session() as s:
        expect_body(call(s, peer, "GET", server.url + "/1"), b"ok")
        wait_hung_up(server)
        expect_body(call(s, peer, "GET", server.url + "/2"), b"good")
    assert server.connections == 2


@hostile()
def keepalive_408_on_reuse_replayed_once(adapter, servers, peer):
    """The server times the reused connection out as a GET arrives (408 + close): sent again."""
    ok = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    timeout = (b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n"
               b"Content-Length: 0\r\n\r\n")
    server = peer.serve([ok, ("read_request",), timeout, ("close",)], [GOOD])
    with adapter.session() as s:
        expect_body(call(s, peer, "GET", server.url + "/1"), b"ok")
        expect_body(call(s, peer, "GET", server.url + "/2"), b"good")
    assert server.connections == 2 and len(server.received) == 3


@hostile("plain")
def keepalive_408_on_reuse_post_is_the_answer(adapter, servers, peer):
    """The same 408 race with a POST: the 408 is the caller's response, the POST sent once."""
    ok = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    timeout = (b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n"
               b"Content-Length: 4\r\n\r\nslow")
    server = peer.serve([ok, ("read_request",), timeout, ("close",)], [GOOD])
    with adapter.session() as s:
        expect_body(call(s, peer, "GET", server.url + "/1"), b"ok")
        expect_body(call(s, peer, "POST", server.url + "/2", data=b"once"), b"slow", 408)
    assert server.connections == 1 and len(server.received) == 2


@hostile("plain")
def fresh_connection_408_is_the_answer(adapter, servers, peer):
    """A 408 on a new connection is an answer like any other: returned, GET not resent."""
    server = peer.serve([b"HTTP/1.1 408 Request Timeout\r\nContent-Length: 4\r\n\r\nslow"])
    expect_body(call(adapter, peer, "GET", server.url + "/1"), b"slow", 408)
    assert server.connections == 1 and len(server.received) == 1


@hostile()
def keepalive_replay_that_fails_again_is_an_error(adapter, servers, peer):
    """The reused connection closes, and so does the replay's: an error after two tries."""
    ok = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    server = peer.serve([ok, ("read_request",), ("close",)], [("close",)])
    with adapter.session() as s:
        expect_body(call(s, peer, "GET", server.url + "/1"), b"ok")
        expect_error(call(s, peer, "GET", server.url + "/2"), "ConnectionError")
    lines = [request_line(r) for r in server.received]
    assert lines == ["GET /1 HTTP/1.1", "GET /2 HTTP/1.1", "GET /2 HTTP/1.1"], lines
    assert server.connections == 2, server.connections


@hostile()
def keepalive_idle_close_post_goes_to_a_new_connection(adapter, servers, peer):
    """The server closes an idle connection; a later POST is sent once, on a new one."""
    ok = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    server = peer.serve([ok, ("sleep", 0.1), ("close",)], [GOOD])
    with adapter.session() as s:
        expect_body(call(s, peer, "GET", server.url + "/1"), b"ok")
        wait_hung_up(server)
        expect_body(call(s, peer, "POST", server.url + "/2", data=b"once"), b"good")
    posts = [r for r in server.received if request_line(r).startswith("POST")]
    assert len(posts) == 1, server.received


# --------------------------------------------------------------------------- TLS refusals
@hostile("plain")
def redirect_to_https_with_expired_certificate(adapter, servers, peer):
    """http redirects to an https host whose certificate expired: SSLError expired, naming it."""
    bad = servers.scripted([GOOD], tls=True, certfile=servers.cert("expired.pem"),
                           keyfile=servers.cert("expired.key"))
    url = bad.base_url("/landed", host="localhost")
    source = peer.serve([redirect(url)])
    res = expect_error(call(adapter, peer, "GET", source.url + "/from",
                            verify=servers.ca_bundle), "SSLError", "localhost")
    assert res.error_reason == "expired", (res.error_reason, res.error_message)
    assert res.error_request == ("GET", url), res.error_request
    assert bad.received == []


_BAD_CERTS = [
    # (case name, certificate file stem, host name to ask for, SSLError reason, what it is)
    ("expired", "expired", "localhost", "expired", "an expired certificate"),
    ("self_signed", "selfsigned", "localhost", "self_signed", "a self-signed certificate"),
    ("unknown_ca", "unknown-ca", "localhost", "unknown_ca",
     "a certificate from a CA the client does not trust"),
    ("cn_only", "cn-only", "localhost", "hostname_mismatch",
     "a certificate naming the host only in its Common Name (no subjectAltName)"),
    ("ip_only_asked_by_name", "ip-only", "localhost", "hostname_mismatch",
     "a certificate for 127.0.0.1 only, asked for by the name localhost"),
]


def _cert_server(servers, stem, script=None):
    return servers.scripted(script or [GOOD], tls=True, certfile=servers.cert(stem + ".pem"),
                            keyfile=servers.cert(stem + ".key"))


def _refused_case(name, stem, host, reason, what):
    def case(adapter, servers, peer):
        server = _cert_server(servers, stem)
        res = call(adapter, peer, "GET", server.base_url("/x", host=host))
        expect_error(res, "SSLError", "TLS handshake with %s failed" % host)
        assert res.error_reason == reason, (res.error_reason, res.error_message)
        assert server.received == []
    case.__name__ = "tls_%s_certificate_refused" % name
    case.__doc__ = "%s%s: SSLError, reason %s; no request sent." % (what[:1].upper(), what[1:],
                                                                   reason)
    hostile("tls")(case)

    def accepted(adapter, servers, peer):
        server = _cert_server(servers, stem)
        res = call(adapter, peer, "GET", server.base_url("/x", host=host), verify=False)
        expect_body(res, b"good")
        assert "InsecureRequestWarning" in res.warnings, res.warnings
    accepted.__name__ = "tls_%s_certificate_accepted_with_verify_false" % name
    accepted.__doc__ = ("verify=False: %s is accepted, with InsecureRequestWarning."
                        % what)
    hostile("tls")(accepted)


for _row in _BAD_CERTS:
    _refused_case(*_row)


@hostile("tls")
def tls_wrong_host_name_refused(adapter, servers, peer):
    """A valid certificate for localhost/127.0.0.1 served on 127.0.0.2: hostname_mismatch."""
    server = servers.scripted([GOOD], tls=True, host="127.0.0.2")
    res = expect_error(call(adapter, peer, "GET", server.url + "/x"), "SSLError", "127.0.0.2")
    assert res.error_reason == "hostname_mismatch", (res.error_reason, res.error_message)
    res = call(adapter, peer, "GET", server.url + "/x", verify=False)
    expect_body(res, b"good")
    assert "InsecureRequestWarning" in res.warnings, res.warnings


@hostile("tls")
def tls_plaintext_answer_to_client_hello(adapter, servers, peer):
    """An http port behind an https URL: SSLError not_tls showing what the server sent."""
    plain = servers.scripted([b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n",
                              ("half_close",), ("wait_close",)], read_first=False)
    res = expect_error(call(adapter, peer, "GET", "https://127.0.0.1:%d/x" % plain.port),
                       "SSLError", "HTTP/1.1 400")
    assert res.error_reason == "not_tls", (res.error_reason, res.error_message)


@hostile("tls")
def tls_server_closes_during_handshake(adapter, servers, peer):
    """The server reads part of the ClientHello and closes: SSLError closed_in_handshake."""
    def close_early(ctx):
        ctx.sock.recv(5)
    silent = servers.scripted([close_early, ("close",)], read_first=False)
    res = expect_error(call(adapter, peer, "GET", "https://127.0.0.1:%d/x" % silent.port),
                       "SSLError", "closed the connection before the handshake completed")
    assert res.error_reason == "closed_in_handshake", res.error_message
    assert silent.connections == 1, silent.connections


@hostile("tls")
def tls_server_resets_during_handshake(adapter, servers, peer):
    """The server answers the ClientHello with a reset: SSLError closed_in_handshake."""
    def read_hello(ctx):
        ctx.sock.recv(5)
    rude = servers.scripted([read_hello, ("rst",)], read_first=False)
    # Twisted's epoll reactor reports a reset that wakes it with EPOLLHUP and no
    # EPOLLIN as a clean close (ConnectionDone): under load its front-end may say so.
    said = "before the handshake completed" if adapter.name == "twisted" \
        else "reset the connection"
    res = expect_error(call(adapter, peer, "GET", "https://127.0.0.1:%d/x" % rude.port),
                       "SSLError", said)
    assert res.error_reason == "closed_in_handshake", res.error_message

