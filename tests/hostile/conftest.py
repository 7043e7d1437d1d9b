"""Fixtures for the hostile catalogue: ``scenario_servers`` (a fresh harness.Servers)."""
from __future__ import absolute_import, division, print_function

import pytest

from scenarios.harness import Servers


@pytest.fixture
def scenario_servers(http_server, https_server, proxy_server):
    servers = Servers(http_server, https_server, proxy_server)
    yield servers
    servers.close()
