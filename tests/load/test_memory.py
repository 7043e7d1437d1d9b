"""A blocking Session does not grow over thousands of keep-alive requests to nginx.

Measured from after a warm-up (tests/load/memory.py, which also states the
tolerances): Python memory still allocated at the end (tracemalloc, 3.x), the
resident set (every Python) and the ResourceWarnings emitted (3.x).
"""
from __future__ import absolute_import, division, print_function

import httpkit
from load.memory import COUNT, MemoryWatch, check
from nginx import SMALL

WARMUP = 1000


def test_keep_alive_requests_do_not_grow(nginx):
    url = nginx.url("/small.txt")
    with httpkit.Session() as session:
        for _ in range(WARMUP):
            assert session.get(url).content == SMALL
        with MemoryWatch() as watch:
            for _ in range(COUNT):
                assert session.get(url).content == SMALL
            connections = session._driver.pool.total
    assert connections == 1  # kept alive: one connection served them all
    check(watch)
