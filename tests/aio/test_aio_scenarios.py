"""The shared scenario corpus (tests/scenarios/corpus.py) on the asyncio front-end.

It lives here rather than in tests/scenarios/ because this folder is never
collected on Python 2.7 (the adapter uses async syntax).
"""
from __future__ import absolute_import, division, print_function

import pytest

from aio_scenario_adapter import AsyncioAdapter
from scenarios.corpus import SCENARIOS, scenario_ids


@pytest.mark.parametrize("scenario", SCENARIOS, ids=scenario_ids())
def test_scenario(scenario, scenario_servers):
    scenario(AsyncioAdapter(), scenario_servers)
