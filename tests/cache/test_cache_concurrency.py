"""FileCache under contention: 8 processes write and read ONE key; no head meets another's body.

Each worker (``child_hammer.py``) stores bodies unique to it, all of one
length, with metadata from cachecontrol's Serializer naming the body's
SHA-256, and reads the key back between writes with ``load()`` +
``_entry.decode`` as the cache flow does (``_flow._lookup``) and through a
Session asking ``only-if-cached``: whatever the cache would serve must pair
metadata with its own body. Zero mismatches, ever.
"""
from __future__ import absolute_import, division, print_function

import hashlib
import time

import pytest

import httpkit
from httpkit.cache import FileCache

from cache_helpers import add_resource, finish_child, start_child, tmp_files

WORKERS = 8
KEY = "http://127.0.0.1:9/hammered"


def _run_workers(directory, body_size, writes, max_seconds):
    start_at = time.time() + 2.0  # let every interpreter import httpkit before the race
    procs = [start_child("child_hammer.py",
                         [directory, KEY, n, start_at, max_seconds, body_size, writes])
             for n in range(WORKERS)]
    deadline = start_at + max_seconds + 45
    results = []
    try:
        for proc in procs:
            results.append(finish_child(proc, deadline))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return results


@pytest.mark.parametrize("body_size, writes, max_seconds", [
    (1024, 1000, 8.0),          # many fast writes: the race is run often
    (300 * 1024, 100, 3.0),     # bodies streamed from the file when served
], ids=["small-bodies", "streamed-bodies"])
def test_eight_processes_never_pair_metadata_with_another_body(cache_dir, body_size, writes,
                                                               max_seconds):
    """Each worker stores ``writes`` bodies (or stops at ``max_seconds`` on a busy machine)."""
    results = _run_workers(cache_dir, body_size, writes, max_seconds)
    total = dict((name, sum(r[name] for r in results)) for name in results[0]
                 if name != "examples")
    examples = [e for r in results for e in r["examples"]]
    assert total["mismatches"] == 0, (total, examples)
    assert all(r["writes"] > 0 for r in results), results
    assert total["hits"] + total["streamed"] > 0 and total["served"] > 0, total
    assert total["updates"] > 0 and total["discards"] > 0, total
    assert tmp_files(cache_dir) == []
    # What the race left behind is served whole and right, or not at all (metadata A
    # may have landed after body B: then it is a miss until the next store).
    with httpkit.Session(cache=FileCache(cache_dir)) as s:
        r = s.get(KEY, headers={"Cache-Control": "only-if-cached"})
        if r.status_code != 504:
            assert (r.status_code, len(r.content)) == (200, body_size)
            assert r.headers["X-Body-Sha256"] == hashlib.sha256(r.content).hexdigest()


def test_parallel_sessions_storing_one_url_serve_whole_bodies(origin, cache_dir):
    """The same race through real requests: 8 processes filling one URL at once."""
    url, resource = add_resource(origin, "/contended", size=256 * 1024,
                                 headers=[("Cache-Control", "max-age=60")])
    procs = [start_child("child_fetch.py", ["file:" + cache_dir, url]) for _ in range(WORKERS)]
    deadline = time.time() + 45
    results = [finish_child(proc, deadline) for proc in procs]
    served = set(hashlib.sha256(b).hexdigest() for b in resource.bodies)
    assert all(r["sha256"] in served and r["size"] == 256 * 1024 for r in results), results
    with httpkit.Session(cache=FileCache(cache_dir)) as s:
        # a hit, or a miss that stores anew when the race left metadata A beside body B
        first = s.get(url)
        assert first.cache_status in ("hit", "miss") and first.content in resource.bodies
        again = s.get(url)
        assert (again.cache_status, again.content) == ("hit", first.content)
    assert tmp_files(cache_dir) == []
