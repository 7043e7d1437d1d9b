"""httpkit.aio.tx against real loopback servers (2.7 + Twisted 20.3, 3.x + current Twisted).

Each test runs its Twisted code on the session's reactor thread through the
``tx`` harness (tests/tx/conftest.py); servers are tests/servers.py peers.
"""
from __future__ import absolute_import, division, print_function

import hashlib
import os
import ssl
import subprocess
import sys
import textwrap

import pytest
from twisted.internet import defer
from twisted.internet.protocol import Protocol

import httpkit
import servers
from httpkit.aio import tx as httpkit_tx

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PY2 = str is bytes


def fetch(tx, session, method, url, body="content", **kwargs):
    """Send a request and read its body on the reactor; return (response, body)."""
    def go():
        d = session.request(method, url, **kwargs)

        def read(response):
            reader = getattr(response, body)
            return reader().addCallback(lambda data: (response, data))
        return d.addCallback(read)
    return tx.call(go)


# --------------------------------------------------------------------------- basics
def test_get_json_and_response_attributes(tx, http_server):
    session = tx.session()
    response, doc = fetch(tx, session, "GET", http_server.url + "/get?a=1", body="json",
                          headers={"X-Test": "yes"})
    assert isinstance(response, httpkit_tx.TxResponse)
    assert response.status_code == 200 and response.ok and response.reason == "OK"
    assert response.url == http_server.url + "/get?a=1"
    assert response.headers["content-type"] == "application/json"
    assert response.raise_for_status() is response
    assert response.elapsed.total_seconds() > 0
    assert response.request.method == "GET"
    assert doc["args"] == {"a": "1"} and doc["headers"]["X-Test"] == "yes"
    assert doc["headers"]["User-Agent"].startswith("httpkit/")


def test_post_json_form_and_text(tx, http_server):
    session = tx.session()
    _, doc = fetch(tx, session, "POST", http_server.url + "/post", body="json",
                   json={"k": [1, 2]})
    assert doc["json"] == {"k": [1, 2]}
    _, doc = fetch(tx, session, "POST", http_server.url + "/post", body="json",
                   data={"f": "v"})
    assert doc["form"] == {"f": "v"}
    _, text = fetch(tx, session, "GET", http_server.url + "/encoding/utf8", body="text")
    assert u"Unicode \u2603 test" in text


def test_module_level_helpers(tx, http_server):
    def go():
        return httpkit_tx.get(http_server.url + "/get").addCallback(lambda r: r.json())
    assert tx.call(go)["url"].endswith("/get")


def test_status_errors_are_the_same_exceptions(tx, http_server):
    session = tx.session()
    response, _ = fetch(tx, session, "GET", http_server.url + "/status/404")
    assert response.status_code == 404 and not response.ok
    with pytest.raises(httpkit.HTTPError) as info:
        response.raise_for_status()
    assert info.value.response is response


def test_redirects_and_history(tx, http_server):
    session = tx.session()
    response, _ = fetch(tx, session, "GET", http_server.url + "/redirect/3")
    assert response.status_code == 200 and response.url.endswith("/get")
    assert [r.status_code for r in response.history] == [302, 302, 302]
    assert all(isinstance(r, httpkit_tx.TxResponse) for r in response.history)
    with pytest.raises(httpkit.TooManyRedirects):
        fetch(tx, tx.session(max_redirects=2), "GET", http_server.url + "/redirect/3")


def test_basic_auth_gzip_and_cookies(tx, http_server):
    session = tx.session()
    _, doc = fetch(tx, session, "GET", http_server.url + "/basic-auth/u/p", body="json",
                   auth=("u", "p"))
    assert doc["authenticated"] is True
    _, doc = fetch(tx, session, "GET", http_server.url + "/gzip", body="json")
    assert doc["gzipped"] is True
    fetch(tx, session, "GET", http_server.url + "/cookies/set?flavour=oat")
    _, doc = fetch(tx, session, "GET", http_server.url + "/cookies", body="json")
    assert doc["cookies"] == {"flavour": "oat"}


def test_https_with_the_test_ca(tx, https_server, ca_bundle):
    session = tx.session(verify=ca_bundle)
    response, doc = fetch(tx, session, "GET", https_server.url + "/get", body="json")
    assert response.status_code == 200 and doc["url"].startswith("https://")
    response, _ = fetch(tx, session, "GET", https_server.url + "/redirect/2")
    assert len(response.history) == 2
    with pytest.raises(httpkit.SSLError):
        fetch(tx, tx.session(), "GET", https_server.url + "/get")


def test_a_new_https_connection_resumes_the_tls_session(tx, https_server, ca_bundle):
    session = tx.session(verify=ca_bundle)
    reused = []
    for _ in range(2):  # Connection: close, so each GET makes a new connection
        response, _ = fetch(tx, session, "GET", https_server.url + "/get",
                            headers={"Connection": "close"})
        reused.append(response.connection.layers[-1].session_reused)
    # (2.7's default backend, socketpair over its ssl, has no session to hand on)
    assert reused == [False, hasattr(ssl, "SSLSession")]


def test_keep_alive_reuses_one_connection(tx, http_server):
    session = tx.session()
    before = http_server.connections
    for _ in range(5):
        fetch(tx, session, "GET", http_server.url + "/get")
    assert http_server.connections - before == 1


def test_close_delimited_body(tx, http_server):
    session = tx.session()
    _, data = fetch(tx, session, "GET", http_server.url + "/close-delimited/300000")
    assert data == servers.random_bytes(300000)


def test_sync_content_property_refuses_to_block(tx, http_server):
    session = tx.session()
    response = tx.call(session.get, http_server.url + "/bytes/10", stream=True)
    with pytest.raises(httpkit.ResponseNotRead):
        response.raw.content
    assert tx.call(response.content) == servers.random_bytes(10)
    assert tx.call(response.content) == servers.random_bytes(10)


# --------------------------------------------------------------------------- errors
def test_truncated_body_is_incomplete_read(tx, http_server):
    session = tx.session()
    with pytest.raises(httpkit.IncompleteRead):
        fetch(tx, session, "GET", http_server.url + "/truncated")
    response = tx.call(session.get, http_server.url + "/truncated", stream=True)
    with pytest.raises(httpkit.IncompleteRead):
        tx.call(response.content)
    with pytest.raises(httpkit.IncompleteRead):
        tx.call(response.content)  # the failure is remembered, never a short success


def test_read_timeout(tx, http_server):
    session = tx.session()
    with pytest.raises(httpkit.ReadTimeout):
        fetch(tx, session, "GET", http_server.url + "/delay/3", timeout=0.3)
    response = tx.call(session.get, http_server.url + "/drip?numbytes=5&duration=3",
                       stream=True, timeout=0.2)
    with pytest.raises(httpkit.ReadTimeout):
        tx.call(response.content)
    assert fetch(tx, session, "GET", http_server.url + "/get")[0].status_code == 200


def test_connection_refused_and_dns_errors(tx):
    session = tx.session()
    import socket
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    with pytest.raises(httpkit.ConnectionError) as info:
        tx.call(session.get, "http://127.0.0.1:%d/" % port)
    assert not isinstance(info.value, httpkit.Timeout)
    with pytest.raises(httpkit.ConnectionError):
        tx.call(session.get, "http://name.invalid/")
    with pytest.raises(httpkit.InvalidURL):
        tx.call(session.get, "http://")


def test_pool_timeout(tx, http_server):
    session = tx.session(limits=httpkit.Limits(max_per_host=1))
    held = tx.call(session.get, http_server.url + "/bytes/10", stream=True)
    with pytest.raises(httpkit.PoolTimeout):
        tx.call(session.get, http_server.url + "/get",
                timeout=httpkit.Timeouts(5, pool=0.2))
    held.close()
    assert fetch(tx, session, "GET", http_server.url + "/get")[0].status_code == 200


# --------------------------------------------------------------------------- cancellation
def test_cancellation_releases_connections(tx, http_server):
    session = tx.session(limits=httpkit.Limits(max_per_host=2))

    def cancel_many():
        ds = [session.get(http_server.url + "/delay/2") for _ in range(20)]
        for d in ds:
            d.addErrback(lambda f: f.trap(defer.CancelledError))
        tx.reactor.callLater(0.2, lambda: [d.cancel() for d in ds])
        return defer.gatherResults(ds)
    tx.call(cancel_many)
    pool = session._driver.pool
    assert pool.total == 0 and not session._driver._waiters
    for _ in range(3):
        assert fetch(tx, session, "GET", http_server.url + "/get")[0].status_code == 200
    assert pool.total == 1


def test_cancelling_a_pool_waiter_and_a_stream(tx, http_server):
    session = tx.session(limits=httpkit.Limits(max_per_host=1))
    held = tx.call(session.get, http_server.url + "/bytes/2000000", stream=True)

    def wait_then_cancel():
        d = session.get(http_server.url + "/get")  # waits for the only slot
        d.cancel()
        return d.addErrback(lambda f: f.trap(defer.CancelledError) and "cancelled")
    assert tx.call(wait_then_cancel) == "cancelled"

    def read_then_cancel():
        d = held.collect(lambda chunk: tx.sleep(0.5))
        tx.reactor.callLater(0.1, d.cancel)
        return d.addErrback(lambda f: f.trap(defer.CancelledError) and "cancelled")
    assert tx.call(read_then_cancel) == "cancelled"
    assert session._driver.pool.total == 0
    assert fetch(tx, session, "GET", http_server.url + "/get")[0].status_code == 200


# --------------------------------------------------------------------------- streaming
def test_slow_collector_pauses_the_socket(tx, http_server):
    session = tx.session()
    size = 16 * 1024 * 1024
    response = tx.call(session.get, http_server.url + "/bytes/%d" % size, stream=True)
    transport = response.raw.connection.transport
    digest, seen = hashlib.sha256(), []

    def slow(chunk):
        digest.update(chunk)
        seen.append(len(chunk))
        if len(seen) % 8 == 1:
            return tx.sleep(0.05)  # the consumer is busy: reading must wait
    tx.call(response.collect, slow)
    assert sum(seen) == size
    assert digest.hexdigest() == hashlib.sha256(servers.random_bytes(size)).hexdigest()
    assert transport.pauses >= 1
    assert session._driver.pool.idle_count() == 1  # the connection went back, reusable


def test_collect_callback_failure_closes_the_connection(tx, http_server):
    session = tx.session()
    response = tx.call(session.get, http_server.url + "/bytes/1000000", stream=True)

    def boom(chunk):
        raise ValueError("consumer failed")
    with pytest.raises(ValueError):
        tx.call(response.collect, boom)
    assert session._driver.pool.total == 0


def test_deliver_body_with_a_pausing_protocol(tx, http_server):
    session = tx.session()
    size = 4 * 1024 * 1024
    response = tx.call(session.get, http_server.url + "/bytes/%d" % size, stream=True)

    class Slow(Protocol):
        def __init__(self):
            self.parts, self.done, self.pauses = [], defer.Deferred(), 0

        def dataReceived(self, data):
            self.parts.append(data)
            self.pauses += 1
            self.transport.pauseProducing()
            tx.reactor.callLater(0.001, self.transport.resumeProducing)

        def connectionLost(self, reason):
            self.reason = reason
            self.done.callback(None)

    def go():
        proto = Slow()
        response.deliver_body(proto)
        return proto.done.addCallback(lambda _: (proto, proto.reason))
    proto, reason = tx.call(go)
    from twisted.web._newclient import ResponseDone
    assert reason.check(ResponseDone)
    assert b"".join(proto.parts) == servers.random_bytes(size) and proto.pauses > 1


def test_many_small_chunks_do_not_recurse(tx, http_server):
    session = tx.session()
    size, chunk = 400000, 20
    _, data = fetch(tx, session, "GET", http_server.url + "/stream-bytes/%d?chunk_size=%d"
                    % (size, chunk))
    assert data == servers.random_bytes(size)


# --------------------------------------------------------------------------- asyncio reactor
ASYNCIO_SCRIPT = textwrap.dedent("""
    import asyncio, json, sys
    sys.path.insert(0, {tests!r})
    from twisted.internet import asyncioreactor
    loop = asyncio.new_event_loop()
    asyncioreactor.install(loop)
    from twisted.internet import reactor
    import servers
    from httpkit.aio import tx

    async def main():
        server = servers.HTTPTestServer().start()
        try:
            session = tx.Session()
            response = await session.get(server.url + "/get").asFuture(loop)
            doc = await response.json().asFuture(loop)
            streamed = await session.get(server.url + "/bytes/300000", stream=True).asFuture(loop)
            parts = []
            await streamed.collect(parts.append).asFuture(loop)
            await session.close().asFuture(loop)
            return [response.status_code, doc["url"], sum(map(len, parts))]
        finally:
            server.stop()

    result = []
    def run():
        task = loop.create_task(main())
        task.add_done_callback(lambda t: (result.append(t.result()), reactor.stop()))
    reactor.callWhenRunning(run)
    reactor.run()
    print(json.dumps(result[0]))
""")


@pytest.mark.skipif(PY2, reason="asyncioreactor and Deferred.asFuture need Python 3")
def test_under_the_asyncio_reactor_in_a_subprocess():
    script = ASYNCIO_SCRIPT.format(tests=os.path.join(ROOT, "tests"))
    out = subprocess.check_output([sys.executable, "-c", script], cwd=ROOT, timeout=60)
    status, url, streamed = __import__("json").loads(out.decode().strip().splitlines()[-1])
    assert status == 200 and url.endswith("/get") and streamed == 300000
