# -*- coding: utf-8 -*-
"""Transport scenarios (Session.mount, MockTransport, HTTPAdapter, WSGITransport), run
against every front-end like the rest of the corpus.

A mounted transport replaces only the network exchange of a hop: these
scenarios check that the Session's policies (redirects, cookies, auth,
retries, hooks, caching, content decoding, streaming) work around it, and
that URLs no mount matches still reach the network.

Rules: loopback only; bounded waits; 2.7 syntax.
"""
from __future__ import absolute_import, division, print_function

import gzip
import io
import json
import threading

import httpkit
import httpkit.cache
from servers import random_bytes
from urllib3.util.retry import Retry

from scenarios.corpus import ok, raised, scenario

MOCK = "http://mock.test"
BODY = random_bytes(50000, seed=11)


def _gzip(data):
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb") as f:
        f.write(data)
    return buf.getvalue()


class _Recorder(object):
    """A MockTransport handler that logs each request and answers from ``routes``."""

    def __init__(self, routes):
        self.routes = routes
        self.seen = []
        self.lock = threading.Lock()

    def __call__(self, request):
        with self.lock:
            self.seen.append((request.method, request.url, dict(request.headers.lower_items()),
                              request.body))
        for prefix, answer in self.routes:
            if request.path_url.startswith(prefix):
                return answer(request)
        return httpkit.Response(404, text=u"no route for %s" % request.path_url)

    def paths(self):
        return [url[len(MOCK):] for _, url, _, _ in self.seen]


# --------------------------------------------------------------------------- MockTransport
@scenario
def transport_mock_bodies_and_decoding(adapter, servers):
    handler = _Recorder([
        ("/json", lambda r: httpkit.Response(201, json={"seen": r.path_url})),
        ("/text", lambda r: httpkit.Response(200, text=u"h\xe9llo")),
        ("/pieces", lambda r: httpkit.Response(200, content=iter([b"ab", b"", b"cd"]))),
        ("/gzip", lambda r: httpkit.Response(200, headers={"Content-Encoding": "gzip"},
                                             content=_gzip(BODY))),
        ("/empty", _empty_then_filled),
    ])
    with adapter.session(mounts={MOCK + "/": httpkit.MockTransport(handler)}) as s:
        res = s.request("POST", MOCK + "/json", params={"q": "1"}, data={"a": "b"})
        assert ok(res, 201) == {"seen": "/json?q=1"}
        assert (res.reason, res.url, res.headers["content-type"]) == \
            ("Created", MOCK + "/json?q=1", "application/json")
        method, url, headers, body = handler.seen[-1]
        assert (method, body) == ("POST", "a=b")  # a form body stays str, as in requests
        assert headers["content-type"] == "application/x-www-form-urlencoded"
        assert headers["user-agent"].startswith("httpkit/")
        res = s.request("GET", MOCK + "/text")
        ok(res)
        assert res.text == u"h\xe9llo" and res.encoding == "utf-8"
        assert ok(s.request("GET", MOCK + "/pieces")) is None
        assert s.request("GET", MOCK + "/pieces").body == b"abcd"
        res = s.request("GET", MOCK + "/gzip")  # decoded by the Session, as from the network
        ok(res)
        assert res.body == BODY and res.headers["content-encoding"] == "gzip"
        streamed = s.stream("GET", MOCK + "/gzip", chunk_size=4096)
        assert streamed.complete and streamed.body == BODY
        assert set(len(c) for c in streamed.chunks[:-1]) == {4096}
        res = s.request("GET", MOCK + "/empty")
        assert ok(res, 202) == {"built": "by hand"} and res.reason == "Accepted"
        assert ok(s.request("GET", MOCK + "/nowhere"), 404) is None


def _empty_then_filled(request):
    """The way mock libraries and requests users' tests build a Response."""
    response = httpkit.Response()
    response.status_code = 202
    response.headers["Content-Type"] = "application/json"
    response._content = b'{"built": "by hand"}'
    return response


@scenario
def transport_mount_longest_prefix_wins(adapter, servers):
    short = _Recorder([("/", lambda r: httpkit.Response(200, text=u"short"))])
    longer = _Recorder([("/", lambda r: httpkit.Response(200, text=u"long"))])
    mounts = {MOCK + "/": httpkit.MockTransport(short),
              "HTTP://MOCK.test/v2/": httpkit.MockTransport(longer)}
    with adapter.session(mounts=mounts) as s:
        assert s.request("GET", MOCK + "/v1/x").text == u"short"
        assert s.request("GET", MOCK + "/v2/x").text == u"long"
        assert s.request("GET", "http://Mock.Test/v2/y").text == u"long"
        # Nothing mounted for the test server: the network answers.
        res = s.request("GET", servers.http.base_url("/get"))
        ok(res)
        assert len(servers.http.requests) == 1
    assert (len(short.seen), len(longer.seen)) == (1, 2)


@scenario
def transport_redirects_cookies_auth_hooks(adapter, servers):
    network = servers.http.base_url("/get")
    handler = _Recorder([
        ("/login", lambda r: httpkit.Response(302, headers=[
            ("Location", "/home"), ("Set-Cookie", "sid=abc; Path=/")])),
        ("/home", lambda r: httpkit.Response(200, json={
            "cookie": r.headers.get("cookie"), "auth": r.headers.get("authorization")})),
        ("/away", lambda r: httpkit.Response(307, headers={"Location": network})),
    ])
    hooked = []
    with adapter.session(mounts={MOCK: httpkit.MockTransport(handler)}) as s:
        res = s.request("GET", MOCK + "/login", auth=("user", "pw"),
                        hooks={"response": lambda r, *a, **k: hooked.append(r.status_code)})
        seen = ok(res)
        assert seen["cookie"] == "sid=abc" and seen["auth"].startswith("Basic ")
        assert res.history == [(302, MOCK + "/login")] and res.url == MOCK + "/home"
        assert hooked == [302, 200]
        assert s.cookies() == {"sid": "abc"}
        assert handler.paths() == ["/login", "/home"]
        # A redirect from a mounted transport to an unmounted URL goes to the network.
        res = s.request("GET", MOCK + "/away")
        ok(res)
        assert res.url == network and res.history == [(307, MOCK + "/away")]
        assert len(servers.http.requests) == 1
        # no redirects followed when asked not to
        res = s.request("GET", MOCK + "/login", allow_redirects=False)
        assert ok(res, 302) is None and res.headers["location"] == "/home"


@scenario
def transport_mock_errors_and_session_retries(adapter, servers):
    state = {"calls": 0}

    def flaky(request):
        state["calls"] += 1
        if state["calls"] < 3:
            raise httpkit.ConnectionError("simulated outage %d" % state["calls"])
        return httpkit.Response(200, text=u"up")

    with adapter.session(retries=Retry(total=3, backoff_factor=0),
                         mounts={MOCK: httpkit.MockTransport(flaky)}) as s:
        res = s.request("GET", MOCK + "/")
        ok(res)
        assert res.text == u"up" and state["calls"] == 3
    state["calls"] = 0
    with adapter.session(mounts={MOCK: httpkit.MockTransport(flaky)}) as s:
        raised(s.request("GET", MOCK + "/"), "ConnectionError", "simulated outage 1")
        assert state["calls"] == 1


@scenario
def transport_mock_response_is_cached(adapter, servers):
    calls = []

    def handler(request):
        calls.append(request.url)
        return httpkit.Response(200, headers={"Cache-Control": "max-age=60",
                                              "Content-Type": "text/plain"},
                                content=iter([BODY[:1000], BODY[1000:]]))

    cache = httpkit.cache.Cache(httpkit.cache.MemoryCache())
    with adapter.session(cache=cache, mounts={MOCK: httpkit.MockTransport(handler)}) as s:
        first = s.request("GET", MOCK + "/c")
        second = s.request("GET", MOCK + "/c")
    ok(first)
    ok(second)
    assert (first.cache_status, second.cache_status) == ("miss", "hit")
    assert first.body == second.body == BODY and len(calls) == 1


# --------------------------------------------------------------------------- HTTPAdapter
@scenario
def transport_httpadapter_retries_against_server(adapter, servers):
    state = {"n": 0}
    lock = threading.Lock()

    def flaky(req):
        with lock:
            state["n"] += 1
            n = state["n"]
        if n % 3:  # two 503s, then a 200
            return 503, [("Content-Type", "text/plain")], b"busy"
        return 200, [("Content-Type", "text/plain")], b"done"

    origin = servers.http_server(routes={"/flaky": flaky})
    retry = Retry(total=3, backoff_factor=0, status_forcelist=[503])
    with adapter.session(mounts={origin.url + "/": httpkit.HTTPAdapter(max_retries=retry)}) as s:
        res = s.request("GET", origin.url + "/flaky")
        ok(res)
        assert res.body == b"done" and len(origin.requests) == 3
    origin.reset()
    with adapter.session() as s:  # the default transport: no retries
        assert s.request("GET", origin.url + "/flaky").status == 503
        assert len(origin.requests) == 1
    origin.reset()
    state["n"] = 0
    # The adapter's max_retries=0 wins over the Session's retries for its prefix only.
    mounts = {origin.url + "/flaky": httpkit.HTTPAdapter(max_retries=0)}
    with adapter.session(retries=retry, mounts=mounts) as s:
        assert s.request("GET", origin.url + "/flaky").status == 503
        assert len(origin.requests) == 1


# --------------------------------------------------------------------------- WSGI
def _wsgi_app(environ, start_response):
    """Echo what a WSGI app sees; /set-cookie and /redirect answer like a web app."""
    path = environ["PATH_INFO"]
    if path == "/redirect":
        start_response("303 See Other", [("Location", "/app/echo?from=redirect"),
                                         ("Set-Cookie", "app=1; Path=/")])
        return [b""]
    if path == "/stream":
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        return (BODY[i:i + 7000] for i in range(0, len(BODY), 7000))
    length = int(environ.get("CONTENT_LENGTH") or 0)
    echo = {
        "method": environ["REQUEST_METHOD"], "path": path,
        "query": environ["QUERY_STRING"], "script": environ["SCRIPT_NAME"],
        "host": environ["HTTP_HOST"], "scheme": environ["wsgi.url_scheme"],
        "cookie": environ.get("HTTP_COOKIE"), "x": environ.get("HTTP_X_THING"),
        "content_type": environ.get("CONTENT_TYPE"),
        "body": environ["wsgi.input"].read(length).decode("latin-1"),
    }
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps(echo).encode("utf-8")]


@scenario
def transport_wsgi_app(adapter, servers):
    app = httpkit.WSGITransport(_wsgi_app, script_name="/app")
    with adapter.session(mounts={"http://wsgi.test/app": app}) as s:
        echo = ok(s.request("POST", "http://wsgi.test/app/echo%20me?a=1",
                            json={"k": "v"}, headers={"X-Thing": "t"}))
        assert echo["method"] == "POST" and echo["path"] == "/echo me"
        assert (echo["script"], echo["query"], echo["host"], echo["scheme"]) == \
            ("/app", "a=1", "wsgi.test", "http")
        assert echo["x"] == "t" and echo["content_type"] == "application/json"
        assert json.loads(echo["body"]) == {"k": "v"}
        res = s.request("POST", "http://wsgi.test/app/redirect", data=b"x")
        echo = ok(res)
        assert res.history == [(303, "http://wsgi.test/app/redirect")]
        assert (echo["method"], echo["query"], echo["cookie"]) == ("GET", "from=redirect",
                                                                   "app=1")
        assert s.cookies() == {"app": "1"}
        streamed = s.stream("GET", "http://wsgi.test/app/stream", chunk_size=10000)
        assert streamed.complete and streamed.body == BODY
        partial = s.stream("GET", "http://wsgi.test/app/stream", chunk_size=10000,
                           max_chunks=1)
        assert not partial.complete and partial.chunks == [BODY[:10000]]
