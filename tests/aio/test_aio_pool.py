"""httpkit.aio under load: pool limits, cancellation, pool waits, memory."""
from __future__ import absolute_import, division, print_function

import asyncio
import tracemalloc

import pytest

import httpkit
import httpkit.aio as aio
import servers
from aio_helpers import pool_is_settled, run


@pytest.fixture
def fresh_server():
    """A server of its own, so its connection count is this test's."""
    server = servers.HTTPTestServer().start()
    yield server
    server.stop()


def test_1000_concurrent_requests_stay_within_the_limits(fresh_server):
    limits = httpkit.Limits(max_per_host=50, max_total=50)
    seen = []

    async def main():
        async with aio.Session(limits=limits) as s:
            pool = s._driver.pool

            async def one(i):
                r = await s.get(fresh_server.url + "/bytes/2000?seed=%d" % (i % 7))
                seen.append(pool.total)
                return len(r.content)
            tracemalloc.start()
            try:
                sizes = await asyncio.gather(*(one(i) for i in range(1000)))
                peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
            return sizes, peak, pool_is_settled(s), pool.total
    sizes, peak, settled, total = run(main(), timeout=120)
    assert sizes == [2000] * 1000
    assert max(seen) <= 50 and total <= 50 and settled
    assert fresh_server.connections <= 50
    assert peak < 50 * 1024 * 1024, "peak traced memory %d bytes" % peak


def test_cancelling_200_requests_leaks_no_slot(fresh_server):
    limits = httpkit.Limits(max_per_host=50, max_total=50)

    async def main():
        async with aio.Session(limits=limits) as s:
            tasks = [asyncio.ensure_future(s.get(fresh_server.url + "/delay/2"))
                     for _ in range(200)]
            await asyncio.sleep(0.5)  # 50 on the wire, 150 waiting for the pool
            assert s._driver.pool.total == 50
            for task in tasks:
                task.cancel()
            results = await asyncio.gather(*tasks, return_exceptions=True)
            assert all(isinstance(r, asyncio.CancelledError) for r in results)
            assert pool_is_settled(s) and s._driver.pool.total == 0
            assert not s._driver._waiters
            after = await asyncio.wait_for(asyncio.gather(
                *(s.get(fresh_server.url + "/get") for _ in range(50))), 30)
            assert [r.status_code for r in after] == [200] * 50
            assert pool_is_settled(s)
            return s._driver.pool.total
    assert 1 <= run(main()) <= 50


def test_timeouts_around_requests_release_their_connections(http_server):
    async def main():
        async with aio.Session(limits=httpkit.Limits(max_per_host=5, max_total=5)) as s:
            for _ in range(3):
                calls = [asyncio.wait_for(s.get(http_server.url + "/delay/1"), 0.2)
                         for _ in range(20)]
                results = await asyncio.gather(*calls, return_exceptions=True)
                assert all(isinstance(r, asyncio.TimeoutError) for r in results)
                assert pool_is_settled(s)
            r = await s.get(http_server.url + "/get")
            return r.status_code, s._driver.pool.total
    assert run(main()) == (200, 1)


def test_cancelling_mid_body_never_pools_the_connection(fresh_server):
    async def main():
        async with aio.Session() as s:
            r = await s.get(fresh_server.url + "/drip?numbytes=5&duration=2", stream=True)
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(r.aread(), 0.3)
            assert s._driver.pool.total == 0
            again = await s.get(fresh_server.url + "/get")
            return again.status_code
    assert run(main()) == 200
    assert fresh_server.connections == 2  # the half-read connection was not reused


def test_pool_timeout_when_every_connection_is_busy(http_server):
    limits = httpkit.Limits(max_per_host=1, max_total=1)

    async def main():
        async with aio.Session(limits=limits) as s:
            slow = asyncio.ensure_future(s.get(http_server.url + "/delay/1"))
            await asyncio.sleep(0.1)
            with pytest.raises(httpkit.PoolTimeout):
                await s.get(http_server.url + "/get", timeout=httpkit.Timeouts(5, pool=0.2))
            assert (await slow).status_code == 200
            r = await s.get(http_server.url + "/get", timeout=httpkit.Timeouts(5, pool=0.2))
            return r.status_code, pool_is_settled(s), s._driver.pool.total
    assert run(main()) == (200, True, 1)


def test_waiters_are_served_in_order(http_server):
    limits = httpkit.Limits(max_per_host=1, max_total=1)
    order = []

    async def main():
        async with aio.Session(limits=limits) as s:
            async def one(i):
                await s.get(http_server.url + "/get?i=%d" % i)
                order.append(i)
            tasks = []
            for i in range(10):
                tasks.append(asyncio.ensure_future(one(i)))
                await asyncio.sleep(0)  # each reaches the pool in turn
            await asyncio.gather(*tasks)
            return s._driver.pool.total
    assert run(main()) == 1
    assert order == list(range(10))


def test_a_full_pool_evicts_an_idle_connection_of_another_host(http_server):
    limits = httpkit.Limits(max_per_host=1, max_total=1)

    async def main():
        async with aio.Session(limits=limits) as s:
            await s.get(http_server.url + "/get")
            r = await s.get(http_server.base_url("/get", host="localhost"))
            return r.status_code, s._driver.pool.total
    assert run(main()) == (200, 1)


def test_waiters_for_another_host_are_not_starved(http_server):
    """A checkin that cannot serve the oldest waiter's host serves the next one."""
    limits = httpkit.Limits(max_per_host=1, max_total=2)

    async def main():
        async with aio.Session(limits=limits) as s:
            a = http_server.base_url("/delay/0.5")
            b = http_server.base_url("/get", host="localhost")
            busy = asyncio.ensure_future(s.get(a))
            busy_b = asyncio.ensure_future(s.get(http_server.base_url("/delay/0.2",
                                                                      host="localhost")))
            await asyncio.sleep(0.05)
            waiting_a = asyncio.ensure_future(s.get(a))  # waits for host a
            await asyncio.sleep(0.05)
            waiting_b = asyncio.ensure_future(s.get(b))  # waits for host b, queued after a
            done_b = await asyncio.wait_for(waiting_b, 5)
            assert not waiting_a.done()  # b was served while a still waited
            await asyncio.gather(busy, busy_b, waiting_a)
            return done_b.status_code, pool_is_settled(s)
    assert run(main()) == (200, True)


def test_close_wakes_waiters(http_server):
    limits = httpkit.Limits(max_per_host=1, max_total=1)

    async def main():
        s = aio.Session(limits=limits)
        busy = asyncio.ensure_future(s.get(http_server.url + "/delay/0.5"))
        await asyncio.sleep(0.05)
        waiting = asyncio.ensure_future(s.get(http_server.url + "/get"))
        await asyncio.sleep(0.05)
        await s.aclose()
        with pytest.raises(httpkit.ConnectionError):
            await waiting
        await busy
        return s._driver.pool.total
    assert run(main()) == 0
