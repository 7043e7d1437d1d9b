"""Progress scenarios (``on_progress`` / ``on_upload_progress``), run against every front-end.

What they pin down (docs/progress.md): wire bytes (before content decoding) so
``done`` reaches ``total``; ``total`` is the Content-Length or None; the last
call is always made and completes the body; at most ~10 calls a second; only
the body handed to the caller is reported (not a redirect's); a cache hit
reports its stored body; what the callback raises reaches the caller as it is
and the connection is not reused; asyncio and Twisted call back on their
event loop's thread.

Rules: loopback only; bounded waits; 2.7 syntax; no timing assertions (the
rate check compares a count of calls with the elapsed time the body took).
"""
from __future__ import absolute_import, division, print_function

import threading
import time

import httpkit
import httpkit.cache
from servers import random_bytes

from scenarios.corpus import ok, raised, scenario

BODY = random_bytes(300000, seed=12)


class Recorder(object):
    """An ``on_progress`` callback that records its calls (and checks its thread)."""

    def __init__(self, adapter, fail_at=None):
        self.adapter = adapter
        self.calls = []
        self.fail_at = fail_at  # raise Boom on this call (1 = the first)
        self.off_loop = []      # calls made outside the front-end's event loop thread

    def __call__(self, done, total):
        self.calls.append((done, total))
        if not _on_loop_thread(self.adapter.name):
            self.off_loop.append(threading.current_thread().name)
        if self.fail_at is not None and len(self.calls) >= self.fail_at:
            raise Boom("stop at %d bytes" % done)

    def check(self, total, done=None):
        """Assert the calls are monotonic with one ``total`` and end complete; return them."""
        calls = self.calls
        assert calls, "on_progress was never called"
        assert all(t == total for _, t in calls), (total, calls)
        dones = [d for d, _ in calls]
        assert dones == sorted(dones), calls
        end = total if done is None else done
        assert calls[-1] == (end, total), (calls[-1], end, total)
        assert not self.off_loop, "called outside the event loop thread: %r" % self.off_loop
        return calls


class Boom(Exception):
    """What a test callback raises (not an httpkit error: it must reach the caller as is)."""


def _on_loop_thread(name):
    if name == "asyncio":
        import asyncio
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return False
        return True
    if name == "twisted":
        from twisted.python import threadable
        return threadable.isInIOThread()
    return True


# --------------------------------------------------------------------------- downloads
@scenario
def progress_download_content_length_and_chunked(adapter, servers):
    url = servers.http.url
    seen = Recorder(adapter)
    res = adapter.request("GET", url + "/bytes/300000?seed=3", on_progress=seen)
    ok(res)
    assert len(res.body) == 300000
    seen.check(300000)
    seen = Recorder(adapter)
    res = adapter.request("GET", url + "/chunked/200000?chunk_size=4096", on_progress=seen)
    ok(res)
    seen.check(None, done=200000)  # chunked: no total, the last call has every byte
    seen = Recorder(adapter)
    res = adapter.request("GET", url + "/close-delimited/5000", on_progress=seen)
    ok(res)
    seen.check(None, done=5000)


@scenario
def progress_gzip_counts_wire_bytes(adapter, servers):
    seen = Recorder(adapter)
    res = adapter.request("GET", servers.http.url + "/gzip", on_progress=seen)
    ok(res)
    wire = int(res.headers["content-length"])
    assert len(res.body) > wire  # decoded for the caller, counted as sent
    seen.check(wire)


@scenario
def progress_empty_bodies_one_call(adapter, servers):
    url = servers.http.url
    for method, path, status in (("HEAD", "/get", 200), ("GET", "/status/204", 204),
                                 ("GET", "/bytes/0", 200)):
        seen = Recorder(adapter)
        ok(adapter.request(method, url + path, on_progress=seen), status)
        assert seen.calls == [(0, 0)], (path, seen.calls)
    with adapter.session() as s:
        seen = Recorder(adapter)
        res = s.request("GET", url + "/etag", headers={"If-None-Match": '"httpkit-etag-1"'},
                        on_progress=seen)
        ok(res, 304)
        assert seen.calls == [(0, 0)], seen.calls


@scenario
def progress_streamed_as_read(adapter, servers):
    url = servers.http.url + "/bytes/300000?seed=5"
    seen = Recorder(adapter)
    res = adapter.stream_chunks("GET", url, chunk_size=8192, on_progress=seen)
    assert res.complete and len(res.body) == 300000
    seen.check(300000)
    # Stopped early: reported up to what was read, never complete.
    seen = Recorder(adapter)
    res = adapter.stream_chunks("GET", servers.http.url + "/chunked/300000?chunk_size=1000",
                                chunk_size=1000, max_chunks=2, on_progress=seen)
    assert not res.complete
    assert seen.calls and seen.calls[-1][0] < 300000, seen.calls


@scenario
def progress_redirect_reports_final_body_only(adapter, servers):
    hop_body = b"r" * 50000  # drained, never reported
    origin = servers.http_server(routes={"/hop": lambda req: (
        302, [("Location", "/bytes/1000"), ("Content-Type", "text/plain")], hop_body)})
    seen = Recorder(adapter)
    res = adapter.request("GET", origin.url + "/hop", on_progress=seen)
    ok(res)
    assert len(res.history) == 1
    seen.check(1000)
    # Not followed: the redirect is the caller's response, so its body is reported.
    seen = Recorder(adapter)
    res = adapter.request("GET", origin.url + "/hop", allow_redirects=False, on_progress=seen)
    ok(res, 302)
    seen.check(len(hop_body))


@scenario
def progress_cache_hit_reports_stored_body(adapter, servers):
    fresh = [("Cache-Control", "max-age=60"), ("Content-Type", "application/octet-stream")]
    origin = servers.http_server(routes={"/fresh": lambda req: (200, fresh, BODY)})
    for store in (httpkit.cache.MemoryCache(), httpkit.cache.FileCache(servers.tmpdir())):
        origin.reset()
        with adapter.session(cache=httpkit.cache.Cache(store)) as s:
            ok(s.request("GET", origin.url + "/fresh"))
            seen = Recorder(adapter)
            res = s.request("GET", origin.url + "/fresh", on_progress=seen)
            ok(res)
            assert res.cache_status == "hit" and res.body == BODY
            seen.check(len(BODY))
            seen = Recorder(adapter)
            res = s.stream("GET", origin.url + "/fresh", chunk_size=4096, on_progress=seen)
            assert res.complete and res.body == BODY
            seen.check(len(BODY))
        assert len([r for r in origin.requests if r.path == "/fresh"]) == 1


@scenario
def progress_rate_limited_on_a_big_body(adapter, servers):
    piece, count = b"\0" * 65536, 400
    total = len(piece) * count

    def dripped(req):
        def pieces():
            for _ in range(count):
                time.sleep(0.002)  # so the body takes > 0.8 s however fast loopback is
                yield piece
        return _counted_response(pieces(), total)
    origin = servers.http_server(routes={"/big": dripped})
    seen = Recorder(adapter)
    started = time.time()
    res = adapter.request("GET", origin.url + "/big", on_progress=seen)
    elapsed = time.time() - started
    ok(res)
    assert len(res.body) == total
    calls = seen.check(total)
    assert elapsed > 0.5
    assert len(calls) <= elapsed * 10 + 2, (len(calls), elapsed)
    assert len(calls) < count // 2, len(calls)  # far fewer calls than pieces
    # The upload side: a big body is reported while it is sent, rate-limited too.
    seen = Recorder(adapter)
    started = time.time()
    ok(adapter.request("POST", origin.url + "/status/200", data=_slow_body(piece, count),
                       on_upload_progress=seen))
    elapsed = time.time() - started
    calls = seen.check(None, done=total)
    assert 2 <= len(calls) <= elapsed * 10 + 2, (len(calls), elapsed)


def _counted_response(pieces, total):
    from peer_base import Response
    return Response(200, [("Content-Type", "application/octet-stream"),
                          ("Content-Length", str(total))], pieces)


def _slow_body(piece, count):
    for _ in range(count):
        time.sleep(0.002)
        yield piece


# --------------------------------------------------------------------------- uploads
@scenario
def progress_upload_bytes_file_generator(adapter, servers):
    url = servers.http.url + "/post"
    data = random_bytes(200000, seed=4)
    seen = Recorder(adapter)
    ok(adapter.request("POST", url, data=data, on_upload_progress=seen))
    seen.check(len(data))
    path = servers.write_file("upload.bin", data)
    with open(path, "rb") as f:
        seen = Recorder(adapter)
        ok(adapter.request("PUT", servers.http.url + "/put", data=f, on_upload_progress=seen))
    seen.check(len(data))
    with open(path, "rb") as f:  # multipart: the encoded body's length
        seen = Recorder(adapter)
        res = adapter.request("POST", servers.http.url + "/upload", files={"f": f},
                              on_upload_progress=seen)
    ok(res)
    assert seen.calls[-1][0] == seen.calls[-1][1] > len(data), seen.calls[-1]
    seen = Recorder(adapter)
    ok(adapter.request("POST", url, data=(data[i:i + 10000] for i in range(0, len(data), 10000)),
                       on_upload_progress=seen))
    seen.check(None, done=len(data))  # a generator: chunked, no total
    seen = Recorder(adapter)
    ok(adapter.request("POST", url, data=u"caf\u00e9", on_upload_progress=seen))
    seen.check(5)  # text: its UTF-8 length
    seen = Recorder(adapter)
    ok(adapter.request("GET", servers.http.url + "/get", on_upload_progress=seen))
    assert seen.calls == [(0, 0)], seen.calls


# --------------------------------------------------------------------------- errors
@scenario
def progress_callback_raises_to_caller(adapter, servers):
    origin = servers.http_server()
    url = origin.url + "/bytes/300000"
    with adapter.session() as s:
        ok(s.request("GET", url))
        assert origin.connections == 1
        for fail_at in (1, 2):  # while the body arrives, and on the call completing it
            seen = Recorder(adapter, fail_at=fail_at)
            try:
                s.request("GET", url, on_progress=seen)
            except Boom:
                pass
            else:
                raise AssertionError("the callback's exception did not reach the caller")
        seen = Recorder(adapter, fail_at=1)
        try:
            s.stream("GET", url, chunk_size=8192, on_progress=seen)
        except Boom:
            pass
        else:
            raise AssertionError("the callback's exception did not reach the streaming caller")
        seen = Recorder(adapter, fail_at=1)
        try:
            s.request("POST", origin.url + "/post", data=b"u" * 100000, on_upload_progress=seen)
        except Boom:
            pass
        else:
            raise AssertionError("the upload callback's exception did not reach the caller")
        # Every failed body closed its connection: a new one each time, and the
        # Session still works.
        ok(s.request("GET", url))
        assert origin.connections == 5, origin.connections


@scenario
def progress_truncated_body_never_complete(adapter, servers):
    seen = Recorder(adapter)
    res = adapter.request("GET", servers.http.url + "/truncated", on_progress=seen)
    raised(res, "IncompleteRead")
    assert seen.calls == [(10, 100)], seen.calls  # what arrived; never complete
