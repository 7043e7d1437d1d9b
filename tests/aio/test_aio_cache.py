"""httpkit.aio with a cache: store I/O never runs on the event loop's thread."""
import threading

import httpkit.cache
from httpkit import aio
from servers import HTTPTestServer, random_bytes

from aio_helpers import run

BIG = random_bytes(1024 * 1024, seed=6)  # larger than a FileCache reads at once


class RecordingFileCache(httpkit.cache.FileCache):
    def __init__(self, directory):
        super().__init__(directory)
        self.threads = set()

    def load(self, key):
        self.threads.add(threading.current_thread().name)
        return super().load(key)

    def writer(self, key):
        self.threads.add(threading.current_thread().name)
        return super().writer(key)


def test_store_io_runs_in_an_executor_of_its_own(tmpdir):
    origin = HTTPTestServer(routes={"/big": lambda req: (
        200, [("Cache-Control", "max-age=60")], BIG)}).start()
    store = RecordingFileCache(str(tmpdir))

    async def main():
        async with aio.Session(cache=store) as s:
            out = []
            for _ in range(2):
                r = await s.get(origin.url + "/big", stream=True)
                chunks = [c async for c in r.aiter_content(65536)]
                out.append((r.cache_status, b"".join(chunks)))
            return out
    try:
        results = run(main())
    finally:
        origin.stop()
    assert results == [("miss", BIG), ("hit", BIG)]
    assert len(origin.requests) == 1
    assert store.threads and all(n.startswith("httpkit-cache") for n in store.threads), \
        store.threads


def test_memory_cache_hits_need_no_thread():
    origin = HTTPTestServer(routes={"/c": lambda req: (
        200, [("Cache-Control", "max-age=60")], b"small")}).start()

    class Store(httpkit.cache.MemoryCache):
        threads = set()

        def load(self, key):
            self.threads.add(threading.current_thread().name)
            return super().load(key)

    store = Store()

    async def main():
        async with aio.Session(cache=store) as s:
            return [(await s.get(origin.url + "/c")).cache_status for _ in range(3)]
    try:
        assert run(main()) == ["miss", "hit", "hit"]
    finally:
        origin.stop()
    assert store.threads == {threading.current_thread().name}
