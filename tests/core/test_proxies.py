"""Proxy selection: environment, NO_PROXY, key lookup order, precedence, Proxy parsing."""
from __future__ import absolute_import, division, print_function

import pytest

from httpkit._auth import basic_auth_header
from httpkit._proxies import (Proxy, environ_proxies, parse_no_proxy, resolve_proxy,
                              select_proxy, should_bypass_proxies)
from httpkit._urls import URL
from httpkit.exceptions import InvalidProxyURL, InvalidURL


# ---------------------------------------------------------------- environment


def test_environ_reads_all_kinds():
    env = {"http_proxy": "http://h:1", "HTTPS_PROXY": "http://s:2", "ALL_PROXY": "http://a:3",
           "NO_PROXY": "internal", "PATH": "/bin", "FTP_PROXY": "http://f"}
    assert environ_proxies(env) == {"http": "http://h:1", "https": "http://s:2",
                                    "all": "http://a:3", "no_proxy": "internal"}


def test_lower_case_wins_even_when_empty():
    env = {"HTTP_PROXY": "http://upper", "http_proxy": "http://lower",
           "HTTPS_PROXY": "http://upper", "https_proxy": "", "NO_PROXY": "a", "no_proxy": "b"}
    assert environ_proxies(env) == {"http": "http://lower", "no_proxy": "b"}


def test_httpoxy_upper_case_ignored_under_cgi():
    env = {"HTTP_PROXY": "http://attacker", "REQUEST_METHOD": "GET"}
    assert environ_proxies(env) == {}
    env["http_proxy"] = "http://admin-set"
    assert environ_proxies(env) == {"http": "http://admin-set"}
    assert environ_proxies({"HTTPS_PROXY": "http://ok", "REQUEST_METHOD": "GET"}) == {
        "https": "http://ok"}


def test_empty_upper_case_value_ignored():
    assert environ_proxies({"HTTP_PROXY": ""}) == {}


def test_environ_defaults_to_os_environ(monkeypatch):
    monkeypatch.setenv("https_proxy", "http://from-os:8")
    assert environ_proxies()["https"] == "http://from-os:8"


# ---------------------------------------------------------------- NO_PROXY


def test_parse_no_proxy_handles_stray_commas_and_spaces():
    assert parse_no_proxy(" a.example, ,B.example  c.example,,") == [
        "a.example", "b.example", "c.example"]
    assert parse_no_proxy(",") == [] and parse_no_proxy(None) == []
    assert parse_no_proxy(["x", ""]) == ["x"]


@pytest.mark.parametrize("url, no_proxy, expected", [
    ("http://example.com/", "example.com", True),
    ("http://www.example.com/", "example.com", True),
    ("http://www.example.com/", ".example.com", True),
    ("http://www.example.com/", "*.example.com", True),
    ("http://notexample.com/", "example.com", False),       # label boundary
    ("http://example.com.evil/", "example.com", False),
    ("http://EXAMPLE.com./", "example.COM", True),
    ("http://anything/", "*", True),
    ("http://a.example/", "", False),
    ("http://a.example/", ",,", False),                      # requests#2720
    ("http://a.example/", "x.example,,a.example", True),
    ("http://10.1.2.3/", "10.0.0.0/8", True),
    ("http://11.1.2.3/", "10.0.0.0/8", False),
    ("http://192.168.1.5/", "192.168.1.5", True),
    ("http://192.168.1.5/", "192.168.1.50", False),
    ("http://192.168.1.5/", "192.168.1.0/31", False),
    ("http://192.168.1.1/", "192.168.1.0/31", True),
    ("http://1.2.3.4/", "0.0.0.0/0", True),
    ("http://[2001:db8::1]/", "2001:db8::/32", True),
    ("http://[2001:db9::1]/", "2001:db8::/32", False),
    ("http://[::1]/", "::1", True),
    ("http://[::1]:8080/", "[::1]:8080", True),
    ("http://[::1]:8081/", "[::1]:8080", False),
    ("http://[0:0::1]/", "::1", True),                        # compared as numbers
    ("http://10.0.0.1/", "::/0", False),                      # families differ
    ("http://host.example:8080/", "host.example:8080", True),
    ("http://host.example/", "host.example:8080", False),
    ("https://host.example/", "host.example:443", True),
    ("http://localhost/", "example.com", False),              # loopback only when listed
    ("http://127.0.0.1/", "localhost", False),
    ("http://localhost/", "localhost", True),
    ("http://127.0.0.1/", "127.0.0.0/8", True),
    ("http://10.0.0.1/", "10.0.0.0/33", False),
    ("http://10.0.0.1/", "garbage/8", False),
])
def test_should_bypass(url, no_proxy, expected):
    assert should_bypass_proxies(url, no_proxy) is expected


def test_should_bypass_accepts_url_objects():
    assert should_bypass_proxies(URL("http://a.example/"), "a.example")


# ---------------------------------------------------------------- select


def test_select_key_order():
    proxies = {"http://a.example": "p1", "http": "p2", "all://a.example": "p3", "all": "p4"}
    assert select_proxy("http://a.example/", proxies) == (True, "p1")
    assert select_proxy("http://b.example/", proxies) == (True, "p2")
    assert select_proxy("https://a.example/", proxies) == (True, "p3")
    assert select_proxy("https://b.example/", proxies) == (True, "p4")
    assert select_proxy("https://b.example/", {"http": "p"}) == (False, None)
    assert select_proxy("http://b.example/", None) == (False, None)


def test_select_none_and_dict_no_proxy():
    assert select_proxy("http://a.example/", {"http": None}) == (True, None)
    proxies = {"all": "http://p", "no_proxy": "internal.example"}
    assert select_proxy("http://internal.example/", proxies) == (True, None)
    assert select_proxy("http://public.example/", proxies) == (True, "http://p")


# ---------------------------------------------------------------- precedence


ENV = {"http_proxy": "http://env:1", "https_proxy": "http://envs:2", "no_proxy": "direct.example"}


def test_precedence_request_over_session_over_env():
    url = "http://a.example/"
    both = resolve_proxy(url, {"http": "http://req:1"}, {"http": "http://sess:1"}, True, ENV)
    assert both.host == "req"
    assert resolve_proxy(url, None, {"http": "http://sess:1"}, True, ENV).host == "sess"
    assert resolve_proxy(url, {}, {}, True, ENV).host == "env"
    assert resolve_proxy(url, None, None, False, ENV) is None


def test_layers_without_a_matching_key_defer():
    proxy = resolve_proxy("https://a.example/", {"http": "http://req:1"}, None, True, ENV)
    assert proxy.host == "envs"


def test_explicit_none_disables_lower_layers():
    assert resolve_proxy("http://a.example/", {"http": None}, {"http": "http://s"}, True,
                         ENV) is None
    assert resolve_proxy("http://a.example/", None, {"all": ""}, True, ENV) is None


def test_env_no_proxy_applies_to_env_proxies_only():
    assert resolve_proxy("http://direct.example/", None, None, True, ENV) is None
    explicit = resolve_proxy("http://direct.example/", None, {"http": "http://s"}, True, ENV)
    assert explicit.host == "s"


def test_dict_no_proxy_applies_to_its_dict():   # requests#5000
    session = {"http": "http://s:1", "no_proxy": "intranet.example"}
    assert resolve_proxy("http://intranet.example/", None, session, True, ENV) is None
    assert resolve_proxy("http://www.example/", None, session, True, ENV).host == "s"
    # a no_proxy-only dict excludes hosts from every layer below it
    assert resolve_proxy("http://a.example/", {"no_proxy": "a.example"}, None, True,
                         ENV) is None


def test_resolve_accepts_proxy_objects_and_url_objects():
    proxy = Proxy("http://p:3128")
    assert resolve_proxy(URL("http://a.example/"), {"all": proxy}, None, False) is proxy


def test_resolve_never_reads_ca_bundle_variables():
    env = {"REQUESTS_CA_BUNDLE": "/tmp/ca.pem", "CURL_CA_BUNDLE": "/tmp/ca.pem"}
    assert resolve_proxy("https://a.example/", None, None, True, env) is None


# ---------------------------------------------------------------- Proxy


@pytest.mark.parametrize("url, scheme, host, port", [
    ("http://proxy.example:3128", "http", "proxy.example", 3128),
    ("http://proxy.example", "http", "proxy.example", 80),
    ("https://proxy.example", "https", "proxy.example", 443),
    ("proxy.example:8080", "http", "proxy.example", 8080),
    ("proxy.example", "http", "proxy.example", 80),
    (b"HTTP://Proxy.Example:1/", "http", "proxy.example", 1),
    ("http://[::1]:3128", "http", "::1", 3128),
])
def test_proxy_parsing(url, scheme, host, port):
    proxy = Proxy(url)
    assert (proxy.scheme, proxy.host, proxy.port) == (scheme, host, port)
    assert proxy.authorization is None
    assert proxy.is_tls is (scheme == "https")


def test_proxy_credentials_become_basic_header_and_stay_hidden():
    proxy = Proxy("http://us%40er:p%3Ass@proxy.example:3128")
    assert (proxy.username, proxy.password) == ("us@er", "p:ss")
    assert proxy.authorization == basic_auth_header("us@er", "p:ss")
    assert proxy.proxy_authorization == proxy.authorization
    for text in (str(proxy), repr(proxy)):
        assert "p:ss" not in text and "p%3Ass" not in text
    assert str(proxy) == "http://proxy.example:3128"
    assert proxy != Proxy("http://proxy.example:3128")
    assert proxy == Proxy("http://us%40er:p%3Ass@proxy.example:3128")
    assert len(set([proxy, Proxy("http://us%40er:p%3Ass@proxy.example:3128")])) == 1


@pytest.mark.parametrize("url, scheme, port", [
    ("socks5://localhost:1080", "socks5", 1080), ("socks5h://proxy.example", "socks5h", 1080),
    ("socks4://10.0.0.1:9050", "socks4", 9050), ("SOCKS4A://proxy.example:1", "socks4a", 1),
    ("socks://[::1]:1081", "socks5", 1081)])
def test_socks_proxy_urls(url, scheme, port):
    proxy = Proxy(url)
    assert (proxy.scheme, proxy.port, proxy.is_socks) == (scheme, port, True)
    assert proxy.authorization is None and not proxy.is_tls
    assert str(proxy).startswith(scheme + "://") and str(proxy).endswith(":%d" % port)


def test_socks_credentials_are_kept_but_never_shown():
    proxy = Proxy("socks5h://us%40er:s3cret@proxy.example:1080")
    assert (proxy.username, proxy.password) == ("us@er", "s3cret")
    assert "s3cret" not in str(proxy) and "s3cret" not in repr(proxy)
    assert proxy.authorization is None  # never a Proxy-Authorization header


@pytest.mark.parametrize("url", ["ftp://proxy.example", "http://", "http://:8080", "", "socks5://",
                                 "http://proxy.example:99999"])
def test_invalid_proxy_urls(url):
    with pytest.raises(InvalidProxyURL) as info:
        Proxy(url)
    assert isinstance(info.value, InvalidURL)


def test_invalid_proxy_url_error_hides_password():
    with pytest.raises(InvalidProxyURL) as info:
        Proxy("http://user:s3cret@:8080")
    assert "s3cret" not in str(info.value)


def test_resolve_takes_socks_from_env():
    proxy = resolve_proxy("http://a.example/", None, None, True, {"all_proxy": "socks5h://x:1"})
    assert (proxy.scheme, proxy.host, proxy.port) == ("socks5h", "x", 1)
