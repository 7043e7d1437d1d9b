"""What only the blocking front-end has: threads sharing a Session, pool behaviour
seen from the server side, module-level calls, nginx as a real peer, and a large
streamed download with bounded memory. The shared behaviour is in tests/scenarios.
"""
from __future__ import absolute_import, division, print_function

import hashlib
import threading
import time

import pytest

import httpkit
import servers
from servers import Response, random_bytes

try:
    import resource
except ImportError:  # pragma: no cover - Windows
    resource = None


@pytest.fixture
def server():
    srv = servers.HTTPTestServer().start()
    yield srv
    srv.stop()


def wait_until(predicate, timeout=5.0):
    """Poll ``predicate`` (bounded); return its last value."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


# --------------------------------------------------------------------------- threads
def test_32_threads_share_one_session(server):
    limits = httpkit.Limits(max_per_host=8, max_total=8)
    errors, results = [], {}
    lock = threading.Lock()
    with httpkit.Session(limits=limits) as session:
        def worker(t):
            try:
                for i in range(20):
                    tag = "%d-%d" % (t, i)
                    if i % 4 == 3:
                        r = session.post(server.base_url("/post"), data=tag.encode("ascii"),
                                         params={"tag": tag})
                    else:
                        r = session.get(server.base_url("/get"), params={"tag": tag})
                    r.raise_for_status()
                    doc = r.json()
                    with lock:
                        results[tag] = (doc["args"]["tag"], doc["data"], doc["method"])
            except Exception as exc:  # noqa: BLE001 - reported below
                with lock:
                    errors.append(repr(exc))
        threads = [threading.Thread(target=worker, args=(t,)) for t in range(32)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(90)
        assert not any(t.is_alive() for t in threads), "a worker hung"
    assert errors == []
    assert len(results) == 32 * 20
    for tag, (echoed, data, method) in results.items():
        assert echoed == tag
        if method == "POST":
            assert data == tag
    assert len(server.requests) == 640
    assert server.connections <= 8, server.connections
    assert len(set(r.conn_id for r in server.requests)) <= 8


# --------------------------------------------------------------------------- pool, seen by the server
def test_keep_alive_reuses_one_connection(server):
    with httpkit.Session() as s:
        for i in range(10):
            assert s.get(server.base_url("/get"), params={"i": i}).status_code == 200
        s.post(server.base_url("/post"), data=b"x" * 100000).raise_for_status()
        s.get(server.base_url("/gzip")).json()
        s.get(server.base_url("/stream/3")).content
    assert server.connections == 1
    assert set(r.conn_id for r in server.requests) == {0}
    assert len(server.requests) == 13


def test_per_host_limit_and_pool_timeout(server):
    limits = httpkit.Limits(max_per_host=1, max_total=10)
    with httpkit.Session(limits=limits, timeout=httpkit.Timeouts(10, pool=0.3)) as s:
        held = s.get(server.base_url("/bytes/200000"), stream=True)
        with pytest.raises(httpkit.PoolTimeout):
            s.get(server.base_url("/get"))
        # another host (localhost vs 127.0.0.1) has its own per-host slot
        assert s.get(server.base_url("/get", host="localhost")).status_code == 200
        held.close()
        assert s.get(server.base_url("/get")).status_code == 200
    with httpkit.Session(limits=httpkit.Limits(max_per_host=5, max_total=1),
                         timeout=httpkit.Timeouts(10, pool=0.3)) as s:
        held = s.get(server.base_url("/bytes/200000"), stream=True)
        with pytest.raises(httpkit.PoolTimeout):
            s.get(server.base_url("/get", host="localhost"))
        held.close()


def test_pool_wait_is_served_when_a_connection_is_released(server):
    limits = httpkit.Limits(max_per_host=1, max_total=1)
    with httpkit.Session(limits=limits, timeout=httpkit.Timeouts(10, pool=10)) as s:
        held = s.get(server.base_url("/bytes/1000"), stream=True)
        got = []
        waiter = threading.Thread(target=lambda: got.append(s.get(server.base_url("/get"))))
        waiter.start()
        assert wait_until(lambda: len(server.requests) == 1)
        held.content  # reading the body gives the connection back
        waiter.join(15)
        assert got and got[0].status_code == 200
    assert server.connections == 1


def test_partly_read_response_is_never_reused(server):
    with httpkit.Session() as s:
        r = s.get(server.base_url("/stream-bytes/500000?chunk_size=1000"), stream=True)
        next(r.iter_content(1000))
        r.close()
        s.get(server.base_url("/get")).raise_for_status()
        r = s.get(server.base_url("/bytes/100000"), stream=True)
        with r:
            pass  # closed unread
        s.get(server.base_url("/get")).raise_for_status()
        r = s.get(server.base_url("/bytes/100000"), stream=True)
        assert len(r.content) == 100000  # fully read: given back
        s.get(server.base_url("/get")).raise_for_status()
    conns = [req.conn_id for req in server.requests]
    # 0: half read, closed -> 1 on a new connection; 2 reuses it and is closed unread
    # -> 3 on a new connection; 4 is read fully, so 5 reuses its connection.
    assert conns[1] != conns[0] and conns[2] == conns[1], conns
    assert conns[3] != conns[2] and conns[5] == conns[4] == conns[3], conns
    assert server.connections == 3


def test_stale_kept_alive_connection_is_replaced(server):
    with httpkit.Session() as s:
        assert s.get(server.base_url("/get")).status_code == 200
        assert wait_until(lambda: len(server._open) == 1)
        for sock in list(server._open):  # the server drops the idle connection
            sock.shutdown(2)
        assert wait_until(lambda: len(server._open) == 0)
        assert s.get(server.base_url("/get")).status_code == 200
        assert s.post(server.base_url("/post"), data=b"ok").json()["data"] == "ok"
    assert server.connections == 2


def test_session_close_closes_connections(server):
    with httpkit.Session() as s:
        s.get(server.base_url("/get")).raise_for_status()
        s.get(server.base_url("/get", host="localhost")).raise_for_status()
        assert wait_until(lambda: len(server._open) == 2)
    assert wait_until(lambda: len(server._open) == 0), "Session.__exit__ left connections open"
    s = httpkit.Session()
    s.get(server.base_url("/get")).raise_for_status()
    s.close()
    assert wait_until(lambda: len(server._open) == 0)


def test_module_level_functions(server):
    r = httpkit.get(server.base_url("/get"), params={"a": "1"})
    assert r.status_code == 200 and r.json()["args"] == {"a": "1"}
    r = httpkit.post(server.base_url("/post"), json={"k": [1]})
    assert r.json()["json"] == {"k": [1]}
    assert httpkit.put(server.base_url("/put"), data=b"p").json()["data"] == "p"
    assert httpkit.patch(server.base_url("/patch"), data=b"q").json()["method"] == "PATCH"
    assert httpkit.delete(server.base_url("/delete")).json()["method"] == "DELETE"
    assert httpkit.options(server.base_url("/anything")).json()["method"] == "OPTIONS"
    r = httpkit.head(server.base_url("/redirect/1"))
    assert r.status_code == 302 and r.content == b""
    r = httpkit.request("GET", server.base_url("/redirect/1"))
    assert r.status_code == 200 and len(r.history) == 1
    r = httpkit.get(server.base_url("/stream-bytes/300000?seed=m"), stream=True)
    assert b"".join(r.iter_content(65536)) == random_bytes(300000, "m")
    assert wait_until(lambda: len(server._open) == 0), "module-level calls leave connections"


def test_streamed_text_decodes_characters_split_across_chunks(server):
    from server_routes import UTF8_TEXT
    url = server.base_url("/encoding/utf8")
    with httpkit.get(url, stream=True) as r:
        pieces = list(r.iter_content(3, decode_unicode=True))
    assert all(isinstance(p, type(u"")) for p in pieces) and len(pieces) > 10
    assert u"".join(pieces) == UTF8_TEXT
    with httpkit.get(url, stream=True) as r:
        lines = list(r.iter_lines(5, decode_unicode=True))
    assert lines == UTF8_TEXT.splitlines()


# --------------------------------------------------------------------------- response.raw
def test_raw_reads_exact_sizes_and_copies_to_a_file(server):
    import io
    import shutil
    expected = random_bytes(300000, "r")
    with httpkit.Session() as s:
        r = s.get(server.base_url("/stream-bytes/300000?seed=r&chunk_size=1000"), stream=True)
        head = r.raw.read(10)
        assert head == expected[:10] and r.raw.tell() == 10
        assert [len(p) for p in r.raw.stream(100000)] == [100000, 100000, 99990]
        assert r.raw.read(5) == b"" and r.raw.read() == b""
        assert s._driver.pool.idle_count() == 1  # the end gave the connection back
        with pytest.raises(httpkit.StreamConsumedError):
            r.content
        r = s.get(server.base_url("/stream-bytes/300000?seed=r"), stream=True)
        out = io.BytesIO()
        shutil.copyfileobj(r.raw, out)
        assert out.getvalue() == expected
        r = s.get(server.base_url("/bytes/50"))  # stream=False: the body was read already
        assert len(r.content) == 50 and r.raw.read() == b""


def test_raw_is_the_body_as_sent_unless_decode_content(server):
    import zlib
    with httpkit.Session() as s:
        r = s.get(server.base_url("/gzip"), stream=True)
        wire = r.raw.read()
        assert wire[:2] == b"\x1f\x8b"
        assert b'"gzipped": true' in zlib.decompress(wire, 31)
        r = s.get(server.base_url("/gzip"), stream=True)
        r.raw.decode_content = True
        assert b'"gzipped": true' in r.raw.read()
        r = s.get(server.base_url("/gzip"), stream=True)
        assert b"".join(r.raw.stream(7, decode_content=True)).startswith(b"{")


def test_raw_truncation_is_an_error_and_close_drops_the_connection(server):
    with httpkit.Session() as s:
        r = s.get(server.base_url("/truncated"), stream=True)
        with pytest.raises(httpkit.IncompleteRead):
            r.raw.read()
        r = s.get(server.base_url("/bytes/200000"), stream=True)
        assert len(r.raw.read(1000)) == 1000
        r.raw.close()
        assert r.raw.closed and s._driver.pool.idle_count() == 0
        with pytest.raises(ValueError):
            r.raw.read(1)


# --------------------------------------------------------------------------- nginx
@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_nginx(nginx, tls, ca_bundle):
    from nginx import SMALL
    with httpkit.Session(verify=ca_bundle) as s:
        r = s.get(nginx.url("/small.txt", tls=tls))
        assert r.status_code == 200 and r.content == SMALL
        assert r.headers["server"].startswith("nginx")
        r = s.get(nginx.url("/1mib.bin", tls=tls))
        assert hashlib.sha256(r.content).hexdigest() == \
            hashlib.sha256(nginx.files["1mib.bin"]).hexdigest()
        r = s.get(nginx.url("/gzip/text.txt", tls=tls))
        assert r.headers.get("content-encoding") == "gzip"
        assert r.content == nginx.files["gzip/text.txt"]
        r = s.get(nginx.url("/static.txt", tls=tls))
        assert r.content == nginx.files["static.txt"]
        r = s.get(nginx.url("/redirect", tls=tls))
        assert r.content == SMALL and [h.status_code for h in r.history] == [302]
        r = s.get(nginx.url("/redirect-absolute", tls=tls))
        assert r.content == SMALL and r.history[0].status_code == 301
        r = s.get(nginx.url("/status/404", tls=tls))
        assert r.status_code == 404
        with pytest.raises(httpkit.HTTPError):
            r.raise_for_status()
        assert s.post(nginx.url("/echo-method", tls=tls), data=b"x").text == "POST\n"
        r = s.get(nginx.url("/1mib.bin", tls=tls), stream=True)
        digest = hashlib.sha256()
        for chunk in r.iter_content(65536):
            digest.update(chunk)
        assert digest.hexdigest() == hashlib.sha256(nginx.files["1mib.bin"]).hexdigest()


# --------------------------------------------------------------------------- large download
BLOCK = 64 * 1024
TOTAL = 50 * 1024 * 1024


def _block(i):
    return hashlib.sha512(str(i).encode("ascii")).digest() * (BLOCK // 64)


def _big(req):
    def body():
        for i in range(TOTAL // BLOCK):
            yield _block(i)
    return Response(200, [("Content-Type", "application/octet-stream")], body(),
                    framing="chunked")


def _maxrss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


@pytest.mark.skipif(resource is None, reason="needs the resource module (POSIX)")
def test_50_mib_streamed_download_bounded_memory(server):
    server.add_route("/big", _big)
    expected = hashlib.sha256()
    for i in range(TOTAL // BLOCK):
        expected.update(_block(i))
    with httpkit.Session() as s:
        s.get(server.base_url("/get")).raise_for_status()  # warm up imports and TLS-free path
        before = _maxrss_mib()
        r = s.get(server.base_url("/big"), stream=True)
        digest, size = hashlib.sha256(), 0
        for chunk in r.iter_content(256 * 1024):
            digest.update(chunk)
            size += len(chunk)
        grown = _maxrss_mib() - before
    assert size == TOTAL
    assert digest.hexdigest() == expected.hexdigest()
    assert grown < 20, "peak memory grew by %.1f MiB for a streamed 50 MiB body" % grown
