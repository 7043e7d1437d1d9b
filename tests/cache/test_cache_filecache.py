"""FileCache: private directory, cachecontrol's layout both ways, temp files, clear and delete.

Every entry is written by a real request to a loopback origin, through
httpkit or through requests with cachecontrol's adapter, and read back by
the other; the origin's answers are numbered, so a hit is told from a miss
by the body served and by how many requests reached the origin.
"""
from __future__ import absolute_import, division, print_function

import gc
import hashlib
import os
import stat
import sys
import warnings

import pytest

import httpkit
from httpkit.cache import Cache, FileCache
from servers import Response

from cache_helpers import (add_resource, cc_file_cache, has_separate_body_cache,
                           other_major_python, requests_with_cachecontrol, run_child, tmp_files)

needs_separate_body = pytest.mark.skipif(
    not has_separate_body_cache(),
    reason="cachecontrol %s has no SeparateBodyFileCache (0.13+)"
    % __import__("cachecontrol").__version__)


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def _get(store, url):
    """GET ``url`` through a fresh Session on ``store``; (response, body)."""
    with httpkit.Session(cache=store) as s:
        r = s.get(url)
        return r, r.content


def _fill(store, url):
    r, body = _get(store, url)
    assert (r.status_code, r.cache_status) == (200, "miss")
    return body


def _requests_get(cache, url):
    """GET ``url`` with requests and cachecontrol's adapter on ``cache``; (response, body)."""
    session = requests_with_cachecontrol(cache)
    try:
        r = session.get(url)
        return r, r.content
    finally:
        session.close()


# --------------------------------------------------------------------------- directory, layout
def test_directory_created_private_and_entries_private(origin, cache_dir):
    url, _ = add_resource(origin, "/private-files")
    directory = os.path.join(cache_dir, "new", "http")
    store = FileCache(directory)
    assert _mode(directory) == 0o700
    _fill(store, url)
    meta = store.path_for(url)
    assert _mode(meta) == 0o600
    assert _mode(meta + ".body") == 0o600


def test_layout_is_cachecontrols_sha224_path(origin, cache_dir):
    url, resource = add_resource(origin, "/layout")
    _fill(FileCache(cache_dir), url)
    hashed = hashlib.sha224(url.encode("utf-8")).hexdigest()
    expected = os.path.join(cache_dir, *(list(hashed[:5]) + [hashed]))
    assert cc_file_cache(cache_dir)._fn(url) == expected == FileCache(cache_dir).path_for(url)
    with open(expected, "rb") as f:
        assert f.read().startswith(b"cc=4,")
    with open(expected + ".body", "rb") as f:
        assert f.read() == resource.bodies[0]


@needs_separate_body
def test_cachecontrol_reads_an_entry_httpkit_wrote(origin, cache_dir):
    url, resource = add_resource(origin, "/ours")
    _fill(FileCache(cache_dir), url)
    theirs = cc_file_cache(cache_dir, separate_body=True)
    assert theirs.get(url).startswith(b"cc=4,")
    stored = theirs.get_body(url)
    try:
        assert stored.read() == resource.bodies[0]
    finally:
        stored.close()
    r, body = _requests_get(theirs, url)
    assert r.status_code == 200
    assert r.from_cache is True
    assert body == resource.bodies[0]
    assert resource.calls == 1


@needs_separate_body
@pytest.mark.parametrize("separate_body", [True, False], ids=["separate-body", "inline-body"])
def test_httpkit_serves_an_entry_cachecontrol_wrote(origin, cache_dir, separate_body):
    url, resource = add_resource(origin, "/theirs")
    theirs, _ = _requests_get(cc_file_cache(cache_dir, separate_body), url)
    assert theirs.status_code == 200 and not getattr(theirs, "from_cache", False)
    r, body = _get(FileCache(cache_dir), url)
    assert (r.cache_status, r.from_cache) == ("hit", True)
    assert body == resource.bodies[0]
    assert resource.calls == 1


def test_cachecontrol_file_cache_as_store_both_ways(origin, cache_dir):
    """cachecontrol's own FileCache (inline bodies; 0.12.6 on 2.7) wrapped in CacheControlStore."""
    url, resource = add_resource(origin, "/both-ways")
    theirs_dir, ours_dir = os.path.join(cache_dir, "theirs"), os.path.join(cache_dir, "ours")
    # requests + cachecontrol write, httpkit reads
    _requests_get(cc_file_cache(theirs_dir), url)
    r, body = _get(Cache(cc_file_cache(theirs_dir)), url)
    assert (r.cache_status, body) == ("hit", resource.bodies[0])
    assert resource.calls == 1
    # httpkit writes, requests + cachecontrol read
    _fill(Cache(cc_file_cache(ours_dir)), url)
    theirs, body = _requests_get(cc_file_cache(ours_dir), url)
    assert theirs.from_cache is True
    assert body == resource.answer(2)
    assert resource.calls == 2


def test_entries_written_by_the_other_python_major_are_hits(origin, cache_dir):
    """One FileCache directory (the default ~/.cache/httpkit) used by 2.7 and 3.x scripts.

    The body stamp must read the same on both (2.7 has only the float
    ``st_mtime``, 3.x ``st_mtime_ns`` too). Twelve entries: a stamp that
    agrees by chance (rounding one way or the other) fails at least one.
    """
    other = other_major_python()
    made = [add_resource(origin, "/cross-python/%02d/" % n) for n in range(12)]
    filled = run_child("child_fetch.py", ["file:" + cache_dir] + [url for url, _ in made],
                       python=other)
    assert filled["cache_statuses"] == ["miss"] * 12
    statuses = []
    with httpkit.Session(cache=FileCache(cache_dir)) as s:
        for url, resource in made:
            r = s.get(url)
            statuses.append(r.cache_status)
            assert r.content == resource.bodies[-1]
    assert statuses == ["hit"] * 12, "entries %s stored, read by Python %s: %s" \
        % (other, sys.version.split()[0], statuses)


@pytest.mark.parametrize("sub_ms", [0.0, 0.1, 0.5, 0.7, 0.9999])
def test_both_python_majors_see_the_same_body_identity(origin, cache_dir, sub_ms):
    """The same check without the file system's clock: a body modified at a chosen time.

    ``sub_ms``: where in its millisecond the body's mtime falls (rounding and
    truncating to milliseconds disagree past the half). ``Stored.identity``
    is ``[size, inode, mtime in ms]``; 2.7 reads mtime as a float, so the
    cache flow accepts 1 ms of difference, and no more.
    """
    other = other_major_python()
    url, _ = add_resource(origin, "/identity")
    store = FileCache(cache_dir)
    _fill(store, url)
    body_file = store.path_for(url) + ".body"
    mtime = 1700000000.123 + sub_ms / 1000.0
    os.utime(body_file, (mtime, mtime))
    mine = store.load(url)
    mine.close()
    theirs = run_child("child_identity.py", [cache_dir, url], python=other)["identity"]
    message = "mtime %.7f: Python %s says %s, %s says %s" % (
        mtime, sys.version.split()[0], mine.identity, other, theirs)
    assert theirs[:2] == list(mine.identity)[:2], message
    assert abs(theirs[2] - mine.identity[2]) <= 1, message


# ----------------------------------------------------------------- temp files, clear, delete
def test_discarded_writer_leaves_no_temp_file(cache_dir):
    store = FileCache(cache_dir)
    writer = store.writer("http://example.invalid/x")
    writer.write(b"partial body")
    assert len(tmp_files(cache_dir)) == 1
    writer.discard()
    assert tmp_files(cache_dir) == []
    assert store.load("http://example.invalid/x") is None


def test_abandoned_streamed_response_is_not_stored(origin, cache_dir):
    url, resource = add_resource(origin, "/big", size=2 * 1024 * 1024)
    store = FileCache(cache_dir)
    with httpkit.Session(cache=store) as s:
        r = s.get(url, stream=True)
        assert next(r.iter_content(64 * 1024))
        r.close()
        assert tmp_files(cache_dir) == []
        assert store.load(url) is None
        again = s.get(url)
        assert again.cache_status == "miss" and again.content == resource.answer(2)
    assert resource.calls == 2


def test_partly_read_raw_body_dropped_unclosed_leaves_no_temp_file(origin, cache_dir):
    """A streamed response read half-way through ``r.raw`` and then dropped (never closed).

    More than the cache's 256 KiB write batch is read, so a temp file exists;
    losing the response must discard it like ``close()`` does.
    """
    url, resource = add_resource(origin, "/raw-dropped", size=3 * 1024 * 1024)
    store = FileCache(cache_dir)
    with httpkit.Session(cache=store) as s:
        r = s.get(url, stream=True)
        assert len(r.raw.read(1024 * 1024)) == 1024 * 1024
        with warnings.catch_warnings():
            # Dropping a streamed response unclosed is the caller's leak, and the
            # collector saying so (ResourceWarning, 3.x) is right: not what this tests.
            if sys.version_info[0] > 2:  # (2.7 has no ResourceWarning)
                warnings.simplefilter("ignore", ResourceWarning)  # noqa: F821
            del r
            gc.collect()
        assert tmp_files(cache_dir) == []
    assert store.load(url) is None


def test_body_over_max_body_size_is_served_whole_and_not_stored(origin, cache_dir):
    url, resource = add_resource(origin, "/over-limit", size=600 * 1024)
    store = FileCache(cache_dir, max_body_size=300 * 1024)
    r, body = _get(store, url)
    assert (r.cache_status, body) == ("miss", resource.bodies[0])
    assert store.load(url) is None and tmp_files(cache_dir) == []
    r, body = _get(store, url)
    assert (r.cache_status, body) == ("miss", resource.answer(2))


def test_truncated_origin_body_is_not_stored(origin, cache_dir):
    origin.add_route("/short", lambda req: Response(
        200, [("Cache-Control", "max-age=60"), ("Content-Length", "1000")], b"x" * 10,
        close=True))
    store = FileCache(cache_dir)
    with httpkit.Session(cache=store) as s:
        with pytest.raises(httpkit.RequestException):
            s.get(origin.base_url("/short")).content
    assert store.load(origin.base_url("/short")) is None
    assert tmp_files(cache_dir) == []


def test_clear_removes_entries_and_keeps_unrelated_files(origin, cache_dir):
    url_a, res_a = add_resource(origin, "/clear-a")
    url_b, _ = add_resource(origin, "/clear-b")
    store = FileCache(cache_dir)
    _fill(store, url_a)
    _fill(store, url_b)
    with open(os.path.join(cache_dir, "notes.txt"), "w") as f:
        f.write("mine")
    os.mkdir(os.path.join(cache_dir, "keep"))
    with open(os.path.join(cache_dir, "keep", "data"), "w") as f:
        f.write("mine too")
    Cache(store).clear()
    assert sorted(os.listdir(cache_dir)) == ["keep", "notes.txt"]
    assert os.path.isfile(os.path.join(cache_dir, "keep", "data"))
    r, _ = _get(store, url_a)
    assert r.cache_status == "miss" and res_a.calls == 2


def test_delete_by_url_forgets_the_entry(origin, cache_dir):
    url, resource = add_resource(origin, "/delete-me")
    other_url, other = add_resource(origin, "/keep-me")
    store = FileCache(cache_dir)
    _fill(store, url)
    _fill(store, other_url)
    Cache(store).delete("http://user:secret@%s/delete-me#top" % origin.netloc)
    assert not os.path.exists(store.path_for(url))
    assert not os.path.exists(store.path_for(url) + ".body")
    assert _get(store, url)[0].cache_status == "miss"
    assert _get(store, other_url)[0].cache_status == "hit"
    assert (resource.calls, other.calls) == (2, 1)
