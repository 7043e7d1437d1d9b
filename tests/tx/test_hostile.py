"""The hostile-server catalogue (tests/hostile/catalog.py) on the Twisted front-end."""
from __future__ import absolute_import, division, print_function

import pytest

from hostile.catalog import CASES, case_ids
from scenarios.harness import Servers

from scenario_adapter import TxAdapter


@pytest.fixture
def scenario_servers(http_server, https_server, proxy_server):
    servers = Servers(http_server, https_server, proxy_server)
    yield servers
    servers.close()


@pytest.mark.parametrize("case", CASES, ids=case_ids())
def test_hostile(case, scenario_servers, tx):
    case(TxAdapter(tx), scenario_servers)
