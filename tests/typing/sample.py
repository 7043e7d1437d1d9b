"""A typed program using httpkit's public API, checked by ``mypy --strict``.

tests/typing/test_mypy.py type-checks this file (every ``assert_type`` is
a claim mypy verifies) and runs the blocking and asyncio parts against the
local httpbin-like server, so the sample is a real program too. Python 3
only (annotations); 2.7 never collects tests/typing/test_mypy.py.
"""
import asyncio
import datetime
import io
import json
from collections.abc import Callable, Iterator
from typing import Any

from twisted.internet.defer import Deferred
from typing_extensions import assert_type

import httpkit
import httpkit.aio
import httpkit.auth
import httpkit.cache
import httpkit.cookies
import httpkit.exceptions
import httpkit.hooks
import httpkit.structures
import httpkit.tls
import httpkit.transports
import httpkit.utils
from httpkit.aio import tx


def sync_calls(base: str) -> list[int]:
    """The blocking front-end: module functions, a Session, its settings."""
    r = httpkit.get(base + "/get", params={"q": "1", "n": 2}, timeout=5)
    assert_type(r, httpkit.Response)
    assert_type(r.status_code, int)
    assert_type(r.headers, httpkit.Headers)
    assert_type(r.headers.get("content-type"), str | None)
    assert_type(r.content, bytes)
    assert_type(r.text, str)
    assert_type(r.json(), Any)
    assert_type(r.ok, bool)
    assert_type(r.elapsed, datetime.timedelta)
    assert_type(r.history, list[httpkit.Response])
    assert_type(r.request, httpkit.PreparedRequest)
    assert_type(r.encoding, str | None)
    codes = [r.status_code]
    r = httpkit.post(base + "/post", json={"a": 1}, headers={"X-Sample": "1"})
    codes.append(r.raise_for_status().status_code)
    r = httpkit.put(base + "/put", data=b"body")
    codes.append(r.status_code)
    r = httpkit.request("DELETE", base + "/delete", timeout=httpkit.Timeouts(5, connect=2))
    codes.append(r.status_code)
    with httpkit.Session(
        headers={"User-Agent": "sample"},
        timeout=(3.0, 10.0),
        retries=2,
        max_redirects=5,
        limits=httpkit.Limits(max_per_host=4),
        trust_env=False,
    ) as s:
        assert_type(s, httpkit.Session)
        s.headers["X-Session"] = "1"
        r = s.get(base + "/redirect/2", allow_redirects=True)
        codes.append(r.status_code)
        assert len(r.history) == 2
        r = s.head(base + "/get")
        codes.append(r.status_code)
        prepared = s.prepare_request(httpkit.Request("GET", base + "/headers"))
        assert_type(prepared, httpkit.PreparedRequest)
        r = s.send(prepared, timeout=5)
        codes.append(r.status_code)
        assert_type(s.cookies, httpkit.cookies.CookieJar)
    assert httpkit.codes.ok == 200
    assert_type(httpkit.codes.not_found, int)
    return codes


def requests_idioms(base: str) -> int:
    """Argument shapes code written for requests passes (no false errors)."""
    codes = [
        httpkit.post(base + "/post", files={"f": ("a.txt", b"x")}, data={"k": "v"}).status_code,
        httpkit.post(base + "/post", files={"f": ("a.txt", b"x", "text/plain")}).status_code,
        httpkit.post(base + "/post", files={"f": io.BytesIO(b"x")}).status_code,
        httpkit.post(base + "/post", data=io.BytesIO(b"streamed")).status_code,
        httpkit.get(base + "/get", headers={"A": "1", "B": b"2", "C": None}).status_code,
        httpkit.get(base + "/get", params=[("a", "1"), ("a", "2")]).status_code,
        httpkit.get(base + "/get", params={"a": ["1", "2"], "b": None, "n": 3}).status_code,
        httpkit.get(base + "/get", cookies={"a": "b"}, timeout=(5, None)).status_code,
        httpkit.get(base + "/get", proxies={"https": None}, verify=True, cert=None).status_code,
    ]
    with httpkit.Session(retries=3, proxies={"http": None}) as s:
        s.hooks["response"].append(lambda r, **kwargs: None)
        s.auth = ("u", "p")
        s.params["x"] = 1
        s.cookies.set("a", "b")
        s.mount("http://", httpkit.HTTPAdapter(max_retries=2))
        r = s.get(base + "/get")
        r.headers["X-Local"] = "1"
        r.encoding = "utf-8"
        if r.status_code == httpkit.codes.ok:
            codes.append(r.status_code)
    return sum(1 for code in codes if code == 200)


def auth_and_hooks(base: str) -> list[str]:
    """Auth classes, a requests-style auth callable, response hooks."""
    seen: list[str] = []

    def on_response(response: httpkit.Response, **kwargs: Any) -> None:
        seen.append(response.url)

    def sign(request: httpkit.PreparedRequest) -> httpkit.PreparedRequest:
        request.headers["X-Signed"] = "yes"
        return request

    with httpkit.Session(hooks={"response": [on_response]}) as s:
        s.get(base + "/basic-auth/u/p", auth=("u", "p")).raise_for_status()
        s.get(base + "/basic-auth/u/p", auth=httpkit.BasicAuth("u", "p")).raise_for_status()
        s.get(base + "/digest-auth/auth/u/p", auth=httpkit.auth.HTTPDigestAuth("u", "p")).raise_for_status()
        s.get(base + "/headers", auth=sign).raise_for_status()
    hooks = httpkit.hooks.default_hooks()
    assert_type(hooks, dict[str, list[Callable[..., Any]]])
    return seen


def caching(base: str) -> tuple[bool, bool]:
    """A Session with an in-memory cache: the second fetch is a hit."""
    store = httpkit.cache.MemoryCache(max_entries=10)
    with httpkit.Session(cache=httpkit.cache.Cache(store)) as s:
        first = s.get(base + "/cache/60")
        second = s.get(base + "/cache/60")
    assert_type(second.from_cache, bool)
    assert_type(second.cache_status, str | None)
    return first.from_cache, second.from_cache


def streaming(base: str) -> int:
    """Streamed bodies: iter_content, iter_lines, text chunks, the raw file."""
    total = 0
    with httpkit.get(base + "/bytes/1000", stream=True) as r:
        for chunk in r.iter_content(256):
            assert_type(chunk, bytes)
            total += len(chunk)
    with httpkit.get(base + "/stream/3", stream=True) as r:
        lines: Iterator[bytes] = r.iter_lines()
        total += sum(1 for _ in lines)
    with httpkit.get(base + "/encoding/utf8", stream=True) as r:
        for text in r.iter_content(64, decode_unicode=True):
            assert_type(text, str)
    with httpkit.get(base + "/bytes/10", stream=True) as r:
        r.raw.decode_content = True
        total += sum(len(piece) for piece in r.raw.stream(4))
    seen: list[tuple[int, int | None]] = []

    def progress(done: int, size: int | None) -> None:
        seen.append((done, size))

    httpkit.post(base + "/post", data=b"x" * 100, on_progress=progress,
                 on_upload_progress=lambda done, size: seen.append((done, size)))
    body = httpkit.get(base + "/bytes/10", on_progress=progress).content
    assert seen[-1] == (len(body), 10)
    return total


def exceptions(base: str) -> list[str]:
    """Typed exceptions: each carries the request (and the response for HTTPError)."""
    caught: list[str] = []
    try:
        httpkit.get(base + "/status/404").raise_for_status()
    except httpkit.HTTPError as exc:
        assert_type(exc.response, httpkit.Response | None)
        assert exc.response is not None
        caught.append("HTTPError %d" % exc.response.status_code)
    try:
        httpkit.get(base + "/redirect-cycle")
    except httpkit.TooManyRedirects as exc:
        assert_type(exc.request, httpkit.PreparedRequest | None)
        caught.append(type(exc).__name__)
    try:
        httpkit.get("not a url")
    except httpkit.exceptions.RequestException as exc:
        caught.append(type(exc).__name__)
    try:
        httpkit.get(base + "/html").json()
    except json.JSONDecodeError as exc:  # httpkit.JSONDecodeError is one
        caught.append(type(exc).__name__)
    return caught


def transports() -> int:
    """A mounted MockTransport answers without a network."""
    def handler(request: httpkit.PreparedRequest) -> httpkit.Response:
        return httpkit.Response(201, json={"url": request.url})

    with httpkit.Session() as s:
        s.mount("https://api.test/", httpkit.MockTransport(handler))
        r = s.post("https://api.test/items", json={"name": "x"})
        return r.status_code


def helpers() -> str:
    """requests' helper namespaces: utils, structures, cookies."""
    d: httpkit.structures.CaseInsensitiveDict[int] = httpkit.structures.CaseInsensitiveDict()
    d["Content-Length"] = 3
    assert d["content-length"] == 3
    jar = httpkit.cookies.cookiejar_from_dict({"a": "1"})
    assert_type(jar.get("a"), str | None)
    assert_type(httpkit.utils.parse_header_links('<https://x.test/2>; rel="next"'), list[dict[str, str]])
    return httpkit.utils.quote("a b")


def tls_layer() -> str:
    """The PEP 543 API: a configuration, a backend's context, an in-memory buffer."""
    config = httpkit.tls.TLSConfiguration(
        trust_store=httpkit.tls.TrustStore.union(httpkit.tls.TrustStore.system(),
                                                 httpkit.tls.TrustStore.certifi()),
        lowest_supported_version=httpkit.tls.TLSVersion.TLSv1_2,
    )
    assert_type(config.lowest_supported_version, httpkit.tls.TLSVersion)
    config = config.update(inner_protocols=[httpkit.tls.NextProtocol.HTTP1])
    backend = httpkit.tls.default_backend()
    assert backend.client_context is not None
    buffer = backend.client_context(config).wrap_buffers("example.org")
    assert_type(buffer, httpkit.tls.TLSWrappedBuffer)
    assert_type(buffer.outgoing_bytes_buffered(), int)
    try:
        buffer.do_handshake()
    except httpkit.tls.WantReadError:  # no network here: the ClientHello waits to be sent
        assert buffer.outgoing_bytes_buffered() > 0
    return backend.name


async def aio_calls(base: str) -> list[int]:
    """The asyncio front-end: the same arguments, ``await`` in front."""
    r = await httpkit.aio.get(base + "/get", params={"q": "1"})
    assert_type(r, httpkit.Response)
    codes = [r.status_code]
    async with httpkit.aio.Session(timeout=5, headers={"X-Aio": "1"}) as s:
        assert_type(s, httpkit.aio.Session)
        r = await s.post(base + "/post", data={"a": "1"})
        codes.append(r.status_code)
        r = await s.get(base + "/stream/3", stream=True)
        async for line in r.aiter_lines():
            assert_type(line, bytes)
        await r.aclose()
        r = await s.get(base + "/bytes/100", stream=True)
        body = await r.aread()
        assert_type(body, bytes)
        codes.append(len(body))
    return codes


def twisted_calls(base: str) -> "Deferred[int]":
    """The Twisted front-end: Deferreds of TxResponse, body methods return Deferreds."""
    s = tx.Session(timeout=5)
    d = s.get(base + "/json")
    assert_type(d, Deferred[tx.TxResponse])

    def got(r: tx.TxResponse) -> "Deferred[Any]":
        assert_type(r.status_code, int)
        assert_type(r.headers, httpkit.Headers)
        return r.json()

    def done(_: object) -> "Deferred[int]":
        return s.close().addCallback(lambda _: 1)

    return d.addCallback(got).addCallback(done)


def run_sync_and_asyncio(base: str) -> None:
    """Run every blocking and asyncio sample against ``base`` (httpbin-like)."""
    assert sync_calls(base)[:4] == [200, 200, 200, 200]
    assert requests_idioms(base) == 10
    assert len(auth_and_hooks(base)) >= 4
    assert caching(base) == (False, True)
    assert streaming(base) >= 1000
    caught = exceptions(base)
    assert caught[0] == "HTTPError 404" and caught[1] == "TooManyRedirects", caught
    assert transports() == 201
    assert helpers() == "a%20b"
    assert tls_layer() in httpkit.tls.available_backends()
    assert asyncio.run(aio_calls(base)) == [200, 200, 100]
