# -*- coding: utf-8 -*-
"""THE scenario corpus: what requests users rely on, run against every front-end.

The adapter seam
================
A scenario is a plain function ``scenario(adapter, servers)`` registered with
``@scenario`` in :data:`SCENARIOS`; it makes calls through ``adapter`` and
asserts on plain snapshots (``results.Result``), never on a front-end's own
objects. One test file per front-end parametrizes over :data:`SCENARIOS`::

    @pytest.mark.parametrize("scenario", SCENARIOS, ids=scenario_ids())
    def test_scenario(scenario, scenario_servers):
        scenario(MyAdapter(), scenario_servers)

An adapter is any object with (all calls BLOCK until done and never raise
httpkit errors: those are captured in the Result; any other exception
propagates and fails the scenario):

``name``
    ``"sync"``, ``"asyncio"``, ``"twisted"``.
``request(method, url, **requests_kwargs) -> Result``
    One request through the front-end's module-level API (a throw-away
    session), e.g. ``httpkit.request`` / ``await httpkit.aio.request``.
    ``requests_kwargs`` are requests' ``Session.request`` keywords (params,
    data, headers, cookies, files, auth, timeout, allow_redirects, proxies,
    hooks, stream, verify, cert, json). The body is read before snapshotting.
``session(mounts=None, **session_kwargs)`` -> context manager yielding a session handle
    ``session_kwargs`` are ``httpkit.Session(...)`` keywords (headers, cookies,
    auth, params, proxies, verify, cert, timeout, retries, max_redirects,
    trust_env, limits, max_decoded_size, ...); ``mounts`` is
    ``{prefix: transport}``, each given to ``session.mount()``. Leaving the
    block closes the session. The handle has:

    ``request(method, url, **requests_kwargs) -> Result``
    ``stream(method, url, chunk_size=1024, lines=False, max_chunks=None,
    reread=False, **requests_kwargs) -> StreamResult``
        Send with ``stream=True`` and iterate ``iter_content(chunk_size)``
        (or ``iter_lines(chunk_size)`` when ``lines``), stopping after
        ``max_chunks`` pieces if given, then ``close()`` the response. With
        ``reread`` iterate once more after closing and record the class name
        it raised (``StreamConsumedError``) in ``reread_error``. An error
        raised while iterating is recorded like a call error (``error`` ...),
        with the pieces received so far in ``chunks``.
    ``cookies() -> dict``
        ``{name: value}`` of the session's cookie jar.
    ``read_mixed(method, url, steps, **requests_kwargs) -> list``
        Send with ``stream=True`` and read the one response with each reader
        in ``steps`` in turn: ``"chunk"`` (the first 3-byte piece of a new
        iter_content(3) / aiter_content(3) / collect()), ``"all"`` (content /
        aread() / content()) and, blocking front-end only, ``"raw"``
        (``r.raw.read(3)``). Each step gives the bytes it read, or
        ``("StreamConsumedError", str(exc))``. The response is closed at the end.
    ``request_pickled(method, url, **requests_kwargs) -> Result``
        ``request(...)``, snapshotting the response after a pickle round trip.
    ``pickled() -> session handle``
        A handle on ``pickle.loads(pickle.dumps(session))`` (closed with this one).
``stream_chunks(method, url, chunk_size=1024, lines=False, max_chunks=None,
reread=False, **requests_kwargs) -> StreamResult``
    ``session().stream(...)`` in a throw-away session.

Build snapshots with ``results.result_from_response(response, warnings)`` /
``results.result_from_error(exc, warnings)`` (warnings: class names caught
with ``warnings.catch_warnings(record=True)`` around the call), so every
adapter fills them the same way. ``sync_adapter.py`` is the reference.

``servers`` is a :class:`scenarios.harness.Servers` (fixture
``scenario_servers`` in tests/conftest.py): shared ``http``/``https``
test servers and ``proxy`` (logs reset per scenario), factories for
``scripted(...)``, ``http_server(...)``, ``proxy_server(...)``,
``blackhole()``, ``set_env(...)`` and ``write_file(...)``, all undone at
teardown. Proxy variables and NETRC are cleared for every scenario.

Rules: loopback only; every wait bounded by a timeout; no timing assertions
that need the machine to be fast; 2.7-compatible syntax.
"""
from __future__ import absolute_import, division, print_function

import gzip
import hashlib
import io
import json
import time
import zlib

import httpkit
from servers import random_bytes

try:
    from urllib.parse import quote
except ImportError:  # 2.7
    from urllib import quote

__all__ = ["SCENARIOS", "scenario", "scenario_ids"]

SCENARIOS = []


def scenario(func):
    """Register ``func(adapter, servers)`` in :data:`SCENARIOS`."""
    SCENARIOS.append(func)
    return func


def scenario_ids():
    return [f.__name__ for f in SCENARIOS]


# --------------------------------------------------------------------------- helpers
def ok(result, status=200):
    """Assert ``result`` is a response with ``status``; return its JSON (or None)."""
    assert not result.raised, "raised %s: %s" % (result.error, result.error_message)
    assert result.status == status, (result.status, result.body[:500])
    return result.json


def raised(result, name, fragment=None):
    """Assert the call raised httpkit's ``name`` (or a subclass), mentioning ``fragment``."""
    assert result.raised, "expected %s, got %r" % (name, result)
    assert result.is_error(name), "expected %s, got %s: %s" % (
        name, result.error, result.error_message)
    if fragment is not None:
        assert fragment.lower() in result.error_message.lower(), result.error_message


def served(server, path):
    """Requests the shared test ``server`` logged for ``path``."""
    return [r for r in server.requests if r.path == path]


def redirect_to(server, target, status=302, host=None):
    return server.base_url("/redirect-to?status=%d&url=%s" % (status, quote(target, safe="")),
                           host=host)


def CA(servers):
    return {"verify": servers.ca_bundle}


# --------------------------------------------------------------------------- methods
@scenario
def methods_basic(adapter, servers):
    url = servers.http.base_url("/anything/m")
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
        doc = ok(adapter.request(method, url))
        assert doc["method"] == method
        assert doc["path"] == "/anything/m"
    for method in ("POST", "PUT", "PATCH"):
        doc = ok(adapter.request(method, url))
        assert doc["headers"].get("Content-Length") == "0", doc["headers"]
    head = adapter.request("HEAD", servers.http.base_url("/get"))
    ok(head)
    assert head.body == b""
    assert int(head.headers["content-length"]) > 0
    assert [r.method for r in servers.http.requests][-1] == "HEAD"
    res = adapter.request("GET", servers.http.base_url("/get"))
    assert res.ok and res.reason == "OK" and res.http_version == "HTTP/1.1"
    assert res.url == servers.http.base_url("/get")
    assert res.headers["content-type"] == "application/json"
    assert res.elapsed is not None and res.elapsed > 0  # a real exchange takes time


@scenario
def prepared_requests(adapter, servers):
    """requests' Request -> prepare -> (edit) -> Session.send, in every front-end."""
    http = servers.http
    with adapter.session(headers={"X-Session": "s"}, params={"sp": "1"}) as s:
        request = httpkit.Request("POST", http.base_url("/post"), params={"q": "x"},
                                  json={"a": 1}, headers={"X-Req": "r"}, cookies={"c": "v"},
                                  auth=("user", "pass"))
        prepared = s.session.prepare_request(request)
        assert isinstance(prepared, httpkit.PreparedRequest) and prepared.method == "POST"
        assert prepared.headers["X-Session"] == "s" and prepared.headers["X-Req"] == "r"
        assert "sp=1" in prepared.url and "q=x" in prepared.url
        prepared.headers["X-Signed"] = "sig"  # what request-signing code does
        res = s.send(prepared)
        doc = ok(res)
        assert doc["json"] == {"a": 1} and doc["args"] == {"q": "x", "sp": "1"}
        assert doc["headers"]["X-Signed"] == "sig" and doc["headers"]["X-Session"] == "s"
        assert res.request_headers["authorization"].startswith("Basic ")
        assert "c=v" in res.request_headers["cookie"]
        # Sending did not change the PreparedRequest: it can be sent again. (prepare()
        # wrote the Basic Authorization, as requests does; cookies are added per hop.)
        assert "Cookie" not in prepared.headers
        assert prepared.headers["Authorization"] == res.request_headers["authorization"]
        assert ok(s.send(prepared))["json"] == {"a": 1}
        # Request.prepare() alone carries no Session defaults; send() applies the
        # Session's redirects, and a URL can be changed after prepare().
        bare = httpkit.Request("GET", http.base_url("/nowhere")).prepare()
        assert "User-Agent" not in bare.headers
        bare.url = http.base_url("/redirect-to?url=/get")
        ok(s.send(bare, allow_redirects=False), 302)
        res = s.send(bare)
        assert ok(res)["path"] == "/get" and len(res.history) == 1
        # Credentials in a prepared URL are Basic auth, never sent in the URL.
        creds = httpkit.Request("GET", http.base_url("/basic-auth/u/p").replace(
            "://", "://u:p@")).prepare()
        assert "u:p@" not in creds.url
        assert ok(s.send(creds))["authenticated"] is True
        try:
            s.send(request)
        except TypeError as exc:
            assert "PreparedRequest" in str(exc)
        else:
            raise AssertionError("send() took a Request that was not prepared")


@scenario
def params_encoding(adapter, servers):
    url = servers.http.base_url("/get?z=0")
    doc = ok(adapter.request("GET", url, params={"a": ["1", "2"], "b": None, "c": "x y&=",
                                                   u"ü": u"ß"}))
    assert doc["args"].get("z") == "0" and doc["args"]["a"] == ["1", "2"], doc["args"]
    assert doc["args"]["c"] == "x y&=" and "b" not in doc["args"], doc["args"]
    target = servers.http.requests[-1].target
    assert target.startswith("/get?z=0&") and "%C3%BC=%C3%9F" in target.upper(), target
    doc = ok(adapter.request("GET", servers.http.base_url("/get"),
                             params=[("k", "1"), ("k", "2")]))
    assert doc["args"] == {"k": ["1", "2"]}
    with adapter.session(params={"s": "1"}) as s:
        doc = ok(s.request("GET", servers.http.base_url("/get"), params={"r": "2"}))
        assert doc["args"] == {"s": "1", "r": "2"}
        doc = ok(s.request("GET", servers.http.base_url("/get"), params={"s": None}))
        assert "s" not in doc["args"], doc["args"]


@scenario
def headers_merge_and_remove(adapter, servers):
    with adapter.session(headers={"X-Session": "s", "X-Gone": "g"}) as s:
        res = s.request("GET", servers.http.base_url("/headers"),
                        headers={"X-Request": "r", "X-Gone": None, "User-Agent": None,
                                 "accept": "text/plain"})
        hdrs = ok(res)["headers"]
    assert hdrs["X-Session"] == "s" and hdrs["X-Request"] == "r"
    assert "X-Gone" not in hdrs and "User-Agent" not in hdrs, hdrs
    assert hdrs["accept"] == "text/plain" and "Accept" not in hdrs, hdrs
    hdrs = ok(adapter.request("GET", servers.http.base_url("/headers")))["headers"]
    assert hdrs["User-Agent"].startswith("httpkit/")
    assert "gzip" in hdrs["Accept-Encoding"]


# --------------------------------------------------------------------------- bodies
@scenario
def body_json_and_form(adapter, servers):
    url = servers.http.base_url("/post")
    doc = ok(adapter.request("POST", url, json={"a": [1, 2], "u": u"\u2603"}))
    assert doc["json"] == {"a": [1, 2], "u": u"\u2603"}
    assert doc["headers"]["Content-Type"] == "application/json"
    doc = ok(adapter.request("POST", url, data={"name": "x y", "list": "1"}))
    assert doc["form"] == {"name": "x y", "list": "1"}
    assert doc["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    doc = ok(adapter.request("POST", url, data=[("k", "1"), ("k", "2")]))
    assert doc["data"] == "k=1&k=2"


@scenario
def body_bytes_text_file_generator(adapter, servers):
    url = servers.http.base_url("/post")
    payload = random_bytes(100000, "body")
    digest = hashlib.sha256(payload).hexdigest()
    doc = ok(adapter.request("POST", url, data=payload))
    assert doc["body_sha256"] == digest and doc["headers"]["Content-Length"] == "100000"
    doc = ok(adapter.request("POST", url, data=u"caf\u00e9"))
    assert doc["data"] == u"caf\u00e9" and doc["body_length"] == 5
    doc = ok(adapter.request("POST", url, data=io.BytesIO(payload)))
    assert doc["body_sha256"] == digest
    assert doc["headers"].get("Content-Length") == "100000", doc["headers"]
    path = servers.write_file("upload.bin", payload)
    with open(path, "rb") as f:
        doc = ok(adapter.request("POST", url, data=f))
    assert doc["body_sha256"] == digest and doc["headers"].get("Content-Length") == "100000"

    def gen():
        for i in range(0, len(payload), 7000):
            yield payload[i:i + 7000]
    doc = ok(adapter.request("POST", url, data=gen()))
    assert doc["body_sha256"] == digest
    assert doc["headers"].get("Transfer-Encoding") == "chunked", doc["headers"]
    assert "Content-Length" not in doc["headers"]


@scenario
def multipart_files(adapter, servers):
    a = random_bytes(5000, "a")
    b = b"plain text\r\n--not-a-boundary\r\n"
    files = {"first": ("a.bin", a, "application/x-custom"),
             "second": ("b.txt", io.BytesIO(b)),
             "third": b"no filename tuple"}
    doc = ok(adapter.request("POST", servers.http.base_url("/upload"), files=files,
                             data={"field": "value"}))
    assert doc["headers"]["Content-Type"].startswith("multipart/form-data; boundary=")
    parts = dict((p["name"], p) for p in doc["parts"])
    assert parts["first"]["filename"] == "a.bin"
    assert parts["first"]["content_type"] == "application/x-custom"
    assert parts["first"]["sha256"] == hashlib.sha256(a).hexdigest()
    assert parts["second"]["filename"] == "b.txt"
    assert parts["second"]["sha256"] == hashlib.sha256(b).hexdigest()
    assert parts["third"]["sha256"] == hashlib.sha256(b"no filename tuple").hexdigest()
    assert doc["form"] == {"field": "value"}


# --------------------------------------------------------------------------- redirects
@scenario
def redirects_rewrite_to_get(adapter, servers):
    target = servers.http.base_url("/anything/landed")
    for status in (301, 302, 303):
        res = adapter.request("POST", redirect_to(servers.http, target, status), data=b"body",
                              headers={"Content-Type": "text/plain"})
        doc = ok(res)
        assert doc["method"] == "GET", (status, doc["method"])
        assert doc["body_length"] == 0
        assert "Content-Length" not in doc["headers"] and "Content-Type" not in doc["headers"]
        assert [h[0] for h in res.history] == [status]
    # requests' rules: 303 and 302 turn every method but HEAD into GET; 301 only POST.
    assert ok(adapter.request("PUT", redirect_to(servers.http, target, 303)))["method"] == "GET"
    assert ok(adapter.request("PUT", redirect_to(servers.http, target, 302)))["method"] == "GET"
    # like requests, only 307/308 resend the body; a 301 keeps PUT but drops the body
    doc = ok(adapter.request("PUT", redirect_to(servers.http, target, 301), data=b"x"))
    assert doc["method"] == "PUT" and doc["data"] == "" and doc["body_length"] == 0


@scenario
def redirects_307_308_keep_method_and_body(adapter, servers):
    target = servers.http.base_url("/anything/landed")
    payload = random_bytes(20000, "r")

    def gen():
        yield payload[:10000]
        yield payload[10000:]
    for status in (307, 308):
        for data in (payload, io.BytesIO(payload)):
            res = adapter.request("POST", redirect_to(servers.http, target, status), data=data)
            doc = ok(res)
            assert doc["method"] == "POST"
            assert doc["body_sha256"] == hashlib.sha256(payload).hexdigest()
            assert res.history[0][0] == status
    res = adapter.request("PUT", redirect_to(servers.http, target, 308), json={"k": 1})
    assert ok(res)["json"] == {"k": 1}


@scenario
def redirects_relative_fragment_history(adapter, servers):
    res = adapter.request("GET", servers.http.base_url("/relative-redirect/3"))
    ok(res)
    assert [h[0] for h in res.history] == [302, 302, 302]
    assert res.history[0][1] == servers.http.base_url("/relative-redirect/3")
    assert res.history[1][1] == servers.http.base_url("/relative-redirect/2")
    assert res.url == servers.http.base_url("/get")
    res = adapter.request("GET", servers.http.base_url("/absolute-redirect/2"))
    assert ok(res)["path"] == "/get" and len(res.history) == 2
    res = adapter.request("GET", redirect_to(servers.http, "/anything/x?q=1#frag"))
    doc = ok(res)
    assert doc["path"] == "/anything/x" and doc["args"] == {"q": "1"}
    assert res.url.endswith("/anything/x?q=1#frag"), res.url
    # The original fragment is carried over when Location has none (RFC 9110 10.2.2).
    res = adapter.request("GET", servers.http.base_url("/redirect/1#keep"))
    assert res.url.endswith("/get#keep"), res.url
    assert all("#" not in r.target for r in servers.http.requests)


@scenario
def redirects_limits_and_disabled(adapter, servers):
    with adapter.session(max_redirects=3) as s:
        raised(s.request("GET", servers.http.base_url("/redirect/5")), "TooManyRedirects")
        assert ok(s.request("GET", servers.http.base_url("/redirect/3")))["path"] == "/get"
    raised(adapter.request("GET", servers.http.base_url("/redirect-cycle")), "TooManyRedirects")
    res = adapter.request("GET", servers.http.base_url("/redirect/2"), allow_redirects=False)
    ok(res, 302)
    assert res.history == [] and res.headers["location"] == "/relative-redirect/1"
    # request("HEAD", ...) follows like requests.request; only head() defaults to not
    res = adapter.request("HEAD", servers.http.base_url("/redirect/1"), allow_redirects=False)
    ok(res, 302)
    res = adapter.request("HEAD", servers.http.base_url("/redirect/1"))
    ok(res, 200)
    assert res.body == b"" and len(res.history) == 1


@scenario
def redirect_strips_credentials_cross_origin(adapter, servers):
    http = servers.http
    landed = http.base_url("/anything/landed", host="localhost")
    with adapter.session() as s:
        ok(s.request("GET", http.base_url("/cookies/set?sid=secret")))
        assert s.cookies() == {"sid": "secret"}
        # localhost and 127.0.0.1 are different origins of the same server.
        res = s.request("GET", redirect_to(http, landed), auth=("user", "pass"),
                        headers={"X-Api": "1"})
        ok(res)
        res = s.request("GET", redirect_to(http, landed),
                        headers={"Authorization": "Bearer token", "Cookie": "manual=1"})
        ok(res)
    hits = served(http, "/anything/landed")
    assert len(hits) == 2
    for hit in hits:
        assert hit.header("Host").startswith("localhost:")
        assert hit.header("Authorization") is None, hit.headers
        assert hit.header("Cookie") is None, hit.headers
    assert hits[0].header("X-Api") == "1"
    first = [r for r in http.requests if r.path == "/redirect-to"]
    assert first[0].header("Authorization", "").startswith("Basic ")
    assert "sid=secret" in first[0].header("Cookie", "")
    # Same origin: Authorization is kept.
    http.reset()
    res = adapter.request("GET", redirect_to(http, "/anything/same"), auth=("user", "pass"))
    ok(res)
    assert served(http, "/anything/same")[0].header("Authorization", "").startswith("Basic ")


@scenario
def redirect_strips_credentials_https_to_http(adapter, servers):
    target = servers.http.base_url("/anything/plain")
    res = adapter.request("GET", redirect_to(servers.https, target), auth=("user", "pass"),
                          verify=servers.ca_bundle)
    ok(res)
    assert res.url == target and res.history[0][1].startswith("https://")
    hit = served(servers.http, "/anything/plain")[0]
    assert hit.header("Authorization") is None
    assert served(servers.https, "/redirect-to")[0].header("Authorization") is not None


# --------------------------------------------------------------------------- auth
@scenario
def auth_basic(adapter, servers):
    url = servers.http.base_url("/basic-auth/user/p%C3%A4ss")
    res = adapter.request("GET", servers.http.base_url("/basic-auth/user/pass"),
                          auth=("user", "pass"))
    assert ok(res) == {"authenticated": True, "user": "user"}
    res = adapter.request("GET", servers.http.base_url("/basic-auth/user/pass"),
                          auth=("user", "wrong"))
    ok(res, 401)
    assert res.raise_for_status == "HTTPError"
    with adapter.session(auth=("user", "pass")) as s:
        ok(s.request("GET", servers.http.base_url("/basic-auth/user/pass")))
    res = adapter.request("GET", servers.http.base_url("/basic-auth/user/pass").replace(
        "http://", "http://user:pass@"))
    ok(res)
    assert "pass@" not in res.url  # credentials are neither sent in the URL nor shown
    del url
    ok(adapter.request("GET", servers.http.base_url("/basic-auth/user/pass"),
                       auth=httpkit.auth.HTTPBasicAuth("user", "pass")))

    class Signed(httpkit.auth.AuthBase):  # requests' protocol: change the request, return it
        def __call__(self, request):
            request.headers["X-Signature"] = "sig:" + request.method
            return request
    res = adapter.request("POST", servers.http.base_url("/post"), data=b"x", auth=Signed())
    assert ok(res)["headers"]["X-Signature"] == "sig:POST"


@scenario
def auth_digest(adapter, servers):
    from httpkit.auth import DigestAuth, HTTPDigestAuth
    assert HTTPDigestAuth is DigestAuth is httpkit.DigestAuth  # requests' and httpx's names
    for algorithm in ("MD5", "SHA-256"):
        url = servers.http.base_url("/digest-auth/auth/user/pass/%s" % algorithm)
        res = adapter.request("GET", url, auth=DigestAuth("user", "pass"))
        assert ok(res) == {"authenticated": True, "user": "user"}, algorithm
        assert [h[0] for h in res.history] == [401]
        res = adapter.request("GET", url, auth=DigestAuth("user", "wrong"))
        ok(res, 401)
    # One DigestAuth reused in a session: later requests answer without a new challenge.
    url = servers.http.base_url("/digest-auth/auth/user/pass/SHA-256")
    with adapter.session(auth=DigestAuth("user", "pass")) as s:
        ok(s.request("GET", url))
        ok(s.request("GET", url))
    # POST body is resent after the challenge.
    res = adapter.request("POST", servers.http.base_url("/digest-auth/auth/user/pass/MD5"),
                          data=b"payload", auth=DigestAuth("user", "pass"))
    ok(res)
    last = servers.http.requests[-1]
    assert last.body == b"payload" and last.header("Authorization").startswith("Digest ")


@scenario
def auth_netrc(adapter, servers):
    netrc = servers.write_file("netrc", b"machine 127.0.0.1 login nuser password npass\n")
    servers.set_env(NETRC=netrc)
    url = servers.http.base_url("/basic-auth/nuser/npass")
    ok(adapter.request("GET", url))
    # explicit auth wins over netrc; trust_env=False ignores it
    ok(adapter.request("GET", url, auth=("nuser", "bad")), 401)
    with adapter.session(trust_env=False) as s:
        ok(s.request("GET", url), 401)
    ok(adapter.request("GET", servers.http.base_url("/basic-auth/nuser/npass", host="localhost")),
       401)


# --------------------------------------------------------------------------- cookies
@scenario
def cookies_session_persistence(adapter, servers):
    http = servers.http
    with adapter.session() as s:
        res = s.request("GET", http.base_url("/cookies/set?a=1&b=2"))
        assert ok(res) == {"cookies": {"a": "1", "b": "2"}}
        assert res.history[0][0] == 302
        assert s.cookies() == {"a": "1", "b": "2"}
        doc = ok(s.request("GET", http.base_url("/cookies"), cookies={"once": "x"}))
        assert doc["cookies"] == {"a": "1", "b": "2", "once": "x"}
        assert "once" not in s.cookies()
        assert ok(s.request("GET", http.base_url("/cookies/delete?a")))["cookies"] == {"b": "2"}
        assert s.cookies() == {"b": "2"}
        # not sent to another host
        doc = ok(s.request("GET", http.base_url("/cookies", host="localhost")))
        assert doc["cookies"] == {}
        assert served(http, "/cookies")[-1].header("Cookie") is None
    with adapter.session(cookies={"init": "v"}) as s:
        assert ok(s.request("GET", http.base_url("/cookies")))["cookies"] == {"init": "v"}
    res = adapter.request("GET", http.base_url("/response-headers?Set-Cookie=k%3Dv%3B%20Path%3D/"))
    assert res.cookies.get("k") == "v"


# --------------------------------------------------------------------------- content
@scenario
def content_decoding(adapter, servers):
    http = servers.http
    assert ok(adapter.request("GET", http.base_url("/gzip")))["gzipped"] is True
    assert ok(adapter.request("GET", http.base_url("/deflate")))["deflated"] is True
    assert ok(adapter.request("GET", http.base_url("/deflate?raw=1")))["deflated"] is True
    res = adapter.request("GET", http.base_url("/get"), headers={"Accept-Encoding": "identity"})
    assert ok(res)["headers"]["Accept-Encoding"] == "identity"
    assert "content-encoding" not in res.headers
    try:
        import brotli  # noqa: F401
        have_brotli = True
    except ImportError:
        have_brotli = False
    sent = ok(adapter.request("GET", http.base_url("/headers")))["headers"]["Accept-Encoding"]
    assert ("br" in sent.split(", ")) == have_brotli, sent
    if have_brotli:
        assert ok(adapter.request("GET", http.base_url("/brotli")))["brotli"] is True
    # stream=True also decodes
    res = adapter.stream_chunks("GET", http.base_url("/gzip"))
    assert json.loads(res.body.decode("utf-8"))["gzipped"] is True


@scenario
def content_decompression_bomb(adapter, servers):
    bomb = zlib.compress(b"\0" * (20 * 1024 * 1024), 9)
    gz = io.BytesIO()
    with gzip.GzipFile(fileobj=gz, mode="wb") as f:
        f.write(b"\0" * (20 * 1024 * 1024))
    script = [[b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n"
               % len(gz.getvalue()) + gz.getvalue()],
              [b"HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\nContent-Length: %d\r\n\r\n"
               % len(bomb) + bomb]]
    server = servers.scripted(script)
    raised(adapter.request("GET", server.url + "/bomb"), "DecompressionBombError")
    raised(adapter.request("GET", server.url + "/bomb"), "DecompressionBombError")
    # an explicit size limit applies to ordinary bodies too
    with adapter.session(max_decoded_size=500) as s:
        raised(s.request("GET", servers.http.base_url("/gzip")), "ContentDecodingError")


@scenario
def content_corrupt_encoding(adapter, servers):
    body = b"this is not gzip at all"
    server = servers.scripted([b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n"
                               b"Content-Length: %d\r\n\r\n" % len(body) + body])
    raised(adapter.request("GET", server.url + "/"), "ContentDecodingError")


@scenario
def charset_rules(adapter, servers):
    http = servers.http
    res = adapter.request("GET", http.base_url("/encoding/utf8"))
    ok(res)
    assert res.encoding.lower() == "utf-8"
    assert u"\u2603" in res.text and u"\U0001f600" in res.text
    # header charset wins
    latin = u"caf\u00e9".encode("latin-1")
    res = adapter.request("GET", http.base_url("/response-headers?Content-Type=text/plain%3B"
                                               "%20charset%3Diso-8859-1"))
    assert res.encoding.lower() in ("iso-8859-1", "latin-1", "latin1")
    # JSON: no charset means UTF-8/16/32 by RFC 8259, never latin-1
    utf16 = u'{"s": "\u00e9\u2603"}'.encode("utf-16-le")
    utf8 = u'{"s": "\u00e9\u2603"}'.encode("utf-8")
    server = servers.scripted([
        [b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
         % len(utf16) + utf16],
        [b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
         % len(utf8) + utf8],
        [b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n"
         % len(latin) + latin],
        [b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n"
         % len(utf8) + utf8],
    ])
    res = adapter.request("GET", server.url + "/")
    assert res.json == {"s": u"\u00e9\u2603"}, (res.json, res.json_error)
    res = adapter.request("GET", server.url + "/")
    assert res.json == {"s": u"\u00e9\u2603"} and u"\u2603" in res.text
    res = adapter.request("GET", server.url + "/")  # not UTF-8, no charset: windows-1252
    assert res.text == u"caf\u00e9", res.text
    res = adapter.request("GET", server.url + "/")  # no charset but valid UTF-8
    assert u"\u2603" in res.text and res.apparent_encoding.lower().replace("_", "-") in (
        "utf-8", "utf8", "ascii"), res.apparent_encoding
    res = adapter.request("GET", http.base_url("/html"))
    assert res.json_error == "JSONDecodeError"
    deep = b"[" * 100000  # json raises RecursionError here: still a JSONDecodeError
    server = servers.scripted([b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                               b"Content-Length: %d\r\n\r\n" % len(deep) + deep])
    assert adapter.request("GET", server.url + "/").json_error == "JSONDecodeError"


@scenario
def response_helpers(adapter, servers):
    http = servers.http
    link = '<https://example.test/page2>; rel="next", <https://example.test/last>; rel="last"'
    res = adapter.request("GET", http.base_url("/response-headers?X-Mixed-Case=1&Link="
                                               + quote(link, safe="")))
    ok(res)
    # Names keep the server's spelling (as requests shows them); lookups ignore case.
    assert ("X-Mixed-Case", "1") in res.header_list
    assert "x-mixed-case" not in [name for name, _ in res.header_list]
    assert res.headers["x-mixed-case"] == "1"
    assert res.links["next"]["url"] == "https://example.test/page2"
    assert res.links["last"]["url"] == "https://example.test/last"
    for code, kind in ((404, "HTTPError"), (500, "HTTPError"), (418, "HTTPError")):
        res = adapter.request("GET", http.base_url("/status/%d" % code))
        ok(res, code)
        assert res.ok is False and res.raise_for_status == kind
    res = adapter.request("GET", http.base_url("/status/204"))
    ok(res, 204)
    assert res.ok and res.raise_for_status is None and res.body == b""
    assert res.elapsed >= 0


# --------------------------------------------------------------------------- streaming
@scenario
def streaming_iter_content_and_lines(adapter, servers):
    http = servers.http
    data = random_bytes(300000, "s")
    res = adapter.stream_chunks("GET", http.base_url("/stream-bytes/300000?seed=s&chunk_size=777"),
                                chunk_size=4096)
    ok(res)
    assert res.complete and res.body == data
    assert all(len(c) <= 4096 for c in res.chunks) and len(res.chunks) >= 300000 // 4096
    assert all(len(c) == 4096 for c in res.chunks[:-1])
    res = adapter.stream_chunks("GET", http.base_url("/stream/7"), lines=True, chunk_size=100)
    ok(res)
    assert len(res.chunks) == 7
    assert [json.loads(line.decode("utf-8"))["id"] for line in res.chunks] == list(range(7))
    res = adapter.stream_chunks("GET", http.base_url("/bytes/5000?seed=b"), chunk_size=None)
    assert res.body == random_bytes(5000, "b")


@scenario
def streaming_close_releases_and_consumed(adapter, servers):
    http = servers.http
    limits = httpkit.Limits(max_per_host=1, max_total=1)
    with adapter.session(limits=limits, timeout=httpkit.Timeouts(10, pool=3)) as s:
        for _ in range(3):  # each stream stops early and closes; the slot must come back
            res = s.stream("GET", http.base_url("/stream-bytes/2000000?chunk_size=1000"),
                           chunk_size=1000, max_chunks=2)
            ok(res)
            assert not res.complete and len(res.chunks) == 2
        res = s.stream("GET", http.base_url("/bytes/3000"), chunk_size=1000, reread=True)
        assert res.complete and res.reread_error == "StreamConsumedError"
        ok(s.request("GET", http.base_url("/get")))
    conns = [r.conn_id for r in http.requests]
    # the three half-read responses were never reused; the full read one was
    assert len(set(conns[:3])) == 3, conns
    assert conns[4] == conns[3], conns


# --------------------------------------------------------------------------- truncation
@scenario
def truncated_bodies(adapter, servers):
    http = servers.http
    raised(adapter.request("GET", http.base_url("/truncated")), "IncompleteRead")
    raised(adapter.request("GET", http.base_url("/truncated-chunked")), "IncompleteRead")
    res = adapter.stream_chunks("GET", http.base_url("/truncated"), chunk_size=None)
    raised(res, "IncompleteRead")
    assert b"0123456789".startswith(res.body), res.body  # never more than was sent
    # the same close-delimited body: complete with close_notify, truncated without it
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n"
    good = servers.scripted([head + b"partial body", ("close",)], tls=True)
    res = adapter.request("GET", good.url + "/", verify=servers.ca_bundle)
    assert ok(res) is None and res.body == b"partial body"
    bad = servers.scripted([head + b"partial body", ("tls_close_without_notify",)], tls=True)
    raised(adapter.request("GET", bad.url + "/", verify=servers.ca_bundle), "IncompleteRead")
    # plain HTTP: a close-delimited body simply ends at close
    res = adapter.request("GET", http.base_url("/close-delimited/5000?seed=c"))
    assert ok(res) is None and res.body == random_bytes(5000, "c")


@scenario
def counted_bodies_in_pieces(adapter, servers):
    # A Content-Length body that arrives after its head is counted past h11:
    # whole, reused when both heads allow it, never read beyond its end.
    body = random_bytes(200 * 1024, "pieces")
    head = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n" % len(body)
    pieces = [head + b"\r\n" + body[:1000], ("sleep", 0.05), body[1000:150000],
              ("sleep", 0.05), body[150000:]]
    for tls in (False, True):
        verify = servers.ca_bundle if tls else None
        server = servers.scripted(pieces + [("read_request",)] + pieces + [("read_request",)]
                                  + pieces, close_after=False, tls=tls)
        with adapter.session() as s:
            for _ in range(2):
                res = s.request("GET", server.url + "/", verify=verify, timeout=5)
                assert ok(res) is None and res.body == body, (tls, len(res.body))
            res = s.stream("GET", server.url + "/", verify=verify, timeout=5, chunk_size=4096)
            assert ok(res) is None and res.body == body
        assert server.connections == 1, (tls, server.connections)  # kept alive
        # "Connection: close" from the server: the body is whole, the connection is not reused
        close_head = head + b"Connection: close\r\n"
        server = servers.scripted([close_head + b"\r\n" + body[:10], ("sleep", 0.05),
                                   body[10:]], close_after=False, tls=tls)
        with adapter.session() as s:
            for _ in range(2):
                res = s.request("GET", server.url + "/", verify=verify, timeout=5)
                assert ok(res) is None and res.body == body
        assert server.connections == 2, (tls, server.connections)
        # cut short after the head: IncompleteRead, with or without close_notify
        for end in ("close", "rst") + (("tls_close_without_notify",) if tls else ()):
            server = servers.scripted([head + b"\r\n" + body[:10], ("sleep", 0.05),
                                       body[10:5000], ("sleep", 0.05), (end,)], tls=tls)
            res = adapter.stream_chunks("GET", server.url + "/", verify=verify, timeout=5,
                                        chunk_size=None)
            if end == "rst":
                raised(res, "ConnectionError")
            else:
                raised(res, "IncompleteRead")
            assert body.startswith(res.body) and len(res.body) <= 5000, (tls, end)
    # Bytes after a response are not the next response: the connection is
    # dropped, whether they came with the body or after it.
    bogus = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nbogus"
    real = b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nreal"
    for script in ([[head + b"\r\n" + body[:10], ("sleep", 0.05), body[10:] + bogus,
                     ("read_request",), real], [real]],
                   [[head + b"\r\n" + body + bogus, ("read_request",), real], [real]]):
        server = servers.scripted(script, close_after=False)
        with adapter.session() as s:
            assert s.request("GET", server.url + "/", timeout=5).body == body
            res = s.request("GET", server.url + "/", timeout=5)
            assert ok(res) is None and res.body == b"real", res
        assert server.connections == 2


# --------------------------------------------------------------------------- timeouts
@scenario
def timeouts(adapter, servers):
    http = servers.http
    raised(adapter.request("GET", http.base_url("/delay/3"), timeout=(5, 0.3)), "ReadTimeout")
    raised(adapter.request("GET", http.base_url("/slow-headers?delay=3"), timeout=(5, 0.3)),
           "ReadTimeout")
    host, port = servers.blackhole()
    res = adapter.request("GET", "http://%s:%d/" % (host, port), timeout=(0.3, 5))
    raised(res, "ConnectTimeout")
    assert res.is_error("ConnectionError") and res.is_error("Timeout")
    res = adapter.request("GET", http.base_url("/drip?numbytes=20&duration=4"),
                          timeout=httpkit.Timeouts(5, total=0.5))
    raised(res, "DeadlineExceeded")
    res = adapter.request("GET", http.base_url("/relative-redirect/2"),
                          timeout=httpkit.Timeouts(5, total=5))
    ok(res)
    # the connection a timed-out request held is not reused half-read
    with adapter.session() as s:
        raised(s.request("GET", http.base_url("/delay/2"), timeout=(5, 0.2)), "ReadTimeout")
        ok(s.request("GET", http.base_url("/get")))


@scenario
def write_timeout(adapter, servers):
    """A server that stops reading: the upload fails with WriteTimeout, in bounded time."""
    def body():
        chunk = b"u" * 65536
        for _ in range(512):  # 32 MiB: more than loopback's socket buffers hold
            yield chunk
    slow = httpkit.Timeouts(connect=5, read=5, write=0.3)
    for tls in (False, True):
        server = servers.scripted([("sleep", 4)], tls=tls, read_first=False)
        kwargs = CA(servers) if tls else {}
        res = adapter.request("POST", server.base_url("/upload"), data=body(), timeout=slow,
                              **kwargs)
        raised(res, "WriteTimeout", "timed out")
        assert res.is_error("Timeout") and res.is_error("ConnectionError") is False
    server = servers.scripted([("sleep", 4)], read_first=False)
    res = adapter.request("PUT", server.base_url("/upload"), data=b"b" * (24 << 20),
                          timeout=slow)
    raised(res, "WriteTimeout")
    # The timed-out upload frees its pool slot and its connection is not
    # reused: with one slot, the next request gets a fresh connection.
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    server = servers.scripted([[("sleep", 4)], [("read_request",), answer]], read_first=False)
    with adapter.session(limits=httpkit.Limits(max_per_host=1, max_total=1)) as s:
        raised(s.request("POST", server.base_url("/upload"), data=body(), timeout=slow),
               "WriteTimeout")
        res = s.request("GET", server.base_url("/after"), timeout=httpkit.Timeouts(2))
        ok(res)
        assert res.body == b"ok" and server.connections == 2


@scenario
def connection_refused(adapter, servers):
    import socket
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    res = adapter.request("GET", "http://127.0.0.1:%d/" % port, timeout=5)
    raised(res, "ConnectionError")
    assert not res.is_error("Timeout")


# --------------------------------------------------------------------------- TLS
@scenario
def tls_verification(adapter, servers):
    https = servers.https
    ok(adapter.request("GET", https.base_url("/get"), verify=servers.ca_bundle))
    res = adapter.request("GET", https.base_url("/get"))  # certifi does not know the test CA
    raised(res, "SSLError")
    assert res.error_reason == "unknown_ca", res.error_message
    res = adapter.request("GET", https.base_url("/get"), verify=False)
    ok(res)
    assert "InsecureRequestWarning" in res.warnings, res.warnings
    with adapter.session(verify=servers.ca_bundle) as s:
        ok(s.request("GET", https.base_url("/get")))
        ok(s.request("GET", https.base_url("/get", host="localhost")))


@scenario
def tls_bad_certificates(adapter, servers):
    cases = [("expired", "expired"), ("selfsigned", "self_signed"), ("unknown-ca", "unknown_ca")]
    for name, reason in cases:
        server = servers.http_server(tls=True, certfile=servers.cert(name + ".pem"),
                                     keyfile=servers.cert(name + ".key"))
        res = adapter.request("GET", server.base_url("/get"), verify=servers.ca_bundle)
        raised(res, "SSLError")
        assert res.error_reason == reason, (name, res.error_reason, res.error_message)
        ok(adapter.request("GET", server.base_url("/get"), verify=False))
    # the right CA, the wrong name: server.pem does not cover 127.0.0.2
    server = servers.http_server(tls=True, host="127.0.0.2")
    res = adapter.request("GET", server.base_url("/get"), verify=servers.ca_bundle)
    raised(res, "SSLError")
    assert res.error_reason == "hostname_mismatch", res.error_message


@scenario
def tls_client_certificate(adapter, servers):
    import ssl
    import servers as peers
    ctx = peers.server_ssl_context(client_cafile=servers.ca_bundle)
    ctx.verify_mode = ssl.CERT_REQUIRED
    server = servers.http_server(ssl_context=ctx)
    cert = (servers.cert("client.pem"), servers.cert("client.key"))
    res = adapter.request("GET", server.base_url("/get"), verify=servers.ca_bundle, cert=cert)
    ok(res)
    peer = server.requests[-1].peer_cert
    assert dict(x[0] for x in peer["subject"])["commonName"] == "httpkit client"
    res = adapter.request("GET", server.base_url("/get"), verify=servers.ca_bundle)
    raised(res, "ConnectionError")
    with adapter.session(cert=cert, verify=servers.ca_bundle) as s:
        ok(s.request("GET", server.base_url("/get")))


# --------------------------------------------------------------------------- proxies
@scenario
def proxy_http_and_connect(adapter, servers):
    proxy, http, https = servers.proxy, servers.http, servers.https
    res = adapter.request("GET", http.base_url("/get?x=1"), proxies={"http": proxy.url})
    doc = ok(res)
    assert proxy.forwarded == [http.base_url("/get?x=1")]
    assert doc["headers"].get("Via") == "1.1 httpkit-test-proxy"
    res = adapter.request("GET", https.base_url("/get"), proxies={"https": proxy.url},
                          verify=servers.ca_bundle)
    ok(res)
    assert proxy.connect_targets == [https.netloc]
    # https through the tunnel with a POST body
    doc = ok(adapter.request("POST", https.base_url("/post"), data=b"tunnelled",
                             proxies={"https": proxy.url}, verify=servers.ca_bundle))
    assert doc["data"] == "tunnelled"


@scenario
def proxy_auth(adapter, servers):
    proxy = servers.proxy_server(auth=("puser", "ppass"))
    http, https = servers.http, servers.https
    good = proxy.proxy_url("puser", "ppass")
    ok(adapter.request("GET", http.base_url("/get"), proxies={"http": good}))
    ok(adapter.request("GET", https.base_url("/get"), proxies={"https": good},
                       verify=servers.ca_bundle))
    assert all(r.header("Proxy-Authorization") for r in proxy.requests)
    # the origin never sees the proxy credentials
    assert all(r.header("Proxy-Authorization") is None for r in http.requests + https.requests)
    ok(adapter.request("GET", http.base_url("/get"), proxies={"http": proxy.url}), 407)
    raised(adapter.request("GET", https.base_url("/get"), proxies={"https": proxy.url},
                           verify=servers.ca_bundle), "ProxyError", "407")


@scenario
def proxy_from_environment(adapter, servers):
    proxy, http, https = servers.proxy, servers.http, servers.https
    servers.set_env(HTTP_PROXY=proxy.url, HTTPS_PROXY=proxy.url)
    ok(adapter.request("GET", http.base_url("/get")))
    ok(adapter.request("GET", https.base_url("/get"), verify=servers.ca_bundle))
    assert proxy.forwarded == [http.base_url("/get")]
    assert proxy.connect_targets == [https.netloc]
    with adapter.session(trust_env=False) as s:
        ok(s.request("GET", http.base_url("/get")))
    assert len(proxy.forwarded) == 1
    servers.set_env(NO_PROXY="localhost,127.0.0.1")
    proxy.reset()
    ok(adapter.request("GET", http.base_url("/get")))
    ok(adapter.request("GET", https.base_url("/get", host="localhost"), verify=servers.ca_bundle))
    assert proxy.requests == []
    # lower-case variables are honoured too
    servers.set_env(NO_PROXY=None, HTTP_PROXY=None, http_proxy=proxy.url)
    ok(adapter.request("GET", http.base_url("/anything/lower")))
    assert proxy.forwarded == [http.base_url("/anything/lower")]


@scenario
def verify_false_with_env_present(adapter, servers):
    server = servers.http_server(tls=True, certfile=servers.cert("selfsigned.pem"),
                                 keyfile=servers.cert("selfsigned.key"))
    servers.set_env(REQUESTS_CA_BUNDLE=servers.ca_bundle, CURL_CA_BUNDLE=servers.ca_bundle,
                    SSL_CERT_FILE=servers.ca_bundle, HTTPS_PROXY=servers.proxy.url)
    res = adapter.request("GET", server.base_url("/get"), verify=False)
    ok(res)
    assert "InsecureRequestWarning" in res.warnings
    assert servers.proxy.connect_targets == [server.netloc]
    with adapter.session(verify=False) as s:
        ok(s.request("GET", server.base_url("/get")))
    servers.set_env(HTTPS_PROXY=None)
    with adapter.session(verify=False) as s:
        ok(s.request("GET", server.base_url("/get")))


# --------------------------------------------------------------------------- retries
def _retry(**kwargs):
    from urllib3.util.retry import Retry
    return Retry(**kwargs)


@scenario
def retries_on_status(adapter, servers):
    http = servers.http
    with adapter.session(retries=_retry(total=3, status_forcelist=[503], backoff_factor=0)) as s:
        res = s.request("GET", http.base_url("/retry-after?count=2&key=a&after=0"))
        assert ok(res)["attempts"] == 3
        res = s.request("GET", http.base_url("/retry-after?count=9&key=b&after=0"))
        raised(res, "RetryError")
        assert len([r for r in http.requests if r.arg("key") == "b"]) == 4
        started = time.time()
        res = s.request("GET", http.base_url("/retry-after?count=1&key=c&after=1"))
        assert ok(res)["attempts"] == 2
        assert time.time() - started >= 0.9  # Retry-After: 1 was waited for
        # POST is not in urllib3's default allowed_methods: the 503 comes back as is
        res = s.request("POST", http.base_url("/retry-after?count=1&key=d&after=0"), data=b"x")
        ok(res, 503)
        # A server asking to wait for ages is not waited for: its 503 is the answer.
        res = s.request("GET", http.base_url("/retry-after?count=1&key=f&after=99999999999"))
        ok(res, 503)
        assert len([r for r in http.requests if r.arg("key") == "f"]) == 1
    with adapter.session(retries=_retry(total=3, status_forcelist=[429], backoff_factor=0,
                                        allowed_methods=None)) as s:
        res = s.request("POST", http.base_url("/retry-after?count=1&key=e&after=0&status=429"),
                        data=b"again")
        assert ok(res)["attempts"] == 2 and ok(res)["data"] == "again"


@scenario
def retries_on_errors(adapter, servers):
    ok_resp = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
    # connection 0 dies without answering; later ones answer
    server = servers.scripted([[("close",)], [ok_resp]])
    with adapter.session(retries=_retry(total=3, backoff_factor=0)) as s:
        res = s.request("GET", server.url + "/get")
        assert ok(res) is None and res.body == b"ok"
    assert server.connections == 2
    server = servers.scripted([[("close",)], [ok_resp]])
    with adapter.session(retries=_retry(total=3, backoff_factor=0)) as s:
        res = s.request("POST", server.url + "/post", data=b"once")
        raised(res, "ConnectionError")
    assert server.connections == 1 and len(server.received) == 1
    # connect errors are retried for POST too (nothing was sent)
    host, port = servers.blackhole()
    with adapter.session(retries=_retry(total=2, backoff_factor=0)) as s:
        res = s.request("POST", "http://%s:%d/" % (host, port), data=b"x", timeout=(0.2, 5))
        raised(res, "ConnectTimeout")


# --------------------------------------------------------------------------- invalid input
@scenario
def invalid_urls_and_headers_send_nothing(adapter, servers):
    server = servers.scripted([b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"])
    base = server.url
    bad_urls = [("GET", base + "/a\r\nX-Injected: 1", "InvalidURL"),
                ("GET", base + "/a b\nc", "InvalidURL"),
                ("GET", base + "/nul\x00", "InvalidURL"),
                ("GET", "http://exa mple.com/", "InvalidURL"),
                ("GET", "127.0.0.1:%d/get" % server.port, "InvalidSchema"),  # as requests
                ("GET", "ftp://127.0.0.1:%d/" % server.port, "InvalidSchema"),
                ("GET", "http:///nohost", "InvalidURL"),
                ("GET", "http://127.0.0.1:99999/", "InvalidURL")]
    for method, url, name in bad_urls:
        raised(adapter.request(method, url), name)
    for value in ("a\r\nX-Injected: 1", "a\nb", "a\rb", "a\x00b"):
        raised(adapter.request("GET", base + "/", headers={"X-Test": value}), "InvalidHeader")
    raised(adapter.request("GET", base + "/", headers={"Bad Name": "v"}), "InvalidHeader")
    raised(adapter.request("GET", base + "/", headers={"X\r\nY": "v"}), "InvalidHeader")
    with adapter.session() as s:
        raised(s.request("GET", base + "/", params={"a": "b"}, headers={"X": "\r\n"}),
               "InvalidHeader")
    assert server.connections == 0 and server.received == []


# --------------------------------------------------------------------------- bad servers
@scenario
def bad_server_responses(adapter, servers):
    ok_head = b"HTTP/1.1 200 OK\r\n"
    cases = [
        ([b"HTTP/1.1 abc OK\r\n\r\n"], "RemoteProtocolError", "illegal status line: b'HTTP"),
        ([b"NOT HTTP AT ALL\r\n\r\n"], "RemoteProtocolError", "b'NOT HTTP AT ALL'"),
        ([ok_head + b"X-Big: " + b"a" * (100 * 1024) + b"\r\n\r\n"], "RemoteProtocolError"),
        ([ok_head + b"Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello"],
         "RemoteProtocolError"),
        ([ok_head + b"Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"],
         "RemoteProtocolError"),
        ([("close",)], "RemoteProtocolError", "closed the connection without sending a response"),
        ([("rst",)], "ConnectionError"),
        ([ok_head + b"Content-Length: 10\r\n\r\nabc", ("rst",)], "ConnectionError"),
    ]
    for case in cases:
        server = servers.scripted(case[0])
        res = adapter.request("GET", server.url + "/", timeout=5)
        raised(res, *case[1:])
        assert res.is_error("RequestException")
        assert "bytearray" not in res.error_message, res.error_message
    server = servers.scripted([ok_head + b"Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n"])
    res = adapter.request("GET", server.url + "/", timeout=5)
    assert not res.is_error("IncompleteRead"), res  # a bad chunk size is not a short body
    assert res.is_error("ChunkedEncodingError"), res  # what requests users catch
    # The two bytes after chunk data must be CRLF (h11 < 0.16 skipped them
    # unchecked, CVE-2025-43859): anything else is bad framing, never data.
    chunked_head = ok_head + b"Transfer-Encoding: chunked\r\n\r\n"
    for body in (b"5\r\nhelloXX0\r\n\r\n", b"5\r\nhello\n0\r\n\r\n",
                 b"5\r\nhello\r0\r\n\r\n"):
        server = servers.scripted([chunked_head + body])
        res = adapter.request("GET", server.url + "/", timeout=5)
        assert res.is_error("ChunkedEncodingError"), (body, res)
    # ... and a well-formed body split inside the footer still reads whole.
    server = servers.scripted([chunked_head + b"5\r\nhello\r", ("sleep", 0.05),
                               b"\n0\r\n\r\n"])
    res = adapter.request("GET", server.url + "/", timeout=5)
    assert ok(res) is None and res.body == b"hello", res
    # A 1xx before the real response is skipped.
    server = servers.scripted([b"HTTP/1.1 100 Continue\r\n\r\n" + ok_head +
                               b"Content-Length: 2\r\n\r\nok"])
    res = adapter.request("GET", server.url + "/")
    assert ok(res) is None and res.body == b"ok"


@scenario
def kept_alive_connection_closed_by_server(adapter, servers):
    resp = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst"
    resp2 = b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecond"
    # connection 0: answers once, then closes while idle
    server = servers.scripted([[resp], [resp2]])
    with adapter.session() as s:
        assert s.request("GET", server.url + "/1").body == b"first"
        # Whether the FIN is seen at checkout or only after the request is written,
        # the GET must land on a new connection.
        res = s.request("GET", server.url + "/2")
        assert ok(res) is None and res.body == b"second"
    assert server.connections == 2
    # connection 0: answers once, reads the next request and closes without a byte:
    # GET is replayed transparently on a new connection, POST is not.
    script = [[resp, ("read_request",), ("close",)], [resp2]]
    server = servers.scripted(script)
    with adapter.session() as s:
        ok(s.request("GET", server.url + "/1"))
        res = s.request("GET", server.url + "/2")
        assert ok(res) is None and res.body == b"second"
    assert server.connections == 2 and len(server.received) == 3
    server = servers.scripted(script)
    with adapter.session() as s:
        ok(s.request("GET", server.url + "/1"))
        res = s.request("POST", server.url + "/2", data=b"not twice")
        raised(res, "ConnectionError")
    assert server.connections == 1 and len(server.received) == 2


# The caching scenarios live in their own module; importing it registers them.
from scenarios import caching  # noqa: E402,F401
from scenarios import errors  # noqa: E402,F401
# Responses, cookies, hooks, history, Digest, pickling (issue 10): their own module too.
from scenarios import resp  # noqa: E402,F401
from scenarios import transports  # noqa: E402,F401
from scenarios import prep  # noqa: E402,F401
from scenarios import socks  # noqa: E402,F401
from scenarios import tlscn  # noqa: E402,F401
from scenarios import hostile_input  # noqa: E402,F401
from scenarios import limits  # noqa: E402,F401
from scenarios import deadline  # noqa: E402,F401
from scenarios import input_limits  # noqa: E402,F401
from scenarios import leaks  # noqa: E402,F401
from scenarios import progress  # noqa: E402,F401
from scenarios import pipprofile  # noqa: E402,F401
