"""httpkit.aio with asyncio-only transports: ASGITransport, async MockTransport handlers,
and user transports with ``asend``. The shared transport behaviour is in
tests/scenarios/transports.py.
"""
from __future__ import absolute_import, division, print_function

import asyncio
import gzip
import json

import pytest

import httpkit
import httpkit.aio as aio
from aio_helpers import run

APP = "http://asgi.test"


async def echo_app(scope, receive, send):
    """A small ASGI app: echoes the request; /stream answers in pieces; /boom raises."""
    assert scope["type"] == "http"
    body, more = b"", True
    while more:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
    path = scope["path"]
    if path == "/boom":
        raise ValueError("the app broke")
    if path == "/login":
        await send({"type": "http.response.start", "status": 302,
                    "headers": [(b"location", b"/echo"), (b"set-cookie", b"sid=s1; Path=/")]})
        await send({"type": "http.response.body", "body": b""})
        return
    if path == "/stream":
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/plain"),
                                (b"content-encoding", b"gzip")]})
        data = gzip.compress(b"line\n" * 2000)
        for i in range(0, len(data), 500):
            await send({"type": "http.response.body", "body": data[i:i + 500],
                        "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        return
    doc = {"method": scope["method"], "path": path, "raw_path": scope["raw_path"].decode(),
           "query": scope["query_string"].decode(), "root_path": scope["root_path"],
           "headers": {k.decode(): v.decode() for k, v in scope["headers"]},
           "body": body.decode("latin-1"), "client": list(scope["client"]),
           "server": list(scope["server"])}
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": json.dumps(doc).encode()})


def test_asgi_request_scope_and_body():
    async def main():
        async with aio.Session() as s:
            s.mount(APP, httpkit.ASGITransport(echo_app, root_path="/root"))
            r = await s.post(APP + "/a%20b?x=1", data=b"payload", headers={"X-T": "t"})
            return r, r.json()
    r, doc = run(main())
    assert r.status_code == 200 and r.reason == "OK"
    assert doc["method"] == "POST" and doc["path"] == "/a b" and doc["raw_path"] == "/a%20b"
    assert doc["query"] == "x=1" and doc["root_path"] == "/root"
    assert doc["body"] == "payload"
    assert doc["headers"]["host"] == "asgi.test" and doc["headers"]["x-t"] == "t"
    assert doc["headers"]["content-length"] == "7"
    assert doc["server"] == ["asgi.test", 80] and doc["client"] == ["127.0.0.1", 123]


def test_asgi_redirects_cookies_and_streamed_gzip():
    async def main():
        async with aio.Session() as s:
            s.mount(APP, httpkit.ASGITransport(echo_app))
            r = await s.get(APP + "/login")
            streamed = await s.get(APP + "/stream", stream=True)
            lines = [line async for line in streamed.aiter_lines()]
            return r, lines, dict((c.name, c.value) for c in s.cookies)
    r, lines, cookies = run(main())
    assert [h.status_code for h in r.history] == [302]
    assert r.json()["headers"]["cookie"] == "sid=s1" and cookies == {"sid": "s1"}
    assert lines == [b"line"] * 2000


def test_asgi_app_exception_raises_or_500():
    async def main(raise_errors):
        async with aio.Session() as s:
            s.mount(APP, httpkit.ASGITransport(echo_app, raise_app_exceptions=raise_errors))
            return await s.get(APP + "/boom")
    with pytest.raises(ValueError, match="the app broke"):
        run(main(True))
    assert run(main(False)).status_code == 500


def test_asgi_transport_needs_asyncio():
    with httpkit.Session() as s:
        s.mount(APP, httpkit.ASGITransport(echo_app))
        with pytest.raises(TypeError, match="httpkit.aio.Session"):
            s.get(APP + "/")


def test_async_mock_handler_and_sync_handler():
    seen = []

    async def handler(request):
        await asyncio.sleep(0)
        seen.append(request.url)
        return httpkit.Response(200, json={"n": len(seen)})

    async def main():
        async with aio.Session() as s:
            s.mount("http://a.test", httpkit.MockTransport(handler))
            s.mount("http://s.test", httpkit.MockTransport(
                lambda r: httpkit.Response(200, text=u"plain")))
            first = await s.get("http://a.test/1")
            second = await s.get("http://s.test/")
            return first.json(), second.text
    assert run(main()) == ({"n": 1}, u"plain")
    with httpkit.Session() as s:  # an async handler outside asyncio: a clear error
        s.mount("http://a.test", httpkit.MockTransport(handler))
        with pytest.raises(TypeError, match="asynchronous"):
            s.get("http://a.test/1")


def test_user_transport_with_asend_gets_settings():
    class Recorder(httpkit.BaseTransport):
        def __init__(self):
            self.calls = []

        async def asend(self, request, **settings):
            self.calls.append(settings)
            return httpkit.Response(200, content=b"ok")

    transport = Recorder()

    async def main():
        async with aio.Session(proxies={"http": "http://proxy.test:3128"}) as s:
            s.mount("http://x.test", transport)
            r = await s.get("http://x.test/", timeout=7, verify="/etc/ca.pem", stream=True)
            return await r.aread()
    assert run(main()) == b"ok"
    settings = transport.calls[0]
    assert settings["timeout"].read == 7 and settings["verify"] == "/etc/ca.pem"
    assert settings["stream"] is True and settings["cert"] is None
    assert settings["proxies"] == {"http": "http://proxy.test:3128"}
