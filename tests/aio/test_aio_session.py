"""httpkit.aio against the real loopback servers: the requests API with ``await``."""
from __future__ import absolute_import, division, print_function

import asyncio
import gc
import warnings

import pytest

import httpkit
import httpkit.aio as aio
from aio_helpers import pool_is_settled, run


def test_get_with_params_and_headers(http_server):
    async def main():
        async with aio.Session(headers={"X-Session": "s"}) as s:
            r = await s.get(http_server.url + "/get", params={"a": "1"},
                            headers={"X-Request": "r"})
            return r
    r = run(main())
    assert r.status_code == 200
    doc = r.json()
    assert doc["args"] == {"a": "1"}
    assert doc["headers"]["X-Session"] == "s"
    assert doc["headers"]["X-Request"] == "r"
    assert r.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_methods_send_bodies(http_server, method):
    async def main():
        async with aio.Session() as s:
            if method == "delete":
                return await s.delete(http_server.url + "/delete")
            return await getattr(s, method)(http_server.url + "/" + method, data=b"payload")
    r = run(main())
    assert r.status_code == 200
    if method != "delete":
        assert r.json()["data"] == "payload"


def test_post_json_and_form(http_server):
    async def main():
        async with aio.Session() as s:
            j = await s.post(http_server.url + "/post", json={"x": [1, 2]})
            f = await s.post(http_server.url + "/post", data={"k": "v"})
            return j.json(), f.json()
    j, f = run(main())
    assert j["json"] == {"x": [1, 2]}
    assert f["form"] == {"k": "v"}


def test_head_and_options(http_server):
    async def main():
        async with aio.Session() as s:
            return (await s.head(http_server.url + "/get"),
                    await s.options(http_server.url + "/anything"))
    head, options = run(main())
    assert head.status_code == 200 and head.content == b""
    assert options.status_code == 200


def test_module_level_functions_use_a_throwaway_session(http_server):
    async def main():
        r = await aio.get(http_server.url + "/get", params={"q": "x"})
        p = await aio.post(http_server.url + "/post", json={"a": 1})
        return r, p
    r, p = run(main())
    assert r.json()["args"] == {"q": "x"}
    assert p.json()["json"] == {"a": 1}


def test_https_with_the_test_ca(https_server, ca_bundle):
    async def main():
        async with aio.Session(verify=ca_bundle) as s:
            first = await s.get(https_server.url + "/get")
            second = await s.get(https_server.url + "/get")
            return first, second, s._driver.pool.total
    first, second, total = run(main())
    assert first.status_code == second.status_code == 200
    assert total == 1  # the TLS connection was reused


def test_a_new_https_connection_resumes_the_tls_session(https_server, ca_bundle):
    async def main():
        async with aio.Session(verify=ca_bundle) as s:
            out = []
            for _ in range(2):  # Connection: close, so each GET makes a new connection
                r = await s.get(https_server.url + "/get", headers={"Connection": "close"})
                out.append((r.status_code, r.connection.layers[-1].session_reused))
            return out
    assert run(main()) == [(200, False), (200, True)]


def test_https_rejects_an_unknown_ca(https_server):
    async def main():
        async with aio.Session() as s:  # certifi's bundle does not know the test CA
            await s.get(https_server.url + "/get")
    with pytest.raises(httpkit.SSLError):
        run(main())


def test_redirects_are_followed_with_history(http_server):
    async def main():
        async with aio.Session() as s:
            followed = await s.get(http_server.url + "/redirect/3")
            kept = await s.get(http_server.url + "/redirect/1", allow_redirects=False)
            return followed, kept
    followed, kept = run(main())
    assert followed.status_code == 200
    assert [h.status_code for h in followed.history] == [302, 302, 302]
    assert followed.url.endswith("/get")
    assert kept.status_code == 302 and kept.is_redirect


def test_too_many_redirects(http_server):
    async def main():
        async with aio.Session(max_redirects=2) as s:
            await s.get(http_server.url + "/redirect/5")
    with pytest.raises(httpkit.TooManyRedirects):
        run(main())


def test_basic_auth_and_gzip(http_server):
    async def main():
        async with aio.Session() as s:
            ok = await s.get(http_server.url + "/basic-auth/u/p", auth=("u", "p"))
            denied = await s.get(http_server.url + "/basic-auth/u/p", auth=("u", "x"))
            gz = await s.get(http_server.url + "/gzip")
            return ok.status_code, denied.status_code, gz.json()
    ok, denied, gz = run(main())
    assert (ok, denied) == (200, 401)
    assert gz["gzipped"] is True


def test_cookies_persist_in_the_session(http_server):
    async def main():
        async with aio.Session() as s:
            r = await s.get(http_server.url + "/cookies/set/flavour/oat")
            return r.json()
    assert run(main())["cookies"] == {"flavour": "oat"}


# --------------------------------------------------------------------------- bodies
def test_stream_false_reads_eagerly(http_server):
    async def main():
        async with aio.Session() as s:
            return await s.get(http_server.url + "/bytes/5000")
    r = run(main())  # the loop is gone: the body must already be here
    assert len(r.content) == 5000
    assert r.content == r.content


def test_stream_true_needs_aread(http_server):
    async def main():
        async with aio.Session() as s:
            r = await s.get(http_server.url + "/json", stream=True)
            with pytest.raises(httpkit.ResponseNotRead):
                r.content
            with pytest.raises(httpkit.ResponseNotRead):
                r.text
            with pytest.raises(httpkit.ResponseNotRead):
                r.json()
            body = await r.aread()
            assert body == r.content and await r.aread() == body
            return r, pool_is_settled(s)
    r, settled = run(main())
    assert r.json() and r.text.startswith("{")
    assert settled


def test_aiter_content_cuts_the_body_into_chunks(http_server):
    async def main():
        async with aio.Session() as s:
            r = await s.get(http_server.url + "/stream-bytes/10000?chunk_size=777", stream=True)
            sizes = [len(c) async for c in r.aiter_content(1000)]
            with pytest.raises(httpkit.StreamConsumedError):
                [c async for c in r.aiter_bytes()]
            return sizes, s._driver.pool.idle_count()
    sizes, idle = run(main())
    assert sizes == [1000] * 10
    assert idle == 1  # read to the end: the connection went back to the pool


def test_aiter_content_after_aread_replays_content(http_server):
    async def main():
        async with aio.Session() as s:
            r = await s.get(http_server.url + "/bytes/2500", stream=True)
            await r.aread()
            return [len(c) async for c in r.aiter_content(1000)]
    assert run(main()) == [1000, 1000, 500]


def test_aiter_lines(http_server):
    async def main():
        async with aio.Session() as s:
            r = await s.get(http_server.url + "/stream/5", stream=True)
            return [line async for line in r.aiter_lines()]
    lines = run(main())
    assert len(lines) == 5
    assert all(line.startswith(b"{") for line in lines)


def test_aiter_text_decodes_characters_split_across_chunks(http_server):
    from server_routes import UTF8_TEXT

    async def main():
        async with aio.Session() as s:
            url = http_server.url + "/encoding/utf8"
            r = await s.get(url, stream=True)
            pieces = [p async for p in r.aiter_content(3, decode_unicode=True)]
            r = await s.get(url, stream=True)
            lines = [line async for line in r.aiter_lines(5, decode_unicode=True)]
            r = await s.get(url, stream=True)
            cut = [line async for line in r.aiter_lines(decode_unicode=True, delimiter="</")]
            return pieces, lines, cut
    pieces, lines, cut = run(main())
    assert all(isinstance(p, str) for p in pieces) and len(pieces) > 10
    assert "".join(pieces) == UTF8_TEXT
    assert lines == UTF8_TEXT.splitlines()
    assert cut == UTF8_TEXT.split("</")


def test_iter_content_points_to_the_async_api(http_server):
    async def main():
        async with aio.Session() as s:
            r = await s.get(http_server.url + "/get", stream=True)
            with pytest.raises(httpkit.ResponseNotRead, match="aiter_content"):
                list(r.iter_content())
            with pytest.raises(TypeError, match="aiter_content"):
                r.raw.read()
            await r.aclose()
    run(main())


def test_breaking_out_of_a_stream_closes_its_connection(http_server):
    async def main():
        async with aio.Session() as s:
            r = await s.get(http_server.url + "/stream-bytes/100000?chunk_size=1000",
                            stream=True)
            chunks = r.aiter_content(1000)
            await chunks.__anext__()
            await chunks.aclose()
            return s._driver.pool.total
    assert run(main()) == 0  # half read: closed, never pooled


def test_aclose_discards_an_unread_body(http_server):
    async def main():
        async with aio.Session() as s:
            r = await s.get(http_server.url + "/bytes/100000", stream=True)
            await r.aclose()
            after = await s.get(http_server.url + "/get")
            return after.status_code, s._driver.pool.total
    assert run(main()) == (200, 1)


def test_truncated_body_is_an_error(http_server):
    async def main():
        async with aio.Session() as s:
            await s.get(http_server.url + "/truncated")
    with pytest.raises(httpkit.ChunkedEncodingError):
        run(main())


def test_close_delimited_body(http_server):
    async def main():
        async with aio.Session() as s:
            r = await s.get(http_server.url + "/close-delimited/70000")
            return len(r.content), s._driver.pool.total
    assert run(main()) == (70000, 0)


def test_reading_pauses_when_the_buffer_is_full(http_server):
    from httpkit.aio import _driver

    async def main():
        async with aio.Session() as s:
            r = await s.get(http_server.url + "/bytes/%d" % (16 * 1024 * 1024), stream=True)
            protocol = r.connection.transport
            for _ in range(200):  # let the server fill our buffer
                await asyncio.sleep(0.01)
                if protocol.reading_paused:
                    break
            paused, buffered = protocol.reading_paused, protocol.buffered
            body = await r.aread()
            return paused, buffered, len(body), protocol.reading_paused
    paused, buffered, size, still_paused = run(main())
    assert paused and not still_paused
    assert buffered <= _driver._HIGH_WATER + 1024 * 1024
    assert size == 16 * 1024 * 1024


def test_aread_on_a_blocking_response_is_a_type_error(http_server):
    r = httpkit.get(http_server.url + "/get")
    with pytest.raises(TypeError, match="asyncio"):
        r.aread()


# --------------------------------------------------------------------------- errors
def test_read_timeout(http_server):
    async def main():
        async with aio.Session() as s:
            with pytest.raises(httpkit.ReadTimeout):
                await s.get(http_server.url + "/delay/3", timeout=0.3)
            return pool_is_settled(s), s._driver.pool.total
    assert run(main()) == (True, 0)


def test_read_timeouts_change_between_requests_on_one_connection(http_server):
    # One timer per connection is moved between waits: a shorter timeout than the
    # last request's still fires in time, and a longer one does not fire early.
    async def main():
        loop = asyncio.get_running_loop()
        async with aio.Session() as s:
            await s.get(http_server.url + "/get", timeout=30)
            t0 = loop.time()
            with pytest.raises(httpkit.ReadTimeout):
                await s.get(http_server.url + "/delay/3", timeout=0.3)
            took = loop.time() - t0
            await s.get(http_server.url + "/get", timeout=0.2)
            r = await s.get(http_server.url + "/delay/0.6", timeout=5)
            return took, r.status_code, s._driver.pool.total
    took, status, total = run(main())
    assert took < 2 and status == 200 and total == 1


def test_read_timeout_while_streaming(http_server):
    async def main():
        async with aio.Session() as s:
            r = await s.get(http_server.url + "/drip?numbytes=4&duration=3", stream=True,
                            timeout=0.4)
            with pytest.raises(httpkit.ReadTimeout):
                await r.aread()
            return s._driver.pool.total
    assert run(main()) == 0


def test_connection_refused_is_a_connection_error():
    import socket
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()

    async def main():
        async with aio.Session() as s:
            await s.get("http://127.0.0.1:%d/" % port)
    with pytest.raises(httpkit.ConnectionError) as info:
        run(main())
    assert not isinstance(info.value, httpkit.Timeout)


def test_unresolvable_host_is_a_connection_error():
    async def main():
        async with aio.Session() as s:
            await s.get("http://does-not-exist.invalid/", timeout=5)
    with pytest.raises(httpkit.ConnectionError):
        run(main())


def test_an_idle_connection_closed_by_the_server_is_not_reused(scripted_server):
    ok = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    server = scripted_server([ok, ("sleep", 0.05)])  # then closes: EOF while idle

    async def main():
        async with aio.Session() as s:
            first = await s.get(server.url + "/")
            await asyncio.sleep(0.3)
            second = await s.get(server.url + "/")
            return first.content, second.content
    assert run(main()) == (b"ok", b"ok")
    assert server.connections == 2


def test_bytes_on_an_idle_connection_make_it_unusable(scripted_server):
    ok = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    server = scripted_server([ok, ("sleep", 0.05), b"HTTP/1.1 200 OK\r\n", ("wait_close",)],
                             close_after=False)

    async def main():
        async with aio.Session() as s:
            await s.get(server.url + "/")
            await asyncio.sleep(0.3)
            conn = s._driver.pool._idle[next(iter(s._driver.pool._idle))][0][0]
            return s._driver._alive(conn)
    assert run(main()) is False


# --------------------------------------------------------------------------- lifecycle
def test_unclosed_session_warns():
    async def make():
        return aio.Session()

    session = run(make())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        del session
        gc.collect()
    messages = [str(w.message) for w in caught if w.category is ResourceWarning]
    assert any("async with" in m and "await session.aclose()" in m for m in messages), messages


def test_closed_session_does_not_warn(http_server):
    async def main():
        async with aio.Session() as s:
            await s.get(http_server.url + "/get")
        return s

    session = run(main())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        del session
        gc.collect()
    assert not [w for w in caught if "httpkit.aio.Session" in str(w.message)]


def test_session_api_matches_the_blocking_one():
    import inspect
    for name in ("request", "get", "head", "post", "put", "patch", "delete", "options"):
        sync_sig = inspect.signature(getattr(httpkit.Session, name))
        aio_sig = inspect.signature(getattr(aio.Session, name))
        assert list(sync_sig.parameters) == list(aio_sig.parameters), name
        assert asyncio.iscoroutinefunction(getattr(aio.Session, name))
        assert asyncio.iscoroutinefunction(getattr(aio, name))


def test_offload_runs_off_the_loop():
    import threading
    from httpkit._flow import Return
    from httpkit._ops import Offload
    from httpkit.aio._driver import AsyncioDriver

    def flow():
        name = yield Offload(lambda: threading.current_thread().name)
        raise Return(name)

    async def main():
        return await AsyncioDriver(httpkit.Limits()).run(flow())
    assert run(main()) != threading.current_thread().name


def test_module_level_stream_reads_after_its_session_closed(http_server):
    async def main():
        r = await aio.get(http_server.url + "/stream-bytes/5000?chunk_size=1000", stream=True)
        return r, await r.aread()
    r, body = run(main())
    assert len(body) == 5000 and r.content == body
    assert r.connection.closed  # the throw-away pool was closed: not kept alive
