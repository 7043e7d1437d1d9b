"""Fixtures for the load tests (tests/load/, 2.7 and 3.x).

Fixtures:
  slow_reader   a started :class:`peers.SlowReader`, stopped after the test
  faulty        a started :class:`faulty.FaultyServer` (seed 11), stopped after the test
"""
from __future__ import absolute_import, division, print_function

import pytest

from load.faulty import FaultyServer
from load.peers import SlowReader


@pytest.fixture
def slow_reader():
    server = SlowReader().start()
    yield server
    server.stop()


@pytest.fixture
def faulty():
    server = FaultyServer().start()
    yield server
    server.stop()
