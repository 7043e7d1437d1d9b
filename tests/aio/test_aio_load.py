"""Faults under load on httpkit.aio (tests/load/faulty.py states the rules); Python 3 only.

200 tasks share one ``httpkit.aio.Session`` against a server that resets,
stalls and truncates at random. Every call ends -- in the exact body or an
httpkit error -- within its total deadline; then, faults off, the same
Session makes 50 good requests; and once the loop is gone no file descriptor
is left open.
"""
from __future__ import absolute_import, division, print_function

import asyncio

import pytest

import httpkit
import httpkit.aio as aio
from aio_helpers import pool_is_settled, run
from load.faulty import READ_TIMEOUT, FaultyServer, Tally
from load.peers import BOUND, UPLOAD, SlowReader, fds_settle, open_fds

CALLS = 200
DEADLINE = 10.0


@pytest.fixture
def faulty():
    server = FaultyServer().start()
    yield server
    server.stop()


def _timeouts():
    return httpkit.Timeouts(connect=5.0, read=READ_TIMEOUT, write=5.0, pool=DEADLINE,
                            total=DEADLINE)


async def _call(session, url, index, tally):
    try:
        r = await session.get(url + "/n/%d" % index, timeout=_timeouts())
    except Exception as exc:  # noqa: BLE001 - the tally tells httpkit's from others
        tally.error(index, exc)
    else:
        tally.body(index, r.status_code, r.content)


def test_faults_under_load_then_the_pool_recovers_and_nothing_leaks(faulty):
    before = open_fds()
    tally, recovered = Tally(), Tally()

    async def main():
        limits = httpkit.Limits(max_per_host=50, max_total=50)
        async with aio.Session(limits=limits) as session:
            await asyncio.gather(*(_call(session, faulty.url, i, tally) for i in range(CALLS)))
            faulty.faults = False
            for index in range(50):
                await _call(session, faulty.url, CALLS + index, recovered)
            return pool_is_settled(session)
    settled = run(main(), timeout=60)
    tally.check(CALLS)
    assert recovered.kinds == {"ok": 50}, recovered.kinds
    assert settled
    opened = fds_settle(before)
    assert opened == [], "descriptors left open: %r" % (opened,)


# --------------------------------------------------------------------------- memory
def test_keep_alive_requests_do_not_grow(nginx):
    from load.memory import COUNT, MemoryWatch, check
    from nginx import SMALL
    url = nginx.url("/small.txt")

    async def main():
        async with aio.Session() as session:
            for _ in range(1000):  # warm-up
                assert (await session.get(url)).content == SMALL
            with MemoryWatch() as watch:
                for _ in range(COUNT):
                    assert (await session.get(url)).content == SMALL
                connections = session._driver.pool.total
        return watch, connections
    watch, connections = run(main(), timeout=120)
    assert connections == 1  # kept alive: one connection served them all
    check(watch)


# --------------------------------------------------------------------------- slow reader
@pytest.fixture
def slow_reader():
    server = SlowReader().start()
    yield server
    server.stop()


def _upload_outcome(url, timeouts):
    async def main():
        async with aio.Session() as session:
            try:
                await session.post(url, data=UPLOAD, timeout=timeouts)
            except httpkit.RequestException as exc:
                return exc
    return run(main(), timeout=BOUND)


def test_write_timeout_holds_against_a_slow_reader(slow_reader):
    """tests/load/test_slow_reader.py, on asyncio: a send kept going ends at ``write``."""
    timeouts = httpkit.Timeouts(connect=5.0, read=5.0, write=2.0)
    exc = _upload_outcome(slow_reader.url + "/up", timeouts)
    assert isinstance(exc, httpkit.WriteTimeout), repr(exc)
    assert slow_reader.received > 0  # the peer did read: the send made progress


def test_total_deadline_holds_against_a_slow_reader(slow_reader):
    timeouts = httpkit.Timeouts(connect=5.0, read=5.0, write=5.0, total=2.0)
    exc = _upload_outcome(slow_reader.url + "/up", timeouts)
    assert isinstance(exc, httpkit.DeadlineExceeded), repr(exc)
