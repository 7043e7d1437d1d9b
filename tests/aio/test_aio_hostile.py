"""The hostile-server catalogue (tests/hostile/catalog.py) on the asyncio front-end."""
from __future__ import absolute_import, division, print_function

import pytest

from aio_scenario_adapter import AsyncioAdapter
from hostile.catalog import CASES, case_ids


@pytest.mark.parametrize("case", CASES, ids=case_ids())
def test_hostile(case, scenario_servers):
    case(AsyncioAdapter(), scenario_servers)
