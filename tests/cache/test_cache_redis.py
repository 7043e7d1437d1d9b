"""RedisCache on a real redis-server: shared between processes, prefixed keys, TTLs, shared rules.

The server is this folder's session-wide ``redis_server`` (started on a free
loopback port); ``redis_client`` flushes its database around each test.
"""
from __future__ import absolute_import, division, print_function

import pytest

import httpkit
from httpkit.cache import RedisCache

from cache_helpers import add_resource, http_date, other_major_python, run_child
from nginx import free_port

DAY = 86400


def _get(store, url, **kwargs):
    with httpkit.Session(cache=store) as s:
        r = s.get(url, **kwargs)
        return r, r.content


def _keys(client):
    return sorted(k.decode("utf-8") for k in client.keys("*"))


def test_one_process_fills_another_process_hits(origin, redis_server, redis_client):
    url, resource = add_resource(origin, "/shared", size=50000)
    first = run_child("child_fetch.py", ["redis:" + redis_server, url])
    second = run_child("child_fetch.py", ["redis:" + redis_server, url])
    assert (first["cache_status"], first["from_cache"]) == ("miss", False)
    assert (second["cache_status"], second["from_cache"]) == ("hit", True)
    assert second["sha256"] == first["sha256"] and second["size"] == 50000
    assert resource.calls == 1


def test_entry_written_by_the_other_python_major_is_a_hit(origin, redis_server, redis_client):
    """2.7 (cachecontrol 0.12, msgpack 1.0) and 3.x (0.14, 1.1+) read each other's entries."""
    other = other_major_python()
    url, resource = add_resource(origin, "/other-python", size=5000)
    filled = run_child("child_fetch.py", ["redis:" + redis_server, url], python=other)
    assert filled["cache_status"] == "miss"
    r, body = _get(RedisCache(redis_server), url)
    assert (r.cache_status, body) == ("hit", resource.bodies[0])
    assert resource.calls == 1


def test_entry_is_two_prefixed_keys_with_a_ttl(origin, redis_server, redis_client):
    url, resource = add_resource(origin, "/keys")
    r, body = _get(RedisCache(redis_server), url)
    assert r.cache_status == "miss"
    assert _keys(redis_client) == ["httpkit:" + url, "httpkit:" + url + ":body"]
    assert redis_client.get("httpkit:" + url + ":body") == body == resource.bodies[0]
    assert redis_client.get("httpkit:" + url).startswith(b"cc=4,")
    for key in _keys(redis_client):
        assert 0 < redis_client.ttl(key) <= 60
    r, body = _get(RedisCache(redis_server, prefix="app1:"), url)
    assert r.cache_status == "miss"  # another prefix, another cache
    assert "app1:" + url in _keys(redis_client) and "app1:" + url + ":body" in _keys(redis_client)


def test_expires_in_the_past_without_validators_is_not_stored(origin, redis_server,
                                                              redis_client):
    url, resource = add_resource(origin, "/expired", headers=lambda req: [
        ("Expires", http_date(-3600))])
    for _ in range(2):
        r, body = _get(RedisCache(redis_server), url)
        assert (r.status_code, r.cache_status) == (200, "miss")
        assert body == resource.bodies[-1]
    assert _keys(redis_client) == []
    assert resource.calls == 2


def test_expires_equal_to_date_with_an_etag_is_kept_for_revalidation(origin, redis_server,
                                                                     redis_client):
    def headers(req):
        now = http_date()
        return [("Date", now), ("Expires", now), ("ETag", '"v1"')]
    url, _ = add_resource(origin, "/expires-now", headers=headers, date=False)
    r, _ = _get(RedisCache(redis_server), url)
    assert r.cache_status == "miss"
    keys = _keys(redis_client)
    assert keys == ["httpkit:" + url, "httpkit:" + url + ":body"]
    for key in keys:
        assert DAY <= redis_client.ttl(key) <= 366 * DAY


def test_body_over_max_body_size_is_served_whole_and_not_stored(origin, redis_server,
                                                                redis_client):
    url, resource = add_resource(origin, "/large", size=300 * 1024)
    store = RedisCache(redis_server, max_body_size=100 * 1024)
    r, body = _get(store, url)
    assert (r.cache_status, len(body)) == ("miss", 300 * 1024)
    assert body == resource.bodies[0]
    r, body = _get(store, url, stream=True)
    assert b"".join(r.iter_content(7000)) == resource.answer(2)
    assert _keys(redis_client) == []


def test_clear_removes_only_prefixed_keys(origin, redis_server, redis_client):
    url_a, _ = add_resource(origin, "/clear-a")
    url_b, _ = add_resource(origin, "/clear-b")
    store = RedisCache(redis_server)
    _get(store, url_a)
    _get(store, url_b)
    redis_client.set("unrelated", b"keep")
    redis_client.set("httpkitX:lookalike", b"keep")
    redis_client.set("other:httpkit:inside", b"keep")
    assert len(_keys(redis_client)) == 7
    httpkit.cache.Cache(store).clear()
    assert _keys(redis_client) == ["httpkitX:lookalike", "other:httpkit:inside", "unrelated"]


@pytest.mark.parametrize("prefix", ["app?:", "app[12]:"])
def test_clear_with_glob_characters_in_the_prefix(origin, redis_server, redis_client, prefix):
    """SCAN MATCH is a glob: ``?`` and ``[...]`` in a prefix must match themselves only."""
    url, _ = add_resource(origin, "/glob")
    store = RedisCache(redis_server, prefix=prefix)
    _get(store, url)
    redis_client.set("app1:someone-elses", b"keep")
    store.clear()
    assert _keys(redis_client) == ["app1:someone-elses"]


# --------------------------------------------------------------------------- shared by default
@pytest.mark.parametrize("headers", [
    [("Cache-Control", "private, max-age=60")],
    [("Cache-Control", "max-age=60"), ("Set-Cookie", "session=abc; Path=/")],
], ids=["private", "set-cookie"])
def test_private_answers_are_not_stored(origin, redis_server, redis_client, headers):
    url, resource = add_resource(origin, "/private", headers=headers)
    for _ in range(2):
        r, body = _get(RedisCache(redis_server), url)
        assert r.cache_status == "miss" and body == resource.bodies[-1]
    assert resource.calls == 2
    assert _keys(redis_client) == []


def test_answer_to_authorized_request_is_stored_only_when_public(origin, redis_server,
                                                                 redis_client):
    plain_url, plain = add_resource(origin, "/auth-plain")
    public_url, public = add_resource(origin, "/auth-public",
                                      headers=[("Cache-Control", "public, max-age=60")])
    auth = {"Authorization": "Bearer secret-token"}
    for _ in range(2):
        r, _ = _get(RedisCache(redis_server), plain_url, headers=auth)
        assert r.cache_status == "miss"
    assert plain.calls == 2
    r, _ = _get(RedisCache(redis_server), public_url, headers=auth)
    assert r.cache_status == "miss"
    r, body = _get(RedisCache(redis_server), public_url, headers=auth)
    assert r.cache_status == "hit" and body == public.bodies[0]
    assert public.calls == 1
    assert _keys(redis_client) == ["httpkit:" + public_url, "httpkit:" + public_url + ":body"]


def test_unreachable_redis_is_a_miss_not_an_error(origin, redis_server):
    url, resource = add_resource(origin, "/no-redis")
    store = RedisCache("redis://127.0.0.1:%d/0" % free_port())
    for _ in range(2):
        r, body = _get(store, url)
        assert (r.status_code, r.cache_status) == (200, "miss")
        assert body == resource.bodies[-1]
    assert resource.calls == 2
