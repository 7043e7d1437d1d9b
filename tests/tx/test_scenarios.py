"""The shared scenario corpus (tests/scenarios/corpus.py) on the Twisted front-end."""
from __future__ import absolute_import, division, print_function

import pytest

from scenarios.corpus import SCENARIOS, scenario_ids
from scenarios.harness import Servers

from scenario_adapter import TxAdapter


@pytest.fixture
def scenario_servers(http_server, https_server, proxy_server):
    servers = Servers(http_server, https_server, proxy_server)
    yield servers
    servers.close()


@pytest.mark.parametrize("scenario", SCENARIOS, ids=scenario_ids())
def test_scenario(scenario, scenario_servers, tx):
    scenario(TxAdapter(tx), scenario_servers)
