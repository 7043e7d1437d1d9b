# -*- coding: utf-8 -*-
"""Redirect policy: Location resolution, method rewrites, credential stripping."""
from __future__ import absolute_import, division, print_function

import io

import pytest

from httpkit._cookies import CookieJar, cookiejar_from_dict
from httpkit._models import Headers, PreparedRequest, Response
from httpkit._redirects import (DEFAULT_MAX_REDIRECTS, check_redirect_count, is_redirect,
                                redirect_request, should_strip_auth)
from httpkit._urls import URL
from httpkit.exceptions import (InvalidSchema, InvalidURL, TooManyRedirects,
                                UnrewindableBodyError)


def redirect(request, status, location, *set_cookies):
    headers = Headers()
    if location is not None:
        headers["Location"] = location
    for value in set_cookies:
        headers.add("Set-Cookie", value)
    return Response(status, "", headers, request)


def hop(url, status, location, method="GET", **kwargs):
    request = PreparedRequest(method, url, **kwargs)
    return redirect_request(request, redirect(request, status, location))


@pytest.mark.parametrize("location, expected", [
    ("/b", "http://example.com/b"),
    ("c", "http://example.com/a/c"),
    ("../up?q=1", "http://example.com/up?q=1"),
    ("//other.example/x", "http://other.example/x"),
    ("https://secure.example/", "https://secure.example/"),
])
def test_location_resolution(location, expected):
    assert hop("http://example.com/a/b", 302, location).url == expected


@pytest.mark.parametrize("location, expected", [
    ("/with#frag2", "http://example.com/with#frag2"),
    ("/keeps", "http://example.com/keeps#top"),
    ("https://other.example/", "https://other.example/#top"),
])
def test_fragment_is_kept_unless_location_has_one(location, expected):
    assert hop("http://example.com/a/b#top", 302, location).url == expected


def test_utf8_location_is_decoded():
    raw = u"/caf\xe9".encode("utf-8").decode("latin-1")  # how it arrives on the wire
    assert hop("http://example.com/", 302, raw).parsed_url.path == "/caf%C3%A9"


@pytest.mark.parametrize("location", ["ftp://example.com/file", "javascript:alert(1)"])
def test_bad_scheme_location_names_the_location(location):
    with pytest.raises(InvalidSchema) as info:
        hop("http://example.com/", 302, location)
    assert location in str(info.value) and info.value.response.status_code == 302


def test_control_characters_in_location_are_refused():
    request = PreparedRequest("GET", "http://example.com/")
    response = redirect(request, 302, "/ok")
    response.headers._items[0][2] = "/x\r\nSet-Cookie: a=b"  # as a lenient parser might give
    with pytest.raises(InvalidURL) as info:
        redirect_request(request, response)
    assert "Location" in str(info.value)


def test_missing_location():
    request = PreparedRequest("GET", "http://example.com/")
    response = redirect(request, 302, None)
    assert not is_redirect(response)
    with pytest.raises(InvalidURL):
        redirect_request(request, response)


def test_is_redirect():
    request = PreparedRequest("GET", "http://example.com/")
    for status in (301, 302, 303, 307, 308):
        assert is_redirect(redirect(request, status, "/x"))
    assert not is_redirect(redirect(request, 300, "/x"))
    assert not is_redirect(redirect(request, 304, "/x"))
    assert not is_redirect(redirect(request, 302, ""))
    # the Response property agrees: an empty Location is not followed (it is the response)
    assert not redirect(request, 302, "").is_redirect
    assert not redirect(request, 301, "").is_permanent_redirect
    assert redirect(request, 308, "/x").is_permanent_redirect


@pytest.mark.parametrize("status, method, expected", [
    (301, "POST", "GET"), (301, "PUT", "PUT"), (301, "HEAD", "HEAD"),
    (302, "POST", "GET"), (302, "PUT", "GET"), (302, "DELETE", "GET"), (302, "HEAD", "HEAD"),
    (303, "POST", "GET"), (303, "PUT", "GET"), (303, "HEAD", "HEAD"),
    (307, "POST", "POST"), (307, "PUT", "PUT"), (308, "POST", "POST"), (308, "PATCH", "PATCH"),
])
def test_method_rules(status, method, expected):
    assert hop("http://example.com/", status, "/next", method=method).method == expected


def test_body_and_body_headers_dropped_when_not_307_308():
    headers = {"Content-Type": "text/plain", "Content-Length": "4", "X-Keep": "1"}
    new = hop("http://example.com/", 302, "/n", method="POST", headers=headers, body=b"data")
    assert new.body is None and new.body_length is None
    assert "Content-Type" not in new.headers and "Content-Length" not in new.headers
    assert new.headers["X-Keep"] == "1"
    new = hop("http://example.com/", 301, "/n", method="PUT",
              headers={"Transfer-Encoding": "chunked"}, body=iter([b"x"]))
    assert new.body is None and "Transfer-Encoding" not in new.headers


@pytest.mark.parametrize("status", [307, 308])
def test_307_308_keep_method_body_and_headers(status):
    new = hop("http://example.com/", status, "/n", method="POST",
              headers={"Content-Type": "application/json"}, body=b"{}", body_length=2)
    assert (new.method, new.body, new.body_length) == ("POST", b"{}", 2)
    assert new.headers["Content-Type"] == "application/json"


def test_307_with_one_shot_iterator_is_unrewindable():
    with pytest.raises(UnrewindableBodyError):
        hop("http://example.com/", 307, "/n", method="POST", body=(b for b in [b"x"]))


def test_307_that_cannot_rewind_names_the_redirect():
    def refuse(new_request):
        raise UnrewindableBodyError("the request body cannot be sent twice")
    request = PreparedRequest("POST", "http://example.com/up", body=(b for b in [b"x"]))
    with pytest.raises(UnrewindableBodyError) as info:
        redirect_request(request, redirect(request, 307, "/next"), rewind_body=refuse)
    message = str(info.value)
    assert "307 redirect" in message and "POST" in message, message
    assert "http://example.com/next" in message and "generator" in message, message
    assert info.value.request is request


def test_location_credentials_are_basic_auth_for_that_hop_and_leave_the_url():
    new = hop("http://example.com/", 302, "http://u%40x:p%3Aw@other.example/in",
              headers={"Authorization": "Bearer mine"})
    assert new.url == "http://other.example/in"
    assert new.parsed_url.username is None
    assert new.headers["Authorization"] == "Basic dUB4OnA6dw=="  # u@x:p:w
    # at the next change of origin they are dropped like any Authorization
    after = redirect_request(new, redirect(new, 302, "http://third.example/"))
    assert "Authorization" not in after.headers


def test_307_rewind_seam():
    body = io.BytesIO(b"payload")
    body.read()
    request = PreparedRequest("POST", "http://example.com/", body=body)
    seen = []

    def rewind(new_request):
        seen.append(new_request)
        new_request.body.seek(0)

    new = redirect_request(request, redirect(request, 307, "/n"), rewind_body=rewind)
    assert seen == [new] and new.body is body and body.read() == b"payload"
    replaced = redirect_request(request, redirect(request, 308, "/n"),
                                rewind_body=lambda r: b"fresh")
    assert replaced.body == b"fresh"

    def refuse(new_request):
        raise UnrewindableBodyError("no")

    with pytest.raises(UnrewindableBodyError):
        redirect_request(request, redirect(request, 307, "/n"), rewind_body=refuse)


SECRETS = {"Authorization": "Basic x", "Proxy-Authorization": "Basic p", "Cookie": "a=1"}


def test_same_origin_keeps_credentials():
    new = hop("https://example.com/a", 302, "/b", headers=SECRETS)
    for name in SECRETS:
        assert name in new.headers


@pytest.mark.parametrize("start, location", [
    ("https://example.com/", "https://evil.example/"),
    ("https://example.com/", "https://example.com:8443/"),
    ("https://example.com/", "http://example.com/"),   # https -> http, same host
    ("http://example.com:8080/", "https://example.com/"),
    ("http://example.com/", "https://example.com:8443/"),
])
def test_new_origin_drops_credentials(start, location):
    new = hop(start, 302, location, headers=dict(SECRETS, Host="example.com"))
    for name in ("Authorization", "Proxy-Authorization", "Cookie", "Host"):
        assert name not in new.headers


def test_http_to_https_upgrade_keeps_authorization_only():
    new = hop("http://example.com/", 301, "https://example.com/", headers=SECRETS)
    assert new.headers["Authorization"] == "Basic x"
    assert "Cookie" not in new.headers and "Proxy-Authorization" not in new.headers


def test_should_strip_auth():
    strip = lambda a, b: should_strip_auth(URL(a), URL(b))  # noqa: E731
    assert not strip("http://a.example/", "http://a.example/x")
    assert not strip("http://a.example/", "https://a.example/")
    assert not strip("http://a.example:80/", "https://a.example:443/")
    assert strip("https://a.example/", "http://a.example/")
    assert strip("http://a.example/", "http://b.example/")
    assert strip("http://a.example/", "http://a.example:81/")


def test_cookies_extracted_then_rebuilt_for_new_url():
    jar = CookieJar()
    request = PreparedRequest("GET", "http://a.example/login", headers={"Cookie": "stale=1"})
    response = redirect(request, 302, "/home", "session=s1; Path=/")
    new = redirect_request(request, response, cookie_jar=jar)
    assert jar["session"] == "s1" and new.headers["Cookie"] == "session=s1"


def test_cookies_do_not_follow_to_another_site():
    jar = cookiejar_from_dict({})
    request = PreparedRequest("GET", "http://a.example/")
    response = redirect(request, 302, "http://b.example/", "only_a=1")
    new = redirect_request(request, response, cookie_jar=jar)
    assert "Cookie" not in new.headers and jar["only_a"] == "1"


def test_original_request_is_unchanged():
    request = PreparedRequest("POST", "http://example.com/", headers=SECRETS, body=b"x")
    redirect_request(request, redirect(request, 302, "http://other.example/"))
    assert request.method == "POST" and request.body == b"x"
    assert request.headers["Authorization"] == "Basic x"


def test_check_redirect_count():
    request = PreparedRequest("GET", "http://user:pw@loop.example/a")
    responses = [redirect(request, 302, "/a") for _ in range(3)]
    check_redirect_count(responses[:2], 3, responses[2])
    with pytest.raises(TooManyRedirects) as info:
        check_redirect_count(responses, 3, responses[0])
    message = str(info.value)
    assert "Exceeded 3 redirects" in message and "loop.example/a" in message
    assert "pw" not in message and info.value.response is responses[0]
    assert DEFAULT_MAX_REDIRECTS == 30


def test_too_many_redirects_message_stays_short_when_urls_grow():
    # A relative Location like "x/" grows the URL on every hop of a loop.
    request = PreparedRequest("GET", "http://loop.example/" + "x/" * 400)
    responses = [redirect(request, 302, "x/" * 400) for _ in range(3)]
    with pytest.raises(TooManyRedirects) as info:
        check_redirect_count(responses, 3, responses[0])
    message = str(info.value)
    assert len(message) < 800 and "http://loop.example/x/x/" in message and "..." in message
