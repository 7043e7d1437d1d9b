"""The scenario corpus on the blocking front-end."""
from __future__ import absolute_import, division, print_function

import pytest

from scenarios.corpus import SCENARIOS, scenario_ids
from scenarios.sync_adapter import SyncAdapter


@pytest.mark.parametrize("scenario", SCENARIOS, ids=scenario_ids())
def test_scenario(scenario, scenario_servers):
    scenario(SyncAdapter(), scenario_servers)
