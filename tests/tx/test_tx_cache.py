"""httpkit.aio.tx with a cache: store I/O runs in the driver's own thread pool.

Never on the reactor thread (it would stall every connection) and never in the
reactor's thread pool (it resolves host names).
"""
from __future__ import absolute_import, division, print_function

import threading

import httpkit.cache
from servers import random_bytes

BIG = random_bytes(1024 * 1024, seed=5)  # larger than a FileCache reads at once


class RecordingFileCache(httpkit.cache.FileCache):
    """A FileCache that notes the thread of every load and write."""

    def __init__(self, directory):
        super(RecordingFileCache, self).__init__(directory)
        self.threads = set()

    def load(self, key):
        self.threads.add(threading.current_thread().name)
        return super(RecordingFileCache, self).load(key)

    def writer(self, key):
        self.threads.add(threading.current_thread().name)
        return super(RecordingFileCache, self).writer(key)


def test_store_io_runs_in_a_pool_of_its_own(tx, tmpdir):
    from servers import HTTPTestServer
    origin = HTTPTestServer(routes={"/big": lambda req: (
        200, [("Cache-Control", "max-age=60")], BIG)}).start()
    try:
        store = RecordingFileCache(str(tmpdir))
        session = tx.session(cache=store)
        url = origin.url + "/big"
        for expected in ("miss", "hit"):
            response = tx.call(session.get, url)
            body = tx.call(response.content)
            assert response.cache_status == expected and body == BIG
        assert len(origin.requests) == 1
        assert store.threads and all("httpkit-cache" in name for name in store.threads), \
            store.threads
        reactor_pool = tx.call(lambda: tx.reactor.getThreadPool().name)
        assert not any(reactor_pool and reactor_pool in name for name in store.threads)
    finally:
        origin.stop()
