"""Cookie jar semantics over httpkit's Request/Response."""
from __future__ import absolute_import, division, print_function

import pickle
import threading

import pytest

from httpkit._cookies import cookiejar
from httpkit._cookies import (CookieConflictError, CookieJar, add_cookie_header,
                              cookiejar_from_dict, create_cookie, extract_cookies,
                              merge_cookies)
from httpkit._models import Headers, PreparedRequest, Response


def response_with(url, *set_cookies):
    headers = Headers()
    for value in set_cookies:
        headers.add("Set-Cookie", value)
    return Response(200, "OK", headers, PreparedRequest("GET", url))


def cookie_header(jar, url, **kwargs):
    request = PreparedRequest("GET", url, **kwargs)
    add_cookie_header(jar, request)
    return request.headers.get("Cookie")


def test_is_a_stdlib_jar():
    assert isinstance(CookieJar(), cookiejar.CookieJar)


def test_cookie_over_4096_bytes_is_dropped():
    jar = CookieJar()
    name_and_value_4096 = "n=" + "v" * 4095  # len("n") + 4095 == 4096: kept
    extract_cookies(jar, response_with("http://example.com/", name_and_value_4096,
                                       "big=" + "x" * 4094, "small=1"))
    assert sorted(jar.keys()) == ["n", "small"]


def test_extract_then_send_back_to_matching_urls_only():
    jar = CookieJar()
    extract_cookies(jar, response_with("http://example.com/app/login",
                                       "sid=abc; Path=/app", "theme=dark; Path=/",
                                       "sec=1; Secure"))
    assert jar.get_dict() == {"sid": "abc", "theme": "dark", "sec": "1"}
    assert cookie_header(jar, "http://example.com/app/x") == "sid=abc; theme=dark"
    assert cookie_header(jar, "http://example.com/other") == "theme=dark"
    assert "sec=1" in cookie_header(jar, "https://example.com/app/")
    assert cookie_header(jar, "http://other.example/app/") is None


def test_domain_cookie_and_userinfo_in_url():
    jar = CookieJar()
    extract_cookies(jar, response_with("http://user:pw@www.example.com/",
                                       "d=1; Domain=example.com"))
    assert cookie_header(jar, "http://api.example.com/") == "d=1"
    assert cookie_header(jar, "http://example.org/") is None


def test_port_in_url_and_explicit_cookie_header_wins():
    jar = cookiejar_from_dict({"a": "1"})
    jar.set("b", "2", domain="other.example")
    assert cookie_header(jar, "http://localhost:8080/") == "a=1"
    assert cookie_header(jar, "http://localhost:8080/", headers={"Cookie": "mine=1"}) == "mine=1"


def test_no_set_cookie_is_a_no_op():
    jar = CookieJar()
    extract_cookies(jar, response_with("http://example.com/"))
    assert len(jar) == 0


def test_dict_like_access():
    jar = CookieJar()
    jar["a"] = "1"
    jar.set("b", "2", domain="example.com", path="/p")
    assert jar["a"] == "1" and "b" in jar and "zz" not in jar
    assert jar.get("b", domain="example.com") == "2"
    assert jar.get("missing", "dflt") == "dflt"
    assert sorted(jar.keys()) == ["a", "b"] and sorted(jar.values()) == ["1", "2"]
    assert sorted(jar.items()) == [("a", "1"), ("b", "2")]
    assert jar.list_domains() == ["", "example.com"] and jar.list_paths() == ["/", "/p"]
    assert jar.get_dict(domain="example.com") == {"b": "2"}
    del jar["a"]
    assert "a" not in jar
    jar.set("b", None)
    assert len(jar) == 0
    with pytest.raises(KeyError):
        jar["b"]


def test_conflicting_names_raise_clear_error():
    jar = CookieJar()
    jar.set("sid", "1", domain="a.example")
    jar.set("sid", "2", domain="b.example")
    with pytest.raises(CookieConflictError) as info:
        jar["sid"]
    assert "domain=" in str(info.value) and "a.example" in str(info.value)
    assert jar.get("sid", domain="b.example") == "2"


def test_update_copy_and_merge():
    jar = cookiejar_from_dict({"a": "1"})
    other = cookiejar_from_dict({"b": "2"})
    jar.update(other)
    jar.update({"c": "3"})
    assert jar.get_dict() == {"a": "1", "b": "2", "c": "3"}
    clone = jar.copy()
    clone["a"] = "changed"
    assert jar["a"] == "1" and clone["a"] == "changed"
    merged = merge_cookies(jar, {"a": "ignored", "d": "4"})
    assert merged is jar and jar["a"] == "1" and jar["d"] == "4"
    merge_cookies(jar, cookiejar_from_dict({"a": "replaced"}))
    assert jar["a"] == "replaced"
    with pytest.raises(TypeError):
        merge_cookies({}, {"a": "1"})


def test_cookiejar_from_dict_overwrite_flag():
    jar = cookiejar_from_dict({"a": "1"})
    cookiejar_from_dict({"a": "2"}, jar, overwrite=False)
    assert jar["a"] == "1"
    cookiejar_from_dict({"a": "2"}, jar)
    assert jar["a"] == "2"


def test_create_cookie_rejects_unknown_attributes():
    with pytest.raises(TypeError):
        create_cookie("a", "1", colour="blue")


def test_save_and_load_lwp(tmpdir):
    jar = CookieJar()
    extract_cookies(jar, response_with("http://example.com/",
                                       "keep=1; Max-Age=3600", "session=2"))
    path = str(tmpdir.join("cookies.lwp"))
    jar.save(path)
    with open(path) as f:
        assert f.readline().startswith("#LWP-Cookies")
    loaded = CookieJar()
    loaded.load(path)
    assert loaded.get_dict() == {"keep": "1", "session": "2"}
    assert cookie_header(loaded, "http://example.com/") in ("keep=1; session=2",
                                                            "session=2; keep=1")


def test_pickle_round_trip():
    jar = cookiejar_from_dict({"a": "1"})
    again = pickle.loads(pickle.dumps(jar))
    assert again["a"] == "1"
    again["b"] = "2"
    assert len(again) == 2


def test_threads_share_one_jar():
    jar = CookieJar()
    errors = []

    def work(i):
        try:
            for j in range(50):
                extract_cookies(jar, response_with("http://example.com/",
                                                   "c%d_%d=v" % (i, j)))
                cookie_header(jar, "http://example.com/")
                jar.items()
        except Exception as exc:  # pragma: no cover - the failure being tested
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(jar) == 200


def test_public_namespace_has_requests_names():
    import httpkit.cookies
    assert httpkit.cookies.RequestsCookieJar is CookieJar
    assert httpkit.cookies.CookieConflictError is CookieConflictError
    jar = httpkit.cookies.cookiejar_from_dict({"a": "1"})
    jar.set("a", "2", path="/other")
    with pytest.raises(httpkit.cookies.CookieConflictError) as info:
        jar.get("a")
    assert "path=" in str(info.value)
    assert jar.get("a", path="/other") == "2"


def test_quoted_value_with_escaped_quotes_is_unescaped():
    # Werkzeug writes the value "bar:baz" (quotes included) as "\"bar:baz\"".
    jar = CookieJar()
    extract_cookies(jar, response_with("http://a.example/", 'foo="\\"bar:baz\\""; Path=/'))
    assert jar["foo"] == '"bar:baz"'
    assert cookie_header(jar, "http://a.example/") == 'foo="bar:baz"'
    extract_cookies(jar, response_with("http://a.example/", 'plain="x y"'))
    assert jar["plain"] == '"x y"'  # quotes kept: sent back exactly as the server set them
