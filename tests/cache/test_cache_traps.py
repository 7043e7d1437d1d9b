"""Traps: entries that must never be trusted, keys that must agree, headers that must not crash.

Each test plants something in a store (or has the origin send something odd)
and checks, through real requests, what reached the origin and what the
store holds afterwards. A bad entry is a miss, never an exception, and is
deleted.
"""
from __future__ import absolute_import, division, print_function

import base64
import json
import os
import pickle
import time
import zlib

import msgpack
import pytest
from cachecontrol.cache import DictCache
from cachecontrol.heuristics import ExpiresAfter, OneDayCache

import httpkit
from httpkit.cache import Cache, CacheControlStore, FileCache, MemoryCache

from cache_helpers import add_resource, http_date, serialized_meta


def _get(store, url, **kwargs):
    with httpkit.Session(cache=store) as s:
        r = s.get(url, **kwargs)
        return r, r.content


def _fresh_headers(body):
    return [("Date", http_date()), ("Cache-Control", "max-age=3600"),
            ("Content-Length", str(len(body)))]


class _Store(object):
    """One kind of store under test, with a way to plant raw metadata and look inside."""

    def __init__(self, kind, directory):
        self.kind = kind
        if kind == "memory":
            self.store = MemoryCache()
        elif kind == "dictcache":
            self.dict_cache = DictCache()
            self.store = CacheControlStore(self.dict_cache)
        else:
            self.store = FileCache(directory)

    def plant(self, key, meta, body=b""):
        if self.kind == "memory":
            self.store.put(key, meta, body)
        elif self.kind == "dictcache":
            self.dict_cache.set(key, meta)
        else:
            writer = self.store.writer(key)
            writer.write(body)
            writer.commit(serialized_meta(_fresh_headers(body)), 3600)
            with open(self.store.path_for(key), "wb") as f:  # then spoil the metadata
                f.write(meta)

    def holds(self, key):
        if self.kind == "memory":
            return key in self.store._entries
        if self.kind == "dictcache":
            return self.dict_cache.get(key) is not None
        path = self.store.path_for(key)
        return os.path.exists(path) or os.path.exists(path + ".body")


@pytest.fixture(params=["memory", "dictcache", "file"])
def planted(request, cache_dir):
    return _Store(request.param, cache_dir)


def test_a_planted_entry_is_served(origin, planted):
    """Control for the traps below: what ``plant`` stores well-formed is a hit."""
    url, resource = add_resource(origin, "/planted", headers=())
    body = b"stored earlier"
    planted.plant(url, serialized_meta(_fresh_headers(body), body=body), body)
    r, served = _get(planted.store, url)
    assert (r.cache_status, served, resource.calls) == ("hit", body, 0)


# --------------------------------------------------------------------------- old formats
class _MakesMarker(object):
    """Unpickling this creates the file at ``path`` (what a hostile cc=1 entry could do)."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def _v2_entry(body):
    """A well-formed, fresh cachecontrol version-2 entry (zlib'd JSON, base64 fields)."""
    def b64(value):
        data = value if isinstance(value, bytes) else value.encode("utf-8")
        return base64.b64encode(data).decode("ascii")
    doc = {"response": {"body": b64(body), "status": 200, "version": 11, "reason": b64("OK"),
                        "strict": 0, "decode_content": False,
                        "headers": dict((b64(k), b64(v)) for k, v in _fresh_headers(body))},
           "vary": {}}
    return b"cc=2," + zlib.compress(json.dumps(doc).encode("utf-8"))


def test_pickle_payload_is_live(cache_dir):
    """The trap below is real: unpickling the payload does create its marker."""
    marker = os.path.join(cache_dir, "proof")
    pickle.loads(pickle.dumps(_MakesMarker(marker), protocol=2)).close()
    assert os.path.exists(marker)


def test_cc1_pickle_entry_is_never_unpickled(origin, cache_dir, planted):
    url, resource = add_resource(origin, "/pickled", headers=())
    marker = os.path.join(cache_dir, "unpickled")
    planted.plant(url, b"cc=1," + pickle.dumps(_MakesMarker(marker), protocol=2))
    r, body = _get(planted.store, url)
    assert (r.status_code, r.cache_status) == (200, "miss")
    assert body == resource.bodies[0]
    assert not os.path.exists(marker)
    assert not planted.holds(url)


def test_cc2_entry_is_a_miss_and_deleted(origin, cache_dir, planted):
    url, resource = add_resource(origin, "/v2", headers=())
    planted.plant(url, _v2_entry(b"stored long ago"))
    r, body = _get(planted.store, url)
    assert (r.cache_status, body) == ("miss", resource.bodies[0])
    assert not planted.holds(url)


# --------------------------------------------------------------------------- corrupt metadata
def _entry_without_response():
    return b"cc=4," + msgpack.packb({u"vary": {}}, use_bin_type=True)


def _entry_with(field, value):
    data = msgpack.unpackb(serialized_meta(_fresh_headers(b"abc"))[5:], raw=False)
    data[u"response"][field] = value
    return b"cc=4," + msgpack.packb(data, use_bin_type=True)


CORRUPT = {
    "random-bytes": lambda: os.urandom(300),
    "truncated-msgpack": lambda: serialized_meta(_fresh_headers(b"abc"))[:40],
    "no-response": _entry_without_response,
    "status-999": lambda: _entry_with(u"status", 999),
    "crlf-in-header": lambda: _entry_with(u"headers", {u"X-Evil": u"a\r\nSet-Cookie: pwned=1",
                                                      u"Date": http_date(),
                                                      u"Cache-Control": u"max-age=60"}),
}


@pytest.mark.parametrize("spoil", sorted(CORRUPT))
def test_corrupt_metadata_is_a_miss_and_deleted(origin, planted, spoil):
    url, resource = add_resource(origin, "/corrupt", headers=())
    planted.plant(url, CORRUPT[spoil](), b"abc")
    r, body = _get(planted.store, url)
    assert (r.status_code, r.cache_status, body) == (200, "miss", resource.bodies[0])
    assert "pwned" not in r.headers.get("Set-Cookie", "")
    assert not planted.holds(url)


def test_truncated_body_file_is_a_miss_not_a_short_body(origin, cache_dir):
    url, resource = add_resource(origin, "/truncated-body", size=100000)
    store = FileCache(cache_dir)
    _get(store, url)
    with open(store.path_for(url) + ".body", "r+b") as f:
        f.truncate(50000)
    r, body = _get(store, url)
    assert (r.cache_status, body) == ("miss", resource.answer(2))
    r, body = _get(store, url)
    assert (r.cache_status, body) == ("hit", resource.answer(2))


def test_body_shorter_than_content_length_without_stamp_is_deleted(origin, cache_dir):
    """An entry as cachecontrol's SeparateBodyFileCache writes it (no httpkit stamp)."""
    url, resource = add_resource(origin, "/unstamped", headers=())
    store = FileCache(cache_dir)
    path = store.path_for(url)
    os.makedirs(os.path.dirname(path))
    with open(path, "wb") as f:
        f.write(serialized_meta(_fresh_headers(b"x" * 1000)))
    with open(path + ".body", "wb") as f:
        f.write(b"x" * 500)
    r, body = _get(store, url)
    assert (r.cache_status, body) == ("miss", resource.bodies[0])
    assert not os.path.exists(path) and not os.path.exists(path + ".body")


# --------------------------------------------------------------------------- keys
def test_fragment_and_user_info_are_not_part_of_the_key(origin):
    url, resource = add_resource(origin, "/norm-plain")
    store = MemoryCache()
    assert _get(store, url)[0].cache_status == "miss"
    r, body = _get(store, url + "#frag")
    assert (r.cache_status, body) == ("hit", resource.bodies[0])
    r, body = _get(store, "http://user:pw@%s/norm-plain" % origin.netloc)
    assert (r.cache_status, body) == ("hit", resource.bodies[0])
    assert list(store._entries) == [url]
    assert resource.calls == 1


def test_key_of_a_url_with_credentials_holds_no_credentials(origin):
    url, resource = add_resource(origin, "/norm-auth")
    store = MemoryCache()
    r, _ = _get(store, "http://user:pw@%s/norm-auth#x" % origin.netloc)
    assert r.cache_status == "miss"
    assert list(store._entries) == [url]
    assert not any("user" in key or "pw@" in key for key in store._entries)
    assert _get(store, url)[0].cache_status == "hit"
    assert resource.calls == 1


def test_scheme_and_host_name_case_do_not_matter(origin):
    _, resource = add_resource(origin, "/norm-host")
    store = MemoryCache()
    upper = "HTTP://LocalHost:%d/norm-host" % origin.port
    lower = "http://localhost:%d/norm-host" % origin.port
    assert _get(store, upper)[0].cache_status == "miss"
    r, body = _get(store, lower)
    assert (r.cache_status, body) == ("hit", resource.bodies[0])
    assert list(store._entries) == [lower]


# --------------------------------------------------------------------------- odd headers
def test_invalid_date_on_a_cacheable_response(origin):
    url, resource = add_resource(origin, "/bad-date", date=False,
                                 headers=[("Date", "garbage"), ("Cache-Control", "max-age=60")])
    store = MemoryCache()
    r, body = _get(store, url)
    assert (r.status_code, r.cache_status) == (200, "miss")
    r, body = _get(store, url)
    assert (r.cache_status, body) == ("hit", resource.bodies[0])
    assert resource.calls == 1


def test_date_ahead_of_the_local_clock_does_not_extend_freshness(origin):
    """RFC 9111 section 4.2.3: an entry's age grows with the time it has been stored.

    The origin's clock runs an hour ahead: its ``Date`` is later than the time
    of receipt, so the apparent age is 0. Two seconds later the entry has been
    resident two seconds: older than max-age=1, so stale (no validator: a miss).
    """
    url, resource = add_resource(origin, "/clock-ahead", date=False, headers=lambda req: [
        ("Date", http_date(3600)), ("Cache-Control", "max-age=1")])
    store = MemoryCache()
    assert _get(store, url)[0].cache_status == "miss"
    assert len(store) == 1
    time.sleep(2.2)  # a wait, not a measurement: more than max-age=1 must pass
    r, body = _get(store, url)
    assert r.cache_status == "miss", "served as fresh 2 s after max-age=1 (Date 1 h ahead)"
    assert (resource.calls, body) == (2, resource.answer(2))


def test_expires_after_heuristic_makes_a_plain_200_fresh(origin):
    url, resource = add_resource(origin, "/plain", headers=())
    cache = Cache(MemoryCache(), heuristic=ExpiresAfter(hours=1))
    assert _get(cache, url)[0].cache_status == "miss"
    r, body = _get(cache, url)
    assert (r.cache_status, body) == ("hit", resource.bodies[0])
    assert _get(MemoryCache(), url)[0].cache_status == "miss"  # control: no heuristic, no hit


@pytest.mark.parametrize("status, headers", [
    (200, [("Cache-Control", "no-store")]),
    (500, []),
], ids=["no-store", "500"])
def test_expires_after_heuristic_does_not_store(origin, status, headers):
    url, resource = add_resource(origin, "/not-stored", headers=headers, status=status)
    store = MemoryCache()
    cache = Cache(store, heuristic=ExpiresAfter(hours=1))
    for _ in range(2):
        r, _ = _get(cache, url)
        assert (r.status_code, r.cache_status) == (status, "miss")
    assert resource.calls == 2
    assert len(store) == 0


@pytest.mark.parametrize("heuristic", ["one-day", "expires-after", "last-modified"])
def test_heuristics_on_a_response_without_date(origin, heuristic):
    chosen = {"one-day": OneDayCache(), "expires-after": ExpiresAfter(days=1),
              "last-modified": "last-modified"}[heuristic]
    url, resource = add_resource(origin, "/no-date", date=False, headers=[
        ("Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT")])
    cache = Cache(MemoryCache(), heuristic=chosen)
    assert _get(cache, url)[0].cache_status == "miss"
    r, body = _get(cache, url)
    assert (r.cache_status, body) == ("hit", resource.bodies[0])


# --------------------------------------------------------------------------- permanent redirects
@pytest.mark.parametrize("status", [301, 308])
def test_permanent_redirect_without_freshness_is_not_served_from_cache(origin, status):
    _, target = add_resource(origin, "/target-a", headers=())
    _, moved = add_resource(origin, "/moved-a", status=status, headers=[
        ("Location", "/target-a")])
    store = MemoryCache()
    for _ in range(2):
        r, body = _get(store, origin.base_url("/moved-a"))
        assert r.status_code == 200 and body == target.bodies[-1]
        assert [h.cache_status for h in r.history] == ["miss"]
    assert moved.calls == 2


@pytest.mark.parametrize("status", [301, 308])
def test_permanent_redirect_with_max_age_is_served_from_cache(origin, status):
    _, target = add_resource(origin, "/target-b", headers=())
    _, moved = add_resource(origin, "/moved-b", status=status, headers=[
        ("Location", "/target-b"), ("Cache-Control", "max-age=60")])
    store = MemoryCache()
    _get(store, origin.base_url("/moved-b"))
    r, body = _get(store, origin.base_url("/moved-b"))
    assert (r.status_code, body) == (200, target.bodies[-1])
    assert [(h.status_code, h.cache_status) for h in r.history] == [(status, "hit")]
    assert (moved.calls, target.calls) == (1, 2)
