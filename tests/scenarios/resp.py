# -*- coding: utf-8 -*-
"""Responses as requests users know them, run against every front-end like the rest of the corpus.

Cookies per response and per request, one reader per body, hooks, encodings,
redirect history, Digest variants, JSON errors, ``r.next``, iteration and
pickling (issue 10). Servers are the shared ones or per-scenario origins
(``servers.http_server(routes=...)``) whose log shows what reached the wire.

Rules: loopback only; bounded waits; 2.7 syntax.
"""
from __future__ import absolute_import, division, print_function

import hashlib
import json
import os
import threading

import httpkit
import httpkit.cache
from server_routes import parse_auth_params
from servers import random_bytes

from scenarios.corpus import ok, raised, scenario

#: What each front-end calls its streaming reader, as StreamConsumedError names it.
_CHUNK_READER = {"sync": "r.iter_content()", "asyncio": "r.aiter_content()",
                 "twisted": "collect()"}


@scenario
def response_cookies_are_the_ones_it_set(adapter, servers):
    base = servers.http.base_url
    with adapter.session() as s:
        res = s.request("GET", base("/cookies/set/a/1"))  # 302 Set-Cookie -> /cookies
        assert ok(res) == {"cookies": {"a": "1"}}
        assert res.cookies == {} and res.history_cookies == [{"a": "1"}]
        res = s.request("GET", base("/get"))
        ok(res)
        assert res.cookies == {}  # this response set none; the Session's jar has them all
        assert s.cookies() == {"a": "1"}
        res = s.request("GET", base("/set-cookie-and-redirect?b=2&location=/cookies/set/c/3"))
        assert ok(res) == {"cookies": {"a": "1", "b": "2", "c": "3"}}
        assert res.history_cookies == [{"b": "2"}, {"c": "3"}] and res.cookies == {}
        assert s.cookies() == {"a": "1", "b": "2", "c": "3"}
    res = adapter.request("GET", base("/cookies/set/d/4"), allow_redirects=False)
    ok(res, 302)
    assert res.cookies == {"d": "4"}


@scenario
def request_cookies_win_and_stay_out_of_the_session(adapter, servers):
    base = servers.http.base_url
    with adapter.session(cookies={"s": "session"}) as s:
        ok(s.request("GET", base("/cookies/set/a/server")))
        res = s.request("GET", base("/cookies"), cookies={"a": "mine", "s": "call", "n": "new"})
        assert ok(res) == {"cookies": {"a": "mine", "s": "call", "n": "new"}}
        # The Session's jar is untouched: its own values, nothing of this call's.
        assert s.cookies() == {"a": "server", "s": "session"}
        assert ok(s.request("GET", base("/cookies"))) == {"cookies": {"a": "server",
                                                                      "s": "session"}}
        # A cookie the server sets during such a call still reaches the Session.
        res = s.request("GET", base("/cookies/set/b/2"), cookies={"a": "mine"})
        assert ok(res) == {"cookies": {"a": "mine", "b": "2", "s": "session"}}
        assert s.cookies() == {"a": "server", "b": "2", "s": "session"}


def _body_server(servers, size=70000):
    body = random_bytes(size, seed=11)
    server = servers.http_server(routes={"/body": lambda req: (
        200, [("Content-Type", "application/octet-stream")], body)})
    return server.base_url("/body"), body


def _consumed_by(outcome, reader):
    assert isinstance(outcome, tuple) and outcome[0] == "StreamConsumedError", \
        "read %d bytes instead of raising" % len(outcome)
    assert "already consumed by %s" % reader in outcome[1], outcome[1]


@scenario
def second_body_reader_raises_never_a_short_body(adapter, servers):
    url, body = _body_server(servers)
    chunk = _CHUNK_READER[adapter.name]
    with adapter.session() as s:
        first, second = s.read_mixed("GET", url, ["chunk", "all"])
        assert first == body[:3]
        _consumed_by(second, chunk)
        first, second = s.read_mixed("GET", url, ["chunk", "chunk"])
        assert first == body[:3]
        _consumed_by(second, chunk)
        # The whole body first: later readers see it from memory, as in requests.
        whole, again = s.read_mixed("GET", url, ["all", "chunk"])
        assert whole == body and again == body[:3]
        if adapter.name == "sync":  # r.raw exists in the blocking front-end only
            first, second = s.read_mixed("GET", url, ["raw", "all"])
            assert first == body[:3]
            _consumed_by(second, "r.raw.read()")
            first, second = s.read_mixed("GET", url, ["chunk", "raw"])
            _consumed_by(second, "r.iter_content()")
            assert s.read_mixed("GET", url, ["raw", "raw", "raw"]) == \
                [body[:3], body[3:6], body[6:9]]
            first, second = s.read_mixed("GET", url, ["raw", "chunk"])
            _consumed_by(second, "r.raw.read()")


@scenario
def hooks_read_the_body_and_get_requests_kwargs(adapter, servers):
    seen = []

    def hook(response, *args, **kwargs):
        seen.append((response.status_code, response.json() if response.status_code == 200
                     else response.content, sorted(kwargs), kwargs["stream"],
                     kwargs["verify"]))

    res = adapter.request("GET", servers.http.base_url("/redirect/1"),
                          hooks={"response": hook})
    ok(res)
    assert [s[0] for s in seen] == [302, 200]
    assert seen[0][1] == b"redirecting to /get\n" and seen[1][1]["url"].endswith("/get")
    assert seen[1][2] == ["cert", "proxies", "stream", "timeout", "verify"]
    assert seen[1][3] is False and seen[1][4] is True
    # A hook that returns a response replaces it.
    def replace(response, **kwargs):
        if response.status_code == 200:
            return httpkit.Response(203, "Replaced", response.headers, response.request)
    with adapter.session(hooks={"response": replace}) as s:
        res = s.request("GET", servers.http.base_url("/redirect/1"))
        assert res.status == 203 and res.body == b""


@scenario
def encoding_follows_requests_rules(adapter, servers):
    types = {
        "/json": "application/json",
        "/json-latin1": "application/json; charset=latin-1",
        "/problem": "application/problem+json",
        "/quoted": 'text/html; charset="ISO-8859-2"',
        "/upper": "text/plain; CHARSET=UTF-8",
        "/single": "text/plain; charset='utf-16'",
        "/text": "text/plain",
        "/bogus": "text/plain; charset=no-such-codec",
        "/binary": "application/octet-stream",
    }
    routes = dict((path, (lambda ct: lambda req: (200, [("Content-Type", ct)], b'{"a": 1}'))(ct))
                  for path, ct in types.items())
    server = servers.http_server(routes=routes)
    expected = {"/json": "utf-8", "/json-latin1": "utf-8", "/problem": "utf-8",
                "/quoted": "ISO-8859-2", "/upper": "UTF-8", "/single": "utf-16",
                "/text": None, "/bogus": None, "/binary": None}
    for path, encoding in sorted(expected.items()):
        res = adapter.request("GET", server.base_url(path))
        assert ok(res) is not None
        assert res.encoding == encoding, (path, res.encoding)
    assert adapter.request("GET", server.base_url("/json")).json == {"a": 1}


@scenario
def redirect_history_per_hop_and_on_too_many(adapter, servers):
    base = servers.http.base_url
    res = adapter.request("GET", base("/redirect/3"))
    ok(res)
    assert [h[0] for h in res.history] == [302, 302, 302]
    assert res.history_lengths == [0, 1, 2]  # each response holds the hops before it
    with adapter.session(max_redirects=2) as s:
        res = s.request("GET", base("/redirect/5"))
    raised(res, "TooManyRedirects")
    assert [h[1] for h in res.error_history] == [base("/redirect/5"),
                                                  base("/relative-redirect/4")]


def _h(algorithm, data):
    name = {"MD5": "md5", "SHA-256": "sha256", "SHA-512": "sha512"}[algorithm]
    return hashlib.new(name, data.encode("utf-8")).hexdigest()


class _StrictDigest(object):
    """Digest (qop=auth) that refuses, with 400, an answer computed for another URI.

    ``/digest/<algorithm>/start`` redirects (302) to ``/digest/<algorithm>/end``
    on the same origin once authenticated.
    """

    realm = "strict@example.org"

    def __init__(self):
        self.lock = threading.Lock()
        self.nonces = set()
        self.wrong_uri = 0

    def __call__(self, req):
        algorithm = req.path.split("/")[2]
        auth = req.header("Authorization") or ""
        if not auth.startswith("Digest "):
            return self._challenge(algorithm)
        params = parse_auth_params(auth[7:])
        if params.get("uri") != req.target:
            with self.lock:
                self.wrong_uri += 1
            return 400, [("Content-Type", "text/plain")], b"answer for another URI"
        if not self._valid(req, params, algorithm):
            return self._challenge(algorithm)
        if req.path.endswith("/start"):
            return 302, [("Location", "/digest/%s/end" % algorithm)], b""
        return 200, [("Content-Type", "application/json")], b'{"authenticated": true}'

    def _challenge(self, algorithm):
        nonce = hashlib.sha256(os.urandom(16)).hexdigest()
        with self.lock:
            self.nonces.add(nonce)
        value = 'Digest realm="%s", nonce="%s", qop="auth", algorithm=%s' % (
            self.realm, nonce, algorithm)
        return 401, [("WWW-Authenticate", value)], b""

    def _valid(self, req, params, algorithm):
        base = algorithm.upper().replace("-SESS", "")
        if params.get("algorithm", "").upper() != algorithm.upper() or \
                params.get("nonce") not in self.nonces:
            return False
        ha1 = _h(base, "user:%s:pass" % self.realm)
        if algorithm.upper().endswith("-SESS"):
            ha1 = _h(base, "%s:%s:%s" % (ha1, params["nonce"], params["cnonce"]))
        ha2 = _h(base, "%s:%s" % (req.method, params["uri"]))
        expected = _h(base, ":".join([ha1, params["nonce"], params["nc"], params["cnonce"],
                                      "auth", ha2]))
        return params.get("response") == expected


@scenario
def digest_sha512_sess_and_no_stale_header_after_redirect(adapter, servers):
    strict = _StrictDigest()
    server = servers.http_server(routes={"/digest/": strict})
    for algorithm in ("SHA-512", "MD5-sess", "SHA-256-sess", "SHA-512-sess"):
        res = adapter.request("GET", server.base_url("/digest/%s/end" % algorithm),
                              auth=httpkit.DigestAuth("user", "pass"))
        assert ok(res) == {"authenticated": True}, algorithm
        assert [h[0] for h in res.history] == [401]
    # /start (answered) redirects to /end: no pre-emptive header computed for /start,
    # the 401 from /end is answered instead (requests' behaviour).
    with adapter.session(auth=httpkit.DigestAuth("user", "pass")) as s:
        res = s.request("GET", server.base_url("/digest/SHA-256/start"))
        assert ok(res) == {"authenticated": True}
        assert [h[0] for h in res.history] == [401, 302, 401]
        # Inside the protection space, a new request is still pre-authenticated.
        res = s.request("GET", server.base_url("/digest/SHA-256/end"))
        assert ok(res) == {"authenticated": True} and res.history == []
        # A pre-authenticated /start: its header (uri=/start) does not follow the redirect.
        res = s.request("GET", server.base_url("/digest/SHA-256/start"))
        assert ok(res) == {"authenticated": True}
        assert [h[0] for h in res.history] == [302, 401]
    assert strict.wrong_uri == 0


@scenario
def json_errors_are_json_decode_errors(adapter, servers):
    server = servers.http_server(routes={"/bad": lambda req: (
        200, [("Content-Type", "application/json")], b'{"a": 1} trailing')})
    res = adapter.request("GET", server.base_url("/bad"))
    ok(res)
    assert res.json_error == "JSONDecodeError"
    is_json_error, msg, doc, pos = res.json_error_fields
    assert doc == u'{"a": 1} trailing'
    if hasattr(json, "JSONDecodeError"):  # 3.x: also json's own error, with its fields
        assert is_json_error and msg == "Extra data" and pos == 9


@scenario
def next_request_and_iterating_a_response(adapter, servers):
    base = servers.http.base_url
    res = adapter.request("GET", base("/redirect/2"), allow_redirects=False)
    ok(res, 302)
    assert res.next_url == base("/relative-redirect/1")
    res = adapter.request("GET", base("/get"))
    assert ok(res)["url"] == base("/get") and res.next_url is None
    assert res.first_chunk == res.body[:128] and len(res.first_chunk) == 128


@scenario
def sessions_and_responses_pickle(adapter, servers):
    base = servers.http.base_url
    with adapter.session(headers={"X-Kept": "yes"}, params={"p": "1"},
                         auth=("user", "pass")) as s:
        ok(s.request("GET", base("/cookies/set/a/1")))
        copy = s.pickled()
        res = copy.request("GET", base("/anything"))
        doc = ok(res)
        assert doc["headers"]["X-Kept"] == "yes" and doc["args"] == {"p": "1"}
        assert doc["headers"]["Cookie"] == "a=1"
        assert doc["headers"]["Authorization"].startswith("Basic ")
        res = s.request_pickled("GET", base("/redirect/1"))
        assert ok(res)["url"] == base("/get")
        assert res.url == base("/get") and res.history == [(302, base("/redirect/1?p=1"))]
        assert res.request_headers["x-kept"] == "yes"
        res = s.request_pickled("GET", base("/cookies/set/b/2"), allow_redirects=False)
        ok(res, 302)
        assert res.cookies == {"b": "2"} and res.next_url == base("/cookies")


@scenario
def cached_response_cookies_are_the_stored_ones(adapter, servers):
    server = servers.http_server(routes={"/c": lambda req: (
        200, [("Cache-Control", "max-age=600"), ("Set-Cookie", "k=v; Path=/"),
              ("Content-Type", "text/plain")], b"cached")})
    with adapter.session(cache=httpkit.cache.MemoryCache()) as s:
        first = s.request("GET", server.base_url("/c"))
        second = s.request("GET", server.base_url("/c"))
        assert ok(first) is None and first.cookies == {"k": "v"} and not first.from_cache
        ok(second)  # a hit: r.cookies is what the stored response set
        assert second.from_cache and second.cookies == {"k": "v"}
    assert len(server.requests) == 1
