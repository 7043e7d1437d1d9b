"""An httpkit.aio Session across event loops (issue 10): after ``asyncio.run`` ends, the
next ``asyncio.run`` gets a working Session; two loops at once are refused clearly."""
from __future__ import absolute_import, division, print_function

import asyncio
import gc
import warnings

import pytest

import httpkit.aio as aio
from aio_helpers import TEST_TIMEOUT, pool_is_settled, run


def _get(session, url, **kwargs):
    async def main():
        r = await session.get(url, timeout=5, **kwargs)
        return r.status_code, r.content
    return main()


def test_session_moves_to_the_next_asyncio_run(http_server):
    session = aio.Session()
    url = http_server.url + "/get"
    before = http_server.connections
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(3):
            status, body = run(_get(session, url))
            assert status == 200 and b'"url"' in body
        assert pool_is_settled(session)
        run(session.aclose())  # closing after the loops are gone must not fail either
        gc.collect()
    # a closed loop's idle connection was closed then, not left to the garbage collector
    assert [str(w.message) for w in caught if w.category is ResourceWarning] == []
    # each loop had its own connection: a closed loop's transport is never reused
    assert http_server.connections - before == 3


def test_idle_connections_of_a_stopped_loop_are_closed_and_the_session_moves(http_server):
    session = aio.Session()
    first = asyncio.new_event_loop()
    try:
        status, _ = first.run_until_complete(
            asyncio.wait_for(_get(session, http_server.url + "/get"), TEST_TIMEOUT))
        assert status == 200 and session._driver.pool.idle_count() == 1
        status, _ = run(_get(session, http_server.url + "/get"))
        assert status == 200
        # The move closed the first loop's connection: its transport's last callback
        # (which closes the socket) waits on that loop, and close() would drop it.
        first.run_until_complete(asyncio.sleep(0))
    finally:
        first.close()
    run(session.aclose())


def test_session_in_use_on_another_open_loop_says_so(http_server):
    session = aio.Session()
    first = asyncio.new_event_loop()
    try:
        response = first.run_until_complete(asyncio.wait_for(
            session.get(http_server.url + "/bytes/100000", stream=True, timeout=5),
            TEST_TIMEOUT))
        with pytest.raises(RuntimeError) as info:
            run(_get(session, http_server.url + "/get"))
        message = str(info.value)
        assert "another event loop" in message and "one Session per loop" in message
        first.run_until_complete(response.aclose())
        first.run_until_complete(session.aclose())
    finally:
        first.close()
