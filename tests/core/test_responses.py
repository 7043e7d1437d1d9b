"""Response bookkeeping with no I/O: encoding, JSON errors, body readers, pickling, cookies."""
from __future__ import absolute_import, division, print_function

import datetime
import json
import pickle

import pytest

import httpkit
from httpkit._charset import response_encoding
from httpkit._cookies import CookieConflictError, CookieJar, cookies_set_by, \
    override_cookies
from httpkit._models import Headers, PreparedRequest, Response


def make_response(body=b"", content_type=None, url="http://example.com/", set_cookie=()):
    headers = Headers()
    if content_type:
        headers["Content-Type"] = content_type
    for value in set_cookie:
        headers.add("Set-Cookie", value)
    response = Response(200, "OK", headers, PreparedRequest("GET", url))
    response._content = body
    return response


# ---- encoding: requests' get_encoding_from_headers, case by case
@pytest.mark.parametrize("content_type, expected", [
    (None, None),
    ("application/json", "utf-8"),
    ("application/json; charset=utf-8", "utf-8"),
    ("application/json; charset=latin-1", "utf-8"),   # RFC 8259: no charset for JSON
    ("application/problem+json", "utf-8"),
    ("text/plain", None),                             # requests: ISO-8859-1 (text guesses)
    ("text/html; charset", None),                     # requests: ISO-8859-1
    ('text/html; charset="ISO-8859-2"', "ISO-8859-2"),
    ("text/html; charset='utf-8'", "utf-8"),
    ("text/plain; CHARSET=UTF-8", "UTF-8"),
    ("text/plain; charset=no-such-codec", None),      # requests: the unusable name
    ("application/octet-stream", None),
])
def test_response_encoding_cases(content_type, expected):
    headers = Headers([("Content-Type", content_type)]) if content_type else Headers()
    assert response_encoding(headers) == expected
    assert make_response(content_type=content_type).encoding == expected


def test_encoding_set_by_the_user_wins_and_json_still_decodes():
    response = make_response(u'{"a": "\u00e9"}'.encode("utf-8"), "application/json")
    assert response.encoding == "utf-8"
    assert response.json() == {"a": u"\u00e9"}
    response.encoding = "latin-1"
    assert response.encoding == "latin-1" and response.text == u'{"a": "\u00c3\u00a9"}'


# ---- JSONDecodeError
def test_json_decode_error_is_json_s_own_on_3x():
    response = make_response(b'{"a": 1} trailing', "application/json")
    with pytest.raises(httpkit.JSONDecodeError) as info:
        response.json()
    exc = info.value
    assert isinstance(exc, ValueError) and isinstance(exc, httpkit.RequestException)
    assert exc.response is response and exc.request is response.request
    assert exc.doc == u'{"a": 1} trailing'
    assert "not valid JSON" in str(exc) and exc.doc not in str(exc)
    if hasattr(json, "JSONDecodeError"):
        assert isinstance(exc, json.JSONDecodeError)
        assert (exc.msg, exc.pos, exc.lineno, exc.colno) == ("Extra data", 9, 1, 10)


def test_json_decode_error_pickles_like_requests():
    exc = httpkit.JSONDecodeError("Extra data", u'{"a":1}{"a":1}', 7)
    again = pickle.loads(pickle.dumps(exc))
    assert repr(again) == repr(exc) and (again.msg, again.doc, again.pos) == \
        ("Extra data", u'{"a":1}{"a":1}', 7)


# ---- one reader per body
def test_a_second_reader_names_the_first():
    response = make_response()
    response._content = None
    response._stream = object()  # the stream itself is never touched here
    assert response._take_stream("r.raw.read()") is response._stream
    with pytest.raises(httpkit.StreamConsumedError) as info:
        response._take_stream("r.iter_content()")
    assert "already consumed by r.raw.read()" in str(info.value)
    with pytest.raises(httpkit.StreamConsumedError):
        response._check_unconsumed()


def test_iterating_a_response_is_iter_content_128():
    response = make_response(bytes(bytearray(range(256))) * 2)
    chunks = list(response)
    assert [len(c) for c in chunks] == [128] * 4 and b"".join(chunks) == response.content


def test_next_is_none_unless_a_redirect_was_not_followed():
    assert make_response().next is None


# ---- pickling
def test_response_pickles_with_body_cookies_history_and_request():
    first = make_response(b"moved", url="http://example.com/a", set_cookie=["a=1"])
    first.cookies = cookies_set_by(first)
    final = make_response(b"body", "text/plain; charset=utf-8", "http://example.com/b")
    final.history = [first]
    final.encoding = "ascii"
    final._elapsed = 0.25  # as the network path leaves it: seconds, made a timedelta on use
    again = pickle.loads(pickle.dumps(final))
    assert again.elapsed == datetime.timedelta(seconds=0.25) == final.elapsed
    assert (again.status_code, again.content, again.url, again.encoding) == \
        (200, b"body", "http://example.com/b", "ascii")
    assert again.request.url == final.request.url and again.request.headers == \
        final.request.headers
    assert [h.url for h in again.history] == ["http://example.com/a"]
    assert again.history[0].cookies.get_dict() == {"a": "1"}


def test_response_drops_a_request_that_cannot_pickle():
    response = make_response(b"x")
    response.request.hooks = {"response": [lambda r, **kw: None]}
    assert pickle.loads(pickle.dumps(response)).request is None


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_session_pickles_settings_not_its_pool(protocol):
    with httpkit.Session(headers={"X-A": "1"}, params={"p": "1"}, auth=("u", "p"),
                         timeout=(3, 7), max_redirects=4, verify=False,
                         cookies={"c": "1"}) as session:
        again = pickle.loads(pickle.dumps(session, protocol))
    try:
        assert again.headers["X-A"] == "1" and again.params == {"p": "1"}
        assert again.auth == ("u", "p") and again.timeout == session.timeout
        assert again.max_redirects == 4 and again.verify is False
        assert again.cookies.get_dict() == {"c": "1"}
        assert again._driver is not session._driver and again.cache is None
    finally:
        again.close()


def test_digest_auth_pickles_its_credentials_only():
    auth = httpkit.DigestAuth("user", "pass")
    again = pickle.loads(pickle.dumps(auth))
    assert again._username == "user" and again._password == "pass" and again._spaces == {}


# ---- the jar methods requests users call
def test_jar_methods_requests_users_call():
    jar = CookieJar()
    jar.set("a", "1", domain="one.example", path="/")
    jar.set("b", "2", domain="two.example", path="/x")
    assert sorted(jar.iterkeys()) == ["a", "b"] and sorted(jar.itervalues()) == ["1", "2"]
    assert sorted(jar.iteritems()) == [("a", "1"), ("b", "2")]
    assert not isinstance(jar.iteritems(), list) and isinstance(jar.items(), list)
    assert jar.get_dict(domain="two.example", path="/x") == {"b": "2"}
    assert jar.get_dict(path="/") == {"a": "1"}
    assert jar.multiple_domains() and jar.list_domains() == ["one.example", "two.example"]
    assert jar.list_paths() == ["/", "/x"]
    with pytest.raises(KeyError) as info:
        jar["missing"]
    assert "name='missing'" in str(info.value)
    jar.set("a", "3", domain="two.example")
    with pytest.raises(CookieConflictError):
        jar["a"]
    assert isinstance(CookieConflictError("x"), RuntimeError)  # requests' base


def test_jar_policy_survives_copy():
    from httpkit._cookies import cookiejar

    class MyPolicy(cookiejar.DefaultCookiePolicy):
        pass

    jar = CookieJar()
    jar.set_policy(MyPolicy())
    assert isinstance(jar.get_policy(), MyPolicy)
    assert isinstance(jar.copy().get_policy(), MyPolicy)


def test_request_cookies_override_every_same_named_cookie():
    jar = CookieJar()
    jar.set("a", "server", domain="example.com", path="/")
    jar.set("a", "deep", domain="example.com", path="/x")
    jar.set("b", "kept", domain="example.com")
    override_cookies(jar, {"a": "mine"})
    assert sorted(jar.items()) == [("a", "mine"), ("b", "kept")]


def test_cookies_set_by_holds_only_that_response():
    response = make_response(set_cookie=["a=1; Path=/", "b=2; Path=/"])
    assert cookies_set_by(response).get_dict() == {"a": "1", "b": "2"}
    assert len(cookies_set_by(make_response())) == 0


# ---- a Response built by hand with a file as its body (requests' tests and mocks do this)
def hand_made(body):
    response = Response(200, "OK", Headers(), None)
    response.raw = body
    return response


def test_a_file_set_as_raw_is_the_body():
    import io
    assert hand_made(io.BytesIO(b"the content")).content == b"the content"
    assert list(hand_made(io.BytesIO(b"the content")).iter_content(4)) == \
        [b"the ", b"cont", b"ent"]
    assert list(hand_made(io.BytesIO(b"abc")).iter_content(None)) == [b"abc"]
    assert next(iter(hand_made(io.StringIO(u"abc")))) == b"abc"
    chunks = hand_made(io.BytesIO(b"the content")).iter_content(decode_unicode=True)
    assert u"".join(chunks) == u"the content"
    response = hand_made(io.BytesIO(b"x"))
    response.close()
    assert response.raw.closed


def test_iter_content_chunk_size_must_be_an_int_or_none():
    with pytest.raises(TypeError):
        make_response(b"abc").iter_content("1024")
    assert list(make_response(b"abc").iter_content(None)) == [b"abc"]


def test_second_reader_of_a_hand_made_body_raises():
    import io
    response = hand_made(io.BytesIO(b"the content"))
    next(response.iter_content(3))
    with pytest.raises(httpkit.StreamConsumedError):
        response.content
