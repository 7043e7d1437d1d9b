"""The clients benchmarks/run.py measures, one small adapter each (Python 3 only).

A sync adapter has ``open(ca)`` -> session, ``get(session, url, close)`` -> body
and ``stream(session, url)`` -> bytes read (64 KiB chunks, data discarded).
An async adapter is ``run(url, count, concurrency, warm)`` -> seconds: it makes
``warm`` requests first (imports, connections), then times ``count`` more, all
in one event loop / reactor run (Twisted's reactor can't be restarted).
A cache adapter (``CACHE``) has ``open(ca, directory)`` -> session (its cache,
if any, in ``directory``), ``fetch(session, url)`` -> (body, hit) and
``expect_hit``: whether every measured request must be a cache hit. A hit is
an answer from the store without any network I/O: a 304 revalidation (which
both httpkit and CacheControl also mark ``from_cache``) is not one.
An adapter whose library (or httpkit API) is missing raises ``Unavailable``:
the table then says "n/a", so the suite runs before httpkit's client exists.
"""
import os
import ssl
import sys

CHUNK = 65536
CLOSE = {"Connection": "close"}


class Unavailable(Exception):
    """This client can't run here (not installed, or its API isn't written yet)."""


def _need(module, *attrs):
    import importlib
    try:
        mod = importlib.import_module(module)
    except ImportError as exc:
        raise Unavailable("%s: %s" % (module, exc))
    for attr in attrs:
        if not hasattr(mod, attr):
            raise Unavailable("%s.%s does not exist yet" % (module, attr))
    return mod


def ssl_context(ca):
    return ssl.create_default_context(cafile=ca)


# --------------------------------------------------------------------------- sync
class Requests(object):
    name = "requests"

    def open(self, ca):
        requests = _need("requests")
        s = requests.Session()
        s.verify = ca
        return s

    def get(self, s, url, close=False):
        # verify per request: REQUESTS_CA_BUNDLE in the environment beats Session.verify
        return s.get(url, verify=s.verify, headers=CLOSE if close else None).content

    def stream(self, s, url):
        n = 0
        with s.get(url, verify=s.verify, stream=True) as r:
            for chunk in r.iter_content(CHUNK):
                n += len(chunk)
        return n


class Httpx(object):
    name = "httpx"

    def open(self, ca):
        return _need("httpx").Client(verify=ssl_context(ca))

    def get(self, c, url, close=False):
        return c.get(url, headers=CLOSE if close else None).content

    def stream(self, c, url):
        n = 0
        with c.stream("GET", url) as r:
            for chunk in r.iter_bytes(CHUNK):
                n += len(chunk)
        return n


class Urllib3(object):
    name = "urllib3"

    def open(self, ca):
        return _need("urllib3").PoolManager(ca_certs=ca, cert_reqs="CERT_REQUIRED")

    def get(self, pm, url, close=False):
        return pm.request("GET", url, headers=CLOSE if close else None).data

    def stream(self, pm, url):
        n = 0
        r = pm.request("GET", url, preload_content=False)
        for chunk in r.stream(CHUNK):
            n += len(chunk)
        r.release_conn()
        return n


class H11Ceiling(object):
    """h11 over one socket: no pool, no policies (benchmarks/h11_client.py)."""

    name = "h11 ceiling"

    def open(self, ca):
        _need("h11")
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import h11_client
        self._mod, self._ctx, self._clients = h11_client, ssl_context(ca), {}
        return self

    def _client(self, url):
        from urllib.parse import urlsplit
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname, parts.port)
        if key not in self._clients:
            ctx = self._ctx if parts.scheme == "https" else None
            self._clients[key] = self._mod.H11Client(parts.hostname, parts.port, ctx)
        path = parts.path + ("?" + parts.query if parts.query else "")
        return self._clients[key], path

    def get(self, _, url, close=False):
        client, path = self._client(url)
        return client.get(path, list(CLOSE.items()) if close else ())

    def stream(self, _, url):
        client, path = self._client(url)
        return sum(len(chunk) for chunk in client.stream(path))


class Httpkit(object):
    """httpkit's requests-style API, exactly as a user would write it."""

    name = "httpkit"

    def open(self, ca):
        httpkit = _need("httpkit", "Session")
        self.ca = ca
        return httpkit.Session()

    def get(self, s, url, close=False):
        return s.get(url, verify=self.ca, headers=CLOSE if close else None).content

    def stream(self, s, url):
        n = 0
        r = s.get(url, verify=self.ca, stream=True)
        for chunk in r.iter_content(CHUNK):
            n += len(chunk)
        r.close()
        return n


class RawSocket(object):
    """The ceiling of a download: one socket (an ``ssl.SSLSocket`` for https), no HTTP library.

    Sends the GET with ``Connection: close`` and reads to the end with
    ``recv_into`` one reusable 64 KiB buffer (the size the other clients'
    callers ask for), counting the body's bytes: no parsing past the head,
    no bytes object per read. Only the big_* workloads run it.
    """

    name = "raw socket loop"

    def open(self, ca):
        self._ctx = ssl_context(ca)
        self._buf = bytearray(CHUNK)
        return self

    def _fetch(self, url, count_only):
        import socket
        from urllib.parse import urlsplit
        parts = urlsplit(url)
        sock = socket.create_connection((parts.hostname, parts.port))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if parts.scheme == "https":
            sock = self._ctx.wrap_socket(sock, server_hostname=parts.hostname)
        try:
            sock.sendall(b"GET %s HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\n\r\n"
                         % (parts.path.encode(), parts.hostname.encode(), parts.port))
            return self._read(sock, count_only)
        finally:
            sock.close()

    def _read(self, sock, count_only):
        buf, view = self._buf, memoryview(self._buf)
        head = b""
        while b"\r\n\r\n" not in head:
            n = sock.recv_into(buf)
            if not n:
                raise RuntimeError("connection closed inside the response head")
            head += buf[:n]
        head, body = head.split(b"\r\n\r\n", 1)
        if not head.startswith(b"HTTP/1.1 200 "):
            raise RuntimeError("unexpected response %r" % head[:40])
        if not count_only:
            while True:
                n = sock.recv_into(buf)
                if not n:
                    return body
                body += view[:n]
        total = len(body)
        recv_into = sock.recv_into
        n = recv_into(buf)
        while n:
            total += n
            n = recv_into(buf)
        return total

    def get(self, _, url, close=False):
        return self._fetch(url, False)

    def stream(self, _, url):
        return self._fetch(url, True)


SYNC = [Requests(), Httpx(), Urllib3(), H11Ceiling(), Httpkit()]
#: Clients shown only in the big_* tables (run.py's ``clients_for``).
BIG_ONLY = [RawSocket()]


# --------------------------------------------------------------------------- cache
class HttpkitCache(object):
    """httpkit with ``Session(cache=...)``; ``store`` is "file", "memory" or None (no cache)."""

    def __init__(self, name, store):
        self.name, self.store = name, store
        self.expect_hit = store is not None

    def open(self, ca, directory):
        httpkit = _need("httpkit", "Session")
        self.ca = ca
        if self.store is None:
            return httpkit.Session()
        cache = _need("httpkit.cache", "FileCache", "MemoryCache")
        store = cache.FileCache(directory) if self.store == "file" else cache.MemoryCache()
        return httpkit.Session(cache=store)

    def fetch(self, s, url):
        r = s.get(url, verify=self.ca)
        return r.content, r.from_cache and r.cache_status == "hit"


class _NoLock(object):
    """Stands in for filelock.FileLock: writes unlocked, like pip's own SafeFileCache."""

    def __init__(self, path):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class RequestsCacheControl(object):
    """requests + CacheControl with its file cache: pip's stack.

    cachecontrol >= 0.13's ``SeparateBodyFileCache`` (body in its own file, as
    pip's SafeFileCache and httpkit's FileCache keep it), else 0.12's
    ``FileCache``. Its default lock needs ``filelock``; without it writes go
    unlocked (pip's cache takes no lock either). Hits only read, never lock.
    """

    name = "requests + CacheControl (file)"
    expect_hit = True
    note = None

    def open(self, ca, directory):
        requests = _need("requests")
        cachecontrol = _need("cachecontrol", "CacheControl")
        caches = _need("cachecontrol.caches", "FileCache")
        cls = getattr(caches, "SeparateBodyFileCache", caches.FileCache)
        try:
            import filelock  # noqa: F401
            cache = cls(directory)
        except ImportError:
            cache = cls(directory, lock_class=_NoLock)
            self.note = "%s without filelock (writes unlocked, as pip's)" % cls.__name__
        s = cachecontrol.CacheControl(requests.Session(), cache=cache,
                                      adapter_class=_hit_marking_adapter())
        s.verify = ca
        return s

    def fetch(self, s, url):
        r = s.get(url, verify=s.verify)
        return r.content, r.from_cache and r.hit


def _hit_marking_adapter():
    """CacheControlAdapter that marks responses served with no network I/O (``r.hit``).

    CacheControlAdapter.send builds a stored response with ``from_cache=True``;
    after a 304 it passes False and sets ``from_cache`` itself.
    """
    from cachecontrol.adapter import CacheControlAdapter

    class HitMarking(CacheControlAdapter):
        def build_response(self, request, response, from_cache=False, *args, **kwargs):
            resp = super(HitMarking, self).build_response(request, response, from_cache,
                                                          *args, **kwargs)
            resp.hit = from_cache
            return resp
    return HitMarking


CACHE = [HttpkitCache("httpkit + FileCache", "file"),
         HttpkitCache("httpkit + MemoryCache", "memory"),
         RequestsCacheControl(),
         HttpkitCache("httpkit, no cache (network GET)", None)]


# --------------------------------------------------------------------------- async
def _split(count, concurrency):
    base, extra = divmod(count, concurrency)
    return [base + (1 if i < extra else 0) for i in range(concurrency)]


def _run_asyncio(worker_factory, count, concurrency, warm):
    import asyncio
    import time

    async def batch(fetch, total):
        async def worker(n):
            for _ in range(n):
                await fetch()
        await asyncio.gather(*(worker(n) for n in _split(total, concurrency)))

    async def main():
        async with worker_factory() as fetch:
            await batch(fetch, warm)
            t0 = time.perf_counter()
            await batch(fetch, count)
            return time.perf_counter() - t0
    return asyncio.run(main())


class _Ctx(object):
    def __init__(self, enter, exit_):
        self._enter, self._exit = enter, exit_

    async def __aenter__(self):
        return await self._enter()

    async def __aexit__(self, *exc):
        await self._exit()


def httpx_async(url, count, concurrency, warm):
    httpx = _need("httpx")
    holder = {}

    async def enter():
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        holder["c"] = httpx.AsyncClient(limits=limits)

        async def fetch():
            r = await holder["c"].get(url)
            r.content
        return fetch

    async def exit_():
        await holder["c"].aclose()
    return _run_asyncio(lambda: _Ctx(enter, exit_), count, concurrency, warm)


def aiohttp_async(url, count, concurrency, warm):
    aiohttp = _need("aiohttp")
    holder = {}

    async def enter():
        holder["s"] = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency))

        async def fetch():
            async with holder["s"].get(url) as r:
                await r.read()
        return fetch

    async def exit_():
        await holder["s"].close()
    return _run_asyncio(lambda: _Ctx(enter, exit_), count, concurrency, warm)


def httpkit_aio(url, count, concurrency, warm):
    aio = _need("httpkit.aio", "Session")
    holder = {}

    async def enter():
        holder["s"] = aio.Session()

        async def fetch():
            r = await holder["s"].get(url)
            body = r.content
            if callable(body):  # content() may be a coroutine method
                await body()
        return fetch

    async def exit_():
        close = getattr(holder["s"], "aclose", None) or getattr(holder["s"], "close")
        result = close()
        if hasattr(result, "__await__"):
            await result
    return _run_asyncio(lambda: _Ctx(enter, exit_), count, concurrency, warm)


def _run_twisted(get_body, url, count, concurrency, warm):
    import time
    from twisted.internet import defer, reactor

    async def batch(total):
        async def worker(n):
            for _ in range(n):
                await get_body(reactor, url)
        await defer.gatherResults([defer.ensureDeferred(worker(n))
                                   for n in _split(total, concurrency)], consumeErrors=True)

    async def main():
        await batch(warm)
        t0 = time.perf_counter()
        await batch(count)
        return time.perf_counter() - t0
    return run_on_reactor(main)


def run_on_reactor(main):
    """Run ``await main()`` on the Twisted reactor (once per process: it cannot restart);
    return its result or raise its exception."""
    from twisted.internet import defer, reactor
    out = {}

    async def outcome():
        try:
            out["result"] = await main()
        except Exception as exc:
            out["error"] = exc
        finally:
            reactor.stop()
    reactor.callWhenRunning(lambda: defer.ensureDeferred(outcome()))
    reactor.run(installSignalHandlers=False)
    if "error" in out:
        raise out["error"]
    return out["result"]


def treq_twisted(url, count, concurrency, warm):
    treq = _need("treq")
    from twisted.web.client import HTTPConnectionPool
    state = {}

    async def get_body(reactor, url):
        if "pool" not in state:
            state["pool"] = HTTPConnectionPool(reactor, persistent=True)
            state["pool"].maxPersistentPerHost = concurrency
        r = await treq.get(url, pool=state["pool"])
        await treq.content(r)
    return _run_twisted(get_body, url, count, concurrency, warm)


def httpkit_tx(url, count, concurrency, warm):
    tx = _need("httpkit.aio.tx", "Session")
    state = {}

    async def get_body(reactor, url):
        if "s" not in state:
            state["s"] = tx.Session()
        r = await state["s"].get(url)
        body = r.content
        if callable(body):
            await body()
    return _run_twisted(get_body, url, count, concurrency, warm)


ASYNC = {
    "httpx.AsyncClient": (httpx_async, {}),
    "aiohttp": (aiohttp_async, {}),
    "aiohttp (no ext)": (aiohttp_async, {"AIOHTTP_NO_EXTENSIONS": "1"}),
    # AIOHTTP_NO_EXTENSIONS only drops aiohttp's own C parser: multidict, yarl,
    # propcache and frozenlist stay compiled. This row is aiohttp's whole stack
    # in pure Python, like httpkit (the "~4,700 req/s" matches this one).
    "aiohttp (pure)": (aiohttp_async, dict((name + "_NO_EXTENSIONS", "1") for name in (
        "AIOHTTP", "MULTIDICT", "YARL", "PROPCACHE", "FROZENLIST"))),
    "treq": (treq_twisted, {}),
    "httpkit.aio": (httpkit_aio, {}),
    "httpkit tx": (httpkit_tx, {}),
}
