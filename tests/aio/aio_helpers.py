"""Helpers for the asyncio tests (Python 3 only)."""
from __future__ import absolute_import, division, print_function

import asyncio

#: No test coroutine runs longer than this.
TEST_TIMEOUT = 60.0


def run(coro, timeout=TEST_TIMEOUT):
    """Run ``coro`` on a fresh event loop, bounded by ``timeout`` seconds."""
    async def bounded():
        return await asyncio.wait_for(coro, timeout)
    return asyncio.run(bounded())


def pool_is_settled(session):
    """True when every connection the pool counts is idle (no slot leaked)."""
    pool = session._driver.pool
    return pool.total == pool.idle_count()
