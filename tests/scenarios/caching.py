# -*- coding: utf-8 -*-
"""HTTP caching scenarios (RFC 9111), run against every front-end like the rest of the corpus.

Each scenario gets its own origin server (``servers.http_server``) with routes
whose headers it controls, and its own cache (MemoryCache or a FileCache in a
temp dir), so the origin's request log says exactly what reached the network.

Rules: loopback only; bounded waits; 2.7 syntax.
"""
from __future__ import absolute_import, division, print_function

import threading
import time
from email.utils import formatdate

import httpkit
import httpkit.cache
from servers import random_bytes

from scenarios.corpus import ok, raised, scenario

BODY = random_bytes(20000, seed=9)


def _date(offset=0):
    return formatdate(time.time() + offset, usegmt=True)


def _origin(servers, routes):
    """An origin whose ``routes`` are ``{path: handler(req) -> (status, headers, body)}``."""
    return servers.http_server(routes=routes)


def _count(server, path):
    return len([r for r in server.requests if r.path == path])


def _stores(servers):
    return [httpkit.cache.MemoryCache(), httpkit.cache.FileCache(servers.tmpdir())]


class _Versioned(object):
    """A resource with an ETag that answers conditional requests; ``version`` can change."""

    def __init__(self, cache_control="max-age=0", extra=()):
        self.version = 1
        self.cache_control = cache_control
        self.extra = list(extra)
        self.lock = threading.Lock()

    def __call__(self, req):
        with self.lock:
            version = self.version
        tag = '"v%d"' % version
        headers = [("ETag", tag), ("Cache-Control", self.cache_control),
                   ("Date", _date())] + self.extra
        if req.header("If-None-Match") == tag:
            return 304, headers, b""
        return 200, headers + [("Content-Type", "text/plain")], \
            ("version %d\n" % version).encode("ascii") * 100


# --------------------------------------------------------------------------- hits
@scenario
def cache_fresh_hit_miss_bypass(adapter, servers):
    fresh = [("Cache-Control", "max-age=60"), ("Content-Type", "application/octet-stream")]
    origin = _origin(servers, {"/fresh": lambda req: (200, fresh, BODY)})
    url = origin.url + "/fresh"
    for store in _stores(servers):
        origin.reset()
        cache = httpkit.cache.Cache(store)
        with adapter.session(cache=cache) as s:
            first = s.request("GET", url)
            ok(first)
            assert (first.cache_status, first.from_cache) == ("miss", False), first.cache_status
            second = s.request("GET", url)
            ok(second)
            assert (second.cache_status, second.from_cache) == ("hit", True), second.cache_status
            assert second.body == BODY and second.headers["content-type"] == \
                "application/octet-stream"
            bypass = s.request("GET", url, cache=False)
            assert ok(bypass) is None and bypass.cache_status == "bypass" \
                and not bypass.from_cache and bypass.body == BODY
            streamed = s.stream("GET", url, chunk_size=1000)
            assert streamed.cache_status == "hit" and streamed.complete
            assert b"".join(streamed.chunks) == BODY and len(streamed.chunks) == 20
            # The key has no fragment.
            again = s.request("GET", url + "#part")
            assert again.cache_status == "hit", again.cache_status
            cache.delete(url + "#other")  # the same key
            assert s.request("GET", url).cache_status == "miss"
            cache.clear()
            assert s.request("GET", url).cache_status == "miss"
            assert s.request("GET", url).cache_status == "hit"
        assert _count(origin, "/fresh") == 4, (type(store).__name__, origin.requests)
    with adapter.session() as s:  # no cache: nothing is said about caching
        plain = s.request("GET", url)
        assert ok(plain) is None and plain.cache_status is None and not plain.from_cache


@scenario
def cache_gzip_body_stored_as_sent(adapter, servers):
    import gzip
    import io
    raw = io.BytesIO()
    with gzip.GzipFile(fileobj=raw, mode="wb") as f:
        f.write(BODY)
    headers = [("Cache-Control", "max-age=60"), ("Content-Encoding", "gzip"),
               ("Vary", "Accept-Encoding")]
    origin = _origin(servers, {"/gz": lambda req: (200, headers, raw.getvalue())})
    with adapter.session(cache=httpkit.cache.FileCache(servers.tmpdir())) as s:
        assert s.request("GET", origin.url + "/gz").body == BODY
        hit = s.request("GET", origin.url + "/gz")
        assert hit.cache_status == "hit" and hit.body == BODY
    assert _count(origin, "/gz") == 1


# --------------------------------------------------------------------------- validation
@scenario
def cache_revalidation(adapter, servers):
    resource = _Versioned()
    always = _Versioned(cache_control="no-cache, max-age=600")
    origin = _origin(servers, {"/res": resource, "/always": always})
    url = origin.url + "/res"
    for store in _stores(servers):
        origin.reset()
        resource.version = 1
        connections = origin.connections
        with adapter.session(cache=store) as s:
            assert s.request("GET", url).cache_status == "miss"
            again = s.request("GET", url)
            assert ok(again) is None and again.cache_status == "revalidated", again.cache_status
            assert again.from_cache and again.body == b"version 1\n" * 100
            assert origin.requests[-1].header("If-None-Match") == '"v1"'
            resource.version = 2  # changed: a full answer, stored in place of the old one
            changed = s.request("GET", url)
            assert changed.cache_status == "miss" and changed.body == b"version 2\n" * 100
            assert s.request("GET", url).cache_status == "revalidated"
            # Response no-cache: stored, but revalidated on every use, even when fresh.
            assert s.request("GET", origin.url + "/always").cache_status == "miss"
            assert s.request("GET", origin.url + "/always").cache_status == "revalidated"
            # A conditional request of the caller's own is the caller's: its 304 comes back.
            own = s.request("GET", url, headers={"If-None-Match": '"v2"'})
            assert own.status == 304 and not own.from_cache
        assert _count(origin, "/always") == 2
        # A 304 has no body, Content-Length or not: its connection is reused.
        assert origin.connections - connections == 1, origin.connections - connections


@scenario
def cache_request_directives(adapter, servers):
    resource = _Versioned(cache_control="max-age=600")
    stale = [("Cache-Control", "max-age=1"), ("Date", _date(-30))]
    origin = _origin(servers, {"/res": resource, "/stale": lambda req: (200, stale, b"old")})
    url = origin.url + "/res"
    with adapter.session(cache=httpkit.cache.MemoryCache()) as s:
        assert s.request("GET", url).cache_status == "miss"
        assert s.request("GET", url).cache_status == "hit"
        for value in ("no-cache", "max-age=0", "min-fresh=3600"):
            res = s.request("GET", url, headers={"Cache-Control": value})
            assert res.cache_status == "revalidated", (value, res.cache_status)
        res = s.request("GET", url, headers={"Cache-Control": "no-store"})
        assert res.cache_status == "miss" and not res.from_cache
        assert s.request("GET", url, headers={"Cache-Control": "only-if-cached"}).cache_status \
            == "hit"
        before = len(origin.requests)
        missing = s.request("GET", origin.url + "/nowhere",
                            headers={"Cache-Control": "only-if-cached"})
        assert missing.status == 504 and len(origin.requests) == before  # RFC 9111 §5.2.1.7
        # A stale entry: max-stale accepts it, without max-stale it is fetched again.
        assert s.request("GET", origin.url + "/stale").cache_status == "miss"
        loose = s.request("GET", origin.url + "/stale", headers={"Cache-Control": "max-stale"})
        assert loose.cache_status == "stale" and loose.body == b"old"
        bounded = s.request("GET", origin.url + "/stale",
                            headers={"Cache-Control": "max-stale=5"})
        assert bounded.cache_status == "miss"
    assert _count(origin, "/stale") == 2


# --------------------------------------------------------------------------- stale-if-error
@scenario
def cache_stale_if_error(adapter, servers):
    state = {"fail": False}

    def flaky(req):
        if state["fail"]:
            return 503, [("Content-Type", "text/plain")], b"down"
        return 200, [("Cache-Control", "max-age=1"), ("Date", _date(-30))], b"good"

    def strict(req):
        if state["fail"]:
            return 503, [], b"down"
        return 200, [("Cache-Control", "max-age=1, must-revalidate"), ("Date", _date(-30))], \
            b"strict"

    origin = _origin(servers, {"/flaky": flaky, "/strict": strict})
    cache = httpkit.cache.Cache(httpkit.cache.MemoryCache(), stale_if_error=True)
    with adapter.session(cache=cache) as s:
        assert s.request("GET", origin.url + "/flaky").body == b"good"
        assert s.request("GET", origin.url + "/strict").body == b"strict"
        state["fail"] = True
        res = s.request("GET", origin.url + "/flaky")
        assert ok(res) is None and res.cache_status == "stale" and res.body == b"good"
        strict_res = s.request("GET", origin.url + "/strict")  # must-revalidate: never stale
        assert strict_res.status == 503 and strict_res.cache_status == "miss"
        origin.stop()  # the origin is gone: connection refused
        gone = s.request("GET", origin.url + "/flaky", timeout=5)
        assert ok(gone) is None and gone.cache_status == "stale" and gone.body == b"good"
        raised(s.request("GET", origin.url + "/strict", timeout=5), "ConnectionError")
    state["fail"] = False
    origin = _origin(servers, {"/flaky": flaky})
    with adapter.session(cache=httpkit.cache.MemoryCache()) as s:  # not asked for: the error
        s.request("GET", origin.url + "/flaky")
        state["fail"] = True
        assert s.request("GET", origin.url + "/flaky").status == 503


# --------------------------------------------------------------------------- redirects
@scenario
def cache_redirect_hops(adapter, servers):
    fresh = [("Cache-Control", "max-age=60")]
    origin = _origin(servers, {
        "/old": lambda req: (301, fresh + [("Location", "/new")], b""),
        "/new": lambda req: (200, fresh, b"new place"),
        "/moved": lambda req: (301, [("Location", "/new")], b""),
    })
    with adapter.session(cache=httpkit.cache.MemoryCache()) as s:
        first = s.request("GET", origin.url + "/old")
        assert first.body == b"new place" and [h[0] for h in first.history] == [301]
        second = s.request("GET", origin.url + "/old")
        assert second.cache_status == "hit" and second.body == b"new place"
        assert [h[0] for h in second.history] == [301]
        # A 301 without freshness information is not served from the cache forever.
        s.request("GET", origin.url + "/moved")
        s.request("GET", origin.url + "/moved")
    assert _count(origin, "/old") == 1 and _count(origin, "/new") == 1
    assert _count(origin, "/moved") == 2


# --------------------------------------------------------------------------- vary, invalidation
@scenario
def cache_vary_and_invalidation(adapter, servers):
    def vary(req):
        lang = req.header("X-Lang") or "none"
        return 200, [("Cache-Control", "max-age=60"), ("Vary", "X-Lang, Accept-Encoding")], \
            lang.encode("ascii")

    origin = _origin(servers, {"/vary": vary,
                               "/doc": lambda req: (200, [("Cache-Control", "max-age=60")],
                                                    req.method.encode("ascii"))})
    with adapter.session(cache=httpkit.cache.MemoryCache()) as s:
        en = {"X-Lang": "en"}
        assert s.request("GET", origin.url + "/vary", headers=en).cache_status == "miss"
        assert s.request("GET", origin.url + "/vary", headers=en).body == b"en"
        assert s.request("GET", origin.url + "/vary", headers=en).cache_status == "hit"
        fr = s.request("GET", origin.url + "/vary", headers={"X-Lang": "fr"})
        assert fr.cache_status == "miss" and fr.body == b"fr"
        # Unsafe methods pass through, and a success invalidates the stored GET.
        assert s.request("GET", origin.url + "/doc").cache_status == "miss"
        assert s.request("GET", origin.url + "/doc").cache_status == "hit"
        post = s.request("POST", origin.url + "/doc", data=b"x")
        assert post.body == b"POST" and post.cache_status == "bypass"
        assert s.request("GET", origin.url + "/doc").cache_status == "miss"


@scenario
def cache_shared_rules(adapter, servers):
    def answer(extra):
        return lambda req: (200, [("Cache-Control", "max-age=60")] + extra, b"body")

    origin = _origin(servers, {
        "/private": lambda req: (200, [("Cache-Control", "private, max-age=60")], b"mine"),
        "/cookie": answer([("Set-Cookie", "session=abc; Path=/")]),
        "/plain": answer([]),
        "/public": lambda req: (200, [("Cache-Control", "public, max-age=60")], b"public"),
    })
    shared = httpkit.cache.Cache(httpkit.cache.MemoryCache(), shared=True)
    with adapter.session(cache=shared) as s:
        for path, kwargs in (("/private", {}), ("/cookie", {}),
                             ("/plain", {"auth": ("user", "pass")})):
            s.request("GET", origin.url + path, **kwargs)
            again = s.request("GET", origin.url + path, **kwargs)
            assert again.cache_status == "miss", (path, again.cache_status)
        s.request("GET", origin.url + "/public", auth=("user", "pass"))
        assert s.request("GET", origin.url + "/public", auth=("user", "pass")).cache_status \
            == "hit"
    with adapter.session(cache=httpkit.cache.MemoryCache()) as s:  # a private cache may
        s.request("GET", origin.url + "/private")
        assert s.request("GET", origin.url + "/private").cache_status == "hit"


# --------------------------------------------------------------------------- incomplete bodies
@scenario
def cache_incomplete_bodies_not_stored(adapter, servers):
    head = (b"HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nContent-Length: 100\r\n"
            b"Connection: close\r\n\r\n")
    truncated = servers.scripted([head + b"only ten..", ("close",)])
    with adapter.session(cache=httpkit.cache.MemoryCache()) as s:
        raised(s.request("GET", truncated.url + "/t", timeout=5), "ChunkedEncodingError")
        raised(s.request("GET", truncated.url + "/t", timeout=5), "ChunkedEncodingError")
    assert truncated.connections == 2  # nothing was served from the cache
    big = random_bytes(200000, seed=3)
    origin = _origin(servers, {"/big": lambda req: (200, [("Cache-Control", "max-age=60")],
                                                    big)})
    for store in _stores(servers):
        origin.reset()
        with adapter.session(cache=store) as s:
            part = s.stream("GET", origin.url + "/big", chunk_size=1000, max_chunks=1)
            assert not part.complete and part.cache_status == "miss"
            assert s.request("GET", origin.url + "/big").cache_status == "miss"
            whole = s.request("GET", origin.url + "/big")
            assert whole.cache_status == "hit" and whole.body == big
        assert _count(origin, "/big") == 2
