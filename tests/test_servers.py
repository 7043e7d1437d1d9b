"""The test peers themselves behave: checked with the stdlib client only."""
from __future__ import absolute_import, division, print_function

import base64
import gzip
import hashlib
import io
import json
import os
import re
import socket
import ssl
import time
import zlib

import pytest

import servers
from servers import HTTPTestServer, ProxyServer, Response, random_bytes

try:
    import http.client as httplib
except ImportError:  # Python 2.7
    import httplib


def client_context():
    ctx = ssl.create_default_context(cafile=servers.CA_BUNDLE)
    # Python 3.13 turns on VERIFY_X509_STRICT, and tests/certs (from
    # tools/make_certs.py) carry no Authority Key Identifier, which strict mode
    # requires. These tests check the peers, not the certificates: relax it.
    if hasattr(ssl, "VERIFY_X509_STRICT"):
        ctx.verify_flags &= ~ssl.VERIFY_X509_STRICT
    return ctx


#: Every client connection a test opened, closed after it (close_connections).
_OPENED = []


def opened(conn):
    """Return ``conn``, to be closed when the test ends."""
    _OPENED.append(conn)
    return conn


@pytest.fixture(autouse=True)
def close_connections():
    yield
    while _OPENED:
        _OPENED.pop().close()


def conn_for(server, timeout=10):
    if server.tls:
        return opened(httplib.HTTPSConnection("localhost", server.port, timeout=timeout,
                                              context=client_context()))
    return opened(httplib.HTTPConnection(server.host, server.port, timeout=timeout))


def fetch(server, path, method="GET", body=None, headers=None, conn=None):
    """One request; returns (response, body bytes)."""
    conn = conn or conn_for(server)
    conn.request(method, path, body=body, headers=headers or {})
    resp = conn.getresponse()
    return resp, resp.read()


def fetch_json(server, path, **kwargs):
    resp, body = fetch(server, path, **kwargs)
    return resp, json.loads(body.decode("utf-8"))


def raw_exchange(port, data, tls=False, timeout=5, ragged_ok=True):
    """Send raw bytes, read until EOF; return the bytes received."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    if tls:
        ctx = client_context()
        sock = ctx.wrap_socket(sock, server_hostname="localhost",
                               suppress_ragged_eofs=ragged_ok)
    sock.sendall(data)
    chunks = []
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        sock.close()
    return b"".join(chunks)


# --------------------------------------------------------------------------- HTTPTestServer
def test_get_echo_and_keep_alive(http_server):
    conn = conn_for(http_server)
    resp, doc = fetch_json(http_server, "/get?a=1&a=2&b=x", headers={"X-Test": "yes"}, conn=conn)
    assert resp.status == 200
    assert doc["method"] == "GET" and doc["path"] == "/get"
    assert doc["args"] == {"a": ["1", "2"], "b": "x"}
    assert doc["headers"]["X-Test"] == "yes"
    resp2, doc2 = fetch_json(http_server, "/get", conn=conn)
    assert doc2["connection"] == doc["connection"]  # same connection: keep-alive
    req = http_server.last_request
    assert req.method == "GET" and req.path == "/get" and req.header("x-test") is None
    assert http_server.requests[-2].header("X-TEST") == "yes"


def test_post_echo_and_method_guard(http_server):
    body = json.dumps({"k": "v"}).encode("utf-8")
    resp, doc = fetch_json(http_server, "/post", method="POST", body=body,
                           headers={"Content-Type": "application/json"})
    assert doc["json"] == {"k": "v"} and doc["body_length"] == len(body)
    assert doc["body_sha256"] == hashlib.sha256(body).hexdigest()
    resp, _ = fetch(http_server, "/post")
    assert resp.status == 405
    resp, doc = fetch_json(http_server, "/anything/x", method="PATCH", body=b"a=1&b=2",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert doc["method"] == "PATCH" and doc["form"] == {"a": "1", "b": "2"}


def test_chunked_request_body_and_expect_continue(http_server):
    sock = socket.create_connection(("127.0.0.1", http_server.port), timeout=5)
    sock.sendall(b"POST /anything HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                 b"Transfer-Encoding: chunked\r\n\r\n")
    assert sock.recv(100) == b"HTTP/1.1 100 Continue\r\n\r\n"
    sock.sendall(b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
    resp = httplib.HTTPResponse(sock)
    resp.begin()
    assert json.loads(resp.read().decode("utf-8"))["data"] == "hello world"
    sock.close()


def test_status_and_head(http_server):
    resp, body = fetch(http_server, "/status/418")
    assert resp.status == 418 and body == b"status 418\n"
    resp, body = fetch(http_server, "/status/204")
    assert resp.status == 204 and body == b""
    resp, body = fetch(http_server, "/status/302")
    assert resp.getheader("Location") == "/redirect/1"
    resp, body = fetch(http_server, "/get", method="HEAD")
    assert resp.status == 200 and body == b"" and int(resp.getheader("Content-Length")) > 0
    resp, body = fetch(http_server, "/no/such/route")
    assert resp.status == 404


def test_redirects(http_server):
    resp, _ = fetch(http_server, "/redirect/3")
    assert resp.status == 302 and resp.getheader("Location") == "/relative-redirect/2"
    resp, _ = fetch(http_server, "/relative-redirect/1")
    assert resp.getheader("Location") == "/get"
    resp, _ = fetch(http_server, "/absolute-redirect/2")
    assert resp.getheader("Location") == http_server.base_url("/absolute-redirect/1")
    resp, _ = fetch(http_server, "/redirect/2?absolute=true")
    assert resp.getheader("Location") == http_server.base_url("/absolute-redirect/1")
    resp, _ = fetch(http_server, "/redirect-to?url=/status/201&status=307")
    assert resp.status == 307 and resp.getheader("Location") == "/status/201"
    resp, _ = fetch(http_server, "/redirect-cycle")
    assert resp.getheader("Location") == "/redirect-cycle"


def basic(user, password):
    return "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode("ascii")).decode("ascii")


def test_basic_auth(http_server):
    resp, _ = fetch(http_server, "/basic-auth/user/pass")
    assert resp.status == 401 and resp.getheader("WWW-Authenticate").startswith("Basic")
    resp, doc = fetch_json(http_server, "/basic-auth/user/pass",
                           headers={"Authorization": basic("user", "pass")})
    assert resp.status == 200 and doc == {"authenticated": True, "user": "user"}
    resp, _ = fetch(http_server, "/basic-auth/user/pass",
                    headers={"Authorization": basic("user", "wrong")})
    assert resp.status == 401


def digest_header(challenge, method, uri, user, password, nc=1, cnonce="0a4f113b"):
    """An RFC 7616 client answer, computed independently of the server code."""
    params = dict((k.lower(), v.strip('"')) for k, v in
                  re.findall(r'(\w+)=("[^"]*"|[^,\s]+)', challenge[len("Digest "):]))
    algo = params["algorithm"]
    hfn = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}[algo]

    def H(s):
        return hfn(s.encode("utf-8")).hexdigest()
    ha1 = H("%s:%s:%s" % (user, params["realm"], password))
    ha2 = H("%s:%s" % (method, uri))
    ncv = "%08x" % nc
    response = H("%s:%s:%s:%s:auth:%s" % (ha1, params["nonce"], ncv, cnonce, ha2))
    return ('Digest username="%s", realm="%s", nonce="%s", uri="%s", algorithm=%s, '
            'response="%s", opaque="%s", qop=auth, nc=%s, cnonce="%s"'
            % (user, params["realm"], params["nonce"], uri, algo, response, params["opaque"],
               ncv, cnonce))


@pytest.mark.parametrize("algorithm", ["MD5", "SHA-256"])
def test_digest_auth(http_server, algorithm):
    uri = "/digest-auth/auth/user/passwd/" + algorithm
    resp, _ = fetch(http_server, uri)
    assert resp.status == 401
    challenge = resp.getheader("WWW-Authenticate")
    assert 'qop="auth"' in challenge and "algorithm=" + algorithm in challenge
    good = digest_header(challenge, "GET", uri, "user", "passwd")
    resp, doc = fetch_json(http_server, uri, headers={"Authorization": good})
    assert resp.status == 200 and doc["authenticated"] is True
    # A replayed nonce count is refused with a fresh, stale nonce.
    resp, _ = fetch(http_server, uri, headers={"Authorization": good})
    assert resp.status == 401 and "stale=TRUE" in resp.getheader("WWW-Authenticate")
    resp, _ = fetch(http_server, uri, headers={
        "Authorization": digest_header(challenge, "GET", uri, "user", "passwd", nc=2)})
    assert resp.status == 200
    bad = digest_header(challenge, "GET", uri, "user", "wrong", nc=3)
    resp, _ = fetch(http_server, uri, headers={"Authorization": bad})
    assert resp.status == 401
    assert resp.getheader("WWW-Authenticate") != challenge  # a fresh nonce


def test_cookies(http_server):
    resp, _ = fetch(http_server, "/cookies/set?a=1&b=2")
    assert resp.status == 302 and resp.getheader("Location") == "/cookies"
    assert resp.getheader("Set-Cookie").startswith("a=1")
    resp, doc = fetch_json(http_server, "/cookies", headers={"Cookie": "a=1; b=2"})
    assert doc == {"cookies": {"a": "1", "b": "2"}}
    resp, _ = fetch(http_server, "/set-cookie-and-redirect?s=9")
    assert resp.status == 302 and "s=9" in resp.getheader("Set-Cookie")


def test_content_encodings(http_server):
    resp, body = fetch(http_server, "/gzip")
    assert resp.getheader("Content-Encoding") == "gzip"
    assert json.loads(gzip.GzipFile(fileobj=io.BytesIO(body)).read().decode("utf-8"))["gzipped"]
    resp, body = fetch(http_server, "/deflate")
    assert json.loads(zlib.decompress(body).decode("utf-8"))["deflated"]
    resp, body = fetch(http_server, "/deflate?raw=1")
    assert json.loads(zlib.decompress(body, -15).decode("utf-8"))["deflated"]
    brotli = pytest.importorskip("brotli")
    resp, body = fetch(http_server, "/brotli")
    assert resp.getheader("Content-Encoding") == "br"
    assert json.loads(brotli.decompress(body).decode("utf-8"))["brotli"]


def test_streamed_bodies(http_server):
    resp, body = fetch(http_server, "/stream/5")
    assert resp.getheader("Transfer-Encoding") == "chunked"
    lines = body.decode("utf-8").splitlines()
    assert [json.loads(l)["id"] for l in lines] == list(range(5))
    resp, body = fetch(http_server, "/chunked/2500?chunk_size=1000&seed=3")
    assert resp.getheader("Transfer-Encoding") == "chunked" and body == random_bytes(2500, 3)
    resp, body = fetch(http_server, "/stream-bytes/300?chunk_size=7")
    assert body == random_bytes(300, 0)
    resp, body = fetch(http_server, "/bytes/1000?seed=7")
    assert resp.getheader("Content-Length") == "1000" and body == random_bytes(1000, 7)
    assert random_bytes(1000, 7) != random_bytes(1000, 8)
    resp, body = fetch(http_server, "/range/100", headers={"Range": "bytes=10-19"})
    assert resp.status == 206 and body == random_bytes(100)[10:20]


def test_chunked_wire_format_and_trailers(http_server):
    data = raw_exchange(http_server.port, b"GET /chunked/5?chunk_size=3&trailers=1 HTTP/1.1\r\n"
                        b"Host: x\r\nConnection: close\r\n\r\n")
    body = data.split(b"\r\n\r\n", 1)[1]
    rb = random_bytes(5)
    assert body == b"3\r\n" + rb[:3] + b"\r\n2\r\n" + rb[3:] + b"\r\n0\r\nX-Trailer: yes\r\n\r\n"


def test_close_delimited_and_truncated(http_server):
    data = raw_exchange(http_server.port, b"GET /close-delimited/300 HTTP/1.1\r\nHost: x\r\n\r\n")
    head, body = data.split(b"\r\n\r\n", 1)
    assert b"Content-Length" not in head and b"Transfer-Encoding" not in head
    assert body == random_bytes(300)
    data = raw_exchange(http_server.port, b"GET /truncated HTTP/1.1\r\nHost: x\r\n\r\n")
    head, body = data.split(b"\r\n\r\n", 1)
    assert b"Content-Length: 100" in head and body == b"0123456789"
    with pytest.raises(httplib.IncompleteRead):
        fetch(http_server, "/truncated")


def test_timing_routes(http_server):
    t0 = time.time()
    resp, _ = fetch(http_server, "/delay/0.3")
    assert resp.status == 200 and time.time() - t0 >= 0.3
    t0 = time.time()
    resp, body = fetch(http_server, "/drip?numbytes=5&duration=0.25")
    assert body == b"*****" and time.time() - t0 >= 0.2
    resp, _ = fetch(http_server, "/slow-headers?delay=0.2")
    assert resp.status == 200
    assert servers.bounded(1000) == servers.MAX_SLEEP


def test_upload_multipart(http_server):
    boundary = "----httpkitboundary"
    payload = os.urandom(5000)
    body = ("--%s\r\nContent-Disposition: form-data; name=\"field\"\r\n\r\nvalue\r\n"
            "--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n" % (boundary, boundary)
            ).encode("ascii") + payload + ("\r\n--%s--\r\n" % boundary).encode("ascii")
    resp, doc = fetch_json(http_server, "/upload", method="POST", body=body, headers={
        "Content-Type": "multipart/form-data; boundary=" + boundary})
    assert doc["form"] == {"field": "value"}
    f = doc["files"]["file"]
    assert f["filename"] == "a.bin" and f["content_type"] == "application/octet-stream"
    assert f["size"] == 5000 and f["sha256"] == hashlib.sha256(payload).hexdigest()


def test_caching_and_retry_routes(http_server):
    resp, _ = fetch(http_server, "/etag")
    tag = resp.getheader("ETag")
    resp, body = fetch(http_server, "/etag", headers={"If-None-Match": tag})
    assert resp.status == 304 and body == b""
    resp, _ = fetch(http_server, "/cache/60")
    assert resp.getheader("Cache-Control") == "public, max-age=60"
    codes = [fetch(http_server, "/retry-after?count=2&key=t1&after=1")[0] for _ in range(3)]
    assert [r.status for r in codes] == [503, 503, 200]
    assert codes[0].getheader("Retry-After") == "1"
    http_server.reset()
    assert fetch(http_server, "/retry-after?count=1&key=t1")[0].status == 503


def test_response_headers_and_custom_routes():
    def teapot(req):
        return 418, [("X-Path", req.path)], b"short and stout"
    with HTTPTestServer(routes={"/tea": teapot, "/get": lambda r: Response(201, [], b"mine")}) as s:
        resp, body = fetch(s, "/teapot/1")
        assert resp.status == 418 and resp.getheader("X-Path") == "/teapot/1"
        assert fetch(s, "/get")[0].status == 201
        resp, _ = fetch(s, "/response-headers?X-A=1&X-B=two")
        assert resp.getheader("X-A") == "1" and resp.getheader("X-B") == "two"
        resp, _ = fetch(s, "/close")
        assert resp.getheader("Connection") == "close"
    assert s.stopped


def test_https_server(https_server):
    resp, doc = fetch_json(https_server, "/get")
    assert resp.status == 200 and doc["url"].startswith("https://")
    assert https_server.url.startswith("https://127.0.0.1:")
    sock = client_context().wrap_socket(
        socket.create_connection(("127.0.0.1", https_server.port), timeout=5),
        server_hostname="localhost")
    if getattr(ssl, "HAS_ALPN", False):
        sock.close()
        ctx = client_context()
        ctx.set_alpn_protocols(["http/1.1"])
        sock = ctx.wrap_socket(socket.create_connection(("127.0.0.1", https_server.port),
                                                        timeout=5), server_hostname="localhost")
        assert sock.selected_alpn_protocol() == "http/1.1"
    sock.close()


def test_https_handshake_failure_is_recorded():
    with HTTPTestServer(tls=True) as s:
        ctx = ssl.create_default_context()  # does not trust the test CA
        with pytest.raises(ssl.SSLError):
            ctx.wrap_socket(socket.create_connection(("127.0.0.1", s.port), timeout=5),
                            server_hostname="localhost")
        for _ in range(50):
            if s.tls_errors:
                break
            time.sleep(0.02)
        assert s.tls_errors


def test_ipv6_server():
    if not socket.has_ipv6:
        pytest.skip("no IPv6")
    try:
        s = HTTPTestServer(host="::1").start()
    except socket.error:
        pytest.skip("::1 not configured")
    with s:
        assert s.url.startswith("http://[::1]:")
        conn = opened(httplib.HTTPConnection("::1", s.port, timeout=5))
        assert fetch(s, "/get", conn=conn)[0].status == 200


# --------------------------------------------------------------------------- ScriptedServer
REQ = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"


def test_scripted_server_sends_exact_bytes(scripted_server):
    reply = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    srv = scripted_server([reply, ("close",)])
    assert raw_exchange(srv.port, REQ) == reply
    assert srv.received == [REQ]
    post = b"POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
    assert raw_exchange(srv.port, post) == reply
    assert srv.received[1] == post and srv.connections == 2


def test_scripted_server_steps(scripted_server):
    calls = []

    def step(ctx):
        calls.append(ctx.request)
        return b"dyn"
    srv = scripted_server([[b"a", ("sleep", 0.1), step, ("read_request",), b"b"], [b"second"]])
    sock = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
    sock.sendall(REQ)
    got = b""
    while got != b"adyn":
        got += sock.recv(10)
    sock.sendall(REQ)
    assert sock.recv(10) == b"b"
    assert sock.recv(10) == b""
    sock.close()
    assert calls == [REQ] and len(srv.received) == 2
    assert raw_exchange(srv.port, REQ) == b"second"


def test_scripted_server_rst(scripted_server):
    srv = scripted_server([b"HTTP/1.1 200 OK\r\n", ("sleep", 0.1), ("rst",)])
    sock = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
    sock.sendall(REQ)
    with pytest.raises(socket.error):
        while True:
            time.sleep(0.2)
            if not sock.recv(1024):
                break
    sock.close()


def test_scripted_server_close_after_false_holds_connection(scripted_server):
    srv = scripted_server([b"HTTP/1.1 200 OK\r\n\r\npartial"], close_after=False)
    sock = socket.create_connection(("127.0.0.1", srv.port), timeout=0.5)
    sock.sendall(REQ)
    time.sleep(0.1)
    assert sock.recv(100).endswith(b"partial")
    with pytest.raises(socket.timeout):
        sock.recv(100)
    sock.close()


def _strict_ctx():
    ctx = client_context()
    if hasattr(ssl, "OP_IGNORE_UNEXPECTED_EOF"):  # 3.9 + OpenSSL 3 hides truncation
        ctx.options &= ~ssl.OP_IGNORE_UNEXPECTED_EOF
    return ctx


def test_scripted_tls_close_notify_vs_ragged_eof(scripted_server):
    reply = b"HTTP/1.1 200 OK\r\n\r\nbody"
    clean = scripted_server([reply, ("close",)], tls=True)
    ragged = scripted_server([reply, ("tls_close_without_notify",)], tls=True)
    for srv, expect_error in ((clean, False), (ragged, True)):
        sock = _strict_ctx().wrap_socket(
            socket.create_connection(("127.0.0.1", srv.port), timeout=5),
            server_hostname="localhost", suppress_ragged_eofs=False)
        sock.sendall(REQ)
        data, error = b"", None
        try:
            while True:
                chunk = sock.recv(100)
                if not chunk:
                    break
                data += chunk
        except (ssl.SSLError, socket.error) as exc:
            error = exc
        sock.close()
        assert data == reply
        assert (error is not None) == expect_error, error


# --------------------------------------------------------------------------- ProxyServer
def test_proxy_forwards_absolute_form(proxy_server, http_server):
    conn = opened(httplib.HTTPConnection("127.0.0.1", proxy_server.port, timeout=5))
    target = http_server.base_url("/get?x=1")
    resp, doc = fetch_json(proxy_server, target, conn=conn)
    assert resp.status == 200 and doc["path"] == "/get" and doc["args"] == {"x": "1"}
    assert "httpkit-test-proxy" in doc["headers"]["Via"]
    resp, body = fetch(proxy_server, http_server.base_url("/stream/3"), conn=conn)  # reused
    assert len(body.splitlines()) == 3
    assert proxy_server.forwarded[-2:] == [target, http_server.base_url("/stream/3")]
    resp, body = fetch(proxy_server, http_server.base_url("/close-delimited/50"), conn=conn)
    assert body == random_bytes(50)


def test_proxy_refuses_non_loopback(proxy_server):
    resp, _ = fetch(proxy_server, "http://example.invalid/", conn=conn_for(proxy_server))
    assert resp.status == 403


def test_proxy_connect_tunnel(proxy_server, https_server):
    conn = opened(httplib.HTTPSConnection("127.0.0.1", proxy_server.port, timeout=5,
                                          context=client_context()))
    conn.set_tunnel("localhost", https_server.port)
    resp, doc = fetch_json(https_server, "/get", conn=conn)
    assert resp.status == 200 and doc["url"].startswith("https://")
    assert proxy_server.connect_targets[-1] == "localhost:%d" % https_server.port


def test_proxy_auth(http_server):
    with ProxyServer(auth=("user", "pw")) as proxy:
        conn = opened(httplib.HTTPConnection("127.0.0.1", proxy.port, timeout=5))
        resp, _ = fetch(proxy, http_server.base_url("/get"), conn=conn)
        assert resp.status == 407 and resp.getheader("Proxy-Authenticate").startswith("Basic")
        resp, _ = fetch(proxy, http_server.base_url("/get"), conn=conn,
                        headers={"Proxy-Authorization": basic("user", "pw")})
        assert resp.status == 200
        assert proxy.proxy_url("user", "pw") == "http://user:pw@127.0.0.1:%d" % proxy.port


# --------------------------------------------------------------------------- nginx
def test_nginx_http_and_https(nginx):
    conn = opened(httplib.HTTPConnection("127.0.0.1", nginx.http_port, timeout=5))
    for _ in range(2):  # keep-alive
        conn.request("GET", "/small.txt")
        resp = conn.getresponse()
        assert resp.status == 200 and resp.read() == b"Hello, world\n"
    conn.request("GET", "/redirect")
    resp = conn.getresponse()
    resp.read()
    assert resp.status == 302 and resp.getheader("Location").endswith("/small.txt")
    conn.request("GET", "/static.txt", headers={"Accept-Encoding": "gzip"})
    resp = conn.getresponse()
    assert resp.getheader("Content-Encoding") == "gzip"
    assert gzip.GzipFile(fileobj=io.BytesIO(resp.read())).read().startswith(b"The quick")
    conn = opened(httplib.HTTPSConnection("localhost", nginx.https_port, timeout=5,
                                          context=client_context()))
    conn.request("GET", "/1mib.bin")
    resp = conn.getresponse()
    assert resp.status == 200 and len(resp.read()) == 1024 * 1024
    assert nginx.url("/x", tls=True) == "https://127.0.0.1:%d/x" % nginx.https_port
