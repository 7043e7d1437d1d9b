"""Fixtures for the load tests (tests/load/, 2.7 and 3.x).

Fixtures:
  slow_reader   a started :class:`peers.SlowReader`, stopped after the test
"""
from __future__ import absolute_import, division, print_function

import pytest

from load.peers import SlowReader


@pytest.fixture
def slow_reader():
    server = SlowReader().start()
    yield server
    server.stop()
