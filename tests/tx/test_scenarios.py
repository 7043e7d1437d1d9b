"""The shared scenario corpus (tests/scenarios/corpus.py) on the Twisted front-end."""
from __future__ import absolute_import, division, print_function

import pytest

from scenarios.corpus import SCENARIOS, scenario_ids

from scenario_adapter import TxAdapter


@pytest.mark.parametrize("scenario", SCENARIOS, ids=scenario_ids())
def test_scenario(scenario, scenario_servers, tx):
    scenario(TxAdapter(tx), scenario_servers)
