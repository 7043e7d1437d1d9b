"""SOCKS proxies (socks5, socks5h, socks4, socks4a) through every front-end.

httpkit speaks SOCKS itself (httpkit._socks): these scenarios run a real SOCKS
server on loopback (tests/socks_server.py) that relays to the shared test servers.
"""
from __future__ import absolute_import, division, print_function

from scenarios.corpus import CA, ok, raised, scenario
from socks_server import SocksServer


def _socks(servers, **kwargs):
    server = SocksServer(**kwargs).start()
    servers._cleanups.append(server.stop)
    return server


@scenario
def socks_proxies_carry_http_and_https(adapter, servers):
    """http in origin form and https with TLS to the origin, for every SOCKS flavour."""
    socks = _socks(servers)
    http_url = servers.http.base_url("/get?via=socks", host="localhost")
    https_url = servers.https.base_url("/post", host="localhost")
    for scheme in ("socks5h", "socks5", "socks4a", "socks4"):
        socks.reset()
        proxies = {"all": socks.url_for(scheme)}
        ok(adapter.request("GET", http_url, proxies=proxies))
        assert servers.http.requests[-1].target == "/get?via=socks"  # not absolute form
        res = adapter.request("POST", https_url, proxies=proxies, data=b"through", **CA(servers))
        assert ok(res)["data"] == "through"
        # socks5h/socks4a hand the name to the proxy; socks5/socks4 resolve it here.
        expected = "localhost" if scheme in ("socks5h", "socks4a") else "127.0.0.1"
        assert [t[1] for t in socks.targets] == [expected, expected], (scheme, socks.targets)
        assert [t[2] for t in socks.targets] == [servers.http.port, servers.https.port]


@scenario
def socks_from_the_environment_and_a_session(adapter, servers):
    socks = _socks(servers)
    servers.set_env(ALL_PROXY=socks.url_for("socks5h"))
    ok(adapter.request("GET", servers.http.base_url("/get", host="localhost")))
    assert socks.targets == [(5, "localhost", servers.http.port)]
    with adapter.session() as s:  # a kept-alive SOCKS connection is reused
        for _ in range(3):
            ok(s.request("GET", servers.http.base_url("/get", host="localhost")))
    assert len(socks.targets) == 2


@scenario
def socks5_login_and_refusals(adapter, servers):
    socks = _socks(servers, auth=("user", "p@ss"))
    url = servers.http.base_url("/get", host="localhost")
    ok(adapter.request("GET", url, proxies={"http": socks.url_for("socks5h", "user", "p%40ss")}))
    res = adapter.request("GET", url, proxies={"http": socks.url_for("socks5h", "user", "bad")})
    raised(res, "ProxyError", "rejected the username and password")
    assert "bad" not in res.error_message
    res = adapter.request("GET", url, proxies={"http": socks.url_for("socks5h")})
    raised(res, "ProxyError", "none of the offered authentication methods")
    refusing = _socks(servers, reply=5)
    res = adapter.request("GET", url, proxies={"http": refusing.url_for("socks5h")})
    raised(res, "ProxyError", "connection refused")
    res = adapter.request("GET", url, proxies={"http": _socks(servers, reply=1).url_for("socks4a")})
    raised(res, "ProxyError", "request rejected")


@scenario
def socks_proxy_that_breaks_the_protocol(adapter, servers):
    """A peer that is not a SOCKS proxy: a ProxyError naming it, never a hang."""
    http_reply = [[b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n",
                   ("close",)]]
    bogus = servers.scripted(http_reply, read_first=False)
    url = servers.http.base_url("/get", host="localhost")
    res = adapter.request("GET", url, proxies={"http": "socks5h://%s" % bogus.netloc}, timeout=5)
    raised(res, "ProxyError", "socks5h://%s" % bogus.netloc)
    silent = servers.scripted([[("close",)]], read_first=False)
    res = adapter.request("GET", url, proxies={"http": "socks4a://%s" % silent.netloc}, timeout=5)
    raised(res, "ProxyError", "closed the connection")
